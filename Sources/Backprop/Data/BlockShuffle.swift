/// Shuffling in blocks: each epoch permutes blocks of `blockSize` consecutive samples, then
/// shuffles the samples within each window of `windowBlocks` consecutive blocks of that order.
///
/// The trade-off against a full shuffle: samples that sit close in the data stay within
/// `blockSize × windowBlocks` positions of each other's blocks' neighbours, so data sorted
/// by label or time should be shuffled once beforehand. In return an epoch reads whole
/// blocks in any order, which a file on disk streams at its read speed (memory holds two
/// windows), and the samples of a mini-batch still come from `windowBlocks` places.
public struct BlockShuffle: Sendable, Equatable, Codable {
    /// Consecutive samples that stay together (at least 1).
    public var blockSize: Int
    /// Blocks whose samples are shuffled together (at least 1).
    public var windowBlocks: Int

    /// 4096-sample blocks in windows of 32: 2^17 samples, 3 MiB of rows, which the caches
    /// hold while the window is gathered from.
    public init(blockSize: Int = 4096, windowBlocks: Int = 32) {
        self.blockSize = blockSize
        self.windowBlocks = windowBlocks
    }

    /// Samples in a full window.
    var windowSize: Int { blockSize * windowBlocks }

    /// Why the values cannot be used, or nil.
    func problem() -> String? {
        guard blockSize >= 1 else { return "the block size is \(blockSize): must be at least 1" }
        guard windowBlocks >= 1 else { return "the window is \(windowBlocks) blocks: must be at least 1" }
        guard blockSize <= 1 << 30 / max(1, windowBlocks) else { return "a window of \(blockSize) × \(windowBlocks) samples is too large" }
        return nil
    }
}
