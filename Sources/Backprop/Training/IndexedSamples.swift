/// The training samples in memory, read through an order of indices: every sample shuffled
/// in the full shuffle's order (`ShuffledChunks.order`), or in the data's order.
///
/// What the models of a population read: each lane takes its sample at position k of the
/// epoch from row `order[k]`, so that models of the same seed share one copy of the data and
/// one order, and models of other seeds read other orders in the same steps. The samples
/// are rows of four doubles (x0, x1, label, 0), in storage of this object's own: a lane's
/// read is one cache line, where three columns took three (measured: the lanes' reads cost a
/// fifth of a sweep's time at 65,536 samples a seed and four seeds a group, from columns).
/// Memory: 32 bytes a sample, and 4 for the order.
final class IndexedSamples: EpochSamples, @unchecked Sendable {
    let count: Int
    let shuffle: Bool
    /// Row i: `rows[4i]`, `rows[4i + 1]`, `rows[4i + 2]` are sample i's x0, x1 and label.
    let rows: UnsafeMutablePointer<Double>
    /// This epoch's order: position k is row `order[k]` (k itself, unshuffled).
    let order: UnsafeMutablePointer<UInt32>

    /// - Precondition: fewer than 2^32 samples.
    init(_ data: Dataset, shuffle: Bool) {
        precondition(data.count <= Int(UInt32.max), "a population trains on fewer than 2^32 samples")
        (count, self.shuffle) = (data.count, shuffle)
        rows = System.allocateHuge(32 * count).bindMemory(to: Double.self, capacity: 4 * count)
        order = .allocate(capacity: count)
        data.withMiniBatch(0..<count) { data in
            for i in 0..<count {
                (rows + 4 * i).initialize(from: [data.x0[i], data.x1[i], data.label[i], 0], count: 4)
                order[i] = UInt32(truncatingIfNeeded: i)
            }
        }
    }

    deinit {
        System.free(rows)
        order.deallocate()
    }

    func beginEpoch(using generator: inout SplitMix64) {
        guard shuffle else { return }
        ShuffledChunks.order(count: count, using: &generator, into: UnsafeMutableBufferPointer(start: order, count: count))
    }

    func withChunk<Result>(_ range: Range<Int>, prefetching following: Range<Int>?, _ body: (MiniBatch) -> Result) -> Result {
        columns(range.lazy.map { Int(self.order[$0]) }, body)
    }

    func forEachPart(_ body: (MiniBatch) -> Void) {
        for start in stride(from: 0, to: count, by: evaluationPart) { columns(start..<min(start + evaluationPart, count), body) }
    }

    /// Calls `body` with the rows `indices` as columns.
    private func columns<Result>(_ indices: some Collection<Int>, _ body: (MiniBatch) -> Result) -> Result {
        var part = Dataset(validatedX0: [], x1: [], label: [])
        part.resize(to: indices.count)
        part.withUnsafeMutableColumns { x0, x1, label in
            for (k, i) in indices.enumerated() { (x0[k], x1[k], label[k]) = (rows[4 * i], rows[4 * i + 1], rows[4 * i + 2]) }
        }
        return part.withMiniBatch(0..<part.count, body)
    }
}
