import Foundation
import Testing

@_spi(Benchmarks) @testable import Backprop

@Suite struct ParallelEngineTests {
    /// Trains with shuffling and standardisation for several epochs and returns the model file's bytes.
    static func modelText(threads: Int, batchSize: Int, epochs: Int = 3) throws -> String {
        let data = SyntheticData.moons.generate(count: 6000, seed: 11)
        var configuration = TrainingConfiguration()
        configuration.epochs = epochs
        configuration.batchSize = batchSize
        configuration.engineOptions = EngineOptions(threads: threads)
        configuration.validationFraction = 0.1
        return try Trainer<ParallelEngine>(configuration).train(on: data).jsonText
    }

    // 100 stays serial; 300 is three shards (the last one short); 1000 and 4000 leave a
    // short last batch with shards of its own size.
    @Test(arguments: [100, 300, 1000, 4000])
    func everyThreadCountSavesTheSameBytes(batchSize: Int) throws {
        let one = try Self.modelText(threads: 1, batchSize: batchSize)
        for threads in [2, 3, 8] {
            #expect(try Self.modelText(threads: threads, batchSize: batchSize) == one, "\(threads) threads")
        }
    }

    @Test func savedModelFilesAreByteIdentical() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("backprop-parallel-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var files: [Data] = []
        for threads in [1, 2] {
            let path = folder.appendingPathComponent("m\(threads).json").path
            try AtomicFile.write(Self.modelText(threads: threads, batchSize: 2048), to: path)
            files.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        #expect(files[0] == files[1])
    }

    @Test(arguments: [1, 37, ParallelWorkers.minimumShardSize, 200, ParallelWorkers.parallelThreshold - 1])
    func aBatchBelowTheThresholdGivesTheSIMDEngineBitsExactly(count: Int) {
        // One shard: the same kernel call, so the same numbers bit for bit.
        let start = EngineConformanceTests.randomParameters(seed: 3)
        let batch = EngineConformanceTests.randomBatch(count: count, seed: 4)
        var simd = SIMDEngine(parameters: start)
        var parallel = ParallelEngine(parameters: start, options: EngineOptions(threads: 2))
        let a = batch.withMiniBatch(0..<batch.count) { simd.step($0, learningRate: 0.5) }
        let b = batch.withMiniBatch(0..<batch.count) { parallel.step($0, learningRate: 0.5) }
        #expect(a.bitPattern == b.bitPattern)
        #expect(simd.parameters.flattened.map(\.bitPattern) == parallel.parameters.flattened.map(\.bitPattern))
    }

    @Test func paddingStaysExactlyZero() {
        var engine = ParallelEngine(
            parameters: EngineConformanceTests.randomParameters(seed: 6), options: EngineOptions(threads: 2))
        let data = EngineConformanceTests.randomBatch(count: 5000, seed: 7)
        for _ in 0..<20 {
            data.withMiniBatch(0..<data.count) { engine.trainEpoch($0, batchSize: 1200, learningRate: 0.5) }
        }
        #expect(engine.paddingIsZero)
    }

    @Test func epochEqualsSteppingBatchByBatch() {
        let start = EngineConformanceTests.randomParameters(seed: 8)
        let data = EngineConformanceTests.randomBatch(count: 3000, seed: 9)
        var epoch = ParallelEngine(parameters: start, options: EngineOptions(threads: 2))
        var stepped = ParallelEngine(parameters: start, options: EngineOptions(threads: 2))
        data.withMiniBatch(0..<data.count) { epoch.trainEpoch($0, batchSize: 1024, learningRate: 0.5) }
        for lower in stride(from: 0, to: 3000, by: 1024) {
            _ = data.withMiniBatch(lower..<min(lower + 1024, 3000)) { stepped.step($0, learningRate: 0.5) }
        }
        #expect(epoch.parameters.flattened.map(\.bitPattern) == stepped.parameters.flattened.map(\.bitPattern))
    }
}
