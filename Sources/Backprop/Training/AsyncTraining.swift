import Dispatch
import Synchronization


extension Trainer {
    /// Trains on `data` as `run(on:from:resuming:callbacks:)` does, and returns where the
    /// run ended with every epoch's report, in order.
    ///
    /// The run takes a thread of its own, never one of the cooperative pool's (which a run
    /// of minutes would hold from every other task). Cancelling the calling task stops it
    /// at the next mini-batch boundary: its outcome is then `.interrupted`, and
    /// `onCheckpoint` gets its exact state, from which `resuming` goes on to the bits of a
    /// run that never stopped.
    ///
    /// - Parameters:
    ///   - data: the samples, with labels, as `run(on:from:resuming:callbacks:)` takes them.
    ///   - start: a model to start from, instead of random weights.
    ///   - checkpoint: a checkpoint of an earlier run on the same data, to go on from.
    ///   - checkpointEvery: epochs between calls of `onCheckpoint` (at least 1); it is also
    ///     called at the end of the run and when it stops.
    ///   - onEpoch: called with each epoch's report as the epoch ends, on the run's thread.
    ///   - onCheckpoint: called with the run's state, on the run's thread.
    /// - Throws: `SettingError`, before any training, as `run(on:from:resuming:callbacks:)`,
    ///   and for `checkpointEvery` below 1.
    public func train(
        on data: Dataset, from start: Model? = nil, resuming checkpoint: TrainingProgress? = nil, checkpointEvery: Int = 1,
        onEpoch: @escaping @Sendable (EpochReport) -> Void = { _ in },
        onCheckpoint: @escaping @Sendable (TrainingProgress) -> Void = { _ in }
    ) async throws(SettingError) -> (result: TrainingResult<Engine>, history: [EpochReport]) {
        try check(samples: data.count, resuming: checkpoint)
        guard checkpointEvery >= 1 else {
            throw SettingError(setting: "checkpointEvery", message: "\(checkpointEvery): checkpoints come every epoch at most")
        }
        let cancelled = CancellationFlag()
        let batchSize = settings(resuming: checkpoint).batchSize
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    var history: [EpochReport] = []
                    let callbacks = TrainingCallbacks(
                        checkpointEvery: checkpointEvery, stopInterval: batchSize,
                        onEpoch: { report in
                            history.append(report)
                            onEpoch(report)
                        },
                        onCheckpoint: onCheckpoint, shouldStop: { cancelled.isSet })
                    let result = runChecked(on: data, from: start, resuming: checkpoint, engine: nil, callbacks: callbacks)
                    continuation.resume(returning: (result, history))
                }
            }
        } onCancel: {
            cancelled.set()
        }
    }
}

extension Trainer {
    /// Samples gathered at once at the least, whatever `TrainingCallbacks.stopInterval`
    /// asks: a stop request is still checked between the engine's calls inside a chunk.
    static var gatheredSamples: Int { 4096 }
}

/// Set once, by a task's cancellation handler; read by the run between mini-batches.
private final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}
