/// An epoch's order cut into consecutive segments (the full shuffle's buckets, the block
/// shuffle's windows), each with rows of its own and an order to take them in.
struct OrderSegments {
    /// Segment i holds positions `starts[i]..<starts[i + 1]` of the epoch's order.
    var starts: [Int]

    /// The segment holding `position`: the last one starting at or before it (an empty
    /// segment starts where the next one does, and is skipped).
    func segment(holding position: Int) -> Int {
        var (low, high) = (0, starts.count - 2)
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= position { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// Fills `chunk` with the samples at positions `range`: for each segment the range
    /// crosses, `segment` calls its second argument with the segment's rows (3 doubles
    /// each) and order; the sample at the segment's k-th position is row `order[k]`.
    func copy<Index: BinaryInteger>(
        _ range: Range<Int>, into chunk: inout Dataset,
        from segment: (_ index: Int, _ read: (UnsafeBufferPointer<Double>, UnsafeBufferPointer<Index>) -> Void) -> Void
    ) {
        chunk.resize(to: range.count)
        var (index, position) = (self.segment(holding: range.lowerBound), range.lowerBound)
        while position < range.upperBound {
            let end = min(range.upperBound, starts[index + 1])
            let (offset, done) = (starts[index], position - range.lowerBound)
            segment(index) { rows, order in
                chunk.withUnsafeMutableColumns { x0, x1, label in
                    for k in 0..<(end - position) {
                        let row = Int(order[position - offset + k])
                        (x0[done + k], x1[done + k], label[done + k]) = (rows[3 * row], rows[3 * row + 1], rows[3 * row + 2])
                    }
                }
            }
            (index, position) = (index + 1, end)
        }
    }
}

extension SplitMix64 {
    /// Generator number `stream` of `seed`, for a segment's shuffle that must be drawn on its
    /// own: seeded by one output from `seed + stream`, so that the streams of consecutive
    /// indices are not the same sequence shifted by one draw.
    init(seed: UInt64, stream: Int) {
        var seeding = SplitMix64(seed: seed &+ UInt64(stream))
        self.init(seed: seeding.next())
    }
}
