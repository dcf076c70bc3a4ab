/// An epoch in file order, streamed from rows on disk: each chunk is read on another thread
/// while the engine trains on the one before. Memory holds two chunks, whatever the file's size.
final class StreamedChunks: EpochSamples, @unchecked Sendable {
    let source: any RowSource
    private let pipeline = ChunkPipeline(label: "backprop.streamed-chunks")
    /// The rows a chunk is read through, on either thread (never both at once: see `ChunkPipeline`).
    private var scratch: [Double] = []
    /// A part of an evaluation.
    private var part = Dataset(validatedX0: [], x1: [], label: [])

    init(_ source: any RowSource) { self.source = source }

    var count: Int { source.count }

    func beginEpoch(using generator: inout SplitMix64) {}

    func withChunk<Result>(_ range: Range<Int>, prefetching following: Range<Int>?, _ body: (MiniBatch) -> Result)
        throws(InputError) -> Result
    {
        try pipeline.withChunk(
            range, prefetching: following, prepare: { [self] (range, chunk) throws(InputError) in
                try source.read(range, into: &chunk, scratch: &scratch)
            }, body)
    }

    func forEachPart(_ body: (MiniBatch) -> Void) throws(InputError) {
        pipeline.settle()
        try source.forEachPart(through: &part, scratch: &scratch, body)
    }
}
