import Testing

@_spi(Benchmarks) @testable import Backprop

/// The population engine: each model as if trained alone, whatever its neighbours, its lane
/// and the thread count.
@Suite struct PopulationEngineTests {
    static let data = EngineConformanceTests.randomBatch(count: 1500, seed: 31, spread: 1)

    /// 13 models of every optimizer, some with a positive weight, at three batch sizes: groups
    /// of one kind and batch size, some full, some not.
    static let members: [PopulationEngine.Member] = {
        let rules: [UpdateRule] = [
            UpdateRule(learningRate: 0.5), UpdateRule(learningRate: 1.5, positiveWeight: 2),
            UpdateRule(learningRate: 0.1, optimizer: .sgd(momentum: 0.9)),
            UpdateRule(learningRate: 0.1, optimizer: .sgd(momentum: 0.8, nesterov: true, weightDecay: 0.01)),
            UpdateRule(learningRate: 0.01, optimizer: .adam()),
            UpdateRule(learningRate: 0.02, optimizer: .adam(beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.02), positiveWeight: 0.5),
            UpdateRule(learningRate: 0.01, optimizer: .adamW(weightDecay: 0.1)),
        ]
        return (0..<13).map { index in
            PopulationEngine.Member(
                parameters: EngineConformanceTests.randomParameters(seed: UInt64(200 + index)), rule: rules[index % rules.count],
                batchSize: [1, 16, 1024][index % 3])
        }
    }()

    static func population(_ members: [PopulationEngine.Member], threads: Int = 2, on data: Dataset = data)
        -> (models: [Parameters], losses: [Double])
    {
        var engine = PopulationEngine(members, options: EngineOptions(threads: threads))
        var losses = [Double](repeating: 0, count: members.count)
        for _ in 0..<2 {
            let epoch = data.withMiniBatch(0..<data.count) { engine.trainEpoch($0) }
            losses = zip(losses, epoch).map(+)
        }
        #expect(engine.unusedLanesAreZero)
        return (engine.parameters, losses)
    }

    /// Each model agrees with the SIMD engine training it alone by its rule and batch size,
    /// after 2 epochs. The gradient sums run in another order (sample by sample here, 16
    /// lanes there): ~1e-16 a step, below 1e-12 after at most 3000 steps on these
    /// well-scaled samples, while a wrong term or setting is off by 1e-6 or more.
    @Test func everyModelMatchesTheSIMDEngine() {
        let (models, losses) = Self.population(Self.members)
        for (index, member) in Self.members.enumerated() {
            var alone = SIMDEngine(parameters: member.parameters)
            var state = OptimizerState()
            var loss = 0.0
            for _ in 0..<2 {
                loss += Self.data.withMiniBatch(0..<Self.data.count) {
                    alone.trainEpoch($0, batchSize: member.batchSize, rule: member.rule, state: &state)
                }
            }
            let worst = zip(models[index].flattened, alone.parameters.flattened).map { abs($0 - $1) }.max()!
            #expect(worst <= 1e-12, "model \(index) (\(member.rule.optimizer), batch \(member.batchSize)): \(worst)")
            #expect(abs(losses[index] - loss) <= 1e-12 * loss, "model \(index) loss: \(losses[index]) vs \(loss)")
        }
    }

    /// A model's bits depend on nothing but itself: alone, or in another lane beside other
    /// models of its kind and batch size, on one thread or two (on 1100 samples: an epoch of
    /// one batch of 1024 and a smaller one).
    @Test func aModelIsTheSameWhateverItsNeighboursLaneAndThreads() {
        let data = Self.data.selecting(0..<1100)
        for index in [4, 5, 9] {  // Adam at batch 16, Adam with a positive weight at 1024, Nesterov at 1
            let alone = Self.population([Self.members[index]], threads: 1, on: data)
            var crowd = Array(Self.members.reversed())
            crowd.insert(Self.members[index], at: 6)
            for threads in [1, 2] {
                let result = Self.population(crowd, threads: threads, on: data)
                #expect(result.models[6] == alone.models[0], "model \(index), threads \(threads)")
                #expect(result.losses[6] == alone.losses[0])
            }
        }
    }

    /// At batch 1, a thread trains its groups two at a time, their steps side by side: a
    /// model is the same bits alone as in the first or second group of a pair, or in a
    /// third group of its own, of plain SGD or Adam, on one thread or two.
    @Test func aModelIsTheSameInAPairOfGroups() {
        let data = Self.data.selecting(0..<300)
        for rule in [UpdateRule(learningRate: 0.5), UpdateRule(learningRate: 0.01, optimizer: .adam())] {
            let crowd = (0..<17).map { index in
                let rule = UpdateRule(
                    learningRate: rule.learningRate * (1 + Double(index) / 10), optimizer: rule.optimizer, positiveWeight: rule.positiveWeight)
                return PopulationEngine.Member(
                    parameters: EngineConformanceTests.randomParameters(seed: UInt64(300 + index)), rule: rule, batchSize: 1)
            }
            for threads in [1, 2] {
                let result = Self.population(crowd, threads: threads, on: data)
                for index in [3, 12, 16] {
                    let alone = Self.population([crowd[index]], threads: 1, on: data)
                    #expect(result.models[index] == alone.models[0], "model \(index), \(rule.optimizer), threads \(threads)")
                    #expect(result.losses[index] == alone.losses[0])
                }
            }
        }
    }

    /// Plain SGD at one batch size, as `bench --engine population` runs it: the unused lanes
    /// of a partial group stay exactly 0.0.
    @Test func aPartialGroupOfPlainSGD() {
        var engine = PopulationEngine(models: Self.members.prefix(3).map(\.parameters), learningRates: [0.5, 1, 2], batchSize: 7)
        Self.data.withMiniBatch(0..<Self.data.count) { _ = engine.trainEpoch($0) }
        #expect(engine.unusedLanesAreZero)
        #expect(engine.parameters.count == 3 && engine.parameters.allSatisfy(\.isFinite))
    }
}
