import Backprop
import Dispatch
import Foundation
import Synchronization

enum SweepCommand {
    static let command = Command(
        name: "sweep",
        usage: [
            "[--data FILE [--stream] | --dataset NAME [--samples N] [--noise X]] --out DIR",
            "      --learning-rate LIST --seed LIST [--batch-size LIST]",
            "      [--optimizer LIST] [--momentum LIST] [--init MODEL.json] [train's other options]",
            "      [--schedule LIST [--gamma LIST] [--t-max LIST] [--warmup-epochs LIST]]",
            "      [--engine population|simd] [--threads T] [--shard I/N] [--checkpoint-every K]",
            "      [--json] [--quiet]",
            "--report DIR [--json]",
        ],
        summary: """
            Trains one model per configuration of a grid: the Cartesian product of the lists
            (comma-separated values), numbered with the learning rate varying slowest, then the
            seed, batch size, optimizer and momentum, then, when given, the schedule, gamma,
            t-max and warmup epochs fastest (momentum applies to sgd, the others take its first
            value once; a schedule without gamma, t-max or warmup takes none, once). The
            population engine trains eight configurations at once on a core, one in each SIMD
            lane; each gives the bits of `train --engine population` with the same options
            (with --engine simd, of `train`).
            Each model goes to DIR/models/config-N.json and a line to DIR/results.jsonl (one file
            per shard). --report ranks the results of every shard by validation loss (training
            loss without a split).
            """,
        sections: [
            ("DATA", TrainCommand.dataOptions),
            ("GRID", gridOptions),
            ("TRAINING", trainingOptions),
            ("RUN", runOptions),
        ],
        epilogue: """
            The folder: DIR/sweep.json records, at the first run, every DATA, GRID and TRAINING
            option (with the fingerprints of the --data and --init files); a run with any other
            setting is refused, naming the first difference. DIR/.lock (and .lock-shard-I-of-N)
            keep a second run of the same grid or shard out while one runs; shards run side by
            side, never beside a run of the whole grid. A configuration whose model was deleted
            trains again. Refused: --data or --init
            naming a file the sweep writes, a symbolic link in models/ or checkpoints/, a results
            line that is not this grid's, and a folder of results without sweep.json.
            Sharding: --shard I/N trains the configurations whose number modulo N is I. Without
            it, SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (or JOB_COMPLETION_INDEX and
            JOB_COMPLETION_COUNT) are read when set. Each shard writes results-shard-I-of-N.jsonl.
            Running a shard again skips its finished configurations and resumes the others from
            DIR/checkpoints, so a requeued job is safe.
            Exit status: 0 when every configuration of the shard is done; 130 or 143 when stopped by
            Ctrl-C or SIGTERM, after checkpointing the configurations under way (the population
            engine's as their epoch began; run it again);
            64 for a usage error; 1 for a bad input file or other settings than DIR/sweep.json's
            (running it again will not help), or for a folder in use (run it when the other ends).
            """,
        run: run)

    static let gridOptions = [
        Option("--learning-rate", "LIST", .text, "learning rates, each > 0"),
        Option("--seed", "LIST", .text, "seeds of the starting weights, split, shuffles (and of a built-in set)"),
        Option("--batch-size", "LIST", .text, "batch sizes (default: 32)"),
        Option("--optimizer", "LIST", .text, "of sgd, adam, adamw (default: sgd)"),
        Option("--momentum", "LIST", .text, "sgd's momentums, 0 <= M < 1 (default: 0)"),
        Option(
            "--schedule", "LIST", .text,
            "learning-rate schedules, as train's (default: constant);\nonecycle peaks at each configuration's --learning-rate"),
        Option("--gamma", "LIST", .text, "step, multistep and exponential's decay factors, each > 0\n(default: 0.1; exponential needs it)"),
        Option("--t-max", "LIST", .text, "cosine's half cycles, in epochs (default: the epochs after\nthe warmup)"),
        Option("--warmup-epochs", "LIST", .text, "warmups, in epochs (0: none), before each schedule but\nonecycle and plateau"),
    ]

    /// The schedule options swept as lists (`gridOptions`); the others take one value.
    static let scheduleLists = ["--schedule", "--gamma", "--t-max", "--warmup-epochs"]

    static let trainingOptions: [Option] = {
        let kept = ["--epochs", "--no-shuffle", "--shuffle", "--block-size", "--no-standardize", "--patience", "--init"]
        // onecycle's peak is each configuration's --learning-rate.
        return TrainCommand.trainingOptions.filter { kept.contains($0.name) }
            + OptimizerOptions.options.filter { !["--optimizer", "--momentum"].contains($0.name) }
            + ScheduleOptions.options.filter { !(scheduleLists + ["--max-learning-rate"]).contains($0.name) }
    }()

    static let runOptions = [
        Option("--out", "DIR", .text, "the sweep's folder (created if missing)", excludes: ["--report"]),
        Option("--report", "DIR", .text, "print the results of a sweep's folder, best first"),
        Option(
            "--engine", "NAME", .choice([LaneEngine.name, SIMDEngine.name]),
            "population: eight configurations at once in the SIMD lanes of\none core (each the bits of train --engine population);\nsimd: one at a time a core, as train (default: population)"),
        Option("--threads", "T", .integer(1...1024), "cores to train on (default: all)"),
        Option("--shard", "I/N", .text, "train the configurations numbered I modulo N"),
        Option(
            "--checkpoint-every", "K", .integer(1...1_000_000),
            "epochs between a configuration's checkpoints (default: 10)"),
        Option.flag("--json", "each result as a JSON line on stdout (with --report: ranked)"),
        Option.flag("--quiet", "no progress line"),
    ]

    static func run(_ options: ParsedOptions) throws -> Int32 {
        if let folder = options.string("--report") {
            // A report reads a folder: a grid or training option would be ignored without a word.
            if let other = options.values.keys.sorted().first(where: { !["--report", "--json"].contains($0) }) {
                throw UsageError(description: "--report DIR takes --json only; \(other) is for training a sweep")
            }
            return try report(folder, json: options.flag("--json"))
        }
        guard let out = options.string("--out") else { throw UsageError(description: "sweep needs --out DIR (or --report DIR)") }
        guard options.has("--learning-rate"), options.has("--seed") else {
            throw UsageError(description: "sweep needs --learning-rate LIST and --seed LIST")
        }
        try TrainCommand.checkBlockSize(options)
        let grid = try grid(options)
        let shard = try Shard.from(option: options.string("--shard"), environment: ProcessInfo.processInfo.environment)
        let points = grid.points.filter(shard.owns)
        var configurations: [Int: TrainingConfiguration] = [:]
        let common = TrainCommand.configuration(options)
        for point in points {
            let configuration = configuration(point, common, options)
            if let problem = configuration.optimizer.problem {
                throw UsageError(description: "configuration \(point.index) (--optimizer \(point.optimizer)): \(problem)")
            }
            if let problem = configuration.schedule.problem {
                throw UsageError(description: "configuration \(point.index) (--schedule \(point.scheduleLabel ?? "")): \(problem)")
            }
            configurations[point.index] = configuration
        }
        let folder = SweepFolder(path: out)
        for path in [out, "\(out)/models", "\(out)/checkpoints"] {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw InputError(file: path, line: nil, message: "cannot create the folder: \(error.localizedDescription)")
            }
        }
        try folder.lock(for: shard)
        for (option, path) in givenFiles([("--data", options.string("--data")), ("--init", options.string("--init"))]) {
            if let file = folder.sweepFile(namedBy: path) {
                throw UsageError(description: "\(option) \(path) is \(file), which the sweep writes; give \(option) a file outside \(out)")
            }
        }
        // The orders a streamed file is read in at once: a worker's configuration each, or on
        // the population engine, a worker's group of up to eight lanes of different seeds.
        let streams = min(options.integer("--threads") ?? EngineOptions.availableCores, max(1, points.count))
        let lanes = engine(options) == LaneEngine.name ? min(Set(points.map(\.seed)).count, 8) : 1
        let data = try SweepData(options, configuration: common, streams: streams * lanes)
        let start = try TrainCommand.startModel(options, standardize: !options.flag("--no-standardize"))
        if grid.points.count > 100_000 { printError(size(of: grid, points.count, common, data)) }
        // What depends on a configuration's mini-batches an epoch, now that the data is known.
        let training = Dataset.trainingCount(of: data.count, validationFraction: common.validationFraction)
        for point in points {
            let batches = (training + point.batchSize - 1) / point.batchSize
            if let problem = configurations[point.index]!.schedule.problem(epochs: common.epochs, batchesPerEpoch: batches) {
                throw UsageError(description: "configuration \(point.index) (batch size \(point.batchSize)): --schedule \(problem)")
            }
        }
        // Every refusal comes before sweep.json is written, so that a refused first run records nothing.
        let resultsPath = folder.resultsFile(shard)
        for file in [resultsPath] + points.flatMap({ [folder.model($0.index), folder.checkpoint($0.index)] }) {
            try SweepFolder.refuseLink(file)
        }
        try folder.agree(to: try settings(options, grid: grid, data: data, recorded: folder.recordedSettings()))

        let (results, complete) = try SweepResults.read(resultsPath, grid: grid)
        if !complete {  // a line cut short by a kill: its configuration trains again
            try AtomicFile.write(results.map { $0.line + "\n" }.joined(), to: resultsPath)
        }
        // A model deleted since its line was written trains again (from its checkpoint if any).
        let finished = Set(results.filter { $0.model.map { FileManager.default.fileExists(atPath: "\(out)/\($0)") } ?? true }.map(\.index))
        let todo = points.filter { !finished.contains($0.index) }
        let appender = try ResultsAppender(resultsPath)
        defer { appender.close() }
        let runner = SweepRunner(
            folder: folder, data: data, configurations: configurations, start: start,
            checkpointEvery: options.integer("--checkpoint-every") ?? 10)
        StopSignal.install()
        warnIfDebugBuild()

        let state = Mutex((done: points.count - todo.count, samples: 0, failure: nil as Error?))
        let (quiet, json, started) = (options.flag("--quiet"), options.flag("--json"), ContinuousClock.now)
        let total = points.count
        @Sendable func record(_ result: SweepResult, samples: Int) throws {
            try state.withLock { state in
                try appender.append(result.line)
                (state.done, state.samples) = (state.done + 1, state.samples + samples)
                if json { print(result.line) }
                if !quiet {
                    let seconds = (ContinuousClock.now - started) / .seconds(1)
                    printError("sweep: \(state.done)/\(total) configurations, \(humanRate(Double(state.samples) / seconds)) model-samples/s")
                }
            }
        }
        let threads = min(options.integer("--threads") ?? EngineOptions.availableCores, max(1, todo.count))
        if engine(options) == LaneEngine.name {
            try runner.trainPopulation(todo, threads: threads) { try record($0, samples: $1) }
        } else {
            let next = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                while !StopSignal.requested {
                    let task = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard task < todo.count else { return }
                    do {
                        guard let (result, samples) = try runner.train(todo[task]) else { return }  // stopped
                        try record(result, samples: samples)
                    } catch {
                        state.withLock { $0.failure = $0.failure ?? error }
                        return
                    }
                }
            }
        }
        if let failure = state.withLock({ $0.failure }) { throw failure }
        try finishStandardOutput()
        if StopSignal.requested {
            printError("sweep: stopped; \(state.withLock { $0.done }) of \(points.count) configurations done; run it again to continue")
            return 128 + StopSignal.received.load(ordering: .relaxed)
        }
        return 0
    }

    /// `--engine`, with its default: the population engine.
    static func engine(_ options: ParsedOptions) -> String { options.string("--engine") ?? LaneEngine.name }

    /// Every setting that changes a model, by name, for sweep.json: each data, grid and
    /// training option as given (a flag as "given"), the grid's lists as it reads them, the
    /// fingerprints of the data file and of the --init model, and the engine. A new option
    /// of those sections is recorded with no change here.
    /// The data's fingerprint is made in the order of the one `recorded`, if any.
    static func settings(
        _ options: ParsedOptions, grid: SweepGrid, data: SweepData, recorded: [String: String]?
    ) throws(InputError) -> [String: String] {
        var settings: [String: String] = ["engine": engine(options)]
        for option in command.sections.filter({ $0.title != "RUN" }).flatMap(\.options) {
            switch options.values[option.name] {
            case nil: break
            case .flag: settings[option.name] = "given"
            case .integer(let value): settings[option.name] = "\(value)"
            case .number(let value): settings[option.name] = "\(value)"
            case .text(let value): settings[option.name] = value
            }
        }
        settings.merge(grid.lists) { $1 }
        if let file = data.file { settings["fingerprint of --data"] = try file.fingerprint(like: recorded?["fingerprint of --data"]) }
        if let path = options.string("--init") {
            guard let bytes = FileManager.default.contents(atPath: path) else {
                throw InputError(file: path, line: nil, message: "cannot read the model")
            }
            settings["fingerprint of --init"] = fingerprint(bytes)
        }
        return settings
    }

    /// A 64-bit FNV-1a hash of `bytes`, as 16 hex digits.
    static func fingerprint(_ bytes: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// What a grid too large to start without a word will cost: configurations × epochs ×
    /// training samples.
    static func size(of grid: SweepGrid, _ shardPoints: Int, _ configuration: TrainingConfiguration, _ data: SweepData) -> String {
        let samples = Dataset.trainingCount(of: data.count, validationFraction: configuration.validationFraction)
        let modelSamples = Double(shardPoints) * Double(configuration.epochs) * Double(samples)
        return "sweep: a grid of \(grid.points.count) configurations (\(shardPoints) in this shard): about "
            + String(format: "%.3g", modelSamples)
            + " model-samples to train (\(shardPoints) configurations × \(configuration.epochs) epochs × \(samples) training samples)"
    }

    /// The grid the list options give.
    static func grid(_ options: ParsedOptions) throws(UsageError) -> SweepGrid {
        func numbers(_ option: String, _ requirement: String, _ valid: (Double) -> Bool) throws(UsageError) -> [Double]? {
            try options.string(option).map { text throws(UsageError) in
                try SweepGrid.list(text, option: option, requirement: requirement) { Double($0).flatMap { $0.isFinite && valid($0) ? $0 : nil } }
            }
        }
        let learningRates = try numbers("--learning-rate", "numbers > 0") { $0 > 0 } ?? []
        // `train --seed`'s range: a seed is written, and read back, as a JSON integer.
        let seeds = try SweepGrid.list(options.string("--seed") ?? "1", option: "--seed", requirement: "integers from 0 to \(Int.max)") {
            Int($0).flatMap { $0 >= 0 ? UInt64($0) : nil }
        }
        let batchSizes = try options.string("--batch-size").map { text throws(UsageError) in
            try SweepGrid.list(text, option: "--batch-size", requirement: "integers from 1 to 2^30") { Int($0).flatMap { (1...(1 << 30)).contains($0) ? $0 : nil } }
        } ?? [32]
        let optimizers = try options.string("--optimizer").map { text throws(UsageError) in
            try SweepGrid.list(text, option: "--optimizer", requirement: "sgd, adam or adamw") { ["sgd", "adam", "adamw"].contains($0) ? $0 : nil }
        } ?? ["sgd"]
        let momentums = try numbers("--momentum", "numbers from 0 up to (not including) 1") { $0 >= 0 && $0 < 1 } ?? [0]
        if !optimizers.contains("sgd") && options.has("--momentum") {
            throw UsageError(description: "--momentum is a setting of --optimizer sgd, which the sweep does not train")
        }
        if let option = OptimizerOptions.adamOnly.first(where: options.has), optimizers == ["sgd"] {
            throw UsageError(description: "\(option) is a setting of adam and adamw, which the sweep does not train")
        }
        return SweepGrid(
            learningRates: learningRates, seeds: seeds, batchSizes: batchSizes, optimizers: optimizers, momentums: momentums,
            schedules: try schedules(options))
    }

    /// The schedule lists, when the sweep sweeps schedules (any of `scheduleLists` given).
    static func schedules(_ options: ParsedOptions) throws(UsageError) -> SweepGrid.Schedules? {
        func integers(_ option: String, from lowest: Int) throws(UsageError) -> [Int]? {
            try options.string(option).map { text throws(UsageError) in
                try SweepGrid.list(text, option: option, requirement: "integers from \(lowest)") { Int($0).flatMap { $0 >= lowest ? $0 : nil } }
            }
        }
        let names = try options.string("--schedule").map { text throws(UsageError) in
            try SweepGrid.list(text, option: "--schedule", requirement: ScheduleOptions.names.joined(separator: ", ")) {
                ScheduleOptions.names.contains($0) ? $0 : nil
            }
        } ?? ["constant"]
        let gammas = try options.string("--gamma").map { text throws(UsageError) in
            try SweepGrid.list(text, option: "--gamma", requirement: "numbers > 0") { Double($0).flatMap { $0.isFinite && $0 > 0 ? $0 : nil } }
        }
        let schedules = SweepGrid.Schedules(
            names: names, gammas: gammas, tMaxes: try integers("--t-max", from: 1), warmups: try integers("--warmup-epochs", from: 0))
        // An option of schedules the sweep does not train would be ignored without a word.
        let settings = Set(ScheduleOptions.options.map(\.name)).subtracting(["--schedule"]).sorted()
        for option in settings where options.has(option) {
            let takers = ScheduleOptions.schedules(taking: option)
            if !names.contains(where: takers.contains) {
                throw UsageError(description: "\(option) is a setting of --schedule \(takers.joined(separator: ", ")), which the sweep does not train")
            }
        }
        try ScheduleOptions.checkRequired(names, options)
        return scheduleLists.contains(where: options.has) ? schedules : nil
    }

    /// Configuration `point` of the grid: `common` (the other options as `train` reads them)
    /// with the point's settings.
    static func configuration(_ point: SweepGrid.Point, _ common: TrainingConfiguration, _ options: ParsedOptions) -> TrainingConfiguration {
        // The swept options hold lists, which `train`'s reading leaves at their defaults.
        var configuration = common
        (configuration.learningRate, configuration.seed, configuration.batchSize) = (point.learningRate, point.seed, point.batchSize)
        configuration.optimizer = OptimizerOptions.optimizer(named: point.optimizer, momentum: point.momentum, options)
        // Resolved as a run resolves it, so that a configuration recognises its checkpoint's settings.
        configuration.schedule =
            point.schedule.map {
                ScheduleOptions.schedule(named: $0, gamma: point.gamma, period: point.tMax, warmupEpochs: point.warmupEpochs, options)
                    .resolved(epochs: common.epochs)
            } ?? .constant
        configuration.engineOptions = EngineOptions(threads: 1)
        return configuration
    }

    /// `--report DIR`: every shard's results, best first; a model deleted since its line was
    /// written is marked missing (`"model_missing":true` with --json).
    static func report(_ folder: String, json: Bool) throws -> Int32 {
        let ranked = SweepResults.ranked(try SweepResults.all(in: folder))
        guard !ranked.isEmpty else { throw InputError(file: folder, line: nil, message: "no results of `backprop sweep` here") }
        func missing(_ result: SweepResult) -> Bool {
            result.model.map { !FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent($0)) } ?? false
        }
        if json {
            for result in ranked { print(result.line.dropLast() + ",\"model_missing\":\(missing(result))}") }
        } else {
            func number(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "-" }
            // A schedule column for a sweep over schedules only: other sweeps' reports keep their text.
            let width = ranked.compactMap { $0.point.scheduleLabel?.count }.max().map { max($0, 8) + 2 }
            print(
                "rank  config  learning_rate  seed  batch  optimizer  momentum  " + (width.map { "schedule".padding($0) } ?? "")
                    + "loss      accuracy  val_loss  val_acc  epochs  model")
            for (rank, r) in ranked.enumerated() {
                let model = missing(r) ? "missing (\(r.model!))" : r.model ?? r.outcome
                let columns: [String] = [
                    String(rank + 1).padding(5), String(r.index).padding(7), "\(r.point.learningRate)".padding(14),
                    "\(r.point.seed)".padding(5), "\(r.point.batchSize)".padding(6), r.point.optimizer.padding(10),
                    "\(r.point.momentum)".padding(9) + (width.map { " " + (r.point.scheduleLabel ?? "constant").padding($0 - 1) } ?? ""),
                    number(r.loss, "%.6f").padding(9), number(r.accuracy.map { $0 * 100 }, "%.2f%%").padding(9),
                    number(r.validationLoss, "%.6f").padding(9), number(r.validationAccuracy.map { $0 * 100 }, "%.2f%%").padding(8),
                    "\(r.epochs)".padding(7), model,
                ]
                print(columns.joined(separator: " "))
            }
        }
        try finishStandardOutput()
        return 0
    }
}

extension String {
    /// Padded with spaces to `width` characters.
    fileprivate func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
