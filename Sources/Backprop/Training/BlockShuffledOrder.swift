/// The block shuffle's order as sample indices, for a population whose models each read
/// their own order from samples held once (`IndexedSamples`).
extension BlockShuffledChunks {
    /// The order of the epoch that `beginEpoch(using:)` draws from `generator` for `count`
    /// samples in memory, drawing from it as that does: position k of the epoch is sample
    /// `order[k]`.
    ///
    /// Window by window: its blocks' samples in the epoch's block order, taken in the
    /// window's own order (`drawOrder`), as `BlockShuffledChunks` reads them.
    static func order(
        count: Int, shuffle: BlockShuffle, using generator: inout SplitMix64, into order: UnsafeMutableBufferPointer<UInt32>
    ) {
        precondition(order.count == count, "room for the order")
        var blockOrder = Array(0..<((count + shuffle.blockSize - 1) / shuffle.blockSize))
        let seed = drawBlocks(&blockOrder, using: &generator)
        var (members, window, position) = ([UInt32](), [Int](), 0)
        for (index, start) in stride(from: 0, to: blockOrder.count, by: shuffle.windowBlocks).enumerated() {
            members.removeAll(keepingCapacity: true)
            for block in blockOrder[start..<min(start + shuffle.windowBlocks, blockOrder.count)] {
                let first = block * shuffle.blockSize
                members.append(contentsOf: (first..<min(first + shuffle.blockSize, count)).lazy.map { UInt32(truncatingIfNeeded: $0) })
            }
            drawOrder(&window, size: members.count, window: index, seed: seed)
            for k in window.indices { order[position + k] = members[window[k]] }
            position += members.count
        }
    }
}
