import Dispatch

/// An epoch of every sample shuffled, read in order from a shuffled copy of the samples that
/// a worker thread wrote during the epoch before.
///
/// The shuffle is Rao and Sandelius's: every sample goes to one of B buckets of about 2^14
/// samples, drawn uniformly and independently, and each bucket is then shuffled by
/// Fisher-Yates; the buckets in order are a uniformly random permutation. Unlike one
/// Fisher-Yates shuffle of the whole data, it touches memory almost in order: the samples are
/// read in order and written to B places at once, and a bucket is shuffled in the caches. So
/// the worker writes the next epoch's rows, shuffled, in a third of the time the engine
/// takes for this epoch (measured), and the engine reads its chunks in order. Gathering
/// samples in a random order instead cost 12-20 ns a sample on a 2-core Zen 4 VM, as long as
/// the SGD steps, and a Fisher-Yates shuffle of 2^24 indices 24 ns a sample.
///
/// Each epoch's buckets and shuffles come from a generator seeded with one draw of the run's,
/// so the worker can draw the next epoch's while this one trains, and a resumed run draws
/// its epoch alone. Memory: the samples, and two shuffled copies as rows.
final class ShuffledChunks: EpochSamples, @unchecked Sendable {
    /// The samples in the order the run was given them.
    let data: Dataset
    /// Buckets per epoch.
    private let bucketCount: Int
    /// This epoch's samples in its order (3 doubles a row), and the next epoch's, being written.
    private var rows: [Double] = []
    private var upcoming: Shuffle?
    /// The chunk handed out, and the one prepared on the worker (its range in `pending`).
    private var current = Dataset(validatedX0: [], x1: [], label: [])
    private var next = Dataset(validatedX0: [], x1: [], label: [])
    private var pending: Range<Int>?
    private let working = DispatchGroup()
    private let worker = DispatchQueue(label: "backprop.shuffled-chunks", qos: .userInitiated)

    /// Bucket size aimed at: a bucket of rows (384 KiB) is shuffled within the L2 cache.
    static let bucketSize = 1 << 14

    init(_ data: consuming Dataset) {
        self.data = data
        bucketCount = max(1, (self.data.count + Self.bucketSize - 1) / Self.bucketSize)
    }

    deinit { working.wait() }

    var count: Int { data.count }

    func beginEpoch(using generator: inout SplitMix64) {
        settle()
        let seed = generator.next()
        var peek = generator
        if upcoming?.seed != seed { upcoming = Shuffle(seed: seed, rows: takeRows(), count: count, buckets: bucketCount) }
        upcoming!.advance(by: .max, data: data)
        swap(&rows, &upcoming!.rows)
        // The next epoch's, written by the worker as this one trains (wasted after the last).
        upcoming = Shuffle(seed: peek.next(), rows: takeRows(), count: count, buckets: bucketCount)
    }

    func withChunk<Result>(_ range: Range<Int>, prefetching following: Range<Int>?, _ body: (MiniBatch) -> Result) -> Result {
        if pending == range {
            working.wait()
            swap(&current, &next)
        } else {
            settle()
            Self.copy(rows, range, into: &current)
        }
        pending = following
        // Three units of the next epoch's shuffle per sample trained: done by the epoch's end.
        let work = 3 * range.count
        working.enter()
        worker.async { [self] in
            if let following { Self.copy(rows, following, into: &next) }
            upcoming?.advance(by: work, data: data)
            working.leave()
        }
        return current.withMiniBatch(0..<range.count, body)
    }

    func forEachPart(_ body: (MiniBatch) -> Void) {
        settle()
        data.withMiniBatch(0..<count) { all in
            for start in stride(from: 0, to: all.count, by: evaluationPart) {
                body(all[start..<min(start + evaluationPart, all.count)])
            }
        }
    }

    /// The storage of `upcoming`'s rows, which `upcoming` gives up: shared, writing to it
    /// would copy hundreds of megabytes (seen in a profile, as page faults).
    private func takeRows() -> [Double] {
        var storage: [Double] = []
        if upcoming != nil { swap(&storage, &upcoming!.rows) }
        upcoming = nil
        return storage
    }

    /// The rows at positions `range` into `chunk`'s columns.
    private static func copy(_ rows: [Double], _ range: Range<Int>, into chunk: inout Dataset) {
        chunk.resize(to: range.count)
        rows.withUnsafeBufferPointer { rows in
            chunk.withUnsafeMutableColumns { x0, x1, label in
                for (k, i) in range.enumerated() { (x0[k], x1[k], label[k]) = (rows[3 * i], rows[3 * i + 1], rows[3 * i + 2]) }
            }
        }
    }

    /// Waits for the work under way, and forgets the chunk it prepared.
    private func settle() {
        working.wait()
        pending = nil
    }
}

/// One epoch's shuffled rows, written in steps: the buckets' sizes counted (one unit a
/// sample), the samples written to their buckets (one unit a sample), the buckets shuffled
/// (one unit a sample).
private struct Shuffle {
    let seed: UInt64
    var rows: [Double]
    /// Each bucket's first row, then where its next sample goes while placing.
    private var starts: [Int]
    private var cursors: [Int] = []
    private var phase = Phase.counting
    private var position = 0
    private var generator: SplitMix64
    private let count: Int

    private enum Phase { case counting, placing, shuffling, done }

    init(seed: UInt64, rows: [Double], count: Int, buckets: Int) {
        (self.seed, self.rows, self.count) = (seed, rows, count)
        if self.rows.count != 3 * count { self.rows = [Double](repeating: 0, count: 3 * count) }
        starts = [Int](repeating: 0, count: buckets + 1)
        generator = SplitMix64(seed: seed)
    }

    /// Does `units` of the work left, or a little more (buckets are shuffled whole).
    mutating func advance(by units: Int, data: Dataset) {
        var left = units
        let buckets = starts.count - 1
        while left > 0 && phase != .done {
            let start = position
            let end = start + min(left, count - start)
            switch phase {
            case .counting:
                starts.withUnsafeMutableBufferPointer { starts in
                    for _ in start..<end { starts[generator.nextIndex(below: buckets) + 1] += 1 }
                }
                position = end
            case .placing:
                data.withMiniBatch(start..<end) { samples in
                    rows.withUnsafeMutableBufferPointer { rows in
                        cursors.withUnsafeMutableBufferPointer { cursors in
                            for k in 0..<samples.count {
                                let bucket = generator.nextIndex(below: buckets)
                                let row = cursors[bucket]
                                cursors[bucket] = row + 1
                                (rows[3 * row], rows[3 * row + 1], rows[3 * row + 2]) = (samples.x0[k], samples.x1[k], samples.label[k])
                            }
                        }
                    }
                }
                position = end
            case .shuffling:
                // Whole buckets, from the one at `start`, until `end` is reached.
                var bucket = bucketHolding(start)
                rows.withUnsafeMutableBufferPointer { rows in
                    while bucket < buckets && starts[bucket] < end {
                        let (low, high) = (starts[bucket], starts[bucket + 1])
                        for i in low..<max(low, high - 1) {
                            let j = i + generator.nextIndex(below: high - i)
                            (rows[3 * i], rows[3 * j]) = (rows[3 * j], rows[3 * i])
                            (rows[3 * i + 1], rows[3 * j + 1]) = (rows[3 * j + 1], rows[3 * i + 1])
                            (rows[3 * i + 2], rows[3 * j + 2]) = (rows[3 * j + 2], rows[3 * i + 2])
                        }
                        bucket += 1
                    }
                }
                position = bucket < buckets ? starts[bucket] : count
            case .done:
                break
            }
            left -= max(1, position - start)
            if position >= count { nextPhase() }
        }
    }

    /// The bucket whose rows include `row` (buckets are consecutive ranges, in order).
    private func bucketHolding(_ row: Int) -> Int {
        var (low, high) = (0, starts.count - 2)
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= row { low = middle } else { high = middle - 1 }
        }
        return low
    }

    private mutating func nextPhase() {
        position = 0
        switch phase {
        case .counting:
            for bucket in 1..<starts.count { starts[bucket] += starts[bucket - 1] }
            cursors = Array(starts.dropLast())
            // Placing draws the same buckets again, from the same start.
            generator = SplitMix64(seed: seed)
            phase = .placing
        case .placing:
            phase = .shuffling
        case .shuffling, .done:
            phase = .done
        }
    }
}
