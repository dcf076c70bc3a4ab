/// The training samples as an epoch reads them: in chunks of its order, and in parts of
/// 2^14 in the data's order for an evaluation.
///
/// Four kinds: the columns in file order (`OrderedColumns`), every sample shuffled from rows
/// in memory (`ShuffledChunks`), blocks shuffled from rows in memory or on disk
/// (`BlockShuffledChunks`), and rows streamed from disk in file order (`StreamedChunks`).
/// The order depends only on the configuration and the seed, never on where the rows are.
protocol EpochSamples: AnyObject {
    /// Number of samples.
    var count: Int { get }
    /// Draws the order of the epoch about to start from `generator`.
    func beginEpoch(using generator: inout SplitMix64)
    /// Calls `body` with the samples at positions `range` of the epoch's order; `following`,
    /// the range asked for next, if any, may be prepared meanwhile.
    func withChunk<Result>(_ range: Range<Int>, prefetching following: Range<Int>?, _ body: (MiniBatch) -> Result)
        throws(InputError) -> Result
    /// Calls `body` with consecutive parts of at most `evaluationPart` samples, in the data's order.
    func forEachPart(_ body: (MiniBatch) -> Void) throws(InputError)
}

/// Samples per part of an evaluation: the parts `TrainingEngine.evaluate` sums a data set
/// in, so that an evaluation by parts has the same bits as one of the whole set.
let evaluationPart = 1 << 14

extension EpochSamples {
    /// The samples, evaluated under `engine`'s parameters.
    func evaluate<Engine: TrainingEngine>(_ engine: Engine) throws(InputError) -> Evaluation {
        var evaluation = Evaluation(logits: [], labels: [])
        try forEachPart { evaluation.merge(engine.evaluate($0)) }
        return evaluation
    }
}

/// The columns in memory, in their order: nothing to gather.
final class OrderedColumns: EpochSamples {
    let data: Dataset

    init(_ data: consuming Dataset) { self.data = data }

    var count: Int { data.count }

    func beginEpoch(using generator: inout SplitMix64) {}

    func withChunk<Result>(_ range: Range<Int>, prefetching following: Range<Int>?, _ body: (MiniBatch) -> Result) -> Result {
        data.withMiniBatch(range, body)
    }

    func forEachPart(_ body: (MiniBatch) -> Void) {
        data.withMiniBatch(0..<count) { all in
            for start in stride(from: 0, to: all.count, by: evaluationPart) {
                body(all[start..<min(start + evaluationPart, all.count)])
            }
        }
    }
}
