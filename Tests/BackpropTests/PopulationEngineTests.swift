import Testing

@_spi(Benchmarks) @testable import Backprop

/// The population engine: each model as if trained alone, whatever its neighbours, its lane
/// and the thread count.
@Suite struct PopulationEngineTests {
    static let data = EngineConformanceTests.randomBatch(count: 1500, seed: 31, spread: 1)
    /// 11 models: a full group of eight and three in a second group, each its own start and rate.
    static let starts = (0..<11).map { EngineConformanceTests.randomParameters(seed: UInt64(200 + $0)) }
    static let rates = (0..<11).map { 0.05 + 0.1 * Double($0) }

    static func population(_ starts: [Parameters], _ rates: [Double], batchSize: Int, threads: Int = 2) -> (models: [Parameters], losses: [Double]) {
        var engine = PopulationEngine(models: starts, learningRates: rates, options: EngineOptions(threads: threads))
        var losses = [Double](repeating: 0, count: starts.count)
        for _ in 0..<2 {
            let epoch = data.withMiniBatch(0..<data.count) { engine.trainEpoch($0, batchSize: batchSize) }
            losses = zip(losses, epoch).map(+)
        }
        return (engine.parameters, losses)
    }

    /// Each model agrees with the SIMD engine training it alone, at a batch of 1, 16 (with a
    /// tail) and 1024, after 2 epochs. The gradient sums run in another order (sample by
    /// sample here, 16 lanes there): ~1e-16 a step, far below 1e-12 after at most 3000
    /// steps on these well-scaled samples, while a wrong term is off by 1e-6 or more.
    @Test(arguments: [1, 16, 1024])
    func everyModelMatchesTheSIMDEngine(batchSize: Int) {
        let (models, losses) = Self.population(Self.starts, Self.rates, batchSize: batchSize)
        for (index, start) in Self.starts.enumerated() {
            var alone = SIMDEngine(parameters: start)
            var loss = 0.0
            for _ in 0..<2 {
                loss += Self.data.withMiniBatch(0..<Self.data.count) { alone.trainEpoch($0, batchSize: batchSize, learningRate: Self.rates[index]) }
            }
            let worst = zip(models[index].flattened, alone.parameters.flattened).map { abs($0 - $1) }.max()!
            #expect(worst <= 1e-12, "model \(index), batch \(batchSize): \(worst)")
            #expect(abs(losses[index] - loss) <= 1e-12 * loss, "model \(index) loss")
        }
    }

    /// A model's bits depend on nothing but itself: alone, or in lane 2 of the second group
    /// beside other models, on one thread or two.
    @Test func aModelIsTheSameWhateverItsNeighboursLaneAndThreads() {
        let (start, rate) = (Self.starts[3], Self.rates[3])
        let alone = Self.population([start], [rate], batchSize: 16, threads: 1)
        var starts = Array(Self.starts.reversed())
        var rates = Array(Self.rates.reversed())
        (starts[10], rates[10]) = (start, rate)  // lane 2 of group 1
        for threads in [1, 2] {
            let crowd = Self.population(starts, rates, batchSize: 16, threads: threads)
            #expect(crowd.models[10] == alone.models[0], "threads \(threads)")
            #expect(crowd.losses[10] == alone.losses[0])
        }
        #expect(Self.population(starts, rates, batchSize: 16, threads: 1).models.first != alone.models[0])
    }

    /// The unused lanes of a partial group stay exactly 0.0.
    @Test func unusedLanesStayZero() {
        var engine = PopulationEngine(models: Array(Self.starts.prefix(3)), learningRates: [0.5, 1, 2])
        Self.data.withMiniBatch(0..<Self.data.count) { _ = engine.trainEpoch($0, batchSize: 7) }
        #expect(engine.unusedLanesAreZero)
        #expect(engine.parameters.count == 3 && engine.parameters.allSatisfy(\.isFinite))
    }
}
