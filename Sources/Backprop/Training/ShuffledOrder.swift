/// The full shuffle's order as sample indices, for a population whose models each read
/// their own order from samples held once (`IndexedSamples`).
extension ShuffledChunks {
    /// The order of the epoch that `beginEpoch(using:)` draws from `generator` for `count`
    /// samples, drawing from it as that does: position k of the epoch is sample `order[k]`.
    ///
    /// The same draws as the buckets of rows: each sample's bucket in turn from the epoch's
    /// seed, then each bucket's permutation (`Shuffle.permutation`), so the same order.
    static func order(count: Int, using generator: inout SplitMix64, into order: UnsafeMutableBufferPointer<UInt32>) {
        precondition(order.count == count, "room for the order")
        let seed = generator.next()
        let buckets = bucketCount(count)
        var draws = SplitMix64(seed: seed)
        var bucketOf = [UInt32](repeating: 0, count: count)
        var starts = [Int](repeating: 0, count: buckets + 1)
        for k in 0..<count {
            let bucket = draws.nextIndex(below: buckets)
            bucketOf[k] = UInt32(truncatingIfNeeded: bucket)
            starts[bucket + 1] += 1
        }
        for bucket in 0..<buckets { starts[bucket + 1] += starts[bucket] }
        // Each bucket's samples in the order they were placed, then permuted within it.
        var members = [UInt32](repeating: 0, count: count)
        var ends = starts
        for k in 0..<count {
            let bucket = Int(bucketOf[k])
            members[ends[bucket]] = UInt32(truncatingIfNeeded: k)
            ends[bucket] += 1
        }
        let bucketSeed = Shuffle.bucketSeed(of: seed)
        var permutation = [UInt32](repeating: 0, count: starts.indices.dropLast().map { starts[$0 + 1] - starts[$0] }.max() ?? 0)
        permutation.withUnsafeMutableBufferPointer { permutation in
            for bucket in 0..<buckets {
                let (start, size) = (starts[bucket], starts[bucket + 1] - starts[bucket])
                let bucketOrder = UnsafeMutableBufferPointer(rebasing: permutation[..<size])
                Shuffle.permutation(into: bucketOrder, bucket: bucket, seed: bucketSeed, meanwhile: { _ in })
                for i in 0..<size { order[start + i] = members[start + Int(bucketOrder[i])] }
            }
        }
    }
}
