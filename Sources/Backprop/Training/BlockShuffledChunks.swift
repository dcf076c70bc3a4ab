/// An epoch shuffled in blocks (see `BlockShuffle`), read from rows in memory or on disk: a
/// window's blocks are read and its samples shuffled, and each chunk is gathered from the
/// windows on another thread while the engine trains on the one before. Memory holds two
/// windows, whatever the data's size.
///
/// The order: at the start of an epoch the generator draws a permutation of the blocks and
/// one number, the windows' seed; window w (blocks w·W to w·W + W − 1 of that permutation)
/// shuffles its samples with a generator seeded from the windows' seed and w, so that any
/// window's order can be drawn on its own (a resumed run starts mid-epoch).
final class BlockShuffledChunks: EpochSamples, @unchecked Sendable {
    let source: any RowSource
    let shuffle: BlockShuffle
    private let blockCount: Int
    /// The epoch's permutation of the blocks, its windows' first positions, and their seed.
    private var blockOrder: [Int]
    private var windows = OrderSegments(starts: [])
    private var windowSeed: UInt64 = 0
    /// Loaded windows, by index: the one in use and the one after it, and one no longer used.
    private var loaded: [Int: Window] = [:]
    private var spare: Window?
    private let pipeline = ChunkPipeline(label: "backprop.block-shuffle")
    /// A part of an evaluation, and the rows it is read through.
    private var part = Dataset(validatedX0: [], x1: [], label: [])
    private var scratch: [Double] = []

    /// One window's rows, in block order, and the order its samples are taken in.
    final class Window: @unchecked Sendable {
        var rows: [Double]
        var order: [Int]
        init(rows: [Double], order: [Int]) { (self.rows, self.order) = (rows, order) }
    }

    init(_ source: any RowSource, shuffle: BlockShuffle) {
        precondition(shuffle.problem() == nil, shuffle.problem() ?? "")
        self.source = source
        self.shuffle = shuffle
        blockCount = (source.count + shuffle.blockSize - 1) / shuffle.blockSize
        blockOrder = Array(0..<blockCount)
    }

    var count: Int { source.count }

    func beginEpoch(using generator: inout SplitMix64) {
        pipeline.settle()
        spare = spare ?? loaded.values.first
        loaded = [:]
        windowSeed = Self.drawBlocks(&blockOrder, using: &generator)
        windows.starts = [0]
        for window in 0..<((blockCount + shuffle.windowBlocks - 1) / shuffle.windowBlocks) {
            windows.starts.append(windows.starts[window] + blocks(of: window).reduce(0) { $0 + rows(of: $1).count })
        }
    }

    func withChunk<Result>(_ range: Range<Int>, prefetching following: Range<Int>?, _ body: (MiniBatch) -> Result)
        throws(InputError) -> Result
    {
        try pipeline.withChunk(
            range, prefetching: following, prepare: { [self] (range, chunk) throws(InputError) in try prepare(range, into: &chunk) },
            body)
    }

    /// The samples at positions `range` of the epoch's order, gathered into `chunk`: on the
    /// worker thread for the chunk after the one in use, so the windows are only ever
    /// touched by one thread at a time.
    private func prepare(_ range: Range<Int>, into chunk: inout Dataset) throws(InputError) {
        let first = windows.segment(holding: range.lowerBound)
        let last = range.isEmpty ? first : windows.segment(holding: range.upperBound - 1)
        for index in loaded.keys where index < first { spare = loaded.removeValue(forKey: index) }
        for index in first...last where loaded[index] == nil {
            // The storage of a window no longer needed, so that no window allocates (and
            // faults in) tens of megabytes anew.
            let window = spare ?? Window(rows: [], order: [])
            spare = nil
            try read(window: index, into: window)
            loaded[index] = window
        }
        windows.copy(range, into: &chunk) { index, read in
            let window = loaded[index]!
            window.rows.withUnsafeBufferPointer { rows in window.order.withUnsafeBufferPointer { read(rows, $0) } }
        }
    }

    func forEachPart(_ body: (MiniBatch) -> Void) throws(InputError) {
        pipeline.settle()
        try source.forEachPart(through: &part, scratch: &scratch, body)
    }

    /// The blocks of window `index`, in the epoch's order.
    private func blocks(of index: Int) -> ArraySlice<Int> {
        blockOrder[(index * shuffle.windowBlocks)..<min((index + 1) * shuffle.windowBlocks, blockCount)]
    }

    /// The positions of block `block`'s samples in the data.
    private func rows(of block: Int) -> Range<Int> {
        (block * shuffle.blockSize)..<min((block + 1) * shuffle.blockSize, source.count)
    }

    /// Reads window `index`'s blocks into `window` and draws the order of its samples.
    private func read(window index: Int, into window: Window) throws(InputError) {
        let ranges = blocks(of: index).map(rows(of:))
        let size = ranges.reduce(0) { $0 + $1.count }
        if window.rows.count < 3 * size { window.rows = [Double](repeating: 0, count: 3 * size) }
        try window.rows.withUnsafeMutableBufferPointer { rows throws(InputError) in
            var filled = 0
            for range in ranges {
                try source.read(range, into: UnsafeMutableBufferPointer(rebasing: rows[(3 * filled)..<(3 * (filled + range.count))]))
                filled += range.count
            }
        }
        Self.drawOrder(&window.order, size: size, window: index, seed: windowSeed)
    }

    /// Draws an epoch's permutation of the blocks into `blockOrder` (all of them) from
    /// `generator`, then the windows' seed, which it returns.
    static func drawBlocks(_ blockOrder: inout [Int], using generator: inout SplitMix64) -> UInt64 {
        for i in blockOrder.indices { blockOrder[i] = i }
        generator.shuffle(&blockOrder)
        return generator.next()
    }

    /// Draws the order of window `window`'s `size` samples into `order`, from the windows' `seed`.
    static func drawOrder(_ order: inout [Int], size: Int, window: Int, seed: UInt64) {
        var generator = SplitMix64(seed: seed, stream: window)
        if order.count != size { order = Array(0..<size) } else { for i in 0..<size { order[i] = i } }
        generator.shuffle(&order)
    }
}
