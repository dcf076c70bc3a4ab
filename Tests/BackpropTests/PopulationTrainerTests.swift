import Foundation
import Synchronization
import Testing

@testable import Backprop

/// A population's models: each the bits of `Trainer<LaneEngine>` alone, whatever its
/// neighbours, the thread count and the stops on the way.
@Suite struct PopulationTrainerTests {
    /// Ten configurations of every optimizer, seeds, splits and early stopping, two batch
    /// sizes: groups full and partial, lanes that share samples and lanes that do not.
    static let configurations: [TrainingConfiguration] = {
        let optimizers: [(Double, Optimizer)] = [
            (0.5, .sgd()), (1.5, .sgd()), (0.2, .sgd(momentum: 0.9)), (0.1, .sgd(momentum: 0.8, nesterov: true, weightDecay: 0.01)),
            (0.02, .adam()), (0.03, .adamW(weightDecay: 0.1)),
        ]
        return (0..<10).map { index in
            var configuration = TrainingConfiguration()
            (configuration.learningRate, configuration.optimizer) = optimizers[index % optimizers.count]
            configuration.epochs = 4
            configuration.seed = UInt64([1, 2, 1, 3, 2][index % 5])
            configuration.batchSize = [8, 8, 1][index % 3]
            configuration.validationFraction = index % 4 == 0 ? 0 : 0.25
            configuration.patience = index == 5 ? 1 : nil
            configuration.positiveWeight = index == 7 ? 2 : 1
            configuration.shuffle = index != 9
            configuration.standardize = index != 6
            return configuration
        }
    }()

    /// The data of a configuration: moons from its seed for some, one shared set for others.
    static let shared = SyntheticData.moons.generate(count: 300, seed: 11)
    static func data(_ configurations: [TrainingConfiguration]) -> [Dataset] {
        configurations.map { $0.seed == 3 ? SyntheticData.moons.generate(count: 300, seed: 3) : shared }
    }

    static func alone(_ configuration: TrainingConfiguration, on data: Dataset) throws -> (TrainingResult<LaneEngine>, [Double]) {
        var losses: [Double] = []
        let result = try Trainer<LaneEngine>(configuration).run(on: data, callbacks: TrainingCallbacks(onEpoch: { losses.append($0.loss) }))
        return (result, losses)
    }

    static func together(_ configurations: [TrainingConfiguration], threads: Int) throws -> ([TrainingResult<LaneEngine>], [[Double]]) {
        let losses = Mutex([[Double]](repeating: [], count: configurations.count))
        let results = try PopulationTrainer(configurations, options: EngineOptions(threads: threads)).run(
            on: data(configurations),
            callbacks: { model in TrainingCallbacks(onEpoch: { report in losses.withLock { $0[model].append(report.loss) } }) })
        return (results, losses.withLock { $0 })
    }

    static func bits(_ progress: TrainingProgress) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(progress)
    }

    /// Every model among the ten, on one thread or two: its model, progress and reported
    /// losses are those of its run alone.
    @Test(arguments: [1, 2]) func eachModelIsItsRunAlone(threads: Int) throws {
        let (results, losses) = try Self.together(Self.configurations, threads: threads)
        for (index, configuration) in Self.configurations.enumerated() {
            let (alone, aloneLosses) = try Self.alone(configuration, on: Self.data([configuration])[0])
            #expect(results[index].model == alone.model, "model \(index)")
            #expect(try Self.bits(results[index].progress) == Self.bits(alone.progress), "model \(index)")
            #expect(losses[index] == aloneLosses, "model \(index)")
        }
        #expect(results[5].progress.outcome == .stoppedEarly || results[5].progress.epochsCompleted == 4)
        // The models differ: a lane reads its own samples and rule.
        #expect(Set(results.map { $0.model.parameters.flattened }).count == results.count)
    }

    /// Without a validation split, models of other seeds on one data set share its rows and
    /// read their own orders (with a split, their own rows): each as it is alone.
    @Test func seedsWithoutASplitShareTheRows() throws {
        let configurations = (1...6).map { seed in
            var configuration = TrainingConfiguration()
            (configuration.seed, configuration.epochs, configuration.learningRate) = (UInt64(seed), 3, 0.5)
            configuration.validationFraction = seed > 4 ? 0.2 : 0
            return configuration
        }
        let together = try PopulationTrainer(configurations, options: EngineOptions(threads: 1))
            .run(on: Array(repeating: Self.shared, count: configurations.count))
        for (configuration, result) in zip(configurations, together) {
            #expect(try result.model == Self.alone(configuration, on: Self.shared).0.model, "seed \(configuration.seed)")
        }
        #expect(Set(together.map { $0.model.parameters.flattened }).count == configurations.count)
    }

    /// Stopped in the first epoch, models of one seed after a model of another on the same
    /// rows checkpoint their own seed's generator, and resume to the run that never stopped.
    @Test func aStopInTheFirstEpochResumesEveryLane() throws {
        let configurations = [(1, 0.5), (2, 0.5), (2, 1.0)].map { seed, rate in
            var configuration = TrainingConfiguration()
            (configuration.seed, configuration.learningRate, configuration.epochs) = (UInt64(seed), rate, 3)
            return configuration
        }
        let data = Array(repeating: Self.shared, count: configurations.count)
        let checkpoints = Mutex([TrainingProgress?](repeating: nil, count: configurations.count))
        let asked = Atomic<Int>(0)
        let trainer = PopulationTrainer(configurations, options: EngineOptions(threads: 1))
        _ = try trainer.run(
            on: data,
            callbacks: { model in
                TrainingCallbacks(
                    stopInterval: 32, onCheckpoint: { progress in checkpoints.withLock { $0[model] = progress } },
                    shouldStop: { asked.wrappingAdd(1, ordering: .relaxed).oldValue == 2 })
            })
        let stopped = checkpoints.withLock { $0 }
        #expect(stopped.allSatisfy { $0?.outcome == .interrupted && $0?.epochsCompleted == 0 })
        for (configuration, checkpoint) in zip(configurations, stopped) {
            var generator = SplitMix64(seed: configuration.seed)
            _ = Parameters.glorotUniform(using: &generator)
            #expect(checkpoint?.epochGenerator == generator, "seed \(configuration.seed)")
        }
        let resumed = try trainer.run(on: data, resuming: stopped, callbacks: { _ in TrainingCallbacks(stopInterval: 32) })
        let uninterrupted = try trainer.run(on: data, callbacks: { _ in TrainingCallbacks(stopInterval: 32) })
        #expect(resumed.map(\.model) == uninterrupted.map(\.model))
    }

    /// What a population cannot train is refused before any training, naming the model.
    @Test func whatCannotTrainIsRefused() throws {
        var split = Self.configurations[1]
        split.validationFraction = 0.9
        let tiny = try Dataset(x0: [0, 1], x1: [1, 0], label: [0, 1])
        let cases: [([TrainingConfiguration], [Dataset], String)] = [
            ([Self.configurations[0]], [], "0 data sets for 1 configurations"),
            ([split], [tiny], "model 0: validationFraction: 0.9 of 2 samples leaves no training sample"),
        ]
        for (configurations, data, message) in cases {
            let error = #expect(throws: PopulationTrainer.SetupError.self) { try PopulationTrainer(configurations).run(on: data) }
            #expect(error?.message.hasPrefix(message) == true, "\(String(describing: error))")
        }
        #expect(throws: PopulationTrainer.SetupError(message: "1 checkpoints for 2 configurations")) {
            try PopulationTrainer(Array(Self.configurations.prefix(2))).run(on: [Self.shared, Self.shared], resuming: [nil])
        }
    }

    /// A model that diverges leaves its neighbours as they are alone.
    @Test func aDivergingNeighbour() throws {
        var wild = Self.configurations[0]
        wild.learningRate = 1e308
        let (results, _) = try Self.together([wild, Self.configurations[1]], threads: 1)
        #expect(results[0].progress.outcome == .diverged)
        #expect(try results[1].model == Self.alone(Self.configurations[1], on: Self.shared).0.model)
    }

    /// Stopped after a few chunks and resumed from the checkpoints it wrote: the models of
    /// the run that never stopped.
    @Test func stopAndResume() throws {
        let configurations = Array(Self.configurations.prefix(6))
        let data = Self.data(configurations)
        let checkpoints = Mutex([TrainingProgress?](repeating: nil, count: configurations.count))
        let asked = Atomic<Int>(0)
        let trainer = PopulationTrainer(configurations, options: EngineOptions(threads: 1))
        let stopped = try trainer.run(
            on: data,
            callbacks: { model in
                TrainingCallbacks(
                    stopInterval: 16, onCheckpoint: { progress in checkpoints.withLock { $0[model] = progress } },
                    shouldStop: { asked.wrappingAdd(1, ordering: .relaxed).oldValue == 40 })
            })
        #expect(stopped.contains { $0.progress.outcome == .interrupted })
        let resumed = try trainer.run(on: data, resuming: checkpoints.withLock { $0 }, callbacks: { _ in TrainingCallbacks(stopInterval: 16) })
        let uninterrupted = try trainer.run(on: data, callbacks: { _ in TrainingCallbacks(stopInterval: 16) })
        #expect(resumed.map(\.model) == uninterrupted.map(\.model))
    }

    /// The AVX2 and AVX-512 kernels give every model the same bits (the gather and its
    /// prefetch included).
    @Test(.enabled(if: KernelVariant.v4.isSupported)) func v3AndV4GiveTheSameBits() throws {
        let configurations = Array(Self.configurations.prefix(8))
        func models(_ kernel: KernelVariant) throws -> [Model] {
            try PopulationTrainer(configurations, options: EngineOptions(threads: 2, kernel: kernel)).run(on: Self.data(configurations)).map(\.model)
        }
        #expect(try models(.v3) == models(.v4))
    }

    /// At batch 1 on one thread, groups of one key train in pairs, their steps side by side
    /// (`trainPopulationPair`): each model, a diverging one and one stopped early among
    /// them, is its run alone; partly full and differently keyed groups train alone.
    @Test func pairedGroupsAreTheirRunsAlone() throws {
        // Plain SGD (0-15: two full groups), Adam with a split (16-25: a full group and a
        // partial one), and one at batch 2 (26: a group of its own).
        let configurations = (0..<27).map { index in
            var configuration = TrainingConfiguration()
            configuration.batchSize = index == 26 ? 2 : 1
            (configuration.epochs, configuration.seed) = (3, UInt64(1 + index % 3))
            (configuration.learningRate, configuration.optimizer) = index < 16 || index == 26 ? (0.05 * Double(1 + index % 16), .sgd()) : (0.01, .adam())
            configuration.validationFraction = (16..<26).contains(index) ? 0.25 : 0
            configuration.patience = index == 17 ? 1 : nil
            if index == 7 { configuration.learningRate = 1e308 }
            return configuration
        }
        let data = Self.data(configurations)
        let plans = configurations.indices.map {
            Lane.Plan(index: $0, configuration: configurations[$0], data: .memory(data[$0]), start: nil, checkpoint: nil, stopInterval: 65_536)
        }
        let groups = PopulationTrainer.groups(of: plans)
        #expect(PopulationTrainer.units(of: groups, models: plans, threads: 1) == [[0, 1], [2, 3], [4]])
        #expect(PopulationTrainer.units(of: groups, models: plans, threads: 3) == [[0], [1], [2], [3], [4]])
        let (results, losses) = try Self.together(configurations, threads: 1)
        #expect(results[7].progress.outcome == .diverged)
        for (index, configuration) in configurations.enumerated() {
            let (alone, aloneLosses) = try Self.alone(configuration, on: data[index])
            #expect(results[index].progress.outcome == alone.progress.outcome, "model \(index)")
            if index == 7 { continue }  // NaN weights: no two are equal
            #expect(results[index].model == alone.model, "model \(index)")
            #expect(try Self.bits(results[index].progress) == Self.bits(alone.progress), "model \(index)")
            #expect(losses[index] == aloneLosses, "model \(index)")
        }
    }

    /// Models shuffled in blocks (of several sizes, with and without a split, beside a model
    /// of the full shuffle) are their runs alone.
    @Test func blockShuffledModelsAreTheirRunsAlone() throws {
        let configurations = (0..<5).map { index in
            var configuration = Self.configurations[index]
            configuration.shuffle = true
            configuration.blockShuffle = index == 4 ? nil : BlockShuffle(blockSize: [16, 7, 300, 1][index], windowBlocks: [3, 1, 32, 4][index])
            return configuration
        }
        let (results, losses) = try Self.together(configurations, threads: 1)
        for (index, configuration) in configurations.enumerated() {
            let (alone, aloneLosses) = try Self.alone(configuration, on: Self.data([configuration])[0])
            #expect(results[index].model == alone.model, "model \(index)")
            #expect(try Self.bits(results[index].progress) == Self.bits(alone.progress), "model \(index)")
            #expect(losses[index] == aloneLosses, "model \(index)")
        }
    }

    /// Streamed from an `.npy` file, shuffled in blocks or in file order, standardised or
    /// not, at two batch sizes, in chunks that span windows: each model, on one thread or
    /// two, is `Trainer<LaneEngine>.run(streaming:)`'s run alone; stopped and resumed, the
    /// run that never stopped.
    @Test(arguments: [1, 2]) func streamedModelsAreTheirRunsAlone(threads: Int) throws {
        let path = StreamingTests.path
        let configurations = (0..<11).map { index in
            var configuration = TrainingConfiguration()
            (configuration.epochs, configuration.seed, configuration.evaluateEvery) = (3, UInt64(1 + index % 3), 2)
            configuration.batchSize = index % 5 == 4 ? 50 : 1
            (configuration.learningRate, configuration.optimizer) = index < 8 ? (0.1 * Double(1 + index), .sgd()) : (0.01, .adam())
            configuration.blockShuffle = BlockShuffle(blockSize: 64, windowBlocks: 8)
            configuration.shuffle = index != 6
            configuration.standardize = index != 7
            return configuration
        }
        let losses = Mutex([[Double]](repeating: [], count: configurations.count))
        let trainer = PopulationTrainer(configurations, options: EngineOptions(threads: threads))
        let results = try trainer.run(
            streaming: NPY.Reader(path: path),
            callbacks: { model in TrainingCallbacks(stopInterval: 700, onEpoch: { report in losses.withLock { $0[model].append(report.loss) } }) })
        for (index, configuration) in configurations.enumerated() {
            var aloneLosses: [Double] = []
            let alone = try Trainer<LaneEngine>(configuration).run(
                streaming: NPY.Reader(path: path), callbacks: TrainingCallbacks(stopInterval: 700, onEpoch: { aloneLosses.append($0.loss) }))
            #expect(results[index].model == alone.model, "model \(index)")
            #expect(try Self.bits(results[index].progress) == Self.bits(alone.progress), "model \(index)")
            #expect(losses.withLock { $0[index] } == aloneLosses, "model \(index)")
        }
        #expect(Set(results.map { $0.model.parameters.flattened }).count == results.count)

        let checkpoints = Mutex([TrainingProgress?](repeating: nil, count: configurations.count))
        let asked = Atomic<Int>(0)
        let stopped = try trainer.run(
            streaming: NPY.Reader(path: path),
            callbacks: { model in
                TrainingCallbacks(
                    stopInterval: 700, onCheckpoint: { progress in checkpoints.withLock { $0[model] = progress } },
                    shouldStop: { asked.wrappingAdd(1, ordering: .relaxed).oldValue == 30 })
            })
        #expect(stopped.contains { $0.progress.outcome == .interrupted })
        let resumed = try trainer.run(
            streaming: NPY.Reader(path: path), resuming: checkpoints.withLock { $0 }, callbacks: { _ in TrainingCallbacks(stopInterval: 700) })
        #expect(resumed.map(\.model) == results.map(\.model))
    }

    /// What a population cannot stream is refused before any training; a file that can no
    /// longer be read is an `InputError`, each model under way checkpointed.
    @Test func whatCannotBeStreamedIsRefused() throws {
        var split = TrainingConfiguration()
        split.validationFraction = 0.2
        let full = TrainingConfiguration()
        for (configuration, message) in [(split, "model 0: validationFraction: a file streamed from disk has no validation split"), (full, "model 0: blockShuffle: a file streamed from disk is shuffled in blocks")] {
            let error = #expect(throws: PopulationTrainer.SetupError.self) {
                try PopulationTrainer([configuration]).run(streaming: NPY.Reader(path: StreamingTests.path))
            }
            #expect(error?.message.hasPrefix(message) == true, "\(String(describing: error))")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("backprop-population-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("cut.npy").path
        try NPY.write(StreamingTests.data, to: path)
        let reader = try NPY.Reader(path: path)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 20_000)
        try handle.close()
        var configuration = TrainingConfiguration()
        (configuration.shuffle, configuration.standardize) = (false, false)
        let checkpoints = Mutex(0)
        #expect(throws: InputError.self) {
            try PopulationTrainer([configuration, configuration]).run(
                streaming: reader, callbacks: { _ in TrainingCallbacks(onCheckpoint: { _ in checkpoints.withLock { $0 += 1 } }) })
        }
        #expect(checkpoints.withLock { $0 } == 2)
    }

    /// The population's orders are `Trainer`'s: the same chunks as `ShuffledChunks` and
    /// `BlockShuffledChunks` (blocks that fill the last window or not, windows of one block
    /// or more than the data), and the data's order unshuffled.
    @Test func theOrdersAreTrainers() throws {
        for count in [1, 700, 40_000] {
            let data = try Dataset(
                x0: (0..<count).map(Double.init), x1: (0..<count).map { -Double($0) }, label: (0..<count).map { Double($0 % 2) })
            let cases: [(any EpochSamples, IndexedSamples.Shuffle)] = [
                (ShuffledChunks(data), .full), (OrderedColumns(data), .none),
                (BlockShuffledChunks(SampleRows(data), shuffle: BlockShuffle()), .blocks(BlockShuffle())),
                (BlockShuffledChunks(SampleRows(data), shuffle: BlockShuffle(blockSize: 64, windowBlocks: 3)), .blocks(BlockShuffle(blockSize: 64, windowBlocks: 3))),
                (BlockShuffledChunks(SampleRows(data), shuffle: BlockShuffle(blockSize: 9, windowBlocks: 1)), .blocks(BlockShuffle(blockSize: 9, windowBlocks: 1))),
            ]
            for (trainers, shuffle) in cases {
                let indexed = IndexedSamples(LaneRows(data), shuffle: shuffle)
                var (first, second) = (SplitMix64(seed: 5), SplitMix64(seed: 5))
                for _ in 0..<2 {
                    trainers.beginEpoch(using: &first)
                    indexed.beginEpoch(using: &second)
                    #expect(first == second, "\(shuffle)")
                    for start in stride(from: 0, to: count, by: 9000) {
                        let range = start..<min(start + 9000, count)
                        let expected = try trainers.withChunk(range, prefetching: nil) { Array($0.x0) }
                        #expect(indexed.withChunk(range, prefetching: nil) { Array($0.x0) } == expected, "\(shuffle), \(count) samples")
                    }
                }
            }
        }
    }
}
