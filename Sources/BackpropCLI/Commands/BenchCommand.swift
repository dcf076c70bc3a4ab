@_spi(Benchmarks) import Backprop
import Foundation

enum BenchCommand {
    static let command = Command(
        name: "bench",
        usage: [
            "[--engine NAME] [--batch-size B] [--threads T] [--samples N]",
            "      [--engine population [--models K]]",
            "      [--epochs K] [--data FILE] [--init MODEL.json] [--json]",
            "      [--learning-rate LR] [--optimizer NAME ...] [--schedule NAME ...]",
            "--predict [--samples N | --data FILE] [--init MODEL.json] [--epochs K] [--json]",
        ],
        summary: """
            Measures training throughput on the standard workload: two moons (noise 0.2,
            standardised), Glorot starting weights (seed 7), plain SGD at learning rate 0.5,
            file order, consecutive mini-batches. One untimed warm-up epoch, then K timed epochs; prints
            samples/s of the SGD steps alone and the loss on the whole set afterwards, and the
            time it took to load (parse, or generate) the data. The population engine trains K
            models at once (Glorot starts from seeds 1 to K, the same learning rate) and reports
            model-samples/s: samples × models.
            """,
        sections: [
            (
                "OPTIONS",
                [
                    Option(
                        "--engine", "NAME", .choice(EngineChoice.names),
                        "reference, simd, parallel (see train), or population: K\nmodels at once, one per SIMD lane (default: simd)"),
                    Option("--models", "K", .integer(1...4096), "models of the population engine (default: 16)"),
                    Option("--batch-size", "B", .integer(1...1 << 30), "samples per SGD step (default: 256)"),
                    EngineChoice.threadsOption,
                    Option(
                        "--samples", "N", .integer(1...1 << 30), "data set size (default: 2^20 = 1048576)",
                        excludes: ["--data"]),
                    Option("--epochs", "K", .integer(1...1_000_000), "timed epochs (default: 3)"),
                    Option("--data", "FILE", .text, "train on this CSV or .npy file, as it is (not standardised),\ninstead"),
                    Option("--init", "MODEL.json", .text, "start from this model's weights instead"),
                    Option(
                        "--learning-rate", "LR", .number(requirement: "a number > 0", isValid: { $0 > 0 }),
                        "step size (default: 0.5)"),
                    Option.flag(
"--json", "one JSON object instead of a line of text"),
                    Option(
                        "--predict", "", .flag,
                        "time Model's probabilities over the data instead of training:\nK timed passes after an untimed one (one thread, SIMD kernels)",
                        excludes: ["--engine", "--models", "--batch-size", "--threads", "--learning-rate"]
                            + (OptimizerOptions.options + ScheduleOptions.options).map(\.name)),
                ]
            ),
            ("OPTIMIZER (as for train)", OptimizerOptions.options),
            ("SCHEDULE (as for train)", ScheduleOptions.options),
        ], run: run)

static func run(_ options: ParsedOptions) throws -> Int32 {
        let engineName = options.string("--engine") ?? SIMDEngine.name
        let batchSize = options.integer("--batch-size") ?? 256
        let requestedThreads = options.integer("--threads")
        let samples = options.integer("--samples") ?? StandardWorkload.samples
        let epochs = options.integer("--epochs") ?? 3
        let dataPath = options.string("--data")
        let initPath = options.string("--init")
        let json = options.flag("--json")
        try OptimizerOptions.check(options)
        try ScheduleOptions.check(options)
        let optimizer = OptimizerOptions.optimizer(options)
        let schedule = ScheduleOptions.schedule(options)
        let learningRate = options.number("--learning-rate") ?? StandardWorkload.learningRate
        let positiveWeight = options.number("--positive-weight") ?? 1
        let engine = EngineChoice.type(named: engineName)
        if dataPath == nil { try checkMemory(forSamples: samples, option: "--samples") }
        try EngineChoice.checkThreads(requestedThreads, engine: engineName, usedBy: [ParallelEngine.name, PopulationEngine.name])
        var threads = [ParallelEngine.name, PopulationEngine.name].contains(engineName) ? requestedThreads ?? EngineOptions.availableCores : 1

        warnIfDebugBuild()
        if options.flag("--predict") { return try predict(options, samples: samples, passes: epochs, json: json) }
        let clock = ContinuousClock()
        let loadStarted = clock.now
        let data = try dataPath.map { path throws(InputError) in try Dataset.read(path: path) }
            ?? StandardWorkload.dataset(samples: samples)
        let loadSeconds = (clock.now - loadStarted) / .seconds(1)
        // The untimed warm-up epoch is the schedule's first.
        if let problem = schedule.problem(epochs: epochs + 1, batchesPerEpoch: (data.count + batchSize - 1) / batchSize) {
            throw UsageError(description: "--schedule \(problem)")
        }
        let start = try initPath.map { path throws(InputError) in try Model.read(path: path).parameters }
            ?? StandardWorkload.initialParameters
        let rule = UpdateRule(learningRate: learningRate, optimizer: optimizer, positiveWeight: positiveWeight)
        let models = options.integer("--models") ?? 16
        // The population engine splits whole groups of eight models across its threads.
        if engineName == PopulationEngine.name { threads = min(threads, (models + 7) / 8) }
        if options.has("--models") && engineName != PopulationEngine.name {
            throw UsageError(description: "--models needs --engine population")
        }
        if engineName == PopulationEngine.name && (rule.optimizer != .sgd() || positiveWeight != 1 || schedule != .constant) {
            throw UsageError(description: "bench's population engine trains by plain SGD at a constant rate: no optimizer or schedule options")
        }
        let result =
            engineName == PopulationEngine.name
            ? StandardWorkload.measurePopulation(
                models: models, on: data, batchSize: batchSize, epochs: epochs,
                options: EngineOptions(threads: threads), learningRate: learningRate)
            : StandardWorkload.measure(
                engine, on: data, batchSize: batchSize, epochs: epochs, options: EngineOptions(threads: threads), from: start,
                rule: rule, schedule: schedule)
        // The schedule is named only when there is one: other benchmarks' output keeps its bytes.
        let scheduleName = schedule == .constant ? nil : schedule.kind.name + (schedule.warmup.map { " after \($0.epochs) warmup epochs" } ?? "")
        if json {
            let fields: [(key: String, value: Any?)] = [
                ("engine", engineName), ("kernel", KernelVariant.best.rawValue), ("batch_size", batchSize), ("threads", threads),
                ("optimizer", optimizer.name), ("samples", data.count), ("epochs", epochs), ("samples_per_second", result.samplesPerSecond),
                ("loss", result.loss), ("accuracy", result.accuracy), ("seconds", result.seconds), ("load_seconds", loadSeconds),
            ]
            print(jsonObject(fields + (scheduleName.map { [("schedule", $0)] } ?? [])))
        } else {
            print(
                "\(engineName) \(optimizer.name)\(scheduleName.map { " (\($0) schedule)" } ?? "") batch \(batchSize) threads \(threads), \(KernelVariant.best.rawValue) kernels: \(humanRate(result.samplesPerSecond)) samples/s"
                    + "  (loss \(String(format: "%.10f", result.loss)), accuracy \(percent(result.accuracy)), \(epochs) epochs of \(data.count))"
            )
            let load = dataPath.map { "read \($0)" } ?? "generated the data"
            print("\(load) in \(String(format: "%.3f", loadSeconds)) s; one epoch took \(String(format: "%.3f", result.seconds / Double(epochs))) s")
        }
        try finishStandardOutput()
        return 0
    }

    /// `--predict`: `Model`'s probabilities over the data, timed as training is, one pass an epoch.
    static func predict(_ options: ParsedOptions, samples: Int, passes: Int, json: Bool) throws -> Int32 {
        let clock = ContinuousClock()
        let loadStarted = clock.now
        let data = try options.string("--data").map { path throws(InputError) in try Dataset.read(path: path) }
            ?? StandardWorkload.dataset(samples: samples)
        let loadSeconds = (clock.now - loadStarted) / .seconds(1)
        let model = try options.string("--init").map { path throws(InputError) in try Model.read(path: path) }
            ?? Model(parameters: StandardWorkload.initialParameters)
        let result = StandardWorkload.measurePrediction(model, on: data, passes: passes)
        if json {
            print(
                jsonObject([
                    "predict": true, "kernel": KernelVariant.best.rawValue, "samples": data.count, "passes": passes,
                    "samples_per_second": result.samplesPerSecond, "loss": result.loss, "accuracy": result.accuracy,
                    "seconds": result.seconds, "load_seconds": loadSeconds,
                ]))
        } else {
            print(
                "predict (Model.probabilities), \(KernelVariant.best.rawValue) kernels: \(humanRate(result.samplesPerSecond)) samples/s"
                    + "  (loss \(String(format: "%.10f", result.loss)), accuracy \(percent(result.accuracy)), \(passes) passes of \(data.count))")
        }
        try finishStandardOutput()
        return 0
    }
}
