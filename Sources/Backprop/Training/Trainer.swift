import Foundation

/// How to train: the mini-batch SGD loop's settings.
public struct TrainingConfiguration: Sendable, Equatable, Codable {
    /// 200 epochs at learning rate 1 get past the plateau this network sits on for a while
    /// (at about 86% on moons); 100 at 0.5 stayed on it for one seed in five.
    public var epochs = 200
    public var batchSize = 32
    /// Constant SGD step size. The seed's 1/epoch schedule shrank it too fast to learn.
    public var learningRate = 1.0
    /// Reshuffle the training samples before every epoch; false keeps file order.
    public var shuffle = true
    /// Standardise both features to mean 0 and standard deviation 1 (fitted on the training part).
    public var standardize = true
    /// Fraction of the samples held out for validation, in [0, 1).
    public var validationFraction = 0.0
    /// Stop when the validation loss has not improved for this many epochs, and keep the
    /// best parameters (needs a validation split); nil trains every epoch.
    public var patience: Int?
    /// Seeds the starting weights, the validation split and the shuffles.
    public var seed: UInt64 = 1
    /// Threads and the like: they never change the result, so a checkpoint does not keep them.
    public var engineOptions = EngineOptions()

    public init() {}

    enum CodingKeys: String, CodingKey {
        case epochs, batchSize, learningRate, shuffle, standardize, validationFraction, patience, seed
    }
}

/// What one epoch achieved, evaluated on the whole training set after its last update.
public struct EpochReport: Sendable {
    /// 1-based.
    public var epoch: Int
    public var training: Evaluation
    public var validation: Evaluation?
    /// Wall-clock seconds of the epoch's SGD steps alone (no shuffling, no evaluation).
    public var seconds: Double
    /// Training samples processed per second of `seconds`.
    public var samplesPerSecond: Double
}

/// Where a training run stands: everything needed to continue it exactly (a checkpoint).
///
/// Continuing from a progress gives bit for bit the model the uninterrupted run gives.
public struct TrainingProgress: Sendable, Codable {
    /// Reads a checkpoint written by `write(to:)`.
    public static func read(path: String) throws(InputError) -> TrainingProgress {
        let data = try InputFile.contents(path, kind: "a checkpoint")
        do {
            return try JSONDecoder().decode(TrainingProgress.self, from: data)
        } catch let error as ShapeError {
            throw InputError(file: path, line: nil, message: error.message)
        } catch {
            let problem = JSONSyntax.firstProblem(in: [UInt8](data))
            throw InputError(
                file: path, line: problem?.line,
                message: "not a checkpoint: \(problem?.message ?? "\(error)")")
        }
    }

    /// Writes the checkpoint atomically (a crash never leaves a partial file); numbers are
    /// written in shortest round-trip form, so reading it back gives the same bits.
    public func write(to path: String) throws(InputError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data: Data
        do {
            data = try encoder.encode(self)
        } catch {
            throw InputError(file: path, line: nil, message: "cannot encode the checkpoint: \(error)")
        }
        try AtomicFile.write(data, to: path)
    }

    public var configuration: TrainingConfiguration
    /// The current parameters and the standardisation in use.
    public var model: Model
    /// Whole epochs done.
    public var epochsCompleted: Int
    /// Mini-batches done in the epoch under way (0 at an epoch boundary).
    public var batchesCompleted: Int
    /// The generator as it was before the epoch under way drew its shuffle.
    public var epochGenerator: SplitMix64
    /// True when the run began from random weights (drawn from the seed before the split).
    public var randomStart: Bool
    /// Early stopping: the best validation loss so far, its parameters, and the epochs since.
    public var bestValidationLoss: Double?
    public var bestModel: Model?
    public var epochsWithoutImprovement = 0
    /// Why the run ended, once it has.
    public var outcome: Outcome = .running
    /// The caller's own settings, kept with the checkpoint (the CLI keeps its data source,
    /// output paths and a fingerprint of the data here).
    public var notes: [String: String] = [:]

    public enum Outcome: String, Sendable, Codable {
        case running, completed, stoppedEarly, interrupted
    }

    /// True when the run has reached its last epoch or stopped early.
    public var isFinished: Bool { outcome == .completed || outcome == .stoppedEarly }
}

/// Trains a 2-5-5-1 network with mini-batch SGD on any engine.
///
/// Generic over the engine so that every engine's kernels are specialised into the loop:
/// switching engines means changing `Engine` and nothing else.
public struct Trainer<Engine: TrainingEngine> {
    public var configuration: TrainingConfiguration

    public init(_ configuration: TrainingConfiguration = TrainingConfiguration()) {
        self.configuration = configuration
    }

    /// Trains on `data` and returns the model (see `run`).
    public func train(
        on data: consuming Dataset, from start: Model? = nil, onEpoch: (EpochReport) -> Void = { _ in }
    ) -> Model {
        run(on: data, from: start, onEpoch: onEpoch).model
    }

    /// Trains on `data`, from a start or from a checkpoint, and returns where it ended.
    ///
    /// Takes `data` over: a caller that hands it over and keeps no copy lets the run
    /// standardise it in place, so the run needs little memory beyond the data itself.
    ///
    /// Starts from `start`'s parameters when given (keeping its standardisation, if it has
    /// one, because its weights are tied to that input scale), otherwise from Glorot-uniform
    /// weights drawn from the seed. Mini-batches are consecutive slices of each epoch's order;
    /// the last one may be smaller and is averaged over its own size.
    ///
    /// - Parameters:
    ///   - resuming: a checkpoint of an earlier run on the same data; training continues
    ///     from it (to `configuration.epochs`, which may differ from the checkpoint's).
    ///   - checkpointEvery: call `onCheckpoint` after every this many epochs.
    ///   - shouldStop: asked between chunks of whole mini-batches of about `stopInterval`
    ///     samples; when it answers true the run stops there with outcome `.interrupted`,
    ///     and `onCheckpoint` is called with the exact position.
    /// - Returns: the model (the best one when stopped early) and the final progress.
    /// - Precondition: `data` is not empty, `batchSize` ≥ 1, `epochs` ≥ 0, and the validation
    ///   split leaves at least one training sample.
    public func run(
        on data: consuming Dataset, from start: Model? = nil, resuming checkpoint: TrainingProgress? = nil,
        checkpointEvery: Int = 1, onEpoch: (EpochReport) -> Void = { _ in },
        onCheckpoint: (TrainingProgress) -> Void = { _ in }, shouldStop: () -> Bool = { false },
        stopInterval: Int = 65_536
    ) -> (model: Model, progress: TrainingProgress) {
        var configuration = configuration
        if let checkpoint {
            // The run's own settings come from the checkpoint; only the length may change.
            let epochs = configuration.epochs
            let options = configuration.engineOptions
            configuration = checkpoint.configuration
            configuration.epochs = epochs
            configuration.engineOptions = options
        }
        precondition(!data.isEmpty, "no training data")
        precondition(configuration.batchSize >= 1, "the batch size must be at least 1")
        precondition(configuration.epochs >= 0, "epochs must not be negative")
        precondition(checkpointEvery >= 1, "checkpoints come every epoch at most")

        // The same draws as the original run, so that the validation split comes out the same.
        var generator = SplitMix64(seed: configuration.seed)
        let randomStart = checkpoint?.randomStart ?? (start == nil)
        let drawn = randomStart ? Parameters.glorotUniform(using: &generator) : nil
        let initial = start?.parameters ?? drawn ?? checkpoint!.model.parameters

        var validation: Dataset?
        var training: Dataset
        if configuration.validationFraction > 0 {
            var order = Array(0..<data.count)
            if configuration.shuffle { generator.shuffle(&order) }
            let cut = Dataset.trainingCount(of: data.count, validationFraction: configuration.validationFraction)
            // In place, so that the split costs memory for the validation part only.
            training = consume data
            training.permute(&order)
            validation = cut < training.count ? training.selecting(cut..<training.count) : nil
            training.truncate(to: cut)
        } else {
            training = consume data
        }
        precondition(!training.isEmpty, "the validation split leaves no training data")

        var standardization: Standardization?
        if configuration.standardize {
            standardization = start?.standardization ?? Standardization(fitting: training)
        }
        var progress = TrainingProgress(
            configuration: configuration,
            model: Model(parameters: initial, standardization: standardization),
            epochsCompleted: 0, batchesCompleted: 0, epochGenerator: generator, randomStart: randomStart)
        if let checkpoint {
            progress = checkpoint
            progress.configuration = configuration
            standardization = checkpoint.model.standardization
            generator = checkpoint.epochGenerator
            progress.outcome = .running  // every other outcome means "ended"; this run goes on
        }
        training = progress.model.prepare(consume training)
        validation = validation.map { progress.model.prepare($0) }

        var engine = Engine(parameters: progress.model.parameters, options: configuration.engineOptions)
        var order = Array(0..<training.count)
        // Each chunk of an epoch is gathered in its shuffled order here, not the whole epoch:
        // the engines read contiguous columns, and memory holds one chunk, not a second copy.
        var chunkData = Dataset(x0: [], x1: [], label: [])
        let batchSize = configuration.batchSize
        let batchesPerEpoch = (training.count + batchSize - 1) / batchSize
        // Whole mini-batches per call to the engine: a stop request waits at most this long.
        let chunk = max(1, stopInterval / batchSize)
        let clock = ContinuousClock()

        func snapshot() -> TrainingProgress {
            var current = progress
            current.model = Model(parameters: engine.parameters, standardization: standardization)
            return current
        }

        while progress.epochsCompleted < configuration.epochs && progress.outcome == .running {
            progress.epochGenerator = generator
            if configuration.shuffle {
                for i in order.indices { order[i] = i }
                generator.shuffle(&order)
            }
            var seconds = 0.0
            var interrupted = false
            while progress.batchesCompleted < batchesPerEpoch {
                if shouldStop() {
                    interrupted = true
                    break
                }
                let first = progress.batchesCompleted
                let last = min(first + chunk, batchesPerEpoch)
                let range = (first * batchSize)..<min(last * batchSize, training.count)
                if configuration.shuffle { chunkData.gather(from: training, at: order[range]) }
                let source = configuration.shuffle ? chunkData : training
                let window = configuration.shuffle ? 0..<range.count : range
                let started = clock.now
                source.withMiniBatch(window) { batch in
                    engine.trainEpoch(batch, batchSize: batchSize, learningRate: configuration.learningRate)
                }
                seconds += (clock.now - started).seconds
                progress.batchesCompleted = last
            }
            if interrupted {
                // Rewind the generator so that resuming redraws this epoch's shuffle.
                generator = progress.epochGenerator
                progress.outcome = .interrupted
                onCheckpoint(snapshot())
                break
            }
            progress.epochsCompleted += 1
            progress.batchesCompleted = 0
            progress.epochGenerator = generator

            let report = EpochReport(
                epoch: progress.epochsCompleted,
                training: engine.evaluate(training),
                validation: validation.map(engine.evaluate),
                seconds: seconds,
                samplesPerSecond: Double(training.count) / max(seconds, 1e-9))
            if let patience = configuration.patience, let loss = report.validation?.loss {
                if progress.bestValidationLoss.map({ loss < $0 }) ?? true {
                    progress.bestValidationLoss = loss
                    progress.bestModel = Model(parameters: engine.parameters, standardization: standardization)
                    progress.epochsWithoutImprovement = 0
                } else {
                    progress.epochsWithoutImprovement += 1
                    if progress.epochsWithoutImprovement >= patience { progress.outcome = .stoppedEarly }
                }
            }
            if progress.epochsCompleted >= configuration.epochs && progress.outcome == .running {
                progress.outcome = .completed
            }
            onEpoch(report)
            if progress.epochsCompleted % checkpointEvery == 0 || progress.isFinished {
                onCheckpoint(snapshot())
            }
        }
        if progress.outcome == .running { progress.outcome = .completed }
        progress = snapshot()
        let model = progress.outcome == .stoppedEarly ? progress.bestModel ?? progress.model : progress.model
        return (model, progress)
    }

    /// One pass of SGD steps over consecutive mini-batches of `data`.
    @inlinable
    public func runEpoch(_ engine: inout Engine, on data: Dataset) {
        let batchSize = configuration.batchSize
        let learningRate = configuration.learningRate
        data.withMiniBatch(0..<data.count) { all in
            engine.trainEpoch(all, batchSize: batchSize, learningRate: learningRate)
        }
    }
}

extension Duration {
    /// This duration in seconds.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
