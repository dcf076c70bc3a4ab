/// The training samples in memory, read through an order of indices: every sample shuffled
/// in the full shuffle's order (`ShuffledChunks.order`), shuffled in blocks
/// (`BlockShuffledChunks.order`), or in the data's order.
///
/// What the models of a population read: each lane takes its sample at position k of the
/// epoch from row `order[k]` of `rows`, so that models of the same seed share one copy of
/// the data and one order, models of other seeds on the same training set (no validation
/// split) share the rows, and models read other orders in the same steps. Memory: 4 bytes a
/// sample for the order, besides the rows.
final class IndexedSamples: EpochSamples, @unchecked Sendable {
    let rows: LaneRows
    let shuffle: Shuffle
    /// This epoch's order: position k is row `order[k]` (k itself, unshuffled).
    let order: UnsafeMutablePointer<UInt32>

    /// How a configuration orders its epochs, as `Trainer` reads them.
    enum Shuffle: Equatable {
        case none, full, blocks(BlockShuffle)

        init(_ configuration: TrainingConfiguration) {
            self = !configuration.shuffle ? .none : configuration.blockShuffle.map(Shuffle.blocks) ?? .full
        }
    }

    init(_ rows: LaneRows, shuffle: Shuffle) {
        (self.rows, self.shuffle) = (rows, shuffle)
        order = .allocate(capacity: rows.count)
        for k in 0..<rows.count { order[k] = UInt32(truncatingIfNeeded: k) }
    }

    deinit { order.deallocate() }

    var count: Int { rows.count }

    func beginEpoch(using generator: inout SplitMix64) {
        let order = UnsafeMutableBufferPointer(start: order, count: count)
        switch shuffle {
        case .none: break
        case .full: ShuffledChunks.order(count: count, using: &generator, into: order)
        case .blocks(let blocks): BlockShuffledChunks.order(count: count, shuffle: blocks, using: &generator, into: order)
        }
    }

    func withChunk<Result>(_ range: Range<Int>, prefetching following: Range<Int>?, _ body: (MiniBatch) -> Result) -> Result {
        rows.columns(range.lazy.map { Int(self.order[$0]) }, body)
    }

    func forEachPart(_ body: (MiniBatch) -> Void) {
        for start in stride(from: 0, to: count, by: evaluationPart) { rows.columns(start..<min(start + evaluationPart, count), body) }
    }
}

/// Samples as rows of four doubles (x0, x1, label, 0), in storage of their own: a lane's
/// read of a sample is one cache line, where three columns took three. Memory: 32 bytes a
/// sample.
final class LaneRows: @unchecked Sendable {
    let count: Int
    /// Row i: `base[4i]`, `base[4i + 1]`, `base[4i + 2]` are sample i's x0, x1 and label.
    let base: UnsafeMutablePointer<Double>

    /// `PopulationTrainer` has checked that there are fewer than 2^32 samples, as the orders index them.
    init(_ data: Dataset) {
        assert(data.count <= Int(UInt32.max), "an order indexes fewer than 2^32 samples")
        count = data.count
        base = .allocate(capacity: 4 * count)
        data.withMiniBatch(0..<count) { Self.write($0, into: base) }
    }

    /// Writes `samples` as rows at `rows`.
    static func write(_ samples: MiniBatch, into rows: UnsafeMutablePointer<Double>) {
        for i in 0..<samples.count {
            (rows[4 * i], rows[4 * i + 1], rows[4 * i + 2], rows[4 * i + 3]) = (samples.x0[i], samples.x1[i], samples.label[i], 0)
        }
    }

    deinit { base.deallocate() }

    /// Calls `body` with the rows `indices` as columns.
    func columns<Result>(_ indices: some Collection<Int>, _ body: (MiniBatch) -> Result) -> Result {
        var part = Dataset(validatedX0: [], x1: [], label: [])
        part.resize(to: indices.count)
        part.withUnsafeMutableColumns { x0, x1, label in
            for (k, i) in indices.enumerated() { (x0[k], x1[k], label[k]) = (base[4 * i], base[4 * i + 1], base[4 * i + 2]) }
        }
        return part.withMiniBatch(0..<part.count, body)
    }
}
