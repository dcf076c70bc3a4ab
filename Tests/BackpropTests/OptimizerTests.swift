import Foundation
import Testing

@_spi(Benchmarks) @testable import Backprop

/// The optimizers and the positive weight: their arithmetic against hand-computed steps,
/// every engine against the reference, padding, threads, and the moons benchmark of the docs.
@Suite struct OptimizerTests {
    static let data = EngineConformanceTests.randomBatch(count: 1500, seed: 77, spread: 1)
    static let start = EngineConformanceTests.randomParameters(seed: 5)

    /// Every setting the CLI offers, with a learning rate that suits it.
    static let settings: [(Optimizer, Double)] = [
        (.sgd(momentum: 0.9), 0.1), (.sgd(momentum: 0.8, nesterov: true, weightDecay: 0.01), 0.1),
        (.sgd(weightDecay: 0.05), 0.5), (.adam(), 0.01), (.adam(beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.02), 0.01),
        (.adamW(weightDecay: 0.1), 0.01),
    ]

    /// `epochs` epochs of `rule` on `data` from `start`; the parameters and the state.
    static func train<Engine: TrainingEngine>(
        _: Engine.Type, _ rule: UpdateRule, batchSize: Int, epochs: Int = 2, threads: Int = 2, data: Dataset = data
    ) -> (Parameters, OptimizerState) {
        var engine = Engine(parameters: start, options: EngineOptions(threads: threads))
        var state = OptimizerState()
        for _ in 0..<epochs {
            data.withMiniBatch(0..<data.count) { _ = engine.trainEpoch($0, batchSize: batchSize, rule: rule, state: &state) }
        }
        return (engine.parameters, state)
    }

    /// One step by hand, from the formulas of PyTorch's documentation, on the reference's gradient.
    /// Unless set, the learning rate is the optimizer's default: 1 for SGD, PyTorch's 0.001
    /// for Adam and AdamW, whenever the optimizer is chosen; one set stays. A checkpoint
    /// keeps the rate the run took, and reads back equal.
    @Test func theLearningRateDefaultsToTheOptimizers() throws {
        var configuration = TrainingConfiguration()
        #expect(configuration.learningRate == 1)
        configuration.optimizer = .adam()
        #expect(configuration.learningRate == 0.001)
        configuration.optimizer = .adamW(weightDecay: 0.01)
        #expect(configuration.learningRate == 0.001)
        let decoded = try JSONDecoder().decode(TrainingConfiguration.self, from: JSONEncoder().encode(configuration))
        #expect(decoded == configuration && decoded.learningRate == 0.001)
        configuration.learningRate = 0.05
        configuration.optimizer = .sgd()
        #expect(configuration.learningRate == 0.05)
        // Adam at its default rate learns moons; at SGD's 1 it did not (48%, one class).
        var adam = TrainingConfiguration()
        (adam.optimizer, adam.epochs) = (.adam(), 100)
        let data = SyntheticData.moons.generate(count: 1000, seed: 5)
        #expect(try Trainer<SIMDEngine>(adam).train(on: data).evaluate(on: data).accuracy > 0.85)
    }

    @Test func firstStepsMatchTheDocumentedFormulas() {
        let batch = Self.data.selecting(0..<64)
        let (lr, g) = (0.01, ReferenceEngine(parameters: Self.start).lossAndGradients(batch).gradients.flattened)
        let theta = Self.start.flattened
        func stepped(_ optimizer: Optimizer, steps: Int = 1) -> [Double] {
            var engine = ReferenceEngine(parameters: Self.start)
            var state = OptimizerState()
            for _ in 0..<steps {
                _ = batch.withMiniBatch(0..<64) { engine.step($0, rule: UpdateRule(learningRate: lr, optimizer: optimizer), state: &state) }
            }
            return engine.parameters.flattened
        }
        // Adam's first step moves every parameter by lr·g/(|g| + ε), about lr, whatever g's size.
        for (i, value) in stepped(.adam()).enumerated() {
            let expected = theta[i] - lr * g[i] / (abs(g[i]) + 1e-8)
            #expect(abs(value - expected) <= 1e-15, "parameter \(i)")
        }
        // AdamW: the same after shrinking θ by 1 − lr·λ.
        for (i, value) in stepped(.adamW(weightDecay: 0.5)).enumerated() {
            let expected = theta[i] * (1 - lr * 0.5) - lr * g[i] / (abs(g[i]) + 1e-8)
            #expect(abs(value - expected) <= 1e-15, "parameter \(i)")
        }
        // SGD with momentum: the buffer starts as the gradient, so the first step is plain SGD;
        // with weight decay the gradient is g + λθ; Nesterov's first step is g + μg.
        #expect(stepped(.sgd(momentum: 0.9)) == stepped(.sgd()))
        for (i, value) in stepped(.sgd(weightDecay: 0.3)).enumerated() {
            #expect(value == theta[i] - lr * (g[i] + 0.3 * theta[i]), "parameter \(i)")
        }
        for (i, value) in stepped(.sgd(momentum: 0.5, nesterov: true)).enumerated() {
            #expect(value == theta[i] - lr * (g[i] + 0.5 * g[i]), "parameter \(i)")
        }
    }

    /// Every engine applies every optimizer as the reference does, at a batch of 16 (the
    /// one-sample tail) and of 1024 (split into shards on two threads).
    @Test(arguments: [16, 1024])
    func everyEngineMatchesTheReference(batchSize: Int) {
        for (optimizer, lr) in Self.settings {
            let rule = UpdateRule(learningRate: lr, optimizer: optimizer, positiveWeight: 1.5)
            let (expected, expectedState) = Self.train(ReferenceEngine.self, rule, batchSize: batchSize)
            // The gradients differ in summation order (~1e-16 each step, see the conformance
            // tests); 2 epochs of up to 188 steps keep the parameters within 1e-12, while a
            // wrong rule or setting is off by 1e-6 or more (the oracle's mutation check).
            for (name, got) in [
                ("simd", Self.train(SIMDEngine.self, rule, batchSize: batchSize)),
                ("parallel", Self.train(ParallelEngine.self, rule, batchSize: batchSize)),
            ] {
                let worst = zip(got.0.flattened, expected.flattened).map { abs($0 - $1) }.max()!
                #expect(worst <= 1e-12, "\(name) \(optimizer) batch \(batchSize): \(worst)")
                #expect(got.1.steps == expectedState.steps)
                #expect(got.1.first.count == expectedState.first.count)
            }
        }
    }

    /// Padding lanes stay exactly 0.0 under every optimizer: in the weights and in the state.
    @Test func paddingStaysZero() {
        for (optimizer, lr) in Self.settings {
            let rule = UpdateRule(learningRate: lr, optimizer: optimizer)
            var simd = SIMDEngine(parameters: Self.start)
            var parallel = ParallelEngine(parameters: Self.start, options: EngineOptions(threads: 2))
            var (a, b) = (OptimizerState(), OptimizerState())
            Self.data.withMiniBatch(0..<Self.data.count) {
                simd.trainEpoch($0, batchSize: 7, rule: rule, state: &a)
                parallel.trainEpoch($0, batchSize: 600, rule: rule, state: &b)
            }
            #expect(simd.paddingIsZero && parallel.paddingIsZero, "\(optimizer)")
            #expect(a.blocks.first.paddingIsZero && a.blocks.second.paddingIsZero)
            #expect(b.steps == 3 && a.steps == (1500 + 6) / 7)
        }
    }

    /// With Adam, one and two threads give the same bits at a batch that is split into shards.
    @Test func adamIsTheSameOnAnyThreadCount() {
        let rule = UpdateRule(learningRate: 0.01, optimizer: .adam(), positiveWeight: 2)
        let one = Self.train(ParallelEngine.self, rule, batchSize: 1024, epochs: 3, threads: 1)
        let two = Self.train(ParallelEngine.self, rule, batchSize: 1024, epochs: 3, threads: 2)
        #expect(one.0 == two.0 && one.1 == two.1)
    }

    /// The positive weight w counts a positive sample's loss term w times: the weighted mean
    /// loss and gradient are (Σ over negatives + w · Σ over positives) / m.
    @Test(arguments: [0.25, 1, 3])
    func thePositiveWeightWeighsPositives(weight: Double) {
        let batch = Self.data.selecting(0..<300)
        let positives = batch.selecting(batch.label.indices.filter { batch.label[$0] == 1 })
        let negatives = batch.selecting(batch.label.indices.filter { batch.label[$0] == 0 })
        #expect(positives.count > 100 && negatives.count > 100)
        for engine in [ReferenceEngine.self, SIMDEngine.self, ParallelEngine.self] as [any TrainingEngine.Type] {
            check(engine, batch, positives, negatives, weight)
        }
    }

    func check<Engine: TrainingEngine>(_: Engine.Type, _ batch: Dataset, _ positives: Dataset, _ negatives: Dataset, _ w: Double) {
        let engine = Engine(parameters: Self.start, options: EngineOptions(threads: 2))
        let got = batch.withMiniBatch(0..<batch.count) { engine.lossAndGradients($0, positiveWeight: w) }
        let (p, n) = (engine.lossAndGradients(positives), engine.lossAndGradients(negatives))
        let (mp, mn, m) = (Double(positives.count), Double(negatives.count), Double(batch.count))
        let expectedLoss = (n.loss * mn + w * p.loss * mp) / m
        // The same terms summed in another grouping: rounding of order 1e-16 of each sum.
        #expect(abs(got.loss - expectedLoss) <= 1e-13, "\(Engine.name) loss")
        let expected = zip(n.gradients.flattened, p.gradients.flattened).map { ($0 * mn + w * $1 * mp) / m }
        for (a, b) in zip(got.gradients.flattened, expected) { #expect(abs(a - b) <= 1e-13, "\(Engine.name) gradient") }
        if w == 1 {
            // Weight 1 is plain cross-entropy, to the bit.
            let plain = batch.withMiniBatch(0..<batch.count) { engine.lossAndGradients($0) }
            #expect(got.loss == plain.loss && got.gradients == plain.gradients)
        }
    }

    /// The docs' claim: on moons, Nesterov momentum 0.9 at learning rate 0.3 reaches at least
    /// 95% mean accuracy over seeds 1-5 in 60 epochs (2000 samples, batch 32: the CLI's defaults).
    @Test func nesterovLearnsMoonsIn60Epochs() throws {
        var configuration = TrainingConfiguration()
        (configuration.epochs, configuration.learningRate) = (60, 0.3)
        configuration.optimizer = .sgd(momentum: 0.9, nesterov: true)
        var accuracies: [Double] = []
        for seed in 1...5 as ClosedRange<UInt64> {
            configuration.seed = seed
            let data = SyntheticData.moons.generate(count: 2000, noise: 0.2, seed: seed)
            accuracies.append(try Trainer<SIMDEngine>(configuration).train(on: data).evaluate(on: data).accuracy)
        }
        #expect(accuracies.reduce(0, +) / 5 >= 0.95, "\(accuracies)")
    }
}
