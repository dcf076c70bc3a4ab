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

    /// Configurations are numbered learning rate slowest, momentum fastest; each is `train
    /// --engine population`'s run with the same options, to the byte (`train`'s with --engine simd).
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
        #expect(try CLI.run(train + ["--engine", "population"], in: folder).status == 0)
        #expect(try Data(contentsOf: folder.appendingPathComponent("t.json")) == Self.models(folder.appendingPathComponent("all"))["config-0004.json"])
        // With --engine simd, each configuration is plain `train`'s run.
        let simd = ["--learning-rate", "0.3", "--seed", "2", "--momentum", "0.9"] + Self.grid.dropFirst(8)
        #expect(try CLI.run(["sweep", "--out", "simd", "--engine", "simd"] + simd, in: folder).status == 0)
        #expect(try CLI.run(train, in: folder).status == 0)
        #expect(try Data(contentsOf: folder.appendingPathComponent("t.json")) == Self.models(folder.appendingPathComponent("simd"))["config-0000.json"])
        #expect(try Self.models(folder.appendingPathComponent("simd"))["config-0000.json"] != Self.models(folder.appendingPathComponent("all"))["config-0004.json"])
        // Alone, among the twelve on two threads, or among them on one: the same bytes.
        let alone = ["--learning-rate", "1", "--seed", "2", "--momentum", "0.9"] + Self.grid.dropFirst(8)
        #expect(try CLI.run(["sweep", "--out", "alone", "--threads", "1"] + alone, in: folder).status == 0)
        #expect(try CLI.run(["sweep", "--out", "one-thread", "--threads", "1"] + Self.grid, in: folder).status == 0)
        let twelve = try Self.models(folder.appendingPathComponent("all"))
        #expect(try Self.models(folder.appendingPathComponent("alone"))["config-0000.json"] == twelve["config-0010.json"])
        #expect(try Self.models(folder.appendingPathComponent("one-thread")) == twelve)
    }

    /// Schedules are dimensions of the grid, numbered after the momentum (schedule, gamma,
    /// t-max, warmup epochs fastest; a schedule without a setting takes none, once); results
    /// lines and the report name them; each configuration is `train --engine population`'s
    /// run with the same options, to the byte, its lane following its own schedule.
    @Test func schedulesAreDimensionsOfTheGrid() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let common = ["--epochs", "6", "--samples", "300", "--validation-split", "0.25", "--quiet"]
        let grid = ["--learning-rate", "0.5,1", "--seed", "1", "--schedule", "cosine,step,plateau", "--gamma", "0.5,0.8", "--warmup-epochs", "0,2",
                    "--step-size", "2", "--plateau-patience", "0"]
        #expect(try CLI.run(["sweep", "--out", "s"] + grid + common, in: folder).status == 0)
        let lines = try String(contentsOf: folder.appendingPathComponent("s/results.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        // Per learning rate: cosine × 2 warmups, step × 2 gammas × 2 warmups, plateau once.
        #expect(lines.count == 2 * (2 + 4 + 1))
        let sixth = try #require(lines.first { $0["index"] as? Int == 5 })
        #expect(sixth["schedule"] as? String == "step" && sixth["gamma"] as? Double == 0.8 && sixth["warmup_epochs"] as? Int == 2)
        let plateau = try #require(lines.first { $0["index"] as? Int == 6 })
        #expect(plateau["schedule"] as? String == "plateau" && plateau["gamma"] == nil && plateau["warmup_epochs"] == nil)
        let models = try Self.models(folder.appendingPathComponent("s"))
        // onecycle: its lanes' rates change every mini-batch.
        #expect(try CLI.run(["sweep", "--out", "cycle", "--learning-rate", "0.5,1", "--seed", "1,2", "--schedule", "onecycle,cosine"] + common, in: folder).status == 0)
        #expect(try CLI.run(["train", "--engine", "population", "--learning-rate", "1", "--seed", "1", "--schedule", "onecycle", "--save", "t.json"] + common, in: folder).status == 0)
        #expect(try Data(contentsOf: folder.appendingPathComponent("t.json")) == Self.models(folder.appendingPathComponent("cycle"))["config-0004.json"])
        for (index, options) in [
            (5, ["--learning-rate", "0.5", "--schedule", "step", "--step-size", "2", "--gamma", "0.8", "--warmup-epochs", "2"]),
            (13, ["--learning-rate", "1", "--schedule", "plateau", "--plateau-patience", "0"]),
        ] {
            #expect(try CLI.run(["train", "--engine", "population", "--seed", "1", "--save", "t.json"] + options + common, in: folder).status == 0)
            #expect(try Data(contentsOf: folder.appendingPathComponent("t.json")) == models[String(format: "config-%04d.json", index)], "\(index)")
        }
        #expect(models["config-0005.json"] != models["config-0004.json"])
        let report = try CLI.run(["sweep", "--report", "s"], in: folder)
        #expect(report.output.contains(" schedule ") && report.output.contains("step gamma 0.8 warmup 2"), "\(report.output)")
        // A sweep over no schedule writes the lines it always wrote.
        #expect(try CLI.run(["sweep", "--out", "plain", "--learning-rate", "1", "--seed", "1"] + common, in: folder).status == 0)
        let plain = try String(contentsOf: folder.appendingPathComponent("plain/results.jsonl"), encoding: .utf8)
        let plainReport = try CLI.run(["sweep", "--report", "plain"], in: folder).output
        #expect(!plain.contains("schedule") && !plainReport.contains("schedule"))

        let cases: [([String], String)] = [
            (["--eta-min", "0.1"], "error: --eta-min is a setting of --schedule cosine, which the sweep does not train"),
            (["--schedule", "cosine", "--gamma", "0.5"], "error: --gamma is a setting of --schedule step, multistep, exponential, which the sweep does not train"),
            (["--schedule", "step,cosine"], "error: --schedule step needs --step-size"),
            (["--schedule", "cosine,warm"], "error: --schedule takes a comma-separated list of "),
            (["--schedule", "multistep", "--milestones", "3,1"], "error: configuration 0 (--schedule multistep): the milestones are [3, 1]"),
            (["--warmup-epochs", "-1"], "error: --warmup-epochs takes a comma-separated list of integers from 0"),
        ]
        for (arguments, message) in cases {
            let result = try CLI.run(["sweep", "--out", "bad", "--learning-rate", "1", "--seed", "1"] + arguments + common, in: folder)
            #expect(result.status == 64 && result.errors.hasPrefix(message), "\(arguments): \(result.errors)")
        }
    }

    /// Shuffled in blocks, a configuration is `train --engine population --shuffle blocks`'s
    /// run, to the byte, and other than the full shuffle's; --block-size alone is refused.
    @Test func blockShuffledConfigurationsAreTrainsRuns() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let common = ["--epochs", "3", "--samples", "500", "--batch-size", "1", "--quiet"]
        let blocks = ["--shuffle", "blocks", "--block-size", "16"]
        #expect(try CLI.run(["sweep", "--out", "blocks", "--learning-rate", "0.5,1", "--seed", "1,2"] + blocks + common, in: folder).status == 0)
        #expect(try CLI.run(["sweep", "--out", "full", "--learning-rate", "0.5,1", "--seed", "1,2"] + common, in: folder).status == 0)
        let train = ["train", "--engine", "population", "--learning-rate", "1", "--seed", "2", "--save", "t.json"] + blocks + common
        #expect(try CLI.run(train, in: folder).status == 0)
        let (shuffled, full) = (try Self.models(folder.appendingPathComponent("blocks")), try Self.models(folder.appendingPathComponent("full")))
        #expect(try Data(contentsOf: folder.appendingPathComponent("t.json")) == shuffled["config-0003.json"])
        #expect(shuffled["config-0003.json"] != full["config-0003.json"])
        let alone = try CLI.run(["sweep", "--out", "bad", "--learning-rate", "1", "--seed", "1", "--block-size", "16"] + common, in: folder)
        #expect(alone.status == 64 && alone.errors.contains("--block-size needs --shuffle"))
    }

    /// Streamed from an `.npy` file, a configuration is `train --engine population --stream`'s
    /// run, and the in-memory sweep's (with --engine simd, plain `train --stream`'s); a
    /// finished checkpoint left without its results line is scored on the stream, as the
    /// run that wrote it scored its model. --stream needs a file, and a block shuffle.
    @Test func streamedConfigurationsAreTrainsRuns() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try CLI.writeData("d", rows: 700, in: folder) { i in
            let t = Double(i) * 0.37
            return "\(cos(t) + Double(i % 2)),\(sin(t) - Double(i % 2) / 2),\(i % 2)"
        }
        let common = ["--data", "d.npy", "--shuffle", "blocks", "--block-size", "32", "--epochs", "2", "--batch-size", "2", "--quiet"]
        let grid = ["--learning-rate", "0.5,1", "--seed", "1,2"]
        #expect(try CLI.run(["sweep", "--out", "streamed", "--stream"] + grid + common, in: folder).status == 0)
        #expect(try CLI.run(["sweep", "--out", "memory"] + grid + common, in: folder).status == 0)
        let single = ["--learning-rate", "1", "--seed", "2"] + common
        #expect(try CLI.run(["train", "--engine", "population", "--stream", "--save", "t.json"] + single, in: folder).status == 0)
        let streamed = try Self.models(folder.appendingPathComponent("streamed"))
        #expect(try Data(contentsOf: folder.appendingPathComponent("t.json")) == streamed["config-0003.json"])
        #expect(try Self.models(folder.appendingPathComponent("memory")) == streamed)
        // sweep.json keeps a streamed file's fingerprint in rows, one pass over the file; a
        // rerun that holds the file in memory (as one streamed for want of memory may, on
        // another machine) recognises it.
        let settings = folder.appendingPathComponent("streamed/sweep.json")
        let recorded = try String(contentsOf: settings, encoding: .utf8)
        #expect(recorded.contains("\"fingerprint of --data\" : \"rows-"), "\(recorded)")
        try recorded.replacingOccurrences(of: "  \"--stream\" : \"given\",\n", with: "").write(to: settings, atomically: true, encoding: .utf8)
        let inMemory = try CLI.run(["sweep", "--out", "streamed"] + grid + common, in: folder)
        #expect(inMemory.status == 0 && !inMemory.errors.contains("differ"), "\(inMemory.errors)")
        #expect(try CLI.run(["sweep", "--out", "simd", "--engine", "simd", "--stream"] + single, in: folder).status == 0)
        #expect(try CLI.run(["train", "--stream", "--save", "t.json"] + single, in: folder).status == 0)
        #expect(try Data(contentsOf: folder.appendingPathComponent("t.json")) == Self.models(folder.appendingPathComponent("simd"))["config-0000.json"])

        // Killed after its last checkpoint, before its results line: scored without training.
        let results = try String(contentsOf: folder.appendingPathComponent("streamed/results.jsonl"), encoding: .utf8)
        let line = try #require(results.split(separator: "\n").first { $0.contains("\"index\":3,") })
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("rerun/checkpoints"), withIntermediateDirectories: true)
        #expect(try CLI.run(["sweep", "--out", "rerun", "--stream"] + single, in: folder).status == 0)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("rerun/results.jsonl"))
        let checkpoint = ["--checkpoint", "rerun/checkpoints/config-0000.json", "--checkpoint-every", "1"]
        #expect(try CLI.run(["train", "--engine", "population", "--stream", "--save", "u.json"] + checkpoint + single, in: folder).status == 0)
        #expect(try CLI.run(["sweep", "--out", "rerun", "--stream"] + single, in: folder).status == 0)
        let rescored = try String(contentsOf: folder.appendingPathComponent("rerun/results.jsonl"), encoding: .utf8)
        let renumbered = line.replacingOccurrences(of: "\"index\":3,", with: "\"index\":0,").replacingOccurrences(of: "config-0003", with: "config-0000")
        #expect(rescored == renumbered + "\n")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("rerun/checkpoints/config-0000.json").path))

        let full = try CLI.run(["sweep", "--out", "bad", "--stream", "--data", "d.npy"] + grid, in: folder)
        #expect(full.status == 64 && full.errors.contains("add --shuffle blocks, or --no-shuffle"))
        let builtIn = try CLI.run(["sweep", "--out", "bad", "--stream"] + grid, in: folder)
        #expect(builtIn.status == 64 && builtIn.errors.contains("--stream reads an .npy file given with --data"))
    }

    /// A checkpoint in the folder of other settings than its configuration's (here another
    /// learning rate) is refused, naming it; one of the same settings is resumed.
    @Test func aCheckpointOfOtherSettingsIsRefused() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let common = ["--seed", "1", "--samples", "300", "--epochs", "3", "--quiet"]
        #expect(try CLI.run(["sweep", "--out", "s", "--learning-rate", "1"] + common, in: folder).status == 0)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("s/models/config-0000.json"))  // trains again
        let checkpoint = ["--checkpoint", "s/checkpoints/config-0000.json", "--save", "t.json", "--epochs", "1"]
        #expect(try CLI.run(["train", "--engine", "population", "--learning-rate", "0.5"] + common.dropLast(3) + checkpoint + ["--quiet"], in: folder).status == 0)
        let refused = try CLI.run(["sweep", "--out", "s", "--learning-rate", "1"] + common, in: folder)
        #expect(refused.status == 1)
        #expect(refused.errors.contains("config-0000.json: a checkpoint of other settings than configuration 0's"), "\(refused.errors)")
        #expect(try CLI.run(["train", "--engine", "population", "--learning-rate", "1"] + common.dropLast(3) + checkpoint + ["--quiet"], in: folder).status == 0)
        #expect(try CLI.run(["sweep", "--out", "s", "--learning-rate", "1"] + common, in: folder).status == 0)
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

    /// SIGTERM checkpoints the configurations under way and exits 143; after it, or after
    /// SIGKILL (from the last checkpoints, its lock gone with it), running again finishes
    /// with the bytes of an uninterrupted sweep; a lane's schedule resumes with its state.
    @Test(arguments: [SIGTERM, SIGKILL]) func aStoppedSweepResumesToTheSameModels(signal: Int32) throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // 400 short epochs, a checkpoint each: a third of a second or more in a release build
        // too, so the signal lands mid-run.
        let grid = [
            "--learning-rate", "0.2,0.5", "--seed", "3", "--epochs", "400", "--samples", "300", "--threads", "2", "--checkpoint-every", "1",
            "--schedule", "cosine,plateau", "--plateau-patience", "3", "--quiet",
        ]
        #expect(try CLI.run(["sweep", "--out", "whole"] + grid, in: folder).status == 0)
        let stopped = try CLI.run(
            ["sweep", "--out", "cut"] + grid, in: folder, signal: signal,
            whenExists: folder.appendingPathComponent("cut/checkpoints/config-0001.json"))
        if signal == SIGTERM {
            #expect(stopped.status == 143, "\(stopped.errors)")
            #expect(stopped.errors.contains("run it again to continue"))
        } else {
            #expect(stopped.status == SIGKILL, "\(stopped.errors)")
        }
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
            (["--report", "s", "--learning-rate", "0.1"], [:], "error: --report DIR takes --json only; --learning-rate is for training a sweep"),
        ]
        for (arguments, environment, message) in cases {
            let result = try CLI.run(["sweep"] + arguments, in: folder, environment: environment)
            #expect(result.status == 64 && result.errors.hasPrefix(message), "\(arguments): \(result.errors)")
        }
        // Another grid in a folder with results: refused, not skipped as done.
        #expect(try CLI.run(["sweep", "--out", "f", "--learning-rate", "0.5", "--seed", "1", "--epochs", "1", "--samples", "50", "--quiet"], in: folder).status == 0)
        let other = try CLI.run(["sweep", "--out", "f", "--learning-rate", "0.7", "--seed", "1", "--epochs", "1", "--samples", "50"], in: folder)
        #expect(other.status == 1 && other.errors.hasPrefix("error: --learning-rate is 0.5 in f/sweep.json, 0.7 here:"), "\(other.errors)")
        let missing = try CLI.run(["sweep", "--report", "nowhere"], in: folder)
        #expect(missing.status == 1 && missing.errors.hasPrefix("error: nowhere: cannot list the folder"))
    }

    /// Two configurations, trained in a blink: the hostile cases' grid.
    static let tiny = ["--learning-rate", "0.3,1", "--seed", "1", "--epochs", "2", "--samples", "200", "--quiet"]

    /// Every file under `folder` (links as their text), by path relative to it: what a
    /// refused command must leave as it was.
    static func snapshot(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for case let path as String in FileManager.default.enumerator(atPath: folder.path)! {
            let url = folder.appendingPathComponent(path)
            if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: url.path) {
                files[path] = Data(("-> " + link).utf8)
            } else if !url.hasDirectoryPath, let data = FileManager.default.contents(atPath: url.path) {
                files[path] = data
            }
        }
        return files
    }

    /// A rerun with any other setting that changes a model is refused, naming the first
    /// difference; with the same settings it skips what is done.
    @Test func aRerunWithOtherSettingsIsRefused() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "0.1,0.2,1\n0.3,0.1,0\n0.5,0.5,1\n0.9,0.1,0\n".write(to: folder.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        let grid = ["sweep", "--out", "f", "--learning-rate", "0.3,1", "--seed", "1", "--quiet"]
        #expect(try CLI.run(grid + ["--epochs", "2", "--samples", "200"], in: folder).status == 0)
        let before = try Self.snapshot(folder)
        #expect(before["f/sweep.json"] != nil && before["f/models/config-0001.json"] != nil)
        let cases: [([String], String)] = [
            (["--epochs", "3", "--samples", "200"], "--epochs is 2 in f/sweep.json, 3 here"),
            (["--epochs", "2", "--samples", "300"], "--samples is 200 in f/sweep.json, 300 here"),
            (["--epochs", "2", "--samples", "200", "--weight-decay", "0.1"], "--weight-decay is absent in f/sweep.json, 0.1 here"),
            (["--epochs", "2", "--samples", "200", "--validation-split", "0.25"], "--validation-split is absent in f/sweep.json, 0.25 here"),
            (["--epochs", "2", "--data", "d.csv"], "--data is absent in f/sweep.json, d.csv here"),
            (["--epochs", "2", "--samples", "200", "--batch-size", "16"], "--batch-size is 32 in f/sweep.json, 16 here"),
        ]
        for (settings, message) in cases {
            let rerun = try CLI.run(grid + settings, in: folder)
            #expect(rerun.status == 1 && rerun.errors.hasPrefix("error: \(message): "), "\(settings): \(rerun.errors)")
        }
        #expect(try Self.snapshot(folder) == before)
        let same = try CLI.run(grid + ["--samples", "200", "--epochs", "2"], in: folder)
        #expect(same.status == 0 && !same.errors.contains("configurations,"), "\(same.errors)")
        #expect(try Self.snapshot(folder) == before)
        // The same data file's path with other contents: its fingerprint differs.
        #expect(try CLI.run(["sweep", "--out", "g", "--data", "d.csv", "--learning-rate", "1", "--seed", "1", "--epochs", "2", "--quiet"], in: folder).status == 0)
        try "0.1,0.2,0\n0.3,0.1,1\n0.5,0.5,1\n0.9,0.1,0\n".write(to: folder.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        let data = try CLI.run(["sweep", "--out", "g", "--data", "d.csv", "--learning-rate", "1", "--seed", "1", "--epochs", "2"], in: folder)
        #expect(data.status == 1 && data.errors.hasPrefix("error: fingerprint of --data is "), "\(data.errors)")
        #expect(data.errors.contains(" in g/sweep.json, "))
        // A folder of an earlier version (results, no sweep.json) is refused, and left as it was.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("f/sweep.json"))
        let legacy = try Self.snapshot(folder)
        let earlier = try CLI.run(grid + ["--epochs", "2", "--samples", "200"], in: folder)
        #expect(earlier.status == 1 && earlier.errors.hasPrefix("error: f: it has results.jsonl but no sweep.json"), "\(earlier.errors)")
        #expect(try Self.snapshot(folder) == legacy)
    }

    /// A grid of more than 100,000 configurations says what it will cost before it starts.
    @Test func aHugeGridSaysItsSize() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("f"), withIntermediateDirectories: true)
        try Data().write(to: folder.appendingPathComponent("f/results.jsonl"))  // an earlier version's folder: refused after the estimate
        let rates = (1...400).map { "\(Double($0) / 1000)" }.joined(separator: ","), seeds = (1...300).map(String.init).joined(separator: ",")
        let huge = try CLI.run(["sweep", "--out", "f", "--learning-rate", rates, "--seed", seeds, "--epochs", "2", "--samples", "200", "--quiet"], in: folder)
        #expect(huge.status == 1)
        #expect(huge.errors.hasPrefix(
            "sweep: a grid of 120000 configurations (120000 in this shard): about 4.8e+07 model-samples to train (120000 configurations × 2 epochs × 200 training samples)\n"),
            "\(huge.errors)")
        let small = try CLI.run(["sweep", "--out", "g"] + Self.tiny, in: folder)
        #expect(small.status == 0 && !small.errors.contains("a grid of"))
    }

    /// flock: a run into a folder in use is refused at once, naming the folder; shards share
    /// it, one shard's runs and the whole grid's exclude each other; a released lock (as a
    /// killed process's) blocks nothing.
    @Test func aFolderInUseIsRefused() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("f"), withIntermediateDirectories: true)
        let lock = open(folder.appendingPathComponent("f/.lock").path, O_RDONLY | O_CREAT, 0o644)
        try #require(lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) == 0)
        let busy = try CLI.run(["sweep", "--out", "f"] + Self.tiny, in: folder)
        #expect(busy.status == 1)
        #expect(busy.errors == "error: f: another `backprop sweep` is running into this folder (it holds f/.lock); wait for it to end, or give another --out\n")
        #expect(try Self.snapshot(folder) == ["f/.lock": Data()])
        // Held shared, as by a running shard: other shards run, the whole grid does not.
        try #require(flock(lock, LOCK_SH | LOCK_NB) == 0)
        #expect(try CLI.run(["sweep", "--out", "f", "--shard", "0/2"] + Self.tiny, in: folder).status == 0)
        let shardLock = open(folder.appendingPathComponent("f/.lock-shard-1-of-2").path, O_RDONLY | O_CREAT, 0o644)
        try #require(shardLock >= 0 && flock(shardLock, LOCK_EX | LOCK_NB) == 0)
        let sameShard = try CLI.run(["sweep", "--out", "f", "--shard", "1/2"] + Self.tiny, in: folder)
        #expect(sameShard.status == 1 && sameShard.errors.contains("(it holds f/.lock-shard-1-of-2)"), "\(sameShard.errors)")
        close(shardLock)
        #expect(try CLI.run(["sweep", "--out", "f", "--shard", "1/2"] + Self.tiny, in: folder).status == 0)
        let whole = try CLI.run(["sweep", "--out", "f"] + Self.tiny, in: folder)
        #expect(whole.status == 1 && whole.errors.contains("(it holds f/.lock)"))
        let shards = try Self.models(folder.appendingPathComponent("f"))
        #expect(shards.count == 2)
        close(lock)
        #expect(try CLI.run(["sweep", "--out", "f"] + Self.tiny, in: folder).status == 0)
        #expect(try Self.models(folder.appendingPathComponent("f")) == shards)
    }

    /// `--init`, `--data` and `plot --out` never name a file of the sweep's folder, through
    /// links or `..`; a link where the sweep writes is refused, not followed.
    @Test func noOutputIsWrittenOverAnInput() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "0.1,0.2,1\n0.3,0.1,0\n0.5,0.5,1\n0.9,0.1,0\n".write(to: folder.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        #expect(try CLI.run(["sweep", "--out", "f"] + Self.tiny, in: folder).status == 0)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("start.json").path, withDestinationPath: "f/models/config-0001.json")
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("chart.svg").path, withDestinationPath: "f/models/config-0000.json")
        let before = try Self.snapshot(folder)
        let cases: [([String], String)] = [
            (["sweep", "--out", "f", "--init", "f/models/config-0000.json"] + Self.tiny,
             "--init f/models/config-0000.json is f/models/config-0000.json, which the sweep writes; give --init a file outside f"),
            (["sweep", "--out", "f", "--init", "start.json"] + Self.tiny, "--init start.json is f/models/config-0001.json, which"),
            (["sweep", "--out", "f", "--data", "f/models/../results.jsonl", "--learning-rate", "1", "--seed", "1"],
             "--data f/models/../results.jsonl is f/results.jsonl, which"),
            (["plot", "--sweep", "f", "--out", "f/results.jsonl"], "--out f/results.jsonl is f/results.jsonl, a file of the sweep --sweep f"),
            (["plot", "--sweep", "f", "--out", "chart.svg"], "--out chart.svg is f/models/config-0000.json, a file of the sweep"),
            (["plot", "--sweep", "f", "--out", "f/sweep.json"], "--out f/sweep.json is f/sweep.json"),
        ]
        for (arguments, message) in cases {
            let result = try CLI.run(arguments, in: folder)
            #expect(result.status == 64 && result.errors.hasPrefix("error: \(message)"), "\(arguments): \(result.errors)")
        }
        #expect(try Self.snapshot(folder) == before)
        // A model file that links to the data: refused, the data kept, nothing recorded.
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("g/models"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("g/models/config-0000.json").path, withDestinationPath: "../../d.csv")
        let linked = try Self.snapshot(folder)
        let link = try CLI.run(["sweep", "--out", "g", "--data", "d.csv", "--learning-rate", "1", "--seed", "1", "--epochs", "2"], in: folder)
        #expect(link.status == 1)
        #expect(link.errors.hasPrefix("error: g/models/config-0000.json: is a symbolic link, where the sweep writes its own file"), "\(link.errors)")
        #expect(try Self.snapshot(folder).filter { !$0.key.hasPrefix("g/.lock") } == linked)
    }

    /// Each finished configuration appends its line; a last line cut short by a kill is not
    /// written (its configuration trains again); of a configuration's lines the last wins.
    @Test func resultsAreAppendedAndACutLineIsNotWritten() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try CLI.run(["sweep", "--out", "f", "--threads", "1"] + Self.tiny, in: folder).status == 0)
        let results = folder.appendingPathComponent("f/results.jsonl")
        let whole = try Data(contentsOf: results), models = try Self.models(folder.appendingPathComponent("f"))
        let lines = whole.split(separator: UInt8(ascii: "\n"))
        #expect(lines.count == 2)
        try (lines[0] + [UInt8(ascii: "\n")] + lines[1].prefix(40)).write(to: results)
        let rerun = try CLI.run(["sweep", "--out", "f", "--threads", "1"] + Self.tiny.dropLast(), in: folder)
        #expect(rerun.status == 0 && rerun.errors.contains("sweep: 2/2 configurations"), "\(rerun.errors)")
        #expect(try Data(contentsOf: results) == whole)
        #expect(try Self.models(folder.appendingPathComponent("f")) == models)
        // Configuration 0 written again with another loss: the report takes the last line.
        let again = String(decoding: lines[0], as: UTF8.self).replacingOccurrences(of: "\"loss\":", with: "\"loss\":0.5,\"old_loss\":")
        try (whole + Data((again + "\n").utf8)).write(to: results)
        let report = try CLI.run(["sweep", "--report", "f", "--json"], in: folder).output.split(separator: "\n")
        #expect(report.count == 2)
        #expect(report.filter { $0.contains("\"index\":0,") }.map { $0.contains("\"loss\":0.5,") } == [true], "\(report)")
    }

    /// A model deleted from models/ is marked missing by --report and trained again, to the
    /// same bytes, by a rerun.
    @Test func aMissingModelIsTrainedAgain() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try CLI.run(["sweep", "--out", "f"] + Self.tiny, in: folder).status == 0)
        let models = try Self.models(folder.appendingPathComponent("f"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("f/models/config-0001.json"))
        let table = try CLI.run(["sweep", "--report", "f"], in: folder).output.split(separator: "\n")
        #expect(table.filter { $0.hasSuffix(" missing (models/config-0001.json)") }.count == 1, "\(table)")
        let json = try CLI.run(["sweep", "--report", "f", "--json"], in: folder).output.split(separator: "\n")
        #expect(json.filter { $0.contains("\"model_missing\":true") }.map { $0.contains("\"index\":1,") } == [true], "\(json)")
        #expect(try CLI.run(["sweep", "--out", "f"] + Self.tiny, in: folder).status == 0)
        #expect(try Self.models(folder.appendingPathComponent("f")) == models)
        let lines = try String(contentsOf: folder.appendingPathComponent("f/results.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3 && lines[2].hasPrefix("{\"index\":1,"))
        #expect(try !CLI.run(["sweep", "--report", "f"], in: folder).output.contains("missing"))
    }

    /// A results line that is not a result, of a negative index, or not the grid's
    /// configuration of its index is an input error naming the file and the line; the file
    /// stays as it was. --report checks all but the grid.
    @Test func badResultLinesAreRefusedWithTheirLine() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try CLI.run(["sweep", "--out", "f", "--threads", "1"] + Self.tiny, in: folder).status == 0)
        let results = folder.appendingPathComponent("f/results.jsonl")
        let original = try String(contentsOf: results, encoding: .utf8)
        let cases: [(String, String, String, String?)] = [
            ("\"index\":1,", "\"index\":-1,", "index -1 is not a configuration's number (0 or more)", "index -1 is not"),
            ("\"index\":1,", "\"index\":7,", "configuration 7 is not in this grid of 2 configurations",
             "model models/config-0001.json is not configuration 7's file models/config-0007.json"),
            ("\"index\":1,", "\"index\":\"x\",", "not a result line of `backprop sweep`: index of the wrong type", "not a result line"),
            ("\"learning_rate\":1.0,", "\"learning_rate\":0.4,", "configuration 1 there (learning rate 0.4, seed 1", nil),
            // Numbers a report or a plot would compute with: each range-checked.
            ("\"learning_rate\":1.0,", "\"learning_rate\":-1.0,", "learning_rate -1.0 is not a number > 0", "learning_rate -1.0 is not"),
            ("\"seed\":1,\"batch_size\":32,\"optimizer\":\"sgd\",\"momentum\":0.0,\"model\":\"models/config-0001.json\"",
             "\"seed\":1,\"batch_size\":0,\"optimizer\":\"sgd\",\"momentum\":0.0,\"model\":\"models/config-0001.json\"",
             "batch_size 0 is not 1 or more", "batch_size 0 is not"),
        ]
        for (from, to, message, reportMessage) in cases {
            let bad = original.replacingOccurrences(of: from, with: to)
            #expect(bad != original)
            try bad.write(to: results, atomically: true, encoding: .utf8)
            let before = try Self.snapshot(folder)
            let rerun = try CLI.run(["sweep", "--out", "f"] + Self.tiny, in: folder)
            #expect(rerun.status == 1 && rerun.errors.hasPrefix("error: f/results.jsonl:2: \(message)"), "\(to): \(rerun.errors)")
            let report = try CLI.run(["sweep", "--report", "f"], in: folder)
            if let reportMessage {
                #expect(report.status == 1 && report.errors.hasPrefix("error: f/results.jsonl:2: \(reportMessage)"), "\(report.errors)")
            } else {
                #expect(report.status == 0, "\(report.errors)")
            }
            #expect(try Self.snapshot(folder) == before)
        }
    }

    /// --seed takes `train`'s range; the largest seed trains, is written and read back.
    @Test func seedsFollowTrainsRange() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let common = ["--learning-rate", "1", "--epochs", "2", "--samples", "200", "--quiet"]
        let over = try CLI.run(["sweep", "--out", "s", "--seed", "9223372036854775808"] + common, in: folder)
        #expect(over.status == 64)
        #expect(over.errors.hasPrefix("error: --seed takes a comma-separated list of integers from 0 to 9223372036854775807; '9223372036854775808' is not one\n"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("s").path))
        for _ in 0..<2 { #expect(try CLI.run(["sweep", "--out", "s", "--seed", "9223372036854775807"] + common, in: folder).status == 0) }
        #expect(try CLI.run(["train", "--engine", "population", "--seed", "9223372036854775807", "--save", "t.json"] + common, in: folder).status == 0)
        #expect(try Self.models(folder.appendingPathComponent("s"))["config-0000.json"] == Data(contentsOf: folder.appendingPathComponent("t.json")))
        let report = try CLI.run(["sweep", "--report", "s", "--json"], in: folder)
        #expect(report.status == 0 && report.output.contains("\"seed\":9223372036854775807,"))
    }
}
