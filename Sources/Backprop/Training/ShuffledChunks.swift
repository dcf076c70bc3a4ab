import Synchronization

/// An epoch of every sample shuffled, from a copy of the samples written bucket by bucket
/// during the epoch before.
///
/// The shuffle is Rao and Sandelius's: every sample goes to one of B buckets of about 2^14
/// samples, drawn uniformly and independently, and each bucket is then shuffled by
/// Fisher-Yates; the buckets in order are a uniformly random permutation. Unlike one
/// Fisher-Yates shuffle of the whole data, it touches memory almost in order. While this
/// epoch trains, a worker thread copies each chunk out of the buckets, and the next epoch's
/// samples are written to their buckets as rows (read in order, written to B places at
/// once) in steps, by the worker between chunks and by the engine's thread while it waits
/// for one (`ChunkPipeline`'s spare work): either thread alone had more to do than the
/// other. A bucket is shuffled when its first chunk is copied out: a permutation of 2^14
/// indices drawn in the L1 cache, the bucket's rows read in order into the L2 cache, then
/// copied in that permutation's order. Gathering samples in
/// a random order from all the data instead cost 12-20 ns a sample on a 2-core Zen 4 VM, as
/// long as the SGD steps, and a Fisher-Yates shuffle of 2^24 indices 24 ns a sample.
///
/// Each epoch's buckets come from a generator seeded with one draw of the run's, and each
/// bucket's shuffle from a generator of its own, so the next epoch's buckets can be written
/// while this one trains, and a resumed run starts at any bucket. The placing is one
/// sequence of steps, whichever thread takes each: the order never depends on the threads. Memory: the
/// samples, and two copies as rows.
final class ShuffledChunks: EpochSamples, @unchecked Sendable {
    /// The samples in the order the run was given them.
    let data: Dataset
    /// Buckets per epoch.
    private let bucketCount: Int
    /// This epoch's samples in their buckets (3 doubles a row), each bucket's first row
    /// (and the end), and the seed of its buckets' shuffles; the next epoch's, being written.
    private var rows: [Double] = []
    private var buckets = OrderSegments(starts: [])
    private var bucketSeed: UInt64 = 0
    private var upcoming: Shuffle?
    /// Held by the thread placing a step of `upcoming`. A lock of its own, not a `Mutex`:
    /// the thread sanitizer sees through atomics, not through the `Mutex`'s futex.
    private let placing = Atomic<Bool>(false)
    /// The first chunk the trainer asked for: it asks for the same one every epoch.
    private var firstChunk: Range<Int>?
    /// The permutation of the bucket last copied from, which the next chunk may continue.
    private var shuffled: (bucket: Int, order: [UInt32]) = (-1, [])
    private let pipeline = ChunkPipeline(label: "backprop.shuffled-chunks")
    /// What reading a bucket's rows into the cache computes: stored, so that the reads are kept.
    private var touchedSink: UInt64 = 0

    /// Bucket size aimed at: a bucket of rows (384 KiB) is shuffled within the L2 cache.
    static let bucketSize = 1 << 14

    init(_ data: consuming Dataset) {
        self.data = data
        bucketCount = max(1, (self.data.count + Self.bucketSize - 1) / Self.bucketSize)
    }

    var count: Int { data.count }

    func beginEpoch(using generator: inout SplitMix64) {
        pipeline.settle()
        let seed = generator.next()
        var peek = generator
        var shuffle = upcoming.take()
        if shuffle?.seed != seed { shuffle = Shuffle(seed: seed, rows: shuffle?.takeRows() ?? [], count: count, buckets: bucketCount) }
        shuffle!.advance(by: .max, data: data)
        swap(&rows, &shuffle!.rows)
        (buckets.starts, bucketSeed, shuffled.bucket) = (shuffle!.starts, shuffle!.bucketSeed, -1)
        // The next epoch's, placed by both threads in their spare time as this one trains
        // (wasted after the last).
        let nextSeed = peek.next()
        upcoming = Shuffle(seed: nextSeed, rows: shuffle!.takeRows(), count: count, buckets: bucketCount)
        // The trainer asks for the same first chunk every epoch: prepared as this one begins.
        if let firstChunk { pipeline.start(firstChunk, prepare: prepare, spare: placeStep) }
    }

    func withChunk<Result>(_ range: Range<Int>, prefetching following: Range<Int>?, _ body: (MiniBatch) -> Result)
        throws(InputError) -> Result
    {
        if range.lowerBound == 0 { firstChunk = range }
        return try pipeline.withChunk(range, prefetching: following, prepare: prepare, spare: placeStep, body)
    }

    func forEachPart(_ body: (MiniBatch) -> Void) {
        pipeline.settle()
        data.withMiniBatch(0..<count) { all in
            for start in stride(from: 0, to: all.count, by: evaluationPart) {
                body(all[start..<min(start + evaluationPart, all.count)])
            }
        }
    }

    private var prepare: @Sendable (Range<Int>, inout Dataset) -> Void { { [self] in copy($0, into: &$1) } }

    /// A step of placing the next epoch's samples. Steps of
    /// 2^11 samples take 10-30 µs: a thread waiting for a chunk overshoots by little.
    private var placeStep: ChunkPipeline.SpareWork {
        { [self] in
            guard placing.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return .busy }
            defer { placing.store(false, ordering: .releasing) }
            guard upcoming != nil, !upcoming!.isDone else { return .done }
            upcoming!.advance(by: 1 << 11, data: data)
            return .taken
        }
    }

    /// The samples at positions `range` of the epoch's order into `chunk`'s columns.
    private func copy(_ range: Range<Int>, into chunk: inout Dataset) {
        buckets.copy(range, into: &chunk) { bucket, read in
            shuffle(bucket)
            let first = buckets.starts[bucket]
            rows.withUnsafeBufferPointer { rows in
                // The bucket's rows from its first: its order counts from 0.
                let bucketRows = UnsafeBufferPointer(rebasing: rows[(3 * first)...])
                shuffled.order.withUnsafeBufferPointer { read(bucketRows, $0) }
            }
        }
    }

    /// Draws bucket `bucket`'s permutation, unless it is the one drawn last, and reads its
    /// rows in order, a value a cache line, so that the copy's random reads hit the cache:
    /// again for a bucket that the chunk before began, as the placing since has evicted it.
    /// (Gathering from rows not read first took 15 ns a sample beside the engine, 9 after.)
    private func shuffle(_ bucket: Int) {
        let (low, high) = (buckets.starts[bucket], buckets.starts[bucket + 1])
        if shuffled.bucket != bucket {
            var storage: [UInt32] = []
            swap(&storage, &shuffled.order)  // unshared, so that it is reused, not copied
            shuffled.order = Shuffle.permutation(of: high - low, bucket: bucket, seed: bucketSeed, reusing: storage)
            shuffled.bucket = bucket
        }
        var touched: UInt64 = 0
        rows.withUnsafeBufferPointer { rows in
            for i in stride(from: 3 * low, to: 3 * high, by: 8) { touched ^= rows[i].bitPattern }
        }
        touchedSink = touched
    }

}

/// One epoch's samples written to their buckets, in steps: the buckets' sizes counted (one
/// unit a sample), then the samples written to their buckets (one unit a sample).
private struct Shuffle {
    let seed: UInt64
    var rows: [Double]
    /// Each bucket's first row, and the end; while placing, where each bucket's next sample goes.
    private(set) var starts: [Int]
    private var cursors: [Int] = []
    private var placing = false
    private var position = 0
    private var generator: SplitMix64
    private let count: Int

    init(seed: UInt64, rows: consuming [Double], count: Int, buckets: Int) {
        (self.seed, self.rows, self.count) = (seed, rows, count)
        if self.rows.count != 3 * count { self.rows = [Double](repeating: 0, count: 3 * count) }
        starts = [Int](repeating: 0, count: buckets + 1)
        generator = SplitMix64(seed: seed)
    }

    /// The seed of the buckets' own shuffles: from the epoch's seed, but not one of the
    /// numbers that drew the buckets.
    var bucketSeed: UInt64 {
        var generator = SplitMix64(seed: ~seed)
        return generator.next()
    }

    /// Whether every sample is in its bucket.
    var isDone: Bool { placing && position == count }

    /// The rows' storage, which this shuffle gives up: shared, writing to it would copy
    /// hundreds of megabytes (seen in a profile, as page faults).
    mutating func takeRows() -> [Double] {
        var storage: [Double] = []
        swap(&storage, &rows)
        return storage
    }

    /// Does `units` of the work left.
    mutating func advance(by units: Int, data: Dataset) {
        var left = units
        let buckets = starts.count - 1
        while left > 0 && !isDone {
            let start = position
            let end = start + min(left, count - start)
            if !placing {
                starts.withUnsafeMutableBufferPointer { starts in
                    for _ in start..<end { starts[generator.nextIndex(below: buckets) + 1] += 1 }
                }
            } else {
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
            }
            position = end
            left -= max(1, end - start)
            if position == count && !placing {
                // Counted: the buckets' first rows, and placing draws the same buckets again.
                for bucket in 1..<starts.count { starts[bucket] += starts[bucket - 1] }
                cursors = Array(starts.dropLast())
                (generator, position, placing) = (SplitMix64(seed: seed), 0, true)
            }
        }
    }

    /// Bucket `bucket`'s permutation of its `size` samples: a forward Fisher-Yates shuffle
    /// by a generator seeded from `seed` and the bucket's index.
    static func permutation(of size: Int, bucket: Int, seed: UInt64, reusing storage: consuming [UInt32]) -> [UInt32] {
        var order = storage
        order.removeAll(keepingCapacity: true)
        order.append(contentsOf: (0..<size).lazy.map { UInt32(truncatingIfNeeded: $0) })
        var generator = SplitMix64(seed: seed, stream: bucket)
        order.withUnsafeMutableBufferPointer { order in
            for i in 0..<max(0, size - 1) { order.swapAt(i, i + generator.nextIndex(below: size - i)) }
        }
        return order
    }
}
