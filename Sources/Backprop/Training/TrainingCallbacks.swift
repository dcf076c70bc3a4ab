/// What a training run tells its caller, and when it may stop early: the hooks of
/// `Trainer.run`, passed as one value.
public struct TrainingCallbacks {
    /// Called after every epoch with its evaluation.
    public var onEpoch: (EpochReport) -> Void
    /// Called with the run's exact state after every `checkpointEvery` epochs, at the end
    /// of the run, and when it stops on request.
    public var onCheckpoint: (TrainingProgress) -> Void
    /// Epochs between calls of `onCheckpoint` (at least 1).
    public private(set) var checkpointEvery: Int
    /// Asked between the engine's calls, each of whole mini-batches of about `stopInterval`
    /// samples; when it answers true, the run stops there with outcome `.interrupted`.
    public var shouldStop: () -> Bool
    /// Samples between calls of `shouldStop` (at least 1): how long a stop request may wait.
    /// The engine trains one such chunk of mini-batches per call, and the epoch's reported
    /// loss adds the chunks' sums: its last bits depend on this interval (never the model's).
    public private(set) var stopInterval: Int

    /// - Precondition: `checkpointEvery` ≥ 1 and `stopInterval` ≥ 1.
    public init(
        checkpointEvery: Int = 1, stopInterval: Int = 65_536, onEpoch: @escaping (EpochReport) -> Void = { _ in },
        onCheckpoint: @escaping (TrainingProgress) -> Void = { _ in }, shouldStop: @escaping () -> Bool = { false }
    ) {
        precondition(checkpointEvery >= 1, "checkpoints come every epoch at most")
        precondition(stopInterval >= 1, "the stop interval must be at least 1 sample")
        self.checkpointEvery = checkpointEvery
        self.stopInterval = stopInterval
        self.onEpoch = onEpoch
        self.onCheckpoint = onCheckpoint
        self.shouldStop = shouldStop
    }
}
