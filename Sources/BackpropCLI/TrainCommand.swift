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
                              [--validation-split F] [--json] [--quiet]

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
          --epochs E               passes over the data (default: 100)
          --batch-size B           samples per SGD step; the last batch may be smaller (default: 32)
          --learning-rate LR       constant SGD step size (default: 0.5)
          --no-shuffle             keep file order (default: reshuffle every epoch from the seed)
          --seed S                 seeds the weights, the split and the shuffles (default: 1)
          --init MODEL.json        start from this model's weights (and its standardisation)
          --engine NAME            \(EngineChoice.help) (default: reference)
          --threads T              threads for the parallel engine (default: all cores)

        OUTPUT:
          --save MODEL.json        where to write the model (default: \(defaultSave)); written
                                   to a temporary file and renamed, so never left half-written
          --json                   one JSON object per epoch on stdout
          --quiet                  print nothing but errors
          -h, --help               show this help
        """

    static func run(_ arguments: inout Arguments) throws -> Int32 {
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
        configuration.seed = UInt64(try arguments.integer("--seed", in: 0...Int.max) ?? 1)
        configuration.shuffle = !arguments.flag("--no-shuffle")
        configuration.standardize = !arguments.flag("--no-standardize")
        let engineName = try arguments.choice("--engine", EngineChoice.names) ?? "reference"
        let threads = try arguments.integer("--threads", in: 1...1024)
        let initPath = try arguments.string("--init")
        let savePath = try arguments.string("--save") ?? defaultSave
        let json = arguments.flag("--json")
        let quiet = arguments.flag("--quiet")
        try arguments.finish()

        if dataPath != nil && (datasetName != nil || samples != nil || noise != nil) {
            throw UsageError(description: "--data cannot be combined with --dataset, --samples or --noise")
        }
        configuration.engineOptions = EngineOptions(threads: threads ?? EngineOptions.availableCores)
        let engine = try EngineChoice.type(named: engineName)

        // Check everything that can fail before the long computation, so a bad path costs nothing.
        try AtomicFile.checkWritable(savePath)
        let start = try initPath.map { path throws(InputError) in try Model.read(path: path) }
        let data: Dataset
        if let dataPath {
            data = try CSV.read(path: dataPath)
        } else {
            let kind = SyntheticData(rawValue: datasetName ?? "moons")!
            data = kind.generate(count: samples ?? defaultSamples, noise: noise ?? 0.2, seed: configuration.seed)
        }
        let trainingCount = data.count - Int((Double(data.count) * configuration.validationFraction).rounded())
        guard trainingCount >= 1 else {
            throw UsageError(description: "--validation-split \(configuration.validationFraction) leaves no training samples out of \(data.count)")
        }

        if !quiet { warnIfDebugBuild() }
        var last: EpochReport?
        let model = train(engine, data, start, configuration) { report in
            last = report
            if json {
                print(epochJSON(report))
            } else if !quiet {
                print(epochLine(report, of: configuration.epochs))
            }
        }
        try model.write(to: savePath)
        if !quiet && !json {
            if let last {
                var summary = "final accuracy \(percent(last.training.accuracy)) on \(last.training.count) training samples"
                if let validation = last.validation {
                    summary += ", \(percent(validation.accuracy)) on \(validation.count) validation samples"
                }
                print(summary)
            }
            print("saved the model to \(savePath)")
        }
        return 0
    }

    /// Opens the engine existential: the training loop itself is specialised for the engine.
    static func train<Engine: TrainingEngine>(
        _ engine: Engine.Type, _ data: Dataset, _ start: Model?, _ configuration: TrainingConfiguration,
        onEpoch: (EpochReport) -> Void
    ) -> Model {
        Trainer<Engine>(configuration).train(on: data, from: start, onEpoch: onEpoch)
    }

    static func epochLine(_ report: EpochReport, of epochs: Int) -> String {
        let width = String(epochs).count
        var line = "epoch \(String(repeating: " ", count: max(0, width - String(report.epoch).count)))\(report.epoch)/\(epochs)"
        line += "  loss \(String(format: "%.6f", report.training.loss))  accuracy \(percent(report.training.accuracy))"
        if let validation = report.validation {
            line += "  val_loss \(String(format: "%.6f", validation.loss))  val_accuracy \(percent(validation.accuracy))"
        }
        return line + "  \(humanRate(report.samplesPerSecond)) samples/s"
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
