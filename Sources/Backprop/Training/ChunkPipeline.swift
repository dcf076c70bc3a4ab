import Dispatch

/// Two chunks of samples: the one the engine trains on, and the next one, prepared on a
/// worker thread meanwhile. What the shuffled and streamed epochs have in common.
///
/// The worker runs one task at a time; callers wait for it (`settle`) before they touch
/// what the task reads or writes, so nothing is ever shared between two threads at once.
final class ChunkPipeline: @unchecked Sendable {
    private var current = Dataset(validatedX0: [], x1: [], label: [])
    private var next = Dataset(validatedX0: [], x1: [], label: [])
    /// The range `next` holds once the task under way is done, and a failure to prepare it.
    private var pending: Range<Int>?
    private var failure: InputError?
    private let working = DispatchGroup()
    private let worker: DispatchQueue

    init(label: String) { worker = DispatchQueue(label: label, qos: .userInitiated) }

    deinit { working.wait() }

    /// Calls `body` with the samples at `range`: prepared ahead if `range` is what the last
    /// call asked to prefetch, by `prepare` on this thread otherwise. Before `body` runs,
    /// the worker starts preparing `following` (if any), then runs `alongside`.
    func withChunk<Result>(
        _ range: Range<Int>, prefetching following: Range<Int>?,
        prepare: @escaping @Sendable (Range<Int>, inout Dataset) throws(InputError) -> Void,
        alongside: (@Sendable () -> Void)? = nil, _ body: (MiniBatch) -> Result
    ) throws(InputError) -> Result {
        if pending == range {
            working.wait()
            pending = nil
            if let failure {
                self.failure = nil
                throw failure
            }
            swap(&current, &next)
        } else {
            settle()
            try prepare(range, &current)
        }
        if following != nil || alongside != nil {
            pending = following
            working.enter()
            worker.async { [self] in
                if let following {
                    do throws(InputError) { try prepare(following, &next) } catch { failure = error }
                }
                alongside?()
                working.leave()
            }
        }
        return current.withMiniBatch(0..<range.count, body)
    }

    /// Waits for the worker's task, and forgets the chunk it prepared.
    func settle() {
        working.wait()
        (pending, failure) = (nil, nil)
    }
}
