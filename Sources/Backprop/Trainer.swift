/// How to train: the mini-batch SGD loop's settings.
public struct TrainingConfiguration: Sendable, Equatable {
    public var epochs = 100
    public var batchSize = 32
    /// Constant SGD step size. The seed's 1/epoch schedule shrank it too fast to learn.
    public var learningRate = 0.5
    /// Reshuffle the training samples before every epoch; false keeps file order.
    public var shuffle = true
    /// Standardise both features to mean 0 and standard deviation 1 (fitted on the training part).
    public var standardize = true
    /// Fraction of the samples held out for validation, in [0, 1).
    public var validationFraction = 0.0
    /// Seeds the starting weights, the validation split and the shuffles.
    public var seed: UInt64 = 1
    public var engineOptions = EngineOptions()

    public init() {}
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

/// Trains a 2-5-5-1 network with mini-batch SGD on any engine.
///
/// Generic over the engine so that every engine's kernels are specialised into the loop:
/// switching engines means changing `Engine` and nothing else.
public struct Trainer<Engine: TrainingEngine> {
    public var configuration: TrainingConfiguration

    public init(_ configuration: TrainingConfiguration = TrainingConfiguration()) {
        self.configuration = configuration
    }

    /// Trains on `data` and returns the model.
    ///
    /// Starts from `start`'s parameters when given (keeping its standardisation, if it has
    /// one, because its weights are tied to that input scale), otherwise from Glorot-uniform
    /// weights drawn from the seed. Mini-batches are consecutive slices of each epoch's order;
    /// the last one may be smaller and is averaged over its own size.
    ///
    /// - Precondition: `data` is not empty, `batchSize` ≥ 1, `epochs` ≥ 0, and the validation
    ///   split leaves at least one training sample.
    public func train(
        on data: Dataset, from start: Model? = nil, onEpoch: (EpochReport) -> Void = { _ in }
    ) -> Model {
        let configuration = configuration
        precondition(!data.isEmpty, "no training data")
        precondition(configuration.batchSize >= 1, "the batch size must be at least 1")
        precondition(configuration.epochs >= 0, "epochs must not be negative")

        var generator = SplitMix64(seed: configuration.seed)
        let initial = start?.parameters ?? Parameters.glorotUniform(using: &generator)

        var (training, validation) = (data, Dataset?.none)
        if configuration.validationFraction > 0 {
            var order = Array(0..<data.count)
            if configuration.shuffle { generator.shuffle(&order) }
            let split = data.selecting(order).splitting(validationFraction: configuration.validationFraction)
            (training, validation) = (split.training, split.validation.isEmpty ? nil : split.validation)
        }
        precondition(!training.isEmpty, "the validation split leaves no training data")

        var standardization: Standardization?
        if configuration.standardize {
            standardization = start?.standardization ?? Standardization(fitting: training)
        }
        let model = Model(parameters: initial, standardization: standardization)
        training = model.prepare(training)
        validation = validation.map(model.prepare)

        var engine = Engine(parameters: initial, options: configuration.engineOptions)
        var epochData = training
        var order = Array(0..<training.count)
        let clock = ContinuousClock()
        for epoch in 0..<configuration.epochs {
            if configuration.shuffle {
                for i in order.indices { order[i] = i }
                generator.shuffle(&order)
                epochData.gather(from: training, at: order)
            }
            let started = clock.now
            runEpoch(&engine, on: epochData)
            let seconds = (clock.now - started).seconds
            onEpoch(
                EpochReport(
                    epoch: epoch + 1,
                    training: engine.evaluate(epochData),
                    validation: validation.map(engine.evaluate),
                    seconds: seconds,
                    samplesPerSecond: Double(epochData.count) / max(seconds, 1e-9)))
        }
        return Model(parameters: engine.parameters, standardization: standardization)
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
