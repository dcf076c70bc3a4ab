import Foundation
import Testing

/// `backprop sweep` as a scheduler runs it: shards, reruns, signals, reports.
@Suite(.serialized) struct SweepTests {
    typealias CLI = CommandLineTests

    /// 2 learning rates × 2 seeds × (sgd at 2 momentums, adam): 12 configurations.
    static let grid = [
        "--learning-rate", "0.3,1", "--seed", "1,2", "--optimizer", "sgd,adam", "--momentum", "0,0.9", "--epochs", "8",
        "--samples", "600", "--validation-split", "0.25", "--quiet",
    ]

    static func models(_ folder: URL) throws -> [String: Data] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("models").path)
        return try Dictionary(uniqueKeysWithValues: names.map { ($0, try Data(contentsOf: folder.appendingPathComponent("models/\($0)"))) })
    }

    /// Configurations are numbered learning rate slowest, momentum fastest; each is `train`'s
    /// run with the same options, to the byte.
    @Test func eachConfigurationIsTrainsRun() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try CLI.run(["sweep", "--out", "all"] + Self.grid, in: folder).status == 0)
        let lines = try String(contentsOf: folder.appendingPathComponent("all/results.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(lines.count == 12)
        let fourth = try #require(lines.first { $0["index"] as? Int == 4 })
        #expect(fourth["learning_rate"] as? Double == 0.3 && fourth["seed"] as? Int == 2)
        #expect(fourth["optimizer"] as? String == "sgd" && fourth["momentum"] as? Double == 0.9)
        #expect(fourth["model"] as? String == "models/config-0004.json" && fourth["epochs"] as? Int == 8)
        #expect(lines.allSatisfy { $0["validation_loss"] is Double && $0["accuracy"] is Double })
        let train = [
            "train", "--learning-rate", "0.3", "--seed", "2", "--momentum", "0.9", "--epochs", "8", "--samples", "600",
            "--validation-split", "0.25", "--quiet", "--save", "t.json",
        ]
        #expect(try CLI.run(train, in: folder).status == 0)
        #expect(try Data(contentsOf: folder.appendingPathComponent("t.json")) == Self.models(folder.appendingPathComponent("all"))["config-0004.json"])
        // Alone, among the twelve on two threads, or among them on one: the same bytes.
        let alone = ["--learning-rate", "1", "--seed", "2", "--momentum", "0.9"] + Self.grid.dropFirst(8)
        #expect(try CLI.run(["sweep", "--out", "alone", "--threads", "1"] + alone, in: folder).status == 0)
        #expect(try CLI.run(["sweep", "--out", "one-thread", "--threads", "1"] + Self.grid, in: folder).status == 0)
        let twelve = try Self.models(folder.appendingPathComponent("all"))
        #expect(try Self.models(folder.appendingPathComponent("alone"))["config-0000.json"] == twelve["config-0010.json"])
        #expect(try Self.models(folder.appendingPathComponent("one-thread")) == twelve)
    }

    /// Shards from Slurm's array variables and from --shard give the models of the whole
    /// grid in one process; a rerun skips what is done; the report merges every shard.
    @Test func shardsMakeTheWholeGrid() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try CLI.run(["sweep", "--out", "all"] + Self.grid, in: folder).status == 0)
        for task in 0..<2 {
            let environment = ["SLURM_ARRAY_TASK_ID": "\(task)", "SLURM_ARRAY_TASK_COUNT": "3"]
            #expect(try CLI.run(["sweep", "--out", "split"] + Self.grid, in: folder, environment: environment).status == 0)
        }
        #expect(try CLI.run(["sweep", "--out", "split", "--shard", "2/3"] + Self.grid, in: folder).status == 0)
        let split = folder.appendingPathComponent("split")
        #expect(try Self.models(split) == Self.models(folder.appendingPathComponent("all")))
        #expect(FileManager.default.fileExists(atPath: split.appendingPathComponent("results-shard-1-of-3.jsonl").path))
        let before = try Data(contentsOf: split.appendingPathComponent("results-shard-1-of-3.jsonl"))
        let rerun = try CLI.run(["sweep", "--out", "split", "--shard", "1/3"] + Self.grid.dropLast(), in: folder)
        #expect(rerun.status == 0 && !rerun.errors.contains("configurations,"), "\(rerun.errors)")  // nothing trained
        #expect(try Data(contentsOf: split.appendingPathComponent("results-shard-1-of-3.jsonl")) == before)
        let all = try CLI.run(["sweep", "--report", "all", "--json"], in: folder).output
        #expect(try CLI.run(["sweep", "--report", "split", "--json"], in: folder).output == all)
        let table = try CLI.run(["sweep", "--report", "split"], in: folder).output.split(separator: "\n")
        #expect(table.count == 13 && table[1].hasPrefix("1 "))
        // The chart: a line per optimizer (two swept), a point per learning rate.
        #expect(try CLI.run(["plot", "--sweep", "split", "--out", "sweep.svg"], in: folder).status == 0)
        let svg = try String(contentsOf: folder.appendingPathComponent("sweep.svg"), encoding: .utf8)
        #expect(svg.components(separatedBy: "<polyline").count == 3 && svg.components(separatedBy: "<circle").count == 5)
        #expect(svg.contains(">adam</text>") && svg.contains(">sgd</text>") && svg.contains("validation accuracy"))
    }

    /// SIGTERM checkpoints the configurations under way and exits 143; running again
    /// finishes with the bytes of an uninterrupted sweep.
    @Test func aTerminatedSweepResumesToTheSameModels() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let grid = ["--learning-rate", "0.2,0.5", "--seed", "3", "--epochs", "60", "--samples", "5000", "--threads", "2", "--checkpoint-every", "2", "--quiet"]
        #expect(try CLI.run(["sweep", "--out", "whole"] + grid, in: folder).status == 0)
        let stopped = try CLI.run(
            ["sweep", "--out", "cut"] + grid, in: folder, signal: SIGTERM,
            whenExists: folder.appendingPathComponent("cut/checkpoints/config-0001.json"))
        #expect(stopped.status == 143, "\(stopped.errors)")
        #expect(stopped.errors.contains("run it again to continue"))
        #expect(try CLI.run(["sweep", "--out", "cut"] + grid, in: folder).status == 0)
        #expect(try Self.models(folder.appendingPathComponent("cut")) == Self.models(folder.appendingPathComponent("whole")))
    }

    @Test func badGridsAndShardsAreUsageErrors() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases: [([String], [String: String], String)] = [
            (["--out", "s", "--learning-rate", "0.1,x", "--seed", "1"], [:],
             "error: --learning-rate takes a comma-separated list of numbers > 0; 'x' is not one"),
            (["--out", "s", "--learning-rate", "0.1", "--seed", "1", "--shard", "2/2"], [:], "error: --shard must be I/N with 0 <= I < N, not '2/2'"),
            (["--out", "s", "--learning-rate", "0.1", "--seed", "1"], ["SLURM_ARRAY_TASK_ID": "0"],
             "error: SLURM_ARRAY_TASK_ID=0 needs SLURM_ARRAY_TASK_COUNT set"),
            (["--out", "s", "--learning-rate", "0.1"], [:], "error: sweep needs --learning-rate LIST and --seed LIST"),
            (["--out", "s", "--learning-rate", "0.1", "--seed", "1", "--samples", "3", "--validation-split", "0.1"], [:],
             "error: --validation-split 0.1 holds out no samples out of 3"),
            (["--out", "s", "--learning-rate", "0.1", "--seed", "1", "--optimizer", "adam", "--momentum", "0.9"], [:],
             "error: --momentum is a setting of --optimizer sgd"),
        ]
        for (arguments, environment, message) in cases {
            let result = try CLI.run(["sweep"] + arguments, in: folder, environment: environment)
            #expect(result.status == 64 && result.errors.hasPrefix(message), "\(arguments): \(result.errors)")
        }
        // Another grid in a folder with results: refused, not skipped as done.
        #expect(try CLI.run(["sweep", "--out", "f", "--learning-rate", "0.5", "--seed", "1", "--epochs", "1", "--samples", "50", "--quiet"], in: folder).status == 0)
        let other = try CLI.run(["sweep", "--out", "f", "--learning-rate", "0.7", "--seed", "1", "--epochs", "1", "--samples", "50"], in: folder)
        #expect(other.status == 1 && other.errors.contains("is not this grid's configuration 0"), "\(other.errors)")
        let missing = try CLI.run(["sweep", "--report", "nowhere"], in: folder)
        #expect(missing.status == 1 && missing.errors.hasPrefix("error: nowhere: cannot list the folder"))
    }
}
