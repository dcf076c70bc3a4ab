import Dispatch
import Synchronization

/// Two chunks of samples: the one the engine trains on, and the next one, prepared on a
/// worker thread meanwhile. What the shuffled and streamed epochs have in common.
///
/// The worker runs one task at a time; callers wait for it (`settle`) before they touch
/// what the task reads or writes, so nothing is ever shared between two threads at once,
/// except the spare work (below), which locks what it touches.
///
/// Spare work is work for later that either thread may do (the next epoch's shuffle): the
/// worker does it when it has no chunk to prepare, the engine's thread while it waits for
/// one, a short step at a time. So the two cores share the work whichever has more of it.
final class ChunkPipeline: @unchecked Sendable {
    /// Takes one short step of spare work, if no other thread is taking one.
    typealias SpareWork = @Sendable () -> SpareStep

    enum SpareStep {
        case taken
        /// The other thread is taking a step.
        case busy
        /// No work is left.
        case done
    }

    private var current = Dataset(validatedX0: [], x1: [], label: [])
    private var next = Dataset(validatedX0: [], x1: [], label: [])
    /// The range `next` holds once the worker has signalled `ready`, and a failure to prepare it.
    private var pending: Range<Int>?
    private var failure: InputError?
    private let ready = DispatchSemaphore(value: 0)
    /// Tasks submitted so far: a task does spare work only while it is the last one.
    private let submitted = Atomic<Int>(0)
    private let working = DispatchGroup()
    private let worker: DispatchQueue

    init(label: String) { worker = DispatchQueue(label: label, qos: .userInitiated) }

    deinit { settle() }

    /// Calls `body` with the samples at `range`: prepared ahead if `range` is what the last
    /// call asked to prefetch, by `prepare` on this thread otherwise (while the worker goes
    /// on with its spare work, if no chunk was asked for). Before `body` runs, the worker
    /// starts preparing `following` (if any), then does `spare` work.
    func withChunk<Result>(
        _ range: Range<Int>, prefetching following: Range<Int>?,
        prepare: @escaping @Sendable (Range<Int>, inout Dataset) throws(InputError) -> Void,
        spare: SpareWork? = nil, _ body: (MiniBatch) -> Result
    ) throws(InputError) -> Result {
        if pending == range {
            // Busy means the worker is on it: done with the chunk, or about to be.
            while ready.wait(timeout: .now()) == .timedOut {
                if spare?() != .taken {
                    ready.wait()
                    break
                }
            }
            pending = nil
            if let failure {
                self.failure = nil
                throw failure
            }
            swap(&current, &next)
        } else {
            // With no chunk asked for, the worker's task is spare work, which `prepare`
            // does not touch: it goes on.
            if pending != nil { settle() }
            try prepare(range, &current)
        }
        start(following, prepare: prepare, spare: spare)
        return current.withMiniBatch(0..<range.count, body)
    }

    /// Starts preparing `range` (if any) on the worker, then spare work: for a `withChunk`
    /// to come, such as an epoch's first chunk, asked for before the epoch begins.
    func start(
        _ range: Range<Int>?, prepare: @escaping @Sendable (Range<Int>, inout Dataset) throws(InputError) -> Void,
        spare: SpareWork? = nil
    ) {
        guard range != nil || spare != nil else { return }
        pending = range
        let ticket = submitted.add(1, ordering: .sequentiallyConsistent).newValue
        working.enter()
        worker.async { [self] in
            if let range {
                do throws(InputError) { try prepare(range, &next) } catch { failure = error }
                ready.signal()
            }
            if let spare {
                // Busy means the caller is on it, and stops after this step: it has its chunk.
                while submitted.load(ordering: .sequentiallyConsistent) == ticket && spare() != .done {}
            }
            working.leave()
        }
    }

    /// Stops the worker's spare work, waits for its task, and forgets the chunk it prepared.
    func settle() {
        submitted.add(1, ordering: .sequentiallyConsistent)
        working.wait()
        if pending != nil { ready.wait() }
        (pending, failure) = (nil, nil)
    }
}
