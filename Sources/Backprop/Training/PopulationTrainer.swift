/// Epochs of a population, each model on its own shuffle: models with the same shuffling
/// seed share one order per epoch, and so one pass over the data (one `PopulationEngine`
/// per seed).
///
/// Each epoch of seed s visits every sample once, in the order of a Fisher-Yates shuffle of
/// the sample indices drawn from a generator seeded with s (continuing from epoch to epoch);
/// without shuffling, every epoch is in the order given. A model's parameters depend on its
/// member settings, its seed and the data only: not on the other models, nor on the threads.
public struct PopulationTrainer: Sendable {
    /// One engine per shuffling seed, with the members it holds (indices into the members).
    private var engines: [(seed: UInt64, engine: PopulationEngine, members: [Int], generator: SplitMix64)]
    private let memberCount: Int
    /// An epoch's samples in a seed's order, its storage reused from seed to seed.
    private var shuffled = Dataset(validatedX0: [], x1: [], label: [])
    /// Reshuffle every epoch; false keeps the order given.
    public let shuffle: Bool

    /// A population of `members`, member i shuffled by `seeds[i]`.
    ///
    /// - Precondition: as many seeds as members, at least one.
    public init(
        _ members: [PopulationEngine.Member], seeds: [UInt64], shuffle: Bool = true, options: EngineOptions = EngineOptions()
    ) {
        precondition(!members.isEmpty && members.count == seeds.count, "one seed per member")
        var bySeed: [UInt64: [Int]] = [:]
        for (index, seed) in seeds.enumerated() { bySeed[seed, default: []].append(index) }
        engines = bySeed.keys.sorted().map { seed in
            let indices = bySeed[seed]!
            return (seed, PopulationEngine(indices.map { members[$0] }, options: options), indices, SplitMix64(seed: seed))
        }
        memberCount = members.count
        self.shuffle = shuffle
    }

    /// Every model's current parameters, in the members' order.
    public var parameters: [Parameters] {
        var result = [Parameters](repeating: .zero, count: memberCount)
        for group in engines {
            for (parameters, member) in zip(group.engine.parameters, group.members) { result[member] = parameters }
        }
        return result
    }

    /// One epoch for every model on `data`; each model's mean loss over its mini-batches
    /// (each sample's loss before its batch's update), in the members' order.
    @discardableResult
    public mutating func trainEpoch(on data: Dataset) -> [Double] {
        precondition(!data.isEmpty, "no training data")
        var losses = [Double](repeating: 0, count: memberCount)
        for index in engines.indices {
            if shuffle {
                var order = Array(0..<data.count)
                engines[index].generator.shuffle(&order)
                shuffled.gather(from: data, at: order)
            }
            let epoch = shuffle ? shuffled : data
            let sums = epoch.withMiniBatch(0..<epoch.count) { engines[index].engine.trainEpoch($0) }
            for (sum, member) in zip(sums, engines[index].members) { losses[member] = sum / Double(data.count) }
        }
        return losses
    }
}
