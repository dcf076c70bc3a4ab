/// How to train: the mini-batch SGD loop's settings.
public struct TrainingConfiguration: Sendable, Equatable, Codable {
    /// Passes over the training data. The default, with learning rate 1, gets past the
    /// plateau this network sits on for a while (about 86% accuracy on moons).
    public var epochs = 200
    /// Samples per SGD step; the last mini-batch of an epoch may be smaller.
    public var batchSize = 32
    /// Constant SGD step size. The seed's 1/epoch schedule shrank it too fast to learn.
    public var learningRate = 1.0
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

    /// The defaults: 200 epochs of batch 32 at learning rate 1, shuffled and standardised,
    /// no validation split, seed 1.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case epochs, batchSize, learningRate, shuffle, blockShuffle, standardize, validationFraction, patience, seed
    }
}
