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
}
