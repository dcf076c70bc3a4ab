import Dispatch

/// A shuffled epoch's chunks of samples, each gathered on another thread while the engine
/// trains on the one before.
///
/// The gather is a random read of every sample, about two thirds as long as the SGD steps
/// on it (measured); overlapped, it is hidden. It only copies values, so the chunks hold the
/// same samples, in the same order, whatever the timing.
final class ShuffledChunks: EpochSamples, @unchecked Sendable {
    /// The training samples, in the order the run was given them.
    let rows: SampleRows
    /// The epoch's order: sample `order[k]` is the epoch's k-th.
    private(set) var order: [Int]
    /// The chunk handed out, and the one gathered in the background (its range in `pending`).
    private var current = Dataset(validatedX0: [], x1: [], label: [])
    private var next = Dataset(validatedX0: [], x1: [], label: [])
    private var pending: Range<Int>?
    private let gathering = DispatchGroup()
    /// The gathers run here, one after another.
    private let worker = DispatchQueue(label: "backprop.shuffled-chunks", qos: .userInitiated)

    /// A part of an evaluation.
    private var part = Dataset(validatedX0: [], x1: [], label: [])

    init(_ rows: SampleRows) {
        self.rows = rows
        order = Array(0..<rows.count)
    }

    var count: Int { rows.count }

    deinit { gathering.wait() }

    /// Draws the next epoch's order: a Fisher-Yates shuffle of the identity from `generator`.
    ///
    /// In line: drawn on the gathers' thread, ahead of time, it delayed them more than it
    /// saved (end to end 36-40 M samples/s against 43, Zen 4, batch 256).
    func beginEpoch(using generator: inout SplitMix64) {
        settle()
        for i in order.indices { order[i] = i }
        generator.shuffle(&order)
    }

    /// Calls `body` with the samples at positions `range` of the epoch's order, and meanwhile
    /// gathers those at `following` (the next chunk, if any) on another thread.
    func withChunk<Result>(_ range: Range<Int>, prefetching following: Range<Int>?, _ body: (MiniBatch) -> Result) -> Result {
        if pending == range {
            gathering.wait()
            swap(&current, &next)
        } else {
            settle()
            order[range].withUnsafeBufferPointer { rows.gather(into: &current, at: $0) }
        }
        pending = following
        if let following {
            gathering.enter()
            worker.async { [self] in
                order[following].withUnsafeBufferPointer { rows.gather(into: &next, at: $0) }
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

    /// Waits for a gather under way, and forgets it.
    private func settle() {
        gathering.wait()
        pending = nil
    }
}
