import Dispatch

/// A shuffled epoch's chunks of samples, each drawn and gathered on another thread while
/// the engine trains on the one before.
///
/// The order is a Fisher-Yates shuffle run forwards (position i takes a random one of the
/// positions from i on), so a chunk's positions are final once drawn up to its end: the
/// shuffle is spread over the epoch's chunks instead of delaying its start (a third of the
/// SGD steps' time at 2^20 samples, more at 2^24, measured). The epoch's generator is
/// seeded by one draw of the run's, so the worker thread owns it. Neither draw nor gather
/// depends on timing: the chunks hold the same samples, in the same order, every time.
final class ShuffledChunks: EpochSamples, @unchecked Sendable {
    /// The training samples, in the order the run was given them.
    let rows: SampleRows
    /// The epoch's order: sample `order[k]` is the epoch's k-th, for k below `drawn`.
    /// 32-bit indices: half the cache misses of 64-bit ones over a large order.
    private var order: [UInt32]
    private var drawn = 0
    private var generator = SplitMix64(seed: 0)
    /// True until the epoch's first chunk resets `order` to the identity.
    private var stale = true
    /// The chunk handed out, and the one gathered in the background (its range in `pending`).
    private var current = Dataset(validatedX0: [], x1: [], label: [])
    private var next = Dataset(validatedX0: [], x1: [], label: [])
    private var pending: Range<Int>?
    private let gathering = DispatchGroup()
    /// The draws and gathers run here, one after another.
    private let worker = DispatchQueue(label: "backprop.shuffled-chunks", qos: .userInitiated)
    /// A part of an evaluation.
    private var part = Dataset(validatedX0: [], x1: [], label: [])

    init(_ rows: SampleRows) {
        precondition(rows.count <= Int(UInt32.max), "more than 2^32 samples in memory: shuffle them in blocks")
        self.rows = rows
        order = [UInt32](repeating: 0, count: rows.count)
    }

    var count: Int { rows.count }

    deinit { gathering.wait() }

    func beginEpoch(using generator: inout SplitMix64) {
        settle()
        self.generator = SplitMix64(seed: generator.next())
        (drawn, stale) = (0, true)
    }

    /// Calls `body` with the samples at positions `range` of the epoch's order, and meanwhile
    /// draws and gathers those at `following` (the next chunk, if any) on another thread.
    func withChunk<Result>(_ range: Range<Int>, prefetching following: Range<Int>?, _ body: (MiniBatch) -> Result) -> Result {
        if pending == range {
            gathering.wait()
            swap(&current, &next)
        } else {
            settle()
            prepare(range, into: &current)
        }
        pending = following
        if let following {
            gathering.enter()
            worker.async { [self] in
                prepare(following, into: &next)
                gathering.leave()
            }
        }
        return current.withMiniBatch(0..<range.count, body)
    }

    func forEachPart(_ body: (MiniBatch) -> Void) {
        settle()
        for start in stride(from: 0, to: count, by: evaluationPart) {
            let range = start..<min(start + evaluationPart, count)
            rows.copy(into: &part, range: range)
            part.withMiniBatch(0..<range.count, body)
        }
    }

    /// Draws the order up to the end of `range` and gathers its samples into `chunk`.
    private func prepare(_ range: Range<Int>, into chunk: inout Dataset) {
        let n = order.count
        order.withUnsafeMutableBufferPointer { order in
            if stale {
                for i in 0..<n { order[i] = UInt32(truncatingIfNeeded: i) }
                stale = false
            }
            while drawn < min(range.upperBound, n - 1) {
                order.swapAt(drawn, drawn + generator.nextIndex(below: n - drawn))
                drawn += 1
            }
        }
        order[range].withUnsafeBufferPointer { rows.gather(into: &chunk, at: $0) }
    }

    /// Waits for the work under way, and forgets it.
    private func settle() {
        gathering.wait()
        pending = nil
    }
}
