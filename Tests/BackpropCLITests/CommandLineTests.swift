import Backprop
import Foundation
import Testing

/// The `backprop` executable, run as a user runs it: exit statuses, messages, files.
@Suite(.serialized) struct CommandLineTests {
    /// The built executable, beside the test bundle in the build folder.
    static let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("backprop")

    struct Result {
        var status: Int32
        var output: String
        var errors: String
    }

    static func run(
        _ arguments: [String], in folder: URL, signal: Int32? = nil, whenExists trigger: URL? = nil,
        environment: [String: String] = [:]
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = folder
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        if let signal, let trigger {
            while !FileManager.default.fileExists(atPath: trigger.path) && process.isRunning { usleep(10_000) }
            kill(process.processIdentifier, signal)
        }
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
            errors: String(decoding: err, as: UTF8.self))
    }

    /// Writes `rows` rows made by `row` to NAME.csv in `folder`, and converts it to NAME.npy.
    static func writeData(_ name: String, rows: Int, in folder: URL, _ row: (Int) -> String) throws {
        var csv = ""
        for i in 0..<rows { csv += row(i) + "\n" }
        try csv.write(to: folder.appendingPathComponent("\(name).csv"), atomically: true, encoding: .utf8)
        #expect(try run(["convert", "\(name).csv", "\(name).npy"], in: folder).status == 0)
    }

    /// Runs `executable` (the tool by default) with `arguments` in `folder`, its standard
    /// output to `standardOutput` when given: its exit status and standard error.
    static func launch(
        _ arguments: [String], in folder: URL, executable: URL = executable, standardOutput: Any? = nil
    ) throws -> (status: Int32, errors: String) {
        let process = Process()
        (process.executableURL, process.arguments, process.currentDirectoryURL) = (executable, arguments, folder)
        if let standardOutput { process.standardOutput = standardOutput }
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, message)
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("backprop-cli-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// `BACKPROP_KERNEL` takes the short and the long names; a value it cannot use is named.
    @Test func kernelOverrideIsUsedOrWarnedAbout() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["baseline", "v3", "x86-64-v3"] {
            let result = try Self.run(["--version"], in: folder, environment: ["BACKPROP_KERNEL": name])
            let expected = name == "baseline" ? "baseline" : "x86-64-v3"
            #expect(result.output.hasSuffix("(kernels: \(expected))\n"), "\(name): \(result.output)")
            #expect(result.errors == "")
        }
        let unknown = try Self.run(["--version"], in: folder, environment: ["BACKPROP_KERNEL": "avx9"])
        #expect(unknown.status == 0)
        #expect(unknown.errors == "warning: BACKPROP_KERNEL=avx9 is not a kernel variant (baseline, v3 or v4); ignored\n")
    }

    /// `convert` writes a CSV file as `.npy`; training on either gives the same model bytes,
    /// and `predict` takes an `.npy` of x0, x1.
    @Test func convertedDataTrainsTheSameModel() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.writeData("d", rows: 400, in: folder) { i in "\(Double(i % 20) / 7 - 1.3),\(Double(i % 13) / 5 - 1),\(i % 3 == 0 ? 1 : 0)" }
        #expect(try Self.run(["convert", "d.csv", "x.npy", "--no-labels"], in: folder).status == 0)
        let common = ["--epochs", "3", "--quiet"]
        #expect(try Self.run(["train", "--data", "d.csv", "--save", "a.json"] + common, in: folder).status == 0)
        #expect(try Self.run(["train", "--data", "d.npy", "--save", "b.json"] + common, in: folder).status == 0)
        let a = try Data(contentsOf: folder.appendingPathComponent("a.json"))
        #expect(try Data(contentsOf: folder.appendingPathComponent("b.json")) == a)
        let fromCSV = try Self.run(["predict", "--model", "a.json", "--data", "d.csv"], in: folder)
        let fromNPY = try Self.run(["predict", "--model", "a.json", "--data", "x.npy"], in: folder)
        #expect(fromNPY.status == 0 && fromNPY.output == fromCSV.output)
        // Unlabelled rows cannot train; the error names the file and the fix.
        let unlabelled = try Self.run(["train", "--data", "x.npy", "--save", "c.json"] + common, in: folder)
        #expect(unlabelled.status == 1)
        #expect(unlabelled.errors == "error: x.npy: shape (400, 2) has no label column: training and evaluation need (N, 3)\n")
        let overInput = try Self.run(["convert", "d.npy", "d.npy"], in: folder)
        #expect(overInput.status == 64)
    }

    /// `--stream` trains from an `.npy` file on disk with the bits of the file loaded, and
    /// says what to change when the settings need the data in memory.
    @Test func streamingFromDisk() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.writeData("d", rows: 3000, in: folder) { i in "\(sin(Double(i))),\(cos(Double(i) * 0.7)),\(i % 2)" }
        let fromFile = ["train", "--data", "d.npy", "--shuffle", "blocks", "--block-size", "100", "--quiet"]
        let common = fromFile + ["--epochs", "2"]
        #expect(try Self.run(common + ["--save", "a.json"], in: folder).status == 0)
        #expect(try Self.run(common + ["--save", "b.json", "--stream"], in: folder).status == 0)
        let a = try Data(contentsOf: folder.appendingPathComponent("a.json"))
        #expect(try Data(contentsOf: folder.appendingPathComponent("b.json")) == a)
        // A streamed run's checkpoint resumes with the file in memory, and the other way round
        // (the fingerprint is made in the order the checkpoint's was), to the same model.
        for (first, then) in [(["--stream"], []), ([], ["--stream"])] {
            let run = fromFile + ["--epochs", "1", "--save", "r.json", "--checkpoint", "c.json"]
            #expect(try Self.run(run + first, in: folder).status == 0)
            let resumed = try Self.run(["train", "--resume", "c.json", "--epochs", "2", "--quiet"] + then, in: folder)
            #expect(resumed.status == 0, "\(resumed.errors)")
            #expect(try Data(contentsOf: folder.appendingPathComponent("r.json")) == a, "\(first)")
            try FileManager.default.removeItem(at: folder.appendingPathComponent("c.json"))
        }
        // Other rows under the name: refused, streamed or not.
        let copy = ["--data", "e.npy", "--shuffle", "blocks", "--quiet", "--epochs", "1", "--save", "e.json", "--checkpoint", "e.ckpt"]
        try FileManager.default.copyItem(at: folder.appendingPathComponent("d.npy"), to: folder.appendingPathComponent("e.npy"))
        #expect(try Self.run(["train", "--stream"] + copy, in: folder).status == 0)
        try Self.writeData("e", rows: 3000, in: folder) { i in "\(sin(Double(i))),\(cos(Double(i) * 0.7)),\((i + 1) % 2)" }
        for then in [[], ["--stream"]] {
            let resumed = try Self.run(["train", "--resume", "e.ckpt", "--epochs", "2", "--quiet"] + then, in: folder)
            #expect(resumed.status == 1)
            #expect(resumed.errors.hasSuffix("e.npy: the data differs from the data of the run that wrote e.ckpt\n"), "\(resumed.errors)")
        }

        let cases: [([String], String)] = [
            (["--data", "d.npy", "--stream"],
             "error: d.npy is streamed from disk (--stream), which shuffles in blocks: add --shuffle blocks, or --no-shuffle"),
            (["--data", "d.npy", "--stream", "--no-shuffle", "--validation-split", "0.2"],
             "error: d.npy is streamed from disk (--stream): --validation-split needs the data in memory"),
            (["--data", "d.csv", "--stream", "--no-shuffle"], "error: --stream reads .npy files; write d.csv as one with `backprop convert`"),
            (["--data", "d.npy", "--shuffle", "samples", "--block-size", "10"], "error: --block-size needs --shuffle blocks"),
            (["--data", "d.npy", "--shuffle", "blocks", "--no-shuffle"], "error: --shuffle cannot be combined with --no-shuffle"),
        ]
        for (arguments, message) in cases {
            let result = try Self.run(["train"] + arguments + ["--save", "c.json"], in: folder)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.errors.hasPrefix(message + "\n"), "\(result.errors)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("c.json").path))
    }

    @Test func badDataFailsWithFileAndLineAndLeavesTheModelAlone() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "x0,x1,y\n1,2,0\n3,oops,1\n".write(to: folder.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        try "keep me".write(to: folder.appendingPathComponent("model.json"), atomically: true, encoding: .utf8)
        let result = try Self.run(["train", "--data", "bad.csv", "--save", "model.json"], in: folder)
        #expect(result.status == 1)
        #expect(result.errors == "error: bad.csv:3: column 2: \"oops\" is not a number\n")
        #expect(try String(contentsOf: folder.appendingPathComponent("model.json"), encoding: .utf8) == "keep me")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["bad.csv", "model.json"])
    }

    @Test(arguments: [
        ["train", "--epochs", "x"], ["train", "--bogus"], ["train", "--patience", "3"], ["frob"], [],
        ["predict", "--data", "d.csv"], ["train", "--epochs", "3", "--epochs", "4"], ["train", "--quiet=yes"], ["plot", "--model", "m.json", "--out", "p.svg"],
    ])
    func usageErrorsExit64(arguments: [String]) throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try Self.run(arguments, in: folder)
        #expect(result.status == 64, "\(arguments)")
        #expect(!result.errors.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test(arguments: [
        (["train", "--epochs", "3", "--epochs=4"], "error: --epochs given twice"),
        (["train", "--bogus"], "error: unknown option '--bogus' for 'train'"),
        (["train", "--patience", "3"], "error: --patience needs --validation-split F"),
        (["train", "--data", "d.csv", "--samples", "9"], "error: --data cannot be combined with --samples"),
        (["predict", "--data", "d.csv"], "error: --model MODEL.json is required"),
        (["train", "--epochs"], "error: --epochs needs a value (--epochs E)"),
        (["train", "--stream"], "error: --stream reads an .npy file given with --data"),
        (["bench", "--engine", "simd", "--threads", "2"],
         "error: --threads 2: the simd engine runs on one thread (--threads is for parallel and population)"),
        (["train", "--threads", "2"], "error: --threads 2: the simd engine runs on one thread (--threads is for parallel)"),
        (["train", "--engine", "reference", "--threads", "2"],
         "error: --threads 2: the reference engine runs on one thread (--threads is for parallel)"),
        (["train", "--validation-split", "0.0001"],
         "error: --validation-split 0.0001 holds out no samples out of 2000; it needs at least 0.0005"),
    ])
    func usageErrorsSayWhatIsWrong(arguments: [String], message: String) throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try Self.run(arguments, in: folder)
        #expect(result.status == 64)
        #expect(result.errors.hasPrefix(message), "\(result.errors)")
    }

    /// `bench --json` reports the threads the population engine ran on: those asked for,
    /// at most one a group of eight models.
    @Test(arguments: [(["--threads", "2", "--models", "16"], 2), (["--threads", "2", "--models", "8"], 1), (["--threads", "1"], 1)])
    func benchReportsThePopulationEnginesThreads(options: [String], threads: Int) throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try Self.run(["bench", "--engine", "population", "--samples", "4096", "--epochs", "1", "--json"] + options, in: folder)
        #expect(result.status == 0, "\(result.errors)")
        let report = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        #expect(report?["threads"] as? Int == threads, "\(result.output)")
    }

    /// `export` picks the format from the output's extension and writes the library's bytes;
    /// `import` reads them back as the same model file. Options of another format, an
    /// unknown extension, a name that is not an identifier and an output that is the input
    /// are refused, with nothing written.
    @Test func exportAndImportAModel() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try Self.run(["train", "--samples", "300", "--epochs", "2", "--save", "m.json", "--quiet"], in: folder).status == 0)
        let model = try Model.read(path: folder.appendingPathComponent("m.json").path)
        func contents(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: folder.appendingPathComponent(name))) }
        for (name, options, expected) in [
            ("m.onnx", [], model.onnx()), ("m32.onnx", ["--float32"], model.onnx(float32: true)),
            ("m.safetensors", [], model.safetensors()), ("m.h", ["--name", "moons"], Array(try model.cSource(name: "moons").utf8)),
            ("M.swift", [], Array(try model.swiftSource().utf8)), ("m.txt", ["--format", "c"], Array(try model.cSource().utf8)),
        ] {
            let result = try Self.run(["export", "m.json", name] + options, in: folder)
            #expect(result.status == 0, "\(name): \(result.errors)")
            #expect(try contents(name) == expected, "\(name)")
        }
        #expect(try Self.run(["import", "m.safetensors", "back.json"], in: folder).status == 0)
        #expect(try contents("back.json") == contents("m.json"))
        for (arguments, status, message) in [
            (["export", "m.json", "m.h", "--float32"], 64, "error: --float32 is for --format onnx"),
            (["export", "m.json", "m.onnx", "--name", "x"], 64, "error: --name is for --format c or swift"),
            (["export", "m.json", "m.bin"], 64, "error: cannot tell the format from m.bin"),
            (["export", "m.json", "n.h", "--name", "9lives"], 64, "error: name: '9lives' is not an identifier"),
            (["export", "m.json", "m.json", "--format", "c"], 64, "error: OUT m.json and MODEL.json m.json are the same file"),
            (["import", "m.json", "n.json"], 1, "error: m.json: not a safetensors file"),
        ] {
            let result = try Self.run(arguments, in: folder)
            #expect(result.status == Int32(status), "\(arguments)")
            #expect(result.errors.hasPrefix(message), "\(arguments): \(result.errors)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("n.h").path))
        #expect(try contents("m.json") == Array(model.jsonText.utf8))
    }

    /// 2^30 samples need about 80 GiB: refused before allocating on a machine with less.
    @Test(.enabled(if: ProcessInfo.processInfo.physicalMemory < 70 << 30))
    func aDataSetBeyondMemoryIsRefused() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try Self.run(["train", "--samples", "1073741824"], in: folder)
        #expect(result.status == 64)
        #expect(result.errors.hasPrefix("error: --samples 1073741824 needs about 85.0 GiB of memory"), "\(result.errors)")
    }

    /// Under an address-space limit (`ulimit -v`), what the process already holds counts:
    /// 3,000,000 samples (about 240 MiB) under 300 MB are refused before any allocation;
    /// they passed the check, then retried thread creation forever.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/statm")))
    func anAddressSpaceLimitCountsWhatTheProcessHolds() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // timeout: the run before the fix never ended.
        let script = "ulimit -v 300000 && exec timeout 60 \"$0\" train --samples 3000000 --epochs 1 --save m.json"
        let (status, message) = try Self.launch(["-c", script, Self.executable.path], in: folder, executable: URL(fileURLWithPath: "/bin/sh"))
        #expect(status == 64)
        #expect(message.hasPrefix("error: --samples 3000000 needs about 2"), "\(message)")
        #expect(message.contains("MiB of memory; this process may use"), "\(message)")
    }

    /// Under tight address-space limits, from too little to enough, a streamed run and
    /// sweeps on both engines end with a clear error or succeed: never an abort (an allocation that failed
    /// mid-run) or a hang (libdispatch retries a thread it cannot start forever).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/statm")))
    func tightAddressSpaceLimitsEndInAnErrorOrSuccess() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = SyntheticData.moons.generate(count: 5000, seed: 1)
        try NPY.write(data, to: folder.appendingPathComponent("big.npy").path)
        let runs = [
            "train --data big.npy --stream --shuffle blocks --block-size 64 --epochs 1 --save m.json",
            "sweep --engine simd --data big.npy --stream --shuffle blocks --block-size 64 --out s --learning-rate 0.1,1 --seed 1,2 --epochs 1",
            "sweep --data big.npy --stream --shuffle blocks --block-size 64 --out s --learning-rate 0.1,1 --seed 1,2,3 --epochs 1",
        ]
        for limit in stride(from: 90_000, through: 150_000, by: 10_000) {
            for run in runs {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent("s"))
                // The timeout's own SIGKILL (-k) ends a run deaf to SIGTERM: status 137.
                let script = "ulimit -v \(limit) && exec timeout -k 5 60 \"$0\" \(run) --quiet"
                let (status, message) = try Self.launch(["-c", script, Self.executable.path], in: folder, executable: URL(fileURLWithPath: "/bin/sh"))
                #expect([0, 1, 64].contains(status), "ulimit -v \(limit), \(run): status \(status), \(message)")
                #expect(status == 0 || message.contains("error: "), "ulimit -v \(limit), \(run): \(message)")
            }
        }
    }

    /// Every command `backprop --help` lists (so that a new one cannot be missed) has help.
    @Test func everyCommandHasHelp() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let overview = try Self.run(["--help"], in: folder)
        let listed = overview.output.split(separator: "\n").drop { $0 != "COMMANDS:" }.dropFirst()
            .prefix { $0.hasPrefix("  ") }.map { String($0.split(separator: " ")[0]) }
        #expect(listed.count == 10 && listed.contains("convert") && listed.contains("export"), "\(listed)")
        for command in listed {
            let result = try Self.run([command, "--help"], in: folder)
            #expect(result.status == 0)
            #expect(result.output.hasPrefix("USAGE: backprop \(command)"), "\(command)")
        }
    }

    @Test func interruptedRunResumesToTheSameBytes() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Long enough (600 epochs of single-sample steps, a checkpoint each) that a run takes
        // half a second or more in a release build too, so the signal lands mid-run.
        let common = [
            "--dataset", "moons", "--samples", "2000", "--epochs", "600", "--batch-size", "1", "--validation-split", "0.1", "--quiet",
        ]
        let full = try Self.run(["train"] + common + ["--save", "full.json"], in: folder)
        #expect(full.status == 0)

        // SIGINT once the first checkpoint exists: the run stops, keeps its state, and says how to go on.
        let stopped = try Self.run(
            ["train"] + common + ["--save", "resumed.json", "--checkpoint", "run.ckpt"], in: folder,
            signal: SIGINT, whenExists: folder.appendingPathComponent("run.ckpt"))
        #expect(stopped.status == 130)
        #expect(stopped.errors.contains("continue with: backprop train --resume run.ckpt"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("resumed.json").path))

        let resumed = try Self.run(["train", "--resume", "run.ckpt", "--quiet"], in: folder)
        #expect(resumed.status == 0, "\(resumed.errors)")
        let a = try Data(contentsOf: folder.appendingPathComponent("full.json"))
        let b = try Data(contentsOf: folder.appendingPathComponent("resumed.json"))
        #expect(a == b)
    }

    /// Checkpoints of earlier versions kept the data source and outputs as text notes; they
    /// still resume, to the same bytes.
    @Test func checkpointsWithTextNotesStillResume() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let common = ["--dataset", "circles", "--samples", "900", "--quiet"]
        #expect(try Self.run(["train"] + common + ["--epochs", "4", "--save", "full.json"], in: folder).status == 0)
        let first = try Self.run(
            ["train"] + common + ["--epochs", "2", "--save", "resumed.json", "--checkpoint", "run.ckpt"], in: folder)
        #expect(first.status == 0)

        // The setup is the last key of the sorted, pretty-printed JSON; the text around it is
        // kept as written, so that the parameters' digits stay exact.
        let url = folder.appendingPathComponent("run.ckpt")
        let text = try String(contentsOf: url, encoding: .utf8)
        let setupStart = try #require(text.range(of: ",\n  \"setup\" : "))
        let setupText = text[setupStart.upperBound..<text.index(before: try #require(text.lastIndex(of: "}")))]
        let setup = try #require(JSONSerialization.jsonObject(with: Data(setupText.utf8)) as? [String: Any])
        let fingerprint = try #require(setup["dataFingerprint"] as? String)
        let notes = """
            {"dataset": "circles", "samples": "900", "noise": "0.2", "data-seed": "1", "fingerprint": "\(fingerprint)",
             "save": "resumed.json", "checkpoint": "run.ckpt", "checkpoint-every": "1"}
            """
        try (text[..<setupStart.lowerBound] + ",\n  \"notes\" : " + notes + "\n}\n").write(
            to: url, atomically: true, encoding: .utf8)

        let resumed = try Self.run(["train", "--resume", "run.ckpt", "--epochs", "4", "--quiet"], in: folder)
        #expect(resumed.status == 0, "\(resumed.errors)")
        let a = try Data(contentsOf: folder.appendingPathComponent("full.json"))
        let b = try Data(contentsOf: folder.appendingPathComponent("resumed.json"))
        #expect(a == b)
    }

    /// No command writes over one of its inputs, under any spelling of the path.
    @Test(arguments: [
        ["train", "--data", "d.csv", "--save", "d.csv"], ["train", "--data", "d.csv", "--log", "./link.csv"],
        ["train", "--data", "d.csv", "--checkpoint", "hard.csv"], ["predict", "--model", "m.json", "--data", "d.csv", "--output", "d.csv"],
        ["plot", "--model", "m.json", "--data", "d.csv", "--out", "m.json"],
        ["train", "--data", "d.csv", "--save", "x.json", "--checkpoint", "x.json"],
    ])
    func outputsThatAreInputsAreRefused(arguments: [String]) throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = "x0,x1,label\n1,2,0\n2,1,1\n"
        try data.write(to: folder.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(
            atPath: folder.appendingPathComponent("link.csv").path, withDestinationPath: "d.csv")
        try FileManager.default.linkItem(
            atPath: folder.appendingPathComponent("d.csv").path, toPath: folder.appendingPathComponent("hard.csv").path)
        #expect(try Self.run(["train", "--epochs", "1", "--quiet", "--save", "m.json"], in: folder).status == 0)
        let model = try Data(contentsOf: folder.appendingPathComponent("m.json"))

        let result = try Self.run(arguments, in: folder)
        #expect(result.status == 64, "\(arguments)")
        #expect(result.errors.contains("are the same file"), "\(result.errors)")
        #expect(try String(contentsOf: folder.appendingPathComponent("d.csv"), encoding: .utf8) == data)
        #expect(try Data(contentsOf: folder.appendingPathComponent("m.json")) == model)
    }

    /// A diverging run saves nothing over a good model and says what to try.
    @Test func aDivergingRunLeavesTheOldModel() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "good".write(to: folder.appendingPathComponent("m.json"), atomically: true, encoding: .utf8)
        let result = try Self.run(["train", "--learning-rate", "1e308", "--epochs", "3", "--quiet", "--save", "m.json"], in: folder)
        #expect(result.status == 1)
        #expect(result.errors.contains("training diverged"))
        #expect(result.errors.contains("smaller --learning-rate"))
        #expect(try String(contentsOf: folder.appendingPathComponent("m.json"), encoding: .utf8) == "good")
    }

    /// Output that cannot be written is an error with exit status 1, never a crash.
    @Test(arguments: ["predict", "evaluate"])
    func aFullStandardOutputIsAnErrorNotACrash(command: String) throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "x0,x1,label\n1,2,0\n2,1,1\n".write(to: folder.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        #expect(try Self.run(["train", "--epochs", "1", "--quiet", "--save", "m.json"], in: folder).status == 0)
        let (status, message) = try Self.launch(
            [command, "--model", "m.json", "--data", "d.csv"], in: folder, standardOutput: FileHandle(forWritingAtPath: "/dev/full"))
        #expect(status == 1)
        #expect(message.contains("cannot write to standard output"))
    }

    /// A checkpoint's setup edited by hand is refused on resume, naming the file and the
    /// field: an engine this tool does not have, no checkpoints between epochs, no samples.
    @Test(arguments: [
        ("\"engine\" : \"simd\"", "\"engine\" : \"gpu\"", "setup.engine is \"gpu\": must be one of reference, simd, parallel, population"),
        ("\"checkpointEvery\" : 1", "\"checkpointEvery\" : 0", "setup.checkpointEvery is 0: must be at least 1"),
        ("\"count\" : 400", "\"count\" : 0", "setup.data.synthetic.count is 0: must be at least 1"),
        ("\"savePath\" : \"m.json\"", "\"savePath\" : \"../victim.json\"",
         "setup.savePath ../victim.json leaves the checkpoint's folder: give --save to resume it"),
        ("\"savePath\" : \"m.json\"", "\"savePath\" : \"/tmp/victim.json\"",
         "setup.savePath /tmp/victim.json leaves the checkpoint's folder: give --save to resume it"),
    ])
    func aTamperedSetupIsRefused(original: String, replacement: String, message: String) throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try Self.run(["train", "--samples", "400", "--epochs", "2", "--quiet", "--checkpoint", "ck.json", "--save", "m.json"], in: folder).status == 0)
        let checkpoint = folder.appendingPathComponent("ck.json")
        let text = try String(contentsOf: checkpoint, encoding: .utf8)
        #expect(text.contains(original))
        try text.replacingOccurrences(of: original, with: replacement).write(to: checkpoint, atomically: true, encoding: .utf8)
        let resumed = try Self.run(["train", "--resume", "ck.json", "--epochs", "3", "--quiet"], in: folder)
        #expect(resumed.status == 1)
        #expect(resumed.errors == "error: ck.json: \(message)\n", "\(resumed.errors)")
    }

    /// Output whose reader has gone (`| head`) stops the command quietly, with status 0, as
    /// for any filter; a full disk stays an error (above).
    @Test func aClosedPipeOnStandardOutputStopsQuietly() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try (0..<5000).map { "\(Double($0) / 5000),\(Double($0 % 7) / 7)\n" }.joined()
            .write(to: folder.appendingPathComponent("x.csv"), atomically: true, encoding: .utf8)
        #expect(try Self.run(["train", "--epochs", "1", "--quiet", "--save", "m.json"], in: folder).status == 0)
        let output = Pipe()
        try output.fileHandleForReading.close()  // the reader is gone before the first write
        let (status, message) = try Self.launch(["predict", "--model", "m.json", "--data", "x.csv"], in: folder, standardOutput: output)
        #expect(status == 0)
        #expect(message.isEmpty, "\(message)")
    }

    /// The checkpoint keeps the engine: a parallel run at a batch size it splits, resumed with
    /// `--resume` alone, ends with the uninterrupted run's bytes, and so does its log.
    @Test func resumeKeepsTheEngineAndTheLog() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let common = ["--engine", "parallel", "--threads", "2", "--batch-size", "512", "--samples", "6000", "--quiet"]
        #expect(try Self.run(["train"] + common + ["--epochs", "4", "--save", "full.json", "--log", "full.jsonl"], in: folder).status == 0)
        #expect(
            try Self.run(
                ["train"] + common + ["--epochs", "2", "--save", "part.json", "--checkpoint", "run.ckpt", "--log", "run.jsonl"],
                in: folder
            ).status == 0)
        // A log written past the checkpoint (as by a run killed after it) is cut back on resume.
        let log = folder.appendingPathComponent("run.jsonl")
        try (String(contentsOf: log, encoding: .utf8) + "{\"epoch\":3,\"loss\":9,\"accuracy\":0}\n").write(
            to: log, atomically: true, encoding: .utf8)
        // --threads goes with the engine the checkpoint keeps (parallel), not the default.
        let resumed = try Self.run(["train", "--resume", "run.ckpt", "--threads", "2", "--epochs", "4", "--save", "resumed.json"], in: folder)
        #expect(resumed.status == 0, "\(resumed.errors)")
        let full = try Data(contentsOf: folder.appendingPathComponent("full.json"))
        #expect(try Data(contentsOf: folder.appendingPathComponent("resumed.json")) == full)
        // Timings differ; so does the whole training set's evaluation, which the 2-epoch run
        // made after its last epoch and the 4-epoch run did not.
        func epochs(_ name: String) throws -> [String] {
            try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map {
                $0.replacingOccurrences(
                    of: #""((engine_)?samples_per_second|training_loss|accuracy)":([0-9.e+-]+|null)"#, with: "",
                    options: .regularExpression)
            }
        }
        #expect(try epochs("run.jsonl") == epochs("full.jsonl"))
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.map { $0.contains("\"accuracy\":null") } == [true, false, true, false])
    }

    /// A job scheduler reruns the same command line after preemption: with `--checkpoint F
    /// --resume F`, the first run starts from scratch, a rerun continues (or, when done, only
    /// saves the model), and a setting that differs from the checkpoint's is refused.
    @Test func theSameCommandLineStartsResumesAndFinishes() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = ["train", "--samples", "3000", "--batch-size", "64", "--checkpoint", "c.json", "--resume", "c.json", "--quiet"]
        #expect(try Self.run(["train", "--samples", "3000", "--batch-size", "64", "--epochs", "5", "--save", "full.json", "--quiet"], in: folder).status == 0)
        #expect(try Self.run(job + ["--epochs", "2", "--save", "m.json"], in: folder).status == 0)
        #expect(try Self.run(job + ["--epochs", "5", "--save", "m.json"], in: folder).status == 0)
        let full = try Data(contentsOf: folder.appendingPathComponent("full.json"))
        #expect(try Data(contentsOf: folder.appendingPathComponent("m.json")) == full)
        // Done: a rerun trains nothing and saves the same model again.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("m.json"))
        #expect(try Self.run(job + ["--epochs", "5", "--save", "m.json"], in: folder).status == 0)
        #expect(try Data(contentsOf: folder.appendingPathComponent("m.json")) == full)

        let differs = try Self.run(job + ["--epochs", "5", "--seed", "2"], in: folder)
        #expect(differs.status == 64)
        #expect(differs.errors.hasPrefix("error: --seed 2 differs from the run in c.json (1); a resumed run keeps its settings"))
    }

    /// Paths in a checkpoint are relative to its folder: resumed from elsewhere, it finds its
    /// data; a copy of it is updated, never the original.
    @Test func aCopiedCheckpointResumedFromElsewhereLeavesTheOriginal() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("run")
        let elsewhere = folder.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        var csv = "x0,x1,label\n"
        for i in 0..<400 { csv += "\(Double(i % 20) / 10 - 1),\(Double(i % 7) / 3 - 1),\(i % 2)\n" }
        try csv.write(to: run.appendingPathComponent("data.csv"), atomically: true, encoding: .utf8)
        let common = ["train", "--data", "run/data.csv", "--batch-size", "16", "--quiet"]
        #expect(try Self.run(common + ["--epochs", "4", "--save", "full.json"], in: folder).status == 0)
        #expect(try Self.run(common + ["--epochs", "2", "--checkpoint", "run/c.json", "--save", "run/m.json"], in: folder).status == 0)
        let original = try Data(contentsOf: run.appendingPathComponent("c.json"))
        try original.write(to: run.appendingPathComponent("copy.json"))

        let resumed = try Self.run(["train", "--resume", "../run/copy.json", "--epochs", "4", "--save", "resumed.json"], in: elsewhere)
        #expect(resumed.status == 0, "\(resumed.errors)")
        #expect(try Data(contentsOf: run.appendingPathComponent("c.json")) == original)
        #expect(try Data(contentsOf: run.appendingPathComponent("copy.json")) != original)
        #expect(
            try Data(contentsOf: elsewhere.appendingPathComponent("resumed.json"))
                == Data(contentsOf: folder.appendingPathComponent("full.json")))
    }

    /// A device node given as an output is written through, never replaced by a file (as
    /// root, which may make one with mknod; skipped otherwise).
    @Test(.enabled(if: getuid() == 0)) func aDeviceNodeStaysADevice() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let device = folder.appendingPathComponent("null").path
        var null = stat()
        #expect(stat("/dev/null", &null) == 0)
        #expect(mknod(device, S_IFCHR | 0o666, null.st_rdev) == 0)  // another node of the null device
        let result = try Self.run(["train", "--epochs", "1", "--quiet", "--save", "null", "--log", "null.jsonl"], in: folder)
        #expect(result.status == 0, "\(result.errors)")
        var status = stat()
        #expect(stat(device, &status) == 0 && status.st_mode & S_IFMT == S_IFCHR)
    }

    /// Killed with SIGKILL at any moment, and rerun with the same command line until it
    /// finishes, a run ends with the uninterrupted run's bytes, on every engine, streamed
    /// from an `.npy` file in blocks, and with the optimizers that keep state (their
    /// moments and step count go through the checkpoint).
    /// Learning-rate schedules too, each kind: onecycle's rate changes every mini-batch,
    /// plateau's counters follow the losses.
    @Test(arguments: [
        "reference", "simd", "parallel", "streamed", "simd adam", "parallel adam", "reference nesterov", "simd onecycle",
        "parallel plateau", "simd step", "simd multistep", "parallel exponential", "simd cosine", "simd linear",
    ])
    func killedRunsResumeToTheSameBytes(setting: String) throws {
        let engine = String(setting.split(separator: " ")[0])
        let optimizer: [String] =
            switch setting.split(separator: " ").dropFirst().first {
            case "adam": ["--optimizer", "adam", "--learning-rate", "0.01"]
            case "nesterov": ["--momentum", "0.9", "--nesterov", "--learning-rate", "0.1"]
            case "onecycle": ["--schedule", "onecycle", "--pct-start", "0.4"]
            case "plateau": ["--schedule", "plateau", "--plateau-patience", "0", "--plateau-threshold", "0.2", "--cooldown", "1"]
            case "step": ["--schedule", "step", "--step-size", "2", "--gamma", "0.5"]
            case "multistep": ["--schedule", "multistep", "--milestones", "1,4", "--warmup-epochs", "1"]
            case "exponential": ["--schedule", "exponential", "--gamma", "0.8"]
            case "cosine": ["--schedule", "cosine", "--warmup-epochs", "2", "--warmup-start-factor", "0.2"]
            case "linear": ["--schedule", "linear", "--end-factor", "0.1", "--total-iters", "6"]
            default: []
            }
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let samples = engine == "reference" ? "3000" : "40000"
        var data = ["--samples", samples]
        if engine == "streamed" {
            try Self.writeData("d", rows: 40_000, in: folder) { i in "\(sin(Double(i) * 0.37)),\(cos(Double(i) * 0.11)),\(i % 3 == 0 ? 1 : 0)" }
            data = ["--data", "d.npy", "--stream", "--shuffle", "blocks", "--block-size", "1000"]
        }
        let common =
            ["train", "--engine", engine == "streamed" ? "simd" : engine, "--batch-size", "512", "--epochs", "6", "--quiet"] + data
            + optimizer
        #expect(try Self.run(common + ["--save", "full.json"], in: folder).status == 0)
        let job = common + ["--checkpoint", "c.json", "--resume", "c.json", "--save", "m.json"]
        var kills = 0
        for delay in [0.0, 0.003, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4] where !FileManager.default.fileExists(atPath: folder.appendingPathComponent("m.json").path) {
            let process = Process()
            process.executableURL = Self.executable
            process.arguments = job
            process.currentDirectoryURL = folder
            try process.run()
            usleep(useconds_t(delay * 1e6))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
        }
        if !FileManager.default.fileExists(atPath: folder.appendingPathComponent("m.json").path) {
            let last = try Self.run(job, in: folder)
            #expect(last.status == 0, "\(last.errors)")
        }
        #expect(kills > 0)
        let full = try Data(contentsOf: folder.appendingPathComponent("full.json"))
        #expect(try Data(contentsOf: folder.appendingPathComponent("m.json")) == full, "\(setting) after \(kills) kills")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.count <= 1)  // at most the temporary file of a write that a kill cut short
    }

    /// The command-line cases of a careless or hostile user, each with its exit status and
    /// the start of its message (or a line of its output).
    @Test func hostileCommandLinesGetClearAnswers() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func file(_ name: String, _ text: String) throws {
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try file("d.csv", "x0,x1,label\n1,2,0\n2,1,1\n3,3,0\n")
        try file("cr.csv", "x0,x1,label\r1,2,0\r2,1,1\r")
        #expect(try Self.run(["train", "--epochs", "2", "--quiet", "--save", "m.json", "--checkpoint", "c.json"], in: folder).status == 0)
        #expect(
            try Self.run(["train", "--epochs", "2", "--quiet", "--optimizer", "adam", "--save", "a.json", "--checkpoint", "adam.json"], in: folder)
                .status == 0)
        let model = try String(contentsOf: folder.appendingPathComponent("m.json"), encoding: .utf8)
        let firstBias = try #require(model.range(of: #"(?<="bias": \[)[^,\]]+"#, options: .regularExpression))
        try file("tiny.json", model.replacingCharacters(in: firstBias, with: "1e-400"))
        try file("future.json", model.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 2"))

        let cases: [(arguments: [String], status: Int32, errors: String, output: String)] = [
            (["train", "--init", "m.json", "--no-standardize"], 64, "error: --init m.json has a standardisation, which --no-standardize would drop", ""),
            (["bench", "--data", "d.csv", "--samples", "5"], 64, "error: --samples cannot be combined with --data", ""),
            (["train", "--resume", "c.json", "--epochs", "1"], 64, "error: --epochs 1 is fewer than the 2 epochs c.json has done", ""),
            (["train", "--resume", "c.json", "--epochs", "3", "--optimizer", "adam"], 64,
             "error: --optimizer adam differs from the run in c.json (sgd)", ""),
            (["train", "--resume", "c.json", "--epochs", "3", "--momentum", "0.5"], 64,
             "error: --momentum 0.5 differs from the run in c.json (0.0)", ""),
            (["train", "--resume", "c.json", "--epochs", "3", "--beta1", "0.9"], 64,
             "error: --beta1 differs from the run in c.json (none (--optimizer sgd))", ""),
            (["train", "--resume", "adam.json", "--epochs", "3", "--beta1", "0.9", "--epsilon", "1e-8"], 0, "", ""),
            (["train", "--resume", "adam.json", "--epochs", "3", "--beta1", "0.8"], 64,
             "error: --beta1 0.8 differs from the run in adam.json (0.9)", ""),
            (["train", "--optimizer", "adam", "--momentum", "0.9"], 64, "error: --momentum is not a setting of --optimizer adam", ""),
            (["train", "--beta1", "0.8"], 64, "error: --beta1 is not a setting of --optimizer sgd", ""),
            (["train", "--nesterov"], 64, "error: --optimizer sgd: Nesterov momentum needs a momentum greater than 0", ""),
            (["train", "--momentum", "1"], 64, "error: --momentum must be a number from 0 up to (not including) 1, not '1'", ""),
            (["train", "--positive-weight", "0"], 64, "error: --positive-weight must be a number > 0, not '0'", ""),
            (["predict", "--model", "tiny.json", "--data", "d.csv"], 0, "", "probability,class\n"),
            (["predict", "--model", "future.json", "--data", "d.csv"], 1,
             "error: future.json: model format version 2 is newer than this tool reads (1)", ""),
            (["train", "--data", "cr.csv"], 1, "error: cr.csv:1: expected 3 comma-separated columns", ""),
            (["predict", "--model", "m.json", "--data", "d.csv", "--output", "-"], 0, "", "probability,class\n"),
            (["train", "--epochs", "2", "--quiet", "--log", "/dev/full", "--save", "logged.json"], 1,
             "warning: /dev/full: cannot write the log: No space left on device", ""),
        ]
        for item in cases {
            let result = try Self.run(item.arguments, in: folder)
            #expect(result.status == item.status, "\(item.arguments): \(result.errors)")
            #expect(result.errors.hasPrefix(item.errors), "\(item.arguments): \(result.errors)")
            #expect(result.output.hasPrefix(item.output), "\(item.arguments)")
        }
        // The run whose log failed still saved its model.
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("logged.json").path))
        #expect(try Self.run(["train", "--data", "cr.csv"], in: folder).errors.contains("CR alone"))
    }

    /// `--schedule` and its options: the rate of each epoch in the JSON and the progress line,
    /// options of another schedule refused, and a resume that must agree with the schedule.
    @Test func learningRateSchedules() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = ["train", "--samples", "64", "--batch-size", "64", "--epochs", "4", "--save", "m.json"]
        let json = try Self.run(run + ["--schedule", "step", "--step-size", "2", "--gamma", "0.5", "--learning-rate", "0.8", "--json"], in: folder)
        #expect(json.status == 0)
        let rates = json.output.split(separator: "\n").map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["learning_rate"] as? Double
        }
        #expect(rates == [0.8, 0.8, 0.4, 0.4])
        let constant = try Self.run(run + ["--json"], in: folder)
        #expect(!constant.output.contains("learning_rate"))  // a constant run's lines keep their bytes
        let text = try Self.run(run + ["--schedule", "exponential", "--gamma", "0.5"], in: folder)
        #expect(text.errors.contains("loss ") && text.errors.contains("  lr 0.125  "), "\(text.errors)")

        #expect(try Self.run(["train", "--samples", "64", "--epochs", "2", "--schedule", "cosine", "--checkpoint", "c.json", "--save", "c-model.json", "--quiet"], in: folder).status == 0)
        let cases: [(arguments: [String], errors: String)] = [
            (["--schedule", "exponential", "--t-max", "3", "--gamma", "0.9"], "error: --t-max is not a setting of --schedule exponential"),
            (["--gamma", "0.5"], "error: --gamma is not a setting of --schedule constant"),
            (["--schedule", "step"], "error: --schedule step needs --step-size"),
            (["--schedule", "multistep", "--milestones", "5,3"], "error: --schedule multistep: the milestones are [5, 3]: must be epochs from 1 on, increasing"),
            (["--schedule", "multistep", "--milestones", "5,x"], "error: --milestones 5,x: must be epochs (whole numbers from 1) separated by commas"),
            (["--schedule", "plateau", "--warmup-epochs", "3"], "error: --schedule plateau: plateau cannot follow a warmup"),
            (["--schedule", "onecycle", "--learning-rate", "1", "--max-learning-rate", "2"], "error: --schedule onecycle starts from --max-learning-rate"),
            (["--warmup-start-factor", "0.5"], "error: --warmup-start-factor needs --warmup-epochs"),
            (["--schedule", "linear", "--end-factor", "2"], "error: --end-factor must be a number from 0 to 1, not '2'"),
            (["--resume", "c.json", "--epochs", "3", "--schedule", "step", "--step-size", "1"], "error: --schedule step differs from the run in c.json (cosine)"),
            (["--resume", "c.json", "--epochs", "3", "--t-max", "5"], "error: --t-max 5 differs from the run in c.json (2)"),
        ]
        for item in cases {
            let result = try Self.run(["train", "--samples", "64", "--quiet", "--save", "x.json"] + item.arguments, in: folder)
            #expect(result.status != 0, "\(item.arguments)")
            #expect(result.errors.hasPrefix(item.errors), "\(item.arguments): \(result.errors)")
        }
        // bench takes a schedule too, and names it.
        let bench = try Self.run(["bench", "--samples", "1000", "--epochs", "2", "--schedule", "onecycle", "--json"], in: folder)
        #expect(bench.status == 0 && bench.output.hasSuffix(",\"schedule\":\"onecycle\"}\n"), "\(bench.output)")
        let population = try Self.run(["bench", "--engine", "population", "--samples", "1000", "--schedule", "cosine"], in: folder)
        #expect(population.status == 64 && population.errors.contains("error: bench's population engine trains by plain SGD at a constant rate"))
        // A schedule that takes the rate past the largest double ends the run as diverged,
        // saying so; a one-step first phase of onecycle is refused before any training.
        let infinite = try Self.run(
            ["train", "--samples", "64", "--batch-size", "16", "--epochs", "5", "--schedule", "exponential", "--gamma", "1e200",
             "--learning-rate", "1e-300", "--checkpoint", "inf.json", "--save", "inf-model.json", "--quiet"], in: folder)
        #expect(infinite.status == 1 && infinite.errors.contains("the --schedule took the learning rate to inf"), "\(infinite.errors)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("inf-model.json").path))
        let oneStep = ["--samples", "64", "--epochs", "1", "--schedule", "onecycle", "--pct-start", "0.25"]
        // bench's warm-up epoch counts: 2 epochs of 2 mini-batches.
        let benchStep = try Self.run(["bench", "--batch-size", "32"] + oneStep, in: folder)
        #expect(benchStep.status == 64 && benchStep.errors.contains("error: --schedule onecycle: a warmup fraction of 0.25 of 4 steps is one step"))
        // In a sweep, per configuration: 64 samples at batch 16 make 4 steps in the one epoch.
        let sweepStep = try Self.run(
            ["sweep", "--out", "one-step", "--learning-rate", "1", "--seed", "1", "--batch-size", "32,16"] + oneStep, in: folder)
        #expect(sweepStep.status == 64 && sweepStep.errors.hasPrefix("error: configuration 1 (batch size 16): --schedule onecycle: a warmup"), "\(sweepStep.errors)")
        #expect(try Self.run(run + ["--schedule", "multistep", "--milestones", " 2 , 3 ", "--quiet"], in: folder).status == 0)
        // The same schedule's options given again agree, and the run goes on.
        #expect(try Self.run(["train", "--resume", "c.json", "--epochs", "3", "--schedule", "cosine", "--t-max", "2", "--quiet"], in: folder).status == 0)
    }

    /// `bench --predict` times `Model`'s probabilities and reports them as training's rate;
    /// training's options are refused with it.
    @Test func benchTimesPrediction() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try Self.run(["bench", "--predict", "--samples", "2048", "--epochs", "2", "--json"], in: folder)
        #expect(result.status == 0, "\(result.errors)")
        let report = try #require(JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(report["predict"] as? Bool == true && report["samples"] as? Int == 2048 && report["passes"] as? Int == 2)
        #expect((report["samples_per_second"] as? Double ?? 0) > 0 && (report["accuracy"] as? Double).map { (0...1).contains($0) } == true)
        for option in [["--threads", "2"], ["--batch-size", "8"], ["--schedule", "cosine"], ["--engine", "parallel"]] {
            let refused = try Self.run(["bench", "--predict", "--samples", "64"] + option, in: folder)
            #expect(refused.status == 64 && refused.errors.hasPrefix("error: --predict cannot be combined with \(option[0])"), "\(refused.errors)")
        }
    }

    /// Progress and JSON output that cannot be written do not stop a run: it saves its model.
    @Test func failingReportsDoNotStopTraining() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (arguments, redirect) in [(["--json"], "stdout"), ([], "stderr")] {
            let process = Process()
            process.executableURL = Self.executable
            process.arguments = ["train", "--epochs", "30", "--save", "\(redirect).json"] + arguments
            process.currentDirectoryURL = folder
            let closed = Pipe()  // read end closed at once: every write gets EPIPE
            try closed.fileHandleForReading.close()
            if redirect == "stdout" { process.standardOutput = closed } else { process.standardError = closed }
            try process.run()
            try closed.fileHandleForWriting.close()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(redirect)")
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(redirect).json").path))
        }
    }
}
