/// The training samples in memory, read through an order of indices: every sample shuffled
/// in the full shuffle's order (`ShuffledChunks.order`), or in the data's order.
///
/// What the models of a population read: each lane takes its sample at position k of the
/// epoch from its samples' `index(k)`, so that models of the same seed share one copy of the
/// data and one order, and models of other seeds read other orders in the same steps.
/// Memory: the samples, and 4 bytes a sample for the order.
final class IndexedSamples: EpochSamples, @unchecked Sendable {
    let data: Dataset
    let shuffle: Bool
    /// This epoch's order, when shuffled: position k is sample `order[k]`.
    private(set) var order: [UInt32] = []

    /// - Precondition: fewer than 2^32 samples.
    init(_ data: consuming Dataset, shuffle: Bool) {
        self.data = data
        self.shuffle = shuffle
        precondition(self.data.count <= Int(UInt32.max), "a population trains on fewer than 2^32 samples")
    }

    var count: Int { data.count }

    func beginEpoch(using generator: inout SplitMix64) {
        if shuffle { ShuffledChunks.order(count: count, using: &generator, into: &order) }
    }

    /// The sample at position `position` of the epoch's order.
    @inline(__always) func index(_ position: Int) -> Int { shuffle ? Int(order[position]) : position }

    func withChunk<Result>(_ range: Range<Int>, prefetching following: Range<Int>?, _ body: (MiniBatch) -> Result) -> Result {
        var chunk = Dataset(validatedX0: [], x1: [], label: [])
        chunk.gather(from: data, at: range.lazy.map { self.index($0) })
        return chunk.withMiniBatch(0..<chunk.count, body)
    }

    func forEachPart(_ body: (MiniBatch) -> Void) {
        data.withMiniBatch(0..<count) { all in
            for start in stride(from: 0, to: all.count, by: evaluationPart) {
                body(all[start..<min(start + evaluationPart, all.count)])
            }
        }
    }
}
