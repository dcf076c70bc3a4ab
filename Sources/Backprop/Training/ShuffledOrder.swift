/// The full shuffle's order as sample indices, for a population whose models each read
/// their own order from samples held once (`IndexedSamples`).
extension ShuffledChunks {
    /// The order of the epoch that `beginEpoch(using:)` draws from `generator` for `count`
    /// samples, drawing from it as that does: position k of the epoch is sample `order[k]`.
    ///
    /// The same draws as the buckets of rows: each sample's bucket in turn from the epoch's
    /// seed, then each bucket's permutation (`Shuffle.permute`), so the same order. The
    /// indices are placed in one pass, in buckets with room to spare (as the rows are), and
    /// each bucket's are permuted in place, in the order.
    static func order(count: Int, using generator: inout SplitMix64, into order: UnsafeMutableBufferPointer<UInt32>) {
        precondition(order.count == count, "room for the order")
        let seed = generator.next()
        let buckets = bucketCount(count)
        var capacity = Shuffle.capacity(count: count, buckets: buckets, margin: nil)
        var members: [UInt32] = []
        var ends: [Int] = []
        // A bucket that overflows (about once in 10^15) places them again with twice the room.
        while true {
            members = [UInt32](repeating: 0, count: buckets * capacity)
            ends = (0..<buckets).map { $0 * capacity }
            var draws = SplitMix64(seed: seed)
            let placed = members.withUnsafeMutableBufferPointer { members in
                ends.withUnsafeMutableBufferPointer { ends in
                    for k in 0..<count {
                        let bucket = draws.nextIndex(below: buckets)
                        let slot = ends[bucket]
                        if slot == (bucket + 1) * capacity { return false }
                        members[slot] = UInt32(truncatingIfNeeded: k)
                        ends[bucket] = slot + 1
                    }
                    return true
                }
            }
            if placed { break }
            capacity = min(count, 2 * capacity)
        }
        let bucketSeed = Shuffle.bucketSeed(of: seed)
        var start = 0
        members.withUnsafeBufferPointer { members in
            for bucket in 0..<buckets {
                let size = ends[bucket] - bucket * capacity
                let segment = UnsafeMutableBufferPointer(rebasing: order[start..<(start + size)])
                _ = segment.initialize(from: members[(bucket * capacity)..<ends[bucket]])
                Shuffle.permute(segment, bucket: bucket, seed: bucketSeed, meanwhile: { _ in })
                start += size
            }
        }
    }
}
