import Dispatch

/// A schedule's rates for the mini-batches of a chunk, the next chunk's computed on another
/// thread while the current one trains: onecycle's rate takes a libm cosine a mini-batch
/// (PyTorch's, to the bit), which at batch 1 is as much as a tenth of a step.
final class PrefetchedRates: @unchecked Sendable {
    /// The rate of a mini-batch of the epoch, by its number.
    private let rate: @Sendable (Int) -> Double
    private var current: [Double] = []
    /// Written by the background task between `enter` and `leave` only.
    private var next: [Double] = []
    private var nextBatches = 0..<0
    private let pending = DispatchGroup()

    init(rate: @escaping @Sendable (Int) -> Double) {
        self.rate = rate
    }

    deinit { pending.wait() }

    /// Calls `body` with the rates of mini-batches `batches`, after starting on those of
    /// `following`, if any, in the background.
    func withRates<Result>(_ batches: Range<Int>, following: Range<Int>?, _ body: (UnsafeBufferPointer<Double>) throws(InputError) -> Result)
        throws(InputError) -> Result
    {
        pending.wait()
        if nextBatches == batches {
            swap(&current, &next)
        } else {
            current.removeAll(keepingCapacity: true)
            current.append(contentsOf: batches.lazy.map(rate))
        }
        nextBatches = following ?? 0..<0
        if let following {
            pending.enter()
            DispatchQueue.global().async { [self] in
                next.removeAll(keepingCapacity: true)
                next.append(contentsOf: following.lazy.map(rate))
                pending.leave()
            }
        }
        return try current.withUnsafeBufferPointer { rates throws(InputError) in try body(rates) }
    }

    /// `body` with the rates of `batches` from `prefetched` (see `withRates`), or with nil
    /// when there is none.
    static func with<Result>(
        _ prefetched: PrefetchedRates?, _ batches: Range<Int>, following: Range<Int>?,
        _ body: (UnsafeBufferPointer<Double>?) throws(InputError) -> Result
    ) throws(InputError) -> Result {
        guard let prefetched else { return try body(nil) }
        return try prefetched.withRates(batches, following: following) { rates throws(InputError) in try body(rates) }
    }
}
