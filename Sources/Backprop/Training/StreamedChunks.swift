import Dispatch

/// An epoch in file order, streamed from rows on disk: each chunk is read on another thread
/// while the engine trains on the one before. Memory holds two chunks, whatever the file's size.
final class StreamedChunks: EpochSamples, @unchecked Sendable {
    let source: any RowSource
    /// The chunk handed out, and the one read in the background (its range in `pending`).
    private var current = Dataset(validatedX0: [], x1: [], label: [])
    private var next = Dataset(validatedX0: [], x1: [], label: [])
    private var currentScratch: [Double] = []
    private var nextScratch: [Double] = []
    private var pending: Range<Int>?
    private var failure: InputError?
    private let reading = DispatchGroup()
    private let worker = DispatchQueue(label: "backprop.streamed-chunks", qos: .userInitiated)

    init(_ source: any RowSource) { self.source = source }

    deinit { reading.wait() }

    var count: Int { source.count }

    func beginEpoch(using generator: inout SplitMix64) {}

    func withChunk<Result>(_ range: Range<Int>, prefetching following: Range<Int>?, _ body: (MiniBatch) -> Result)
        throws(InputError) -> Result
    {
        if pending == range {
            reading.wait()
            pending = nil
            if let failure { throw failure }
            swap(&current, &next)
        } else {
            settle()
            try source.read(range, into: &current, scratch: &currentScratch)
        }
        if let following {
            pending = following
            reading.enter()
            worker.async { [self] in
                do throws(InputError) {
                    try source.read(following, into: &next, scratch: &nextScratch)
                } catch {
                    failure = error
                }
                reading.leave()
            }
        }
        return current.withMiniBatch(0..<range.count, body)
    }

    func forEachPart(_ body: (MiniBatch) -> Void) throws(InputError) {
        settle()
        try source.forEachPart(through: &current, scratch: &currentScratch, body)
    }

    /// Waits for a read under way, and forgets it.
    private func settle() {
        reading.wait()
        (pending, failure) = (nil, nil)
    }
}
