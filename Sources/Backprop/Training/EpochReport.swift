/// What one epoch achieved, evaluated on the whole training set after its last update.
public struct EpochReport: Sendable {
    /// 1-based.
    public var epoch: Int
    /// The whole training set, after the epoch's last update.
    public var training: Evaluation
    /// The validation set, when the run holds one out.
    public var validation: Evaluation?
    /// Wall-clock seconds of the epoch's SGD steps alone (no shuffling, no evaluation).
    public var seconds: Double
    /// Training samples processed per second of `seconds`.
    public var samplesPerSecond: Double

    /// A report of these values (for tests of code that handles reports).
    public init(epoch: Int, training: Evaluation, validation: Evaluation? = nil, seconds: Double, samplesPerSecond: Double) {
        self.epoch = epoch
        self.training = training
        self.validation = validation
        self.seconds = seconds
        self.samplesPerSecond = samplesPerSecond
    }
}
