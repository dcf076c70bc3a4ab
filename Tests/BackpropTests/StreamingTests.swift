import Foundation
import Testing

@_spi(Benchmarks) @testable import Backprop

/// Training streamed from an `.npy` file on disk, and shuffling in blocks: the same bits as
/// the data in memory, every sample once per epoch, and exact resumption.
@Suite struct StreamingTests {
    /// 5000 samples: with blocks of 64 in windows of 8, 79 blocks (the last partial) in 10
    /// windows (the last partial), and chunks of the epoch that span windows.
    static let data = SyntheticData.moons.generate(count: 5000, seed: 12)

    static let path: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("backprop-stream-\(UUID())")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("data.npy").path
        try! NPY.write(data, to: path)
        return path
    }()

    static func configuration(blocks: Bool) -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        (configuration.epochs, configuration.batchSize, configuration.evaluateEvery) = (3, 50, 2)
        if blocks { configuration.blockShuffle = BlockShuffle(blockSize: 64, windowBlocks: 8) } else { configuration.shuffle = false }
        return configuration
    }

    /// The model and every epoch's report, of a run in memory or streamed.
    static func run<Engine: TrainingEngine>(
        _: Engine.Type, blocks: Bool, streamed: Bool, stopInterval: Int = 700
    ) throws -> (model: Model, reports: [String]) {
        var reports: [String] = []
        let callbacks = TrainingCallbacks(stopInterval: stopInterval, onEpoch: { reports.append("\($0.loss) \(String(describing: $0.training))") })
        let trainer = Trainer<Engine>(configuration(blocks: blocks))
        let result =
            streamed
            ? try trainer.run(streaming: NPY.Reader(path: path), callbacks: callbacks)
            : try trainer.run(on: try NPY.read(path: path), callbacks: callbacks)
        return (result.model, reports)
    }

    @Test(arguments: [false, true])
    func streamingGivesTheBitsOfTheDataInMemory(blocks: Bool) throws {
        let inMemory = try Self.run(SIMDEngine.self, blocks: blocks, streamed: false)
        let streamed = try Self.run(SIMDEngine.self, blocks: blocks, streamed: true)
        #expect(streamed.model == inMemory.model)
        #expect(streamed.reports == inMemory.reports)
        #expect(streamed.reports.count == 3)
        // The standardisation fitted in passes over the file is the one fitted in memory.
        #expect(streamed.model.standardization == Standardization(fitting: Self.data))
    }

    /// A model evaluated on a file streamed in parts: the bits of the file in memory.
    @Test func aStreamedEvaluationIsTheOneInMemory() throws {
        let model = try Self.run(SIMDEngine.self, blocks: true, streamed: true).model
        let streamed = try model.evaluate(streaming: NPY.Reader(path: Self.path))
        let inMemory = model.evaluate(on: Self.data)
        #expect(streamed.loss == inMemory.loss && streamed.accuracy == inMemory.accuracy)
        #expect(streamed.loss > 0 && streamed.loss < 0.5)
    }

    /// How many chunks an epoch is handed in changes nothing but the loss's last bits.
    @Test func theChunkSizeDoesNotChangeTheModel() throws {
        let small = try Self.run(ParallelEngine.self, blocks: true, streamed: true, stopInterval: 200)
        let large = try Self.run(ParallelEngine.self, blocks: true, streamed: true, stopInterval: 1 << 20)
        #expect(small.model == large.model)
    }

    /// A block-shuffled epoch visits every sample once, and differs from file order and
    /// from the next epoch's order.
    @Test func blockShuffleVisitsEverySampleOnce() throws {
        let ids = try Dataset(x0: (0..<5000).map(Double.init), x1: [Double](repeating: 0, count: 5000))
        let samples = BlockShuffledChunks(SampleRows(ids), shuffle: BlockShuffle(blockSize: 64, windowBlocks: 8))
        var generator = SplitMix64(seed: 3)
        var epochs: [[Double]] = []
        for _ in 0..<2 {
            samples.beginEpoch(using: &generator)
            var seen: [Double] = []
            for start in stride(from: 0, to: 5000, by: 700) {
                let range = start..<min(start + 700, 5000)
                let following = range.upperBound < 5000 ? range.upperBound..<min(range.upperBound + 700, 5000) : nil
                try samples.withChunk(range, prefetching: following) { seen += Array($0.x0) }
            }
            #expect(seen.sorted() == ids.x0)
            epochs.append(seen)
        }
        #expect(epochs[0] != ids.x0 && epochs[0] != epochs[1])
        // Blocks stay within their window: the first window's samples come from 8 blocks.
        #expect(Set(epochs[0].prefix(512).map { Int($0) / 64 }).count == 8)
    }

    @Test(arguments: [false, true])
    func aStreamedRunResumesExactly(blocks: Bool) throws {
        let uninterrupted = try Self.run(SIMDEngine.self, blocks: blocks, streamed: true)
        var checks = 0
        var saved: TrainingProgress?
        let stopping = TrainingCallbacks(
            stopInterval: 700, onCheckpoint: { saved = $0 },
            shouldStop: {
                checks += 1
                return checks == 12  // in the second epoch, mid-window
            })
        let trainer = Trainer<SIMDEngine>(Self.configuration(blocks: blocks))
        let first = try trainer.run(streaming: NPY.Reader(path: Self.path), callbacks: stopping)
        #expect(first.progress.outcome == .interrupted)
        // Resumed in memory: the order does not depend on where the rows are.
        let second = try trainer.run(on: try NPY.read(path: Self.path), resuming: try #require(saved))
        #expect(second.model == uninterrupted.model)
    }

    @Test func aBadRowIsFoundBeforeTheFirstEpoch() throws {
        let folder = URL(fileURLWithPath: Self.path).deletingLastPathComponent()
        let path = folder.appendingPathComponent("bad.npy").path
        var labels = Self.data.label
        labels[4321] = 0.5
        try NPY.write(Dataset(x0: Self.data.x0, x1: Self.data.x1, label: labels.map { $0 == 0.5 ? 1 : $0 }), to: path)
        // Writes a label of 0.5 by hand: a Dataset cannot hold one.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seek(toOffset: UInt64(NPYHeader(rows: 5000, columns: 3).dataOffset + (3 * 4321 + 2) * 8))
        try handle.write(contentsOf: withUnsafeBytes(of: (0.5).bitPattern.littleEndian) { Data($0) })
        try handle.close()
        var reports = 0
        #expect(throws: InputError(file: path, line: nil, message: "row 4321 (counting from 0): label 0.5 is not 0 or 1")) {
            try Trainer<SIMDEngine>(Self.configuration(blocks: true)).run(
                streaming: NPY.Reader(path: path), callbacks: TrainingCallbacks(onEpoch: { _ in reports += 1 }))
        }
        #expect(reports == 0)
    }
}

extension StreamingTests {
    /// A file written in place while it is streamed (the same size, other rows) stops the
    /// run at its next read: training would otherwise mix two data sets.
    @Test func aFileWrittenInPlaceWhileStreamedStopsTheRun() throws {
        let folder = URL(fileURLWithPath: Self.path).deletingLastPathComponent()
        let path = folder.appendingPathComponent("changing.npy").path
        try NPY.write(Self.data, to: path)
        // Written an hour ago: a write now changes the time even where it is kept coarsely.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: path)
        let other = SyntheticData.circles.generate(count: Self.data.count, seed: 3)
        var epochs = 0
        let callbacks = TrainingCallbacks(onEpoch: { _ in
            epochs += 1
            let handle = try! FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try! handle.seek(toOffset: UInt64(NPYHeader(rows: other.count, columns: 3).dataOffset))
            try! handle.write(contentsOf: withUnsafeBytes(of: other.x0[0].bitPattern.littleEndian) { Data($0) })
            try! handle.close()
        })
        let error = #expect(throws: InputError.self) {
            try Trainer<SIMDEngine>(Self.configuration(blocks: true)).run(streaming: NPY.Reader(path: path), callbacks: callbacks)
        }
        #expect(error?.kind == .changedWhileRead)
        #expect(error?.message.hasPrefix("the file changed while being read") == true, "\(String(describing: error))")
        #expect(epochs == 1)
    }

    /// A data fingerprint is the same from memory and from a file in both orders; the values
    /// are pinned (FNV-1a computed independently), since checkpoints and sweep folders keep
    /// them: the columns' is the one earlier versions recorded.
    @Test func fingerprintsAreTheSameFromMemoryAndFromAFile() throws {
        let small = try Dataset(x0: [0.5, -1.25, 3], x1: [2, 0, -0.75], label: [1, 0, 1])
        #expect(small.fingerprint == "15fc7a805e2cc31c")
        #expect(small.fingerprint(in: .rows) == "rows-1a8430f7d0322f9c")
        for order in [FingerprintOrder.columns, .rows] {
            let recorded = small.fingerprint(in: order)
            #expect(FingerprintOrder(of: recorded) == order)
            // More than 2^16 rows: the file is read in two parts.
            let large = SyntheticData.moons.generate(count: 70_000, seed: 5)
            let path = URL(fileURLWithPath: Self.path).deletingLastPathComponent().appendingPathComponent("large-\(order).npy").path
            try NPY.write(large, to: path)
            #expect(try Dataset.fingerprint(of: NPY.Reader(path: path), in: order) == large.fingerprint(in: order))
        }
        #expect(Self.data.fingerprint(in: .rows) != "rows-" + Self.data.fingerprint)
    }
}

/// The full shuffle's order, written out here from its definition, against the one the
/// two threads write in steps between chunks.
@Suite struct ShuffledChunksTests {
    static func order(count: Int, seed: UInt64) -> [Int] {
        let buckets = (count + (1 << 14) - 1) >> 14
        var generator = SplitMix64(seed: seed)
        var contents = [[Int]](repeating: [], count: buckets)
        for sample in 0..<count { contents[generator.nextIndex(below: buckets)].append(sample) }
        var seeding = SplitMix64(seed: ~seed)
        let bucketSeed = seeding.next()
        var order: [Int] = []
        for (index, bucket) in contents.enumerated() {
            var bucketSeeding = SplitMix64(seed: bucketSeed &+ UInt64(index))
            var bucketGenerator = SplitMix64(seed: bucketSeeding.next())
            var permutation = Array(bucket.indices)
            for i in 0..<max(0, bucket.count - 1) {
                permutation.swapAt(i, i + bucketGenerator.nextIndex(below: bucket.count - i))
            }
            order += permutation.map { bucket[$0] }
        }
        return order
    }

    /// Margin 0: the buckets have room for their mean size only (13334 of 40000 / 3), so one
    /// overflows unless the sizes come out as 13334, 13333 and 13333, and the placing starts again.
    @Test(arguments: [nil, 0])
    func epochsFollowTheDefinitionChunkByChunk(margin: Int?) throws {
        let count = 40_000  // 3 buckets
        let ids = try Dataset(x0: (0..<count).map(Double.init), x1: [Double](repeating: 0, count: count))
        let samples = ShuffledChunks(ids, margin: margin)
        var generator = SplitMix64(seed: 11)
        var orders: [[Int]] = []
        for epoch in 0..<3 {
            var expectedGenerator = generator
            let expected = Self.order(count: count, seed: expectedGenerator.next())
            samples.beginEpoch(using: &generator)
            #expect(generator == expectedGenerator)  // one draw an epoch
            var seen: [Int] = []
            // The first chunk is prepared as the epoch begins, the one of the epoch before:
            // in the last epoch, one that is not asked for.
            let size = epoch == 2 ? 5000 : 7000
            for start in stride(from: 0, to: count, by: size) {
                let range = start..<min(start + size, count)
                let following = range.upperBound < count ? range.upperBound..<min(range.upperBound + size, count) : nil
                try samples.withChunk(range, prefetching: following) { seen += $0.x0.map { Int($0) } }
            }
            #expect(seen == expected)
            orders.append(seen)
        }
        #expect(orders[0] != orders[1] && orders[1] != orders[2])
        #expect(orders[0].sorted() == Array(0..<count))
    }
}
