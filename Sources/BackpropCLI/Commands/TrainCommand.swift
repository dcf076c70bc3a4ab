import Backprop
import Foundation

enum TrainCommand {
    static let defaultSamples = 2000
    static let defaultSave = "model.json"

    static let command = Command(
        name: "train",
        usage: [
            "[--data FILE | --dataset NAME [--samples N] [--noise X]]",
            "      [--epochs E] [--batch-size B] [--learning-rate LR]",
            "      [--optimizer sgd [--momentum M] [--nesterov] | --optimizer adam|adamw",
            "       [--beta1 B1] [--beta2 B2] [--epsilon E]] [--weight-decay L]",
            "      [--positive-weight W]",
            "      [--schedule NAME [its options]] [--warmup-epochs N]",
            "      [--engine NAME] [--threads T] [--seed S] [--init MODEL.json]",
            "      [--save MODEL.json] [--no-shuffle | --shuffle blocks [--block-size K]]",
            "      [--no-standardize] [--stream]",
            "      [--validation-split F] [--patience N]",
            "      [--checkpoint FILE [--checkpoint-every K]] [--log FILE.jsonl]",
            "      [--evaluate-every K] [--json] [--quiet]",
            "--resume FILE [--epochs E] [--engine NAME] [--threads T]",
            "      [--save MODEL.json] [--checkpoint FILE] [--log FILE.jsonl]",
            "      [--evaluate-every K] [--stream] [--json] [--quiet]",
        ],
        summary: """
            Trains the 2-5-5-1 network on binary cross-entropy with mini-batch SGD (or momentum,
            Nesterov, Adam, AdamW) and saves it.
            With no options: \(defaultSamples) samples of the built-in moons set, good defaults,
            saved to \(defaultSave).
            """,
        sections: [("DATA", dataOptions), ("TRAINING", trainingOptions), ("OPTIMIZER", OptimizerOptions.options), ("SCHEDULE", ScheduleOptions.options), ("CHECKPOINTS", checkpointOptions + [resumeOption]), ("OUTPUT", outputOptions)],
        epilogue: """
            Progress goes to stderr: a line redrawn in place on a terminal, one line per epoch
            otherwise. Ctrl-C stops at the end of the current mini-batches (a second one ends
            the process at once); the exit status is then 130 (143 for SIGTERM).
            """,
        run: run)

    static let dataOptions = [
        Option(
            "--data", "FILE", .text, "rows of x0,x1,label (label 0 or 1): CSV with an optional\nheader, or NumPy .npy of shape (N, 3)",
            excludes: ["--dataset", "--samples", "--noise"], keptByCheckpoint: true),
        Option(
            "--dataset", "NAME", .choice(SyntheticData.allCases.map(\.rawValue)),
            "built-in: \(SyntheticData.allCases.map(\.rawValue).joined(separator: ", ")) (default: moons)",
            keptByCheckpoint: true),
        Option(
            "--samples", "N", .integer(1...1 << 30), "samples of the built-in set (default: \(defaultSamples))",
            keptByCheckpoint: true),
        Option(
            "--noise", "X", .number(requirement: "a number >= 0", isValid: { $0 >= 0 }),
            "Gaussian noise of the built-in set (default: 0.2)", keptByCheckpoint: true),
        Option(
            "--validation-split", "F",
            .number(requirement: "a fraction from 0 up to (not including) 1", isValid: { $0 >= 0 && $0 < 1 }),
            "hold out this fraction for validation, 0 <= F < 1 (default: 0)", keptByCheckpoint: true),
        Option.flag(
            "--no-standardize", "train on raw features (default: standardise to mean 0, std 1)",
            keptByCheckpoint: true),
        Option.flag(
            "--stream",
            "read an .npy file from disk in chunks, every epoch, instead\nof loading it (automatic when it would take more than half\nthe memory); the same bits as loaded"),
    ]

    static let trainingOptions = [
        Option("--epochs", "E", .integer(0...10_000_000), "passes over the data (default: 200)"),
        Option(
            "--batch-size", "B", .integer(1...1 << 30),
            "samples per step; the last batch may be smaller (default: 32)", keptByCheckpoint: true),
        Option(
            "--learning-rate", "LR", .number(requirement: "a number > 0", isValid: { $0 > 0 }),
            "constant step size (default: 1; 0.001 with --optimizer adam\nor adamw, as PyTorch's)", keptByCheckpoint: true),
        Option.flag(
            "--no-shuffle", "keep file order (default: reshuffle every epoch from the seed)",
            keptByCheckpoint: true),
        Option(
            "--shuffle", "HOW", .choice(["samples", "blocks"]),
            "samples: every sample anywhere (default); blocks: blocks of\n--block-size samples in any order, samples shuffled within\nwindows of 32 blocks (streams a file from disk)",
            excludes: ["--no-shuffle"], keptByCheckpoint: true),
        Option(
            "--block-size", "K", .integer(1...1 << 20), "samples per block of --shuffle blocks (default: 4096)",
            requires: ["--shuffle"], keptByCheckpoint: true),
        Option(
            "--seed", "S", .integer(0...Int.max), "seeds the weights, the split and the shuffles (default: 1)",
            keptByCheckpoint: true),
        Option(
            "--init", "MODEL.json", .text, "start from this model's weights (and its standardisation)",
            keptByCheckpoint: true),
        Option(
            "--patience", "N", .integer(1...1_000_000),
            "stop when the validation loss has not improved for N\nepochs and keep the best model",
            requires: ["--validation-split"], keptByCheckpoint: true),
        EngineChoice.option(default: SIMDEngine.name),
        EngineChoice.threadsOption,
    ]

    static let checkpointOptions = [
        Option(
            "--checkpoint", "FILE", .text,
            "write the run's state to FILE every K epochs, and when\nstopped by Ctrl-C (SIGINT) or SIGTERM"),
        Option(
            "--checkpoint-every", "K", .integer(1...1_000_000), "epochs between checkpoints (default: 1)",
            requires: ["--checkpoint"], keptByCheckpoint: true),
    ]

    /// `--resume`: the options marked `keptByCheckpoint` may be given again (a job scheduler
    /// reruns the same command line), and must then agree with the checkpoint.
    static let resumeOption = Option(
        "--resume", "FILE", .text,
        "continue the run a checkpoint describes up to --epochs, with\nits data and settings (options given again must agree);\nthe result is bit for bit the model of the uninterrupted run.\nWith --checkpoint FILE and no FILE yet: start the run")

    static let outputOptions = [
        Option(
            "--save", "MODEL.json", .text,
            "where to write the model (default: \(defaultSave)); written\nto a temporary file and renamed, so never left half-written"),
        Option(
            "--evaluate-every", "K", .integer(1...1_000_000),
            "also evaluate the whole training set every K epochs (default:\nafter the last only; every epoch reports the mean loss of\nits mini-batches and evaluates the validation set)"),
        Option.flag(
"--json", "one JSON object per epoch on stdout"),
        Option(
            "--log", "FILE.jsonl", .text,
            "also write that JSON, one line per epoch, to FILE\n(for `backprop plot --history`)"),
        Option.flag(
"--quiet", "print nothing but errors"),
    ]

    static func run(_ options: ParsedOptions) throws -> Int32 {
        if let checkpoint = options.string("--resume"), !startsFresh(resuming: checkpoint, options) {
            return try resume(from: checkpoint, options)
        }
        try checkBlockSize(options)
        try OptimizerOptions.check(options)
        try ScheduleOptions.check(options)
        let configuration = configuration(options)
        let source = dataSource(options, seed: configuration.seed)
        let outputs = TrainingOutputs(options, checkpointEvery: options.integer("--checkpoint-every") ?? 1)
        try EngineChoice.checkThreads(outputs.threads, engine: outputs.engineName, usedBy: [ParallelEngine.name])

        // Check everything that can fail before the long computation, so a bad path costs nothing.
        try outputs.check(apartFrom: givenFiles([("--data", options.string("--data")), ("--init", options.string("--init"))]))
        let start = try startModel(options, standardize: configuration.standardize)
        let data = try TrainingData.open(source, configuration: configuration, stream: options.flag("--stream"))
        try checkSplit(configuration.validationFraction, of: data.count)
        // Only a checkpoint keeps it (hashing every byte of a large file takes a while).
        let fingerprint = outputs.checkpointPath != nil ? try data.fingerprint() : ""
        let setup = outputs.setup(data: source, fingerprint: fingerprint)
        return try TrainingSession(configuration: configuration, setup: setup, outputs: outputs)
            .train(consume data, start: start, resuming: nil)
    }

    /// `--checkpoint FILE --resume FILE` before FILE exists: the first run of a job that a
    /// scheduler may rerun with the same command line.
    static func startsFresh(resuming checkpoint: String, _ options: ParsedOptions) -> Bool {
        guard !FileManager.default.fileExists(atPath: checkpoint), let output = options.string("--checkpoint") else { return false }
        return AtomicFile.wouldReplace(output, checkpoint)
    }

    /// `--block-size` goes with `--shuffle blocks` only.
    static func checkBlockSize(_ options: ParsedOptions) throws(UsageError) {
        if options.has("--block-size") && options.string("--shuffle") != "blocks" {
            throw UsageError(description: "--block-size needs --shuffle blocks")
        }
    }

    /// `--init`'s model, if given; refused when `--no-standardize` would drop its standardisation.
    static func startModel(_ options: ParsedOptions, standardize: Bool) throws -> Model? {
        guard let path = options.string("--init") else { return nil }
        let start = try Model.read(path: path)
        if start.standardization != nil, !standardize {
            throw UsageError(
                description: "--init \(path) has a standardisation, which --no-standardize would drop: its weights expect standardised inputs")
        }
        return start
    }

    /// The settings the options give, with the defaults for the rest.
    static func configuration(_ options: ParsedOptions) -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.epochs = options.integer("--epochs") ?? configuration.epochs
        configuration.batchSize = options.integer("--batch-size") ?? configuration.batchSize
        if let rate = options.number("--learning-rate") { configuration.learningRate = rate }  // else the optimizer's default
        configuration.optimizer = OptimizerOptions.optimizer(options)
        configuration.schedule = ScheduleOptions.schedule(options)
        configuration.positiveWeight = options.number("--positive-weight") ?? 1
        configuration.validationFraction = options.number("--validation-split") ?? 0
        configuration.patience = options.integer("--patience")
        configuration.seed = UInt64(options.integer("--seed") ?? 1)
        configuration.shuffle = !options.flag("--no-shuffle")
        if options.string("--shuffle") == "blocks" {
            configuration.blockShuffle = BlockShuffle(blockSize: options.integer("--block-size") ?? BlockShuffle().blockSize)
        }
        configuration.standardize = !options.flag("--no-standardize")
        return configuration
    }

    /// The data the options name: a CSV file, or a built-in set (moons by default).
    static func dataSource(_ options: ParsedOptions, seed: UInt64) -> DataSource {
        if let path = options.string("--data") { return .file(path: path) }
        return .synthetic(
            set: SyntheticData(rawValue: options.string("--dataset") ?? "moons")!,
            count: options.integer("--samples") ?? defaultSamples, noise: options.number("--noise") ?? 0.2, seed: seed)
    }

    /// A split must leave samples on both sides: a validation set of no rows would make
    /// `--validation-split` (and `--patience`) do nothing without a word.
    static func checkSplit(_ fraction: Double, of count: Int) throws(UsageError) {
        guard fraction > 0 else { return }
        let training = Dataset.trainingCount(of: count, validationFraction: fraction)
        guard training >= 1 else {
            throw UsageError(description: "--validation-split \(fraction) leaves no training samples out of \(count)")
        }
        guard training < count else {
            throw UsageError(
                description: "--validation-split \(fraction) holds out no samples out of \(count); it needs at least \(1 / Double(count))")
        }
    }
}
