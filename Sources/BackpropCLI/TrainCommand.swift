import Backprop
import Foundation

enum TrainCommand {
    static let defaultSamples = 2000
    static let defaultSave = "model.json"

    static let help = """
        USAGE: backprop train [--data FILE.csv | --dataset NAME [--samples N] [--noise X]]
                              [--epochs E] [--batch-size B] [--learning-rate LR]
                              [--engine NAME] [--threads T] [--seed S] [--init MODEL.json]
                              [--save MODEL.json] [--no-shuffle] [--no-standardize]
                              [--validation-split F] [--patience N]
                              [--checkpoint FILE [--checkpoint-every K]] [--log FILE.jsonl]
                              [--json] [--quiet]
               backprop train --resume FILE [--epochs E] [--engine NAME] [--threads T]
                              [--save MODEL.json] [--checkpoint FILE] [--json] [--quiet]

        Trains the 2-5-5-1 network with mini-batch SGD on binary cross-entropy and saves it.
        With no options: \(defaultSamples) samples of the built-in moons set, good defaults,
        saved to \(defaultSave).

        DATA:
          --data FILE.csv          rows of x0,x1,label (label 0 or 1); an optional header
          --dataset NAME           built-in: \(SyntheticData.allCases.map(\.rawValue).joined(separator: ", ")) (default: moons)
          --samples N              samples of the built-in set (default: \(defaultSamples))
          --noise X                Gaussian noise of the built-in set (default: 0.2)
          --validation-split F     hold out this fraction for validation, 0 <= F < 1 (default: 0)
          --no-standardize         train on raw features (default: standardise to mean 0, std 1)

        TRAINING:
          --epochs E               passes over the data (default: 200)
          --batch-size B           samples per SGD step; the last batch may be smaller (default: 32)
          --learning-rate LR       constant SGD step size (default: 1)
          --no-shuffle             keep file order (default: reshuffle every epoch from the seed)
          --seed S                 seeds the weights, the split and the shuffles (default: 1)
          --init MODEL.json        start from this model's weights (and its standardisation)
          --patience N             stop when the validation loss has not improved for N
                                   epochs and keep the best model (needs --validation-split)
          --engine NAME            \(EngineChoice.help) (default: simd)
          --threads T              threads for the parallel engine (default: all cores)

        CHECKPOINTS:
          --checkpoint FILE        write the run's state to FILE every K epochs, and when
                                   stopped by Ctrl-C (SIGINT) or SIGTERM
          --checkpoint-every K     epochs between checkpoints (default: 1)
          --resume FILE            continue the run a checkpoint describes (same data and
                                   settings) up to --epochs; the result is bit for bit the
                                   model of the uninterrupted run

        OUTPUT:
          --save MODEL.json        where to write the model (default: \(defaultSave)); written
                                   to a temporary file and renamed, so never left half-written
          --json                   one JSON object per epoch on stdout
          --log FILE.jsonl         also write that JSON, one line per epoch, to FILE
                                   (for `backprop plot --history`)
          --quiet                  print nothing but errors
          -h, --help               show this help

        Progress goes to stderr: a line redrawn in place on a terminal, one line per epoch
        otherwise. Ctrl-C stops at the end of the current mini-batches (a second one ends
        the process at once); the exit status is then 130 (143 for SIGTERM).
        """

    /// Options that say what a run trains on; a resumed run takes them from its checkpoint.
    static let settingsFromCheckpoint = [
        "--data", "--dataset", "--samples", "--noise", "--batch-size", "--learning-rate", "--validation-split",
        "--seed", "--no-shuffle", "--no-standardize", "--init", "--patience", "--checkpoint-every",
    ]

    static func run(_ arguments: inout Arguments) throws -> Int32 {
        if let resumePath = try arguments.string("--resume") {
            if let option = settingsFromCheckpoint.first(where: { arguments.contains($0) }) {
                throw UsageError(description: "\(option) cannot be combined with --resume: the checkpoint keeps the run's settings")
            }
            return try resume(from: resumePath, &arguments)
        }
        let dataPath = try arguments.string("--data")
        let datasetName = try arguments.choice("--dataset", SyntheticData.allCases.map(\.rawValue))
        let samples = try arguments.integer("--samples", in: 1...1 << 30)
        let noise = try arguments.number("--noise", "a number >= 0") { $0 >= 0 }
        var configuration = TrainingConfiguration()
        configuration.epochs = try arguments.integer("--epochs", in: 0...10_000_000) ?? configuration.epochs
        configuration.batchSize = try arguments.integer("--batch-size", in: 1...1 << 30) ?? configuration.batchSize
        configuration.learningRate =
            try arguments.number("--learning-rate", "a number > 0") { $0 > 0 } ?? configuration.learningRate
        configuration.validationFraction =
            try arguments.number("--validation-split", "a fraction from 0 up to (not including) 1") { $0 >= 0 && $0 < 1 }
            ?? 0
        configuration.patience = try arguments.integer("--patience", in: 1...1_000_000)
        configuration.seed = UInt64(try arguments.integer("--seed", in: 0...Int.max) ?? 1)
        configuration.shuffle = !arguments.flag("--no-shuffle")
        configuration.standardize = !arguments.flag("--no-standardize")
        let initPath = try arguments.string("--init")
        let checkpointEvery = try arguments.integer("--checkpoint-every", in: 1...1_000_000)
        var output = try OutputOptions(&arguments)
        try arguments.finish()

        if dataPath != nil && (datasetName != nil || samples != nil || noise != nil) {
            throw UsageError(description: "--data cannot be combined with --dataset, --samples or --noise")
        }
        if configuration.patience != nil && configuration.validationFraction == 0 {
            throw UsageError(description: "--patience needs a validation set: add --validation-split F")
        }
        if checkpointEvery != nil && output.checkpointPath == nil {
            throw UsageError(description: "--checkpoint-every needs --checkpoint FILE")
        }
        output.checkpointEvery = checkpointEvery ?? 1

        // Check everything that can fail before the long computation, so a bad path costs nothing.
        try output.checkWritable()
        let start = try initPath.map { path throws(InputError) in try Model.read(path: path) }
        var source = DataSource(path: dataPath, dataset: datasetName ?? "moons", samples: samples ?? defaultSamples,
            noise: noise ?? 0.2, seed: configuration.seed)
        let data = try source.load()
        let trainingCount = Dataset.trainingCount(of: data.count, validationFraction: configuration.validationFraction)
        guard trainingCount >= 1 else {
            throw UsageError(description: "--validation-split \(configuration.validationFraction) leaves no training samples out of \(data.count)")
        }
        // Only a checkpoint keeps it (hashing every byte of a large file takes a while).
        if output.checkpointPath != nil { source.fingerprint = data.fingerprint }
        return try train(consume data, start: start, resuming: nil, configuration, source, output)
    }

    /// `train --resume FILE`: the data source and settings come from the checkpoint.
    static func resume(from path: String, _ arguments: inout Arguments) throws -> Int32 {
        let epochs = try arguments.integer("--epochs", in: 0...10_000_000)
        var output = try OutputOptions(&arguments)
        try arguments.finish()
        let progress = try TrainingProgress.read(path: path)
        var source = try DataSource(notes: progress.notes, checkpoint: path)
        output.savePath = output.explicitSave ?? progress.notes["save"] ?? defaultSave
        output.checkpointPath = output.checkpointPath ?? progress.notes["checkpoint"] ?? path
        output.checkpointEvery = Int(progress.notes["checkpoint-every"] ?? "") ?? 1
        output.logPath = output.logPath ?? progress.notes["log"]
        try output.checkWritable()
        let data = try source.load()
        source.fingerprint = data.fingerprint
        guard source.fingerprint == progress.notes["fingerprint"] else {
            throw InputError(
                file: source.path ?? path, line: nil,
                message: "the data differs from the data of the run that wrote \(path)")
        }
        var configuration = progress.configuration
        configuration.epochs = epochs ?? configuration.epochs
        return try train(consume data, start: nil, resuming: progress, configuration, source, output)
    }

    /// Takes the data over, so that the run can standardise it in place.
    static func train(
        _ data: consuming Dataset, start: Model?, resuming progress: TrainingProgress?, _ configuration: TrainingConfiguration,
        _ source: DataSource, _ output: OutputOptions
    ) throws -> Int32 {
        var configuration = configuration
        configuration.engineOptions = EngineOptions(threads: output.threads ?? EngineOptions.availableCores)
        let engine = try EngineChoice.type(named: output.engineName)
        var notes = source.notes
        notes["save"] = output.savePath
        notes["checkpoint"] = output.checkpointPath
        notes["checkpoint-every"] = String(output.checkpointEvery)
        notes["log"] = output.logPath
        // A resumed run keeps the log's lines up to where its checkpoint was taken.
        var log = ""
        if let logPath = output.logPath, let progress, let old = FileManager.default.contents(atPath: logPath) {
            let lines = String(decoding: old, as: UTF8.self).split(separator: "\n")
            log = lines.prefix(progress.epochsCompleted).map { $0 + "\n" }.joined()
        }
        var logError: InputError?

        if !output.quiet { warnIfDebugBuild() }
        StopSignal.install()
        var display = ProgressDisplay(totalEpochs: configuration.epochs)
        var last: EpochReport?
        var checkpointError: InputError?
        let result = run(
            engine, consume data, start, progress, configuration, checkpointEvery: output.checkpointEvery,
            onEpoch: { report in
                last = report
                if let logPath = output.logPath, logError == nil {
                    log += epochJSON(report) + "\n"
                    do throws(InputError) { try AtomicFile.write(log, to: logPath) } catch { logError = error }
                }
                if output.json {
                    print(epochJSON(report))
                    fflush(nil)
                } else if !output.quiet {
                    display.show(report)
                }
            },
            onCheckpoint: { progress in
                guard let path = output.checkpointPath, checkpointError == nil else { return }
                var progress = progress
                progress.notes = notes
                do throws(InputError) { try progress.write(to: path) } catch { checkpointError = error }
            })
        if !output.json && !output.quiet && last != nil { display.finish() }
        if let checkpointError { throw checkpointError }
        if let logError { throw logError }

        if result.progress.outcome == .interrupted {
            let signal = StopSignal.received.load(ordering: .relaxed)
            let position = "epoch \(result.progress.epochsCompleted + 1), after \(result.progress.batchesCompleted) mini-batches"
            if let path = output.checkpointPath {
                printError("interrupted in \(position); the run's state is in \(path)\ncontinue with: backprop train --resume \(path)")
            } else {
                printError("interrupted in \(position); no model was saved (use --checkpoint FILE to be able to continue)")
            }
            return 128 + signal
        }
        try result.model.write(to: output.savePath)
        if !output.quiet && !output.json {
            if result.progress.outcome == .stoppedEarly, let best = result.progress.bestValidationLoss {
                print("stopped early after epoch \(result.progress.epochsCompleted): the validation loss (best \(String(format: "%.6f", best))) had not improved for \(configuration.patience ?? 0) epochs; kept the best model")
            }
            if let last {
                var summary = "final accuracy \(percent(last.training.accuracy)) on \(last.training.count) training samples"
                if let validation = last.validation {
                    summary += ", \(percent(validation.accuracy)) on \(validation.count) validation samples"
                }
                print(summary)
            }
            print("saved the model to \(output.savePath)")
        }
        return 0
    }

    /// Opens the engine existential: the training loop itself is specialised for the engine.
    static func run<Engine: TrainingEngine>(
        _ engine: Engine.Type, _ data: consuming Dataset, _ start: Model?, _ progress: TrainingProgress?,
        _ configuration: TrainingConfiguration, checkpointEvery: Int,
        onEpoch: (EpochReport) -> Void, onCheckpoint: (TrainingProgress) -> Void
    ) -> (model: Model, progress: TrainingProgress) {
        Trainer<Engine>(configuration).run(
            on: consume data, from: start, resuming: progress, checkpointEvery: checkpointEvery, onEpoch: onEpoch,
            onCheckpoint: onCheckpoint, shouldStop: { StopSignal.requested })
    }

    static func epochJSON(_ report: EpochReport) -> String {
        jsonObject([
            "epoch": report.epoch,
            "loss": report.training.loss,
            "accuracy": report.training.accuracy,
            "samples_per_second": report.samplesPerSecond,
            "validation_loss": report.validation?.loss,
            "validation_accuracy": report.validation?.accuracy,
        ])
    }
}

/// Where the options of `train` that concern output and the engine ended up.
struct OutputOptions {
    var engineName: String
    var threads: Int?
    var explicitSave: String?
    var savePath: String
    var checkpointPath: String?
    var checkpointEvery = 1
    var logPath: String?
    var json: Bool
    var quiet: Bool

    init(_ arguments: inout Arguments) throws(UsageError) {
        engineName = try arguments.choice("--engine", EngineChoice.names) ?? SIMDEngine.name
        threads = try arguments.integer("--threads", in: 1...1024)
        explicitSave = try arguments.string("--save")
        savePath = explicitSave ?? TrainCommand.defaultSave
        checkpointPath = try arguments.string("--checkpoint")
        logPath = try arguments.string("--log")
        json = arguments.flag("--json")
        quiet = arguments.flag("--quiet")
    }

    func checkWritable() throws(InputError) {
        try AtomicFile.checkWritable(savePath)
        if let checkpointPath { try AtomicFile.checkWritable(checkpointPath) }
        if let logPath { try AtomicFile.checkWritable(logPath) }
    }
}

/// What a run trains on: a CSV file or a built-in data set, and how to load it again.
struct DataSource {
    var path: String?
    var dataset: String
    var samples: Int
    var noise: Double
    var seed: UInt64
    var fingerprint = ""

    init(path: String?, dataset: String, samples: Int, noise: Double, seed: UInt64) {
        (self.path, self.dataset, self.samples, self.noise, self.seed) = (path, dataset, samples, noise, seed)
    }

    /// The source a checkpoint recorded.
    init(notes: [String: String], checkpoint: String) throws(InputError) {
        path = notes["data"]
        dataset = notes["dataset"] ?? "moons"
        guard path != nil || notes["dataset"] != nil, let samples = Int(notes["samples"] ?? "0"),
            let noise = Double(notes["noise"] ?? "0"), let seed = UInt64(notes["data-seed"] ?? "0"),
            SyntheticData(rawValue: dataset) != nil
        else {
            throw InputError(file: checkpoint, line: nil, message: "not a checkpoint of `backprop train` (no data source)")
        }
        (self.samples, self.noise, self.seed) = (samples, noise, seed)
    }

    var notes: [String: String] {
        var notes = ["fingerprint": fingerprint]
        if let path {
            notes["data"] = path
        } else {
            notes["dataset"] = dataset
            notes["samples"] = String(samples)
            notes["noise"] = "\(noise)"
            notes["data-seed"] = String(seed)
        }
        return notes
    }

    func load() throws(InputError) -> Dataset {
        if let path { return try CSV.read(path: path) }
        return SyntheticData(rawValue: dataset)!.generate(count: samples, noise: noise, seed: seed)
    }
}
