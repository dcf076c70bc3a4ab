/// What one epoch achieved.
///
/// `loss` comes free with the epoch: the mean loss of its mini-batches, each taken by the
/// kernels before its own update, as PyTorch's and Keras's running loss is. A full
/// evaluation of the training set after the epoch's last update (`training`) costs a pass
/// over the data, so it runs on the last epoch and every `TrainingConfiguration.evaluateEvery`
/// epochs; the validation set, when there is one, is evaluated after every epoch.
public struct EpochReport: Sendable {
    /// 1-based.
    public var epoch: Int
    /// The mean loss of the epoch's mini-batches, each before its update.
    public var loss: Double
    /// The whole training set after the epoch's last update, on the epochs that evaluate it.
    public var training: Evaluation?
    /// The validation set, when the run holds one out.
    public var validation: Evaluation?
    /// Wall-clock seconds of the whole epoch: its shuffle, SGD steps and evaluations.
    public var seconds: Double
    /// Wall-clock seconds of the epoch's SGD steps alone.
    public var engineSeconds: Double
    /// Training samples per second of the whole epoch (`seconds`): the run's own rate.
    public var samplesPerSecond: Double { Double(samples) / max(seconds, 1e-9) }
    /// Training samples per second of the SGD steps alone (`engineSeconds`): the engine's rate.
    public var engineSamplesPerSecond: Double { Double(samples) / max(engineSeconds, 1e-9) }
    /// Training samples in the epoch.
    public var samples: Int
    /// The learning rate of the epoch (of its first mini-batch, for a schedule that changes
    /// it every mini-batch); nil in a report made by hand.
    public var learningRate: Double?

    /// A report of these values (for tests of code that handles reports).
    public init(
        epoch: Int, loss: Double, training: Evaluation? = nil, validation: Evaluation? = nil, samples: Int, seconds: Double,
        engineSeconds: Double, learningRate: Double? = nil
    ) {
        self.learningRate = learningRate
        (self.epoch, self.loss, self.training, self.validation) = (epoch, loss, training, validation)
        (self.samples, self.seconds, self.engineSeconds) = (samples, seconds, engineSeconds)
    }
}
