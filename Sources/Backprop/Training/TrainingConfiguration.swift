/// How to train: the mini-batch loop's settings.
public struct TrainingConfiguration: Sendable, Equatable, Codable {
    /// Passes over the training data. The default, with learning rate 1, gets past the
    /// plateau this network sits on for a while (about 86% accuracy on moons).
    public var epochs = 200
    /// Samples per SGD step; the last mini-batch of an epoch may be smaller.
    public var batchSize = 32
    /// Constant step size; unless set, the optimizer's default (`Optimizer.defaultLearningRate`:
    /// 1 for SGD, PyTorch's 0.001 for Adam and AdamW). The seed's 1/epoch schedule shrank it
    /// too fast to learn.
    public var learningRate: Double {
        get { chosenLearningRate ?? optimizer.defaultLearningRate }
        set { chosenLearningRate = newValue }
    }
    /// The learning rate set, if any.
    private var chosenLearningRate: Double?
    /// How each mini-batch's gradient changes the parameters: plain SGD by default.
    public var optimizer = Optimizer.sgd()
    /// How the learning rate changes from epoch to epoch, starting from `learningRate`:
    /// constant by default.
    public var schedule = LearningRateSchedule.constant
    /// The weight of a positive sample's loss term (`UpdateRule.positiveWeight`): above 1
    /// for data with few positives. 1 is plain binary cross-entropy.
    public var positiveWeight = 1.0
    /// Reshuffle the training samples before every epoch; false keeps file order.
    public var shuffle = true
    /// With `shuffle`, shuffle in blocks instead of sample by sample (nil): needed to stream
    /// a file from disk (see `BlockShuffle`).
    public var blockShuffle: BlockShuffle?
    /// Standardise both features to mean 0 and standard deviation 1 (fitted on the training part).
    public var standardize = true
    /// Fraction of the samples held out for validation, in [0, 1).
    public var validationFraction = 0.0
    /// Stop when the validation loss has not improved for this many epochs, and keep the
    /// best parameters (needs a validation split); nil trains every epoch.
    public var patience: Int?
    /// Seeds the starting weights, the validation split and the shuffles.
    public var seed: UInt64 = 1
    /// Evaluate the whole training set after every this many epochs (and always after the
    /// last): nil evaluates it after the last epoch only (see `EpochReport`). Changes what
    /// is reported, never the result, so a checkpoint does not keep it.
    public var evaluateEvery: Int?
    /// Threads and the like: they never change the result, so a checkpoint does not keep them.
    public var engineOptions = EngineOptions()

    /// The defaults: 200 epochs of plain SGD, batch 32 at learning rate 1, shuffled and
    /// standardised, no validation split, seed 1.
    public init() {}

    /// Equal settings: the learning rates compared as a run takes them (set, or the
    /// optimizer's default).
    public static func == (a: TrainingConfiguration, b: TrainingConfiguration) -> Bool {
        a.epochs == b.epochs && a.batchSize == b.batchSize && a.learningRate == b.learningRate && a.optimizer == b.optimizer
            && a.schedule == b.schedule && a.positiveWeight == b.positiveWeight && a.shuffle == b.shuffle
            && a.blockShuffle == b.blockShuffle
            && a.standardize == b.standardize && a.validationFraction == b.validationFraction && a.patience == b.patience
            && a.seed == b.seed && a.evaluateEvery == b.evaluateEvery && a.engineOptions == b.engineOptions
    }

    /// Bytes a sample takes in a run with the data in memory: its columns, and the
    /// shuffle's copies as rows (two for a full shuffle, one for a block shuffle). What a
    /// caller weighs against the memory it has, to stream a file instead.
    public var bytesPerLoadedSample: Double { !shuffle ? 24 : blockShuffle == nil ? ShuffledChunks.bytesPerSample : 48 }

    /// Bytes a run streamed from a file of `rows` samples holds whatever the file's size:
    /// two chunks of rows (the one trained on and the next, being read) or two windows of a
    /// block shuffle, with their orders. What a caller weighs against its memory before it
    /// streams.
    public func bytesWhileStreaming(rows: Int) -> Double {
        let inFlight = blockShuffle.map { $0.blockSize * $0.windowBlocks } ?? NPY.Reader.preferredChunk
        return 2 * Double(min(rows, inFlight)) * (24 + 8)
    }

    /// The update rule of every step: the learning rate, optimizer and positive weight.
    public var rule: UpdateRule {
        get { UpdateRule(learningRate: learningRate, optimizer: optimizer, positiveWeight: positiveWeight) }
        set { (learningRate, optimizer, positiveWeight) = (newValue.learningRate, newValue.optimizer, newValue.positiveWeight) }
    }

    enum CodingKeys: String, CodingKey {
        case epochs, batchSize, learningRate, optimizer, schedule, positiveWeight, shuffle, blockShuffle, standardize,
            validationFraction, patience, seed
    }
}

extension TrainingConfiguration {
    /// Reads a checkpoint's settings; those of earlier versions, which had no optimizer and
    /// no positive weight, trained with plain SGD and weight 1.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        epochs = try c.decode(Int.self, forKey: .epochs)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        learningRate = try c.decode(Double.self, forKey: .learningRate)
        optimizer = try c.decodeIfPresent(Optimizer.self, forKey: .optimizer) ?? .sgd()
        schedule = try c.decodeIfPresent(LearningRateSchedule.self, forKey: .schedule) ?? .constant
        positiveWeight = try c.decodeIfPresent(Double.self, forKey: .positiveWeight) ?? 1
        shuffle = try c.decode(Bool.self, forKey: .shuffle)
        blockShuffle = try c.decodeIfPresent(BlockShuffle.self, forKey: .blockShuffle)
        standardize = try c.decode(Bool.self, forKey: .standardize)
        validationFraction = try c.decode(Double.self, forKey: .validationFraction)
        patience = try c.decodeIfPresent(Int.self, forKey: .patience)
        seed = try c.decode(UInt64.self, forKey: .seed)
    }

    /// Writes the settings a checkpoint keeps; the learning rate as the run takes it.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(optimizer, forKey: .optimizer)
        // Only a schedule that changes the rate is written: a constant run's checkpoint keeps the bytes it had.
        if schedule != .constant { try c.encode(schedule, forKey: .schedule) }
        try c.encode(positiveWeight, forKey: .positiveWeight)
        try c.encode(shuffle, forKey: .shuffle)
        try c.encodeIfPresent(blockShuffle, forKey: .blockShuffle)
        try c.encode(standardize, forKey: .standardize)
        try c.encode(validationFraction, forKey: .validationFraction)
        try c.encodeIfPresent(patience, forKey: .patience)
        try c.encode(seed, forKey: .seed)
    }
}
