/// The samples of a population's lane, as its kernel reads them: through an order of rows.
protocol LaneSamples: EpochSamples {
    /// Readies positions `range` of the epoch for the kernel (`following`, the range asked
    /// for next, may be prepared meanwhile): the rows and order the lane reads them through,
    /// and where `range` starts in that order.
    func lanes(_ range: Range<Int>, following: Range<Int>?) throws(InputError)
        -> (rows: UnsafePointer<Double>, order: UnsafePointer<UInt32>, start: Int)
}

extension IndexedSamples: LaneSamples {
    /// The rows in memory and the epoch's order: nothing to ready.
    func lanes(_ range: Range<Int>, following: Range<Int>?) -> (rows: UnsafePointer<Double>, order: UnsafePointer<UInt32>, start: Int) {
        (UnsafePointer(rows.base), UnsafePointer(order), range.lowerBound)
    }
}

/// A lane's samples streamed from disk (`StreamedChunks`, `BlockShuffledChunks` on a file):
/// each chunk, in the epoch's order, copied into rows of the lane's own, read in order.
/// Memory: 32 bytes and 4 a sample of the largest chunk, besides the streamed chunks.
final class StreamedLaneSamples: LaneSamples, @unchecked Sendable {
    let samples: any EpochSamples
    private var rows: UnsafeMutablePointer<Double>
    /// 0, 1, 2, ...: the chunk's rows are in the epoch's order.
    private var order: UnsafeMutablePointer<UInt32>
    private var capacity = 0

    init(_ samples: any EpochSamples) {
        self.samples = samples
        (rows, order) = (.allocate(capacity: 0), .allocate(capacity: 0))
    }

    deinit {
        rows.deallocate()
        order.deallocate()
    }

    var count: Int { samples.count }

    func beginEpoch(using generator: inout SplitMix64) { samples.beginEpoch(using: &generator) }

    func withChunk<Result>(_ range: Range<Int>, prefetching following: Range<Int>?, _ body: (MiniBatch) -> Result)
        throws(InputError) -> Result
    {
        try samples.withChunk(range, prefetching: following, body)
    }

    func forEachPart(_ body: (MiniBatch) -> Void) throws(InputError) { try samples.forEachPart(body) }

    func lanes(_ range: Range<Int>, following: Range<Int>?) throws(InputError)
        -> (rows: UnsafePointer<Double>, order: UnsafePointer<UInt32>, start: Int)
    {
        if range.count > capacity {
            rows.deallocate()
            order.deallocate()
            (capacity, rows, order) = (range.count, .allocate(capacity: 4 * range.count), .allocate(capacity: range.count))
            for k in 0..<capacity { order[k] = UInt32(truncatingIfNeeded: k) }
        }
        let rows = rows
        try samples.withChunk(range, prefetching: following) { LaneRows.write($0, into: rows) }
        return (UnsafePointer(rows), UnsafePointer(order), 0)
    }
}
