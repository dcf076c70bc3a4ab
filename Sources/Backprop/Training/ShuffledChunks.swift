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
/// once, in one pass: see `Shuffle`) in steps, by the worker between chunks and by the
/// engine's thread while it waits for one (`ChunkPipeline`'s spare work). A bucket is
/// shuffled when its first chunk is copied out: a permutation of 2^14 indices drawn while
/// the bucket's rows are read in order into the L2 cache, then the rows copied in that
/// permutation's order: reads that hit the cache, where gathering in a random order from
/// all the data, or a Fisher-Yates shuffle of all the indices, misses it on every sample
/// (docs/Notebook.md has the figures).
///
/// Each epoch's buckets come from a generator seeded with one draw of the run's, and each
/// bucket's shuffle from a generator of its own, so the next epoch's buckets can be written
/// while this one trains, and a resumed run starts at any bucket. The placing is one
/// sequence of steps, whichever thread takes each: the order never depends on the threads.
/// Memory: the samples, and two copies as rows with room to spare in each bucket (6-9%).
final class ShuffledChunks: EpochSamples, @unchecked Sendable {
    /// The samples in the order the run was given them.
    let data: Dataset
    /// Buckets per epoch.
    private let bucketCount: Int
    /// This epoch's samples in their buckets (3 doubles a row, `capacity` rows a bucket),
    /// each bucket's first position in the epoch's order (and the end), and the seed of its
    /// buckets' shuffles; the next epoch's, being written.
    private var rows: [Double] = []
    private var capacity = 0
    private var buckets = OrderSegments(starts: [])
    private var bucketSeed: UInt64 = 0
    private var upcoming: Shuffle?
    /// Held by the thread placing a step of `upcoming`. A lock of its own, not a `Mutex`:
    /// the thread sanitizer sees through atomics, not through the `Mutex`'s futex.
    private let placing = Atomic<Bool>(false)
    /// Samples of `upcoming` placed so far (read without the lock, as a hint).
    private let placed = Atomic<Int>(0)
    /// The first chunk the trainer asked for: it asks for the same one every epoch.
    private var firstChunk: Range<Int>?
    /// The permutation of the bucket last copied from, which the next chunk may continue.
    private var shuffled: (bucket: Int, order: [UInt32]) = (-1, [])
    private let pipeline = ChunkPipeline(label: "backprop.shuffled-chunks")
    /// What reading a bucket's rows into the cache computes: stored, so that the reads are kept.
    private var touchedSink: UInt64 = 0

    /// Rows each bucket has room for, as an epoch's shuffle starts.
    private let bucketCapacity: Int

    /// Bucket size aimed at: a bucket of rows (384 KiB) is shuffled within the L2 cache.
    static let bucketSize = 1 << 14

    /// Buckets of an epoch of `count` samples.
    static func bucketCount(_ count: Int) -> Int { max(1, (count + bucketSize - 1) / bucketSize) }

    /// Bytes a sample takes: its columns, and two copies as rows with the buckets' room, at
    /// most 8 · √8192 / 8192 (9%) beyond the mean (buckets of 8192 or more when B ≥ 2).
    static let bytesPerSample = 77.0

    /// Shuffles `data`; `margin` sets the buckets' room beyond their mean size (nil: 8
    /// standard deviations; tests make them overflow).
    init(_ data: consuming Dataset, margin: Int? = nil) {
        self.data = data
        bucketCount = Self.bucketCount(self.data.count)
        bucketCapacity = Shuffle.capacity(count: self.data.count, buckets: bucketCount, margin: margin)
    }

    var count: Int { data.count }

    func beginEpoch(using generator: inout SplitMix64) {
        pipeline.settle()
        let seed = generator.next()
        var peek = generator
        var shuffle = upcoming.take() ?? newShuffle(seed: seed, rows: [])
        if shuffle.seed != seed { shuffle = newShuffle(seed: seed, rows: shuffle.takeRows()) }
        shuffle.advance(by: .max, data: data)
        swap(&rows, &shuffle.rows)
        (capacity, bucketSeed, shuffled.bucket) = (shuffle.capacity, shuffle.bucketSeed, -1)
        buckets.starts = [0]
        for (bucket, end) in shuffle.ends.enumerated() { buckets.starts.append(buckets.starts[bucket] + end - bucket * capacity) }
        // The next epoch's, placed by both threads in their spare time as this one trains
        // (wasted after the last).
        upcoming = newShuffle(seed: peek.next(), rows: shuffle.takeRows())
        placed.store(0, ordering: .relaxed)
        // The trainer asks for the same first chunk every epoch: prepared as this one begins.
        if let firstChunk { pipeline.start(firstChunk, prepare: prepare, spare: placeStep) }
    }

    func withChunk<Result>(_ range: Range<Int>, prefetching following: Range<Int>?, _ body: (MiniBatch) -> Result)
        throws(InputError) -> Result
    {
        if range.lowerBound == 0 { firstChunk = range }
        // Placing behind the epoch's progress: the worker would not finish it in time beside
        // the chunk copies, so this thread copies the next chunk itself and the worker
        // places meanwhile. (Which thread copies a chunk never changes its samples.)
        let behind = placed.load(ordering: .relaxed) < range.lowerBound
        return try pipeline.withChunk(range, prefetching: behind ? nil : following, prepare: prepare, spare: placeStep, body)
    }

    func forEachPart(_ body: (MiniBatch) -> Void) {
        pipeline.settle()
        data.withMiniBatch(0..<count) { all in
            for start in stride(from: 0, to: all.count, by: evaluationPart) {
                body(all[start..<min(start + evaluationPart, all.count)])
            }
        }
    }

    private func newShuffle(seed: UInt64, rows: consuming [Double]) -> Shuffle {
        Shuffle(seed: seed, rows: rows, count: count, buckets: bucketCount, capacity: bucketCapacity)
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
            placed.store(upcoming!.placed, ordering: .relaxed)
            return .taken
        }
    }

    /// The samples at positions `range` of the epoch's order into `chunk`'s columns.
    private func copy(_ range: Range<Int>, into chunk: inout Dataset) {
        buckets.copy(range, into: &chunk) { bucket, read in
            let size = buckets.starts[bucket + 1] - buckets.starts[bucket]
            rows.withUnsafeBufferPointer { rows in
                // The bucket's rows from its first: its order counts from 0.
                let bucketRows = UnsafeBufferPointer(rebasing: rows[(3 * bucket * capacity)..<(3 * (bucket * capacity + size))])
                shuffle(bucket, rows: bucketRows)
                shuffled.order.withUnsafeBufferPointer { read(bucketRows, UnsafeBufferPointer(rebasing: $0[..<size])) }
            }
        }
    }

    /// Draws bucket `bucket`'s permutation, unless it is the one drawn last, and reads its
    /// rows in order meanwhile, a value a cache line, so that the copy's random reads hit
    /// the cache: again for a bucket that the chunk before began, as the placing since has
    /// evicted it.
    private func shuffle(_ bucket: Int, rows: UnsafeBufferPointer<Double>) {
        var touched: UInt64 = 0
        // A cache line for every 8/3 samples: 3 lines every 8 swaps, and the line of the end.
        let touch = { (sample: Int) in
            for value in stride(from: 3 * sample, to: min(3 * sample + 24, rows.count), by: 8) { touched ^= rows[value].bitPattern }
        }
        if shuffled.bucket != bucket {
            if shuffled.order.count < capacity { shuffled.order = [UInt32](repeating: 0, count: capacity) }
            shuffled.order.withUnsafeMutableBufferPointer { order in
                let bucketOrder = UnsafeMutableBufferPointer(rebasing: order[..<(rows.count / 3)])
                Shuffle.permutation(into: bucketOrder, bucket: bucket, seed: bucketSeed, meanwhile: touch)
            }
            shuffled.bucket = bucket
        } else {
            for sample in stride(from: 0, to: rows.count / 3, by: 8) { touch(sample) }
        }
        if let last = rows.last { touched ^= last.bitPattern }
        touchedSink = touched
    }
}

/// One epoch's samples written to their buckets, in steps of one unit a sample.
///
/// Each bucket has room for `capacity` rows: its expected size and 8 standard deviations
/// more, so that no pass counting the buckets' sizes is needed first. A bucket that overflows (about once in 10^15
/// buckets) makes the placing start again with room for twice as many; the draws, so the
/// order, are the same.
struct Shuffle {
    let seed: UInt64
    var rows: [Double]
    /// Rows each bucket has room for: bucket b's rows start at row b · capacity.
    private(set) var capacity: Int
    /// Where each bucket's next sample goes: its end, once all are placed.
    private(set) var ends: [Int]
    private var position = 0
    private var generator: SplitMix64
    private let count: Int

    init(seed: UInt64, rows: consuming [Double], count: Int, buckets: Int, capacity: Int) {
        (self.seed, self.rows, self.count, self.capacity) = (seed, rows, count, capacity)
        if self.rows.count != 3 * buckets * capacity { self.rows = [Double](repeating: 0, count: 3 * buckets * capacity) }
        ends = (0..<buckets).map { $0 * capacity }
        generator = SplitMix64(seed: seed)
    }

    /// The room for a bucket's rows: `margin` more than its expected size, or all of them.
    static func capacity(count: Int, buckets: Int, margin: Int?) -> Int {
        let mean = (count + buckets - 1) / buckets
        // A bucket's size is binomial: standard deviation below √mean.
        return buckets == 1 ? count : min(count, mean + (margin ?? 8 * Int(Double(mean).squareRoot().rounded(.up))))
    }

    /// The seed of the buckets' own shuffles: from the epoch's seed, but not one of the
    /// numbers that drew the buckets.
    var bucketSeed: UInt64 { Self.bucketSeed(of: seed) }

    static func bucketSeed(of seed: UInt64) -> UInt64 {
        var generator = SplitMix64(seed: ~seed)
        return generator.next()
    }

    /// Whether every sample is in its bucket.
    var isDone: Bool { position == count }

    /// Samples placed so far.
    var placed: Int { position }

    /// The rows' storage, which this shuffle gives up: shared, writing to it would copy
    /// hundreds of megabytes (seen in a profile, as page faults).
    mutating func takeRows() -> [Double] {
        var storage: [Double] = []
        swap(&storage, &rows)
        return storage
    }

    /// Places the next `units` samples (or all that are left).
    mutating func advance(by units: Int, data: Dataset) {
        var left = units
        while left > 0 && !isDone {
            let (start, end) = (position, position + min(left, count - position))
            let capacity = self.capacity
            var overflowed = false
            data.withMiniBatch(start..<end) { samples in
                rows.withUnsafeMutableBufferPointer { rows in
                    ends.withUnsafeMutableBufferPointer { ends in
                        for k in 0..<samples.count {
                            let bucket = generator.nextIndex(below: ends.count)
                            let row = ends[bucket]
                            if row == (bucket + 1) * capacity {
                                overflowed = true
                                break
                            }
                            ends[bucket] = row + 1
                            (rows[3 * row], rows[3 * row + 1], rows[3 * row + 2]) = (samples.x0[k], samples.x1[k], samples.label[k])
                        }
                    }
                }
            }
            if overflowed {
                self = Shuffle(seed: seed, rows: takeRows(), count: count, buckets: ends.count, capacity: min(count, 2 * capacity))
            } else {
                position = end
            }
            left -= end - start
        }
    }

    /// Bucket `bucket`'s permutation of its `order.count` samples into `order`: a forward
    /// Fisher-Yates shuffle by a generator seeded from `seed` and the bucket's index. Calls
    /// `meanwhile` with i for every 8th swap i: reads from memory there overlap the swaps.
    static func permutation(
        into order: UnsafeMutableBufferPointer<UInt32>, bucket: Int, seed: UInt64, meanwhile: (Int) -> Void
    ) {
        for i in 0..<order.count { order[i] = UInt32(truncatingIfNeeded: i) }
        permute(order, bucket: bucket, seed: seed, meanwhile: meanwhile)
    }

    /// Permutes `values` in place by bucket `bucket`'s swaps: `values[i]` becomes the old
    /// `values[permutation[i]]`.
    @inline(__always)
    static func permute(_ order: UnsafeMutableBufferPointer<UInt32>, bucket: Int, seed: UInt64, meanwhile: (Int) -> Void) {
        let size = order.count
        var generator = SplitMix64(seed: seed, stream: bucket)
        // Loads and stores written out: through `swapAt` and a filling `append`, twice as slow.
        for i in 0..<max(0, size - 1) {
            if i & 7 == 0 { meanwhile(i) }
            let j = i + generator.nextIndex(below: size - i)
            (order[i], order[j]) = (order[j], order[i])
        }
    }
}
