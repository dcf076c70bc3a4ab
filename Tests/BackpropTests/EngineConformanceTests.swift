import Testing

import BackpropKernelStorage
@_spi(Benchmarks) @testable import Backprop

/// Every engine computes what `ReferenceEngine` computes: one suite, run over all of them.
@Suite struct EngineConformanceTests {
    static let engines: [any TrainingEngine.Type] = [SIMDEngine.self, ParallelEngine.self]

    /// Random samples of a spread that exercises every kernel path; labels 0 and 1.
    static func randomBatch(count: Int, seed: UInt64, spread: Double = 2) -> Dataset {
        var generator = SplitMix64(seed: seed)
        var x0 = [Double](), x1 = [Double](), label = [Double]()
        for _ in 0..<count {
            x0.append(spread * generator.nextGaussian())
            x1.append(spread * generator.nextGaussian())
            label.append(Double(generator.nextIndex(below: 2)))
        }
        return Dataset(validatedX0: x0, x1: x1, label: label)  // finite, and labels 0 or 1
    }

    /// Random parameters with non-zero biases.
    static func randomParameters(seed: UInt64, scale: Double = 1) -> Parameters {
        var generator = SplitMix64(seed: seed)
        let values = Parameters.glorotUniform(using: &generator).flattened.enumerated().map { index, value in
            (ParameterLayout.isBias(index) ? generator.nextUniform(-1, 1) : value) * scale
        }
        return Parameters(flattened: values)
    }

    // Batch sizes that hit the 8-sample groups, the one-sample tail, both together, and
    // (from 512) several shards of the parallel engine on two threads.
    @Test(arguments: [1, 3, 7, 8, 13, 64, 257, 1500])
    func oneStepMatchesTheReference(batchSize: Int) {
        for engine in Self.engines {
            check(engine, batchSize: batchSize)
        }
    }

    func check<Engine: TrainingEngine>(_: Engine.Type, batchSize: Int) {
        for trial in 0..<4 {
            let start = Self.randomParameters(seed: UInt64(100 + trial), scale: trial == 3 ? 3 : 1)
            let batch = Self.randomBatch(count: batchSize, seed: UInt64(batchSize * 10 + trial))
            var reference = ReferenceEngine(parameters: start)
            var engine = Engine(parameters: start, options: EngineOptions(threads: 2))

            let expected = reference.lossAndGradients(batch)
            let got = engine.lossAndGradients(batch)
            // Both sum the same terms in different orders (lanes, trees, fused multiply-adds):
            // each gradient sum of m terms differs by at most ~m·ε times the sum of its terms'
            // magnitudes. Against the largest gradient component that is far below 1e-12
            // for these batch sizes, while any wrong term is off by more than 1e-6.
            let scale = expected.gradients.flattened.map(abs).max()!
            for (index, (a, b)) in zip(got.gradients.flattened, expected.gradients.flattened).enumerated() {
                #expect(abs(a - b) <= 1e-12 * scale, "\(Engine.name) batch \(batchSize) gradient \(index): \(a) vs \(b)")
            }
            #expect(abs(got.loss - expected.loss) <= 1e-12 * expected.loss, "\(Engine.name) loss")

            let referenceLoss = batch.withMiniBatch(0..<batchSize) { reference.step($0, learningRate: 0.5) }
            let engineLoss = batch.withMiniBatch(0..<batchSize) { engine.step($0, learningRate: 0.5) }
            #expect(abs(engineLoss - referenceLoss) <= 1e-12 * referenceLoss, "\(Engine.name) step loss")
            // Parameters are O(0.1 to 3) and move by lr·gradient: relative 1e-12 each.
            for (index, (a, b)) in zip(engine.parameters.flattened, reference.parameters.flattened).enumerated() {
                #expect(abs(a - b) <= 1e-12 * max(abs(b), 1e-3), "\(Engine.name) parameter \(index)")
            }
        }
    }

    @Test func twoEpochsAtBatch16MatchTheReference() throws {
        for engine in Self.engines { try twoEpochs(engine) }
    }

    func twoEpochs<Engine: TrainingEngine>(_: Engine.Type) throws {
        let data = SyntheticData.moons.generate(count: 1000, seed: 3)
        var configuration = TrainingConfiguration()
        configuration.epochs = 2
        configuration.batchSize = 16
        configuration.shuffle = false
        configuration.standardize = false
        let start = Model(parameters: Self.randomParameters(seed: 5))
        let expected = try Trainer<ReferenceEngine>(configuration).train(on: data, from: start)
        let got = try Trainer<Engine>(configuration).train(on: data, from: start)
        // 126 steps, each agreeing to ~1e-15; the differences grow slowly through training.
        for (a, b) in zip(got.parameters.flattened, expected.parameters.flattened) {
            #expect(abs(a - b) <= 1e-9, "\(Engine.name)")
        }
    }

    @Test func predictionsMatchTheReference() {
        for engine in Self.engines { predictions(engine) }
    }

    func predictions<Engine: TrainingEngine>(_: Engine.Type) {
        let parameters = Self.randomParameters(seed: 8)
        // Whole groups of 8, a partial group alone, and both (21: two groups and a tail of 5).
        for count in [1, 7, 8, 16, 21] {
            let data = Self.randomBatch(count: count, seed: 9)
            let expected = ReferenceEngine(parameters: parameters).logits(data)
            let got = Engine(parameters: parameters, options: EngineOptions(threads: 2)).logits(data)
            #expect(got.count == count, "\(Engine.name)")
            for (a, b) in zip(got, expected) {
                // A logit is a short sum of O(1) terms: a few ulps of 1.
                #expect(abs(a - b) <= 1e-13, "\(Engine.name), \(count) samples")
            }
            // Probabilities through the vector sigmoid: within 4 ulps of σ of the engine's own
            // logits (the sigmoid tests measure 3 at worst).
            let probabilities = Engine(parameters: parameters, options: EngineOptions(threads: 2)).predict(data)
            for (p, z) in zip(probabilities, got) {
                #expect(abs(p - sigmoid(z)) <= 4 * p.ulp, "\(Engine.name), \(count) samples")
            }
        }
        #expect(Engine(parameters: parameters, options: EngineOptions()).parameters == parameters)
    }

    @Test func gradientsPassTheGradientCheck() {
        for engine in Self.engines {
            for result in GradientCheck.run(engine, trials: 12, seed: 21) {
                #expect(result.passed, "\(engine.name) \(result.name): \(result.worstRelativeError)")
            }
        }
    }

    @Test func extremeInputsGiveFiniteLossesAndGradients() throws {
        for engine in Self.engines { try extremes(engine) }
    }

    func extremes<Engine: TrainingEngine>(_: Engine.Type) throws {
        let inputs: [Double] = [1e308, -1e308, 1e300, -1e300, 745, -745, 710, -710, 0, -0.0, 1e-308, 5e-324]
        let batch = try Dataset(
            x0: inputs + inputs, x1: inputs.reversed() + inputs,
            label: (0..<(2 * inputs.count)).map { Double($0 % 2) })
        for scale in [1.0, 1e3, 1e300] {
            var engine = Engine(parameters: Self.randomParameters(seed: 4, scale: scale), options: EngineOptions())
            let (loss, gradients) = engine.lossAndGradients(batch)
            #expect(loss.isFinite, "\(Engine.name) scale \(scale)")
            #expect(gradients.flattened.allSatisfy { $0.isFinite }, "\(Engine.name) scale \(scale)")
            let stepLoss = batch.withMiniBatch(0..<batch.count) { engine.step($0, learningRate: 0.5) }
            #expect(stepLoss.isFinite)
            #expect(engine.predict(batch).allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
        }
    }
}

/// Every copy of the kernels this CPU runs agrees with the reference engine, and the
/// copies with fused multiply-adds (x86-64-v3 and v4) give the same bits.
@Suite struct KernelVariantTests {
    static let supported = KernelVariant.allCases.filter(\.isSupported)

    /// A few epochs at batch sizes that use every kernel path, on a given variant.
    static func train<Engine: TrainingEngine>(
        _: Engine.Type, on variant: KernelVariant, optimizer: Optimizer = .sgd(), positiveWeight: Double = 1
    ) throws -> Model {
        var configuration = TrainingConfiguration()
        (configuration.optimizer, configuration.positiveWeight) = (optimizer, positiveWeight)
        if case .adam = optimizer { configuration.learningRate = 0.01 }
        configuration.epochs = 3
        configuration.batchSize = 300  // groups of 16 and 8, a tail, and two shards
        configuration.engineOptions = EngineOptions(threads: 2, kernel: variant)
        return try Trainer<Engine>(configuration).train(on: SyntheticData.moons.generate(count: 1000, seed: 6))
    }

    @Test func everySupportedVariantMatchesTheReference() throws {
        print("kernel variants this CPU runs: \(Self.supported.map(\.rawValue)); skipped: \(KernelVariant.allCases.filter { !$0.isSupported }.map(\.rawValue))")
        let reference = try Self.train(ReferenceEngine.self, on: .baseline)
        for variant in Self.supported {
            for model in [try Self.train(SIMDEngine.self, on: variant), try Self.train(ParallelEngine.self, on: variant)] {
                // 12 steps, each agreeing to ~1e-15; the differences grow slowly through training.
                for (a, b) in zip(model.parameters.flattened, reference.parameters.flattened) {
                    #expect(abs(a - b) <= 1e-9, "\(variant.rawValue)")
                }
            }
        }
    }

    @Test func variantsAreNamedShortOrLong() {
        #expect(KernelVariant(name: "v3") == .v3)
        #expect(KernelVariant(name: "x86-64-v4") == .v4)
        #expect(KernelVariant(name: "baseline") == .baseline)
        #expect(KernelVariant(name: "V4") == nil)
        #expect(KernelVariant(name: "") == nil)
    }

    @Test(.enabled(if: KernelVariant.v4.isSupported)) func v3AndV4GiveTheSameBits() throws {
        #expect(try Self.train(SIMDEngine.self, on: .v3).jsonText == Self.train(SIMDEngine.self, on: .v4).jsonText)
        #expect(try Self.train(ParallelEngine.self, on: .v3).jsonText == Self.train(ParallelEngine.self, on: .v4).jsonText)
        // The update rules and the weighted loss too.
        for (optimizer, weight) in [(Optimizer.adam(weightDecay: 0.01), 2.5), (.sgd(momentum: 0.9, nesterov: true), 0.5)] {
            let v3 = try Self.train(ParallelEngine.self, on: .v3, optimizer: optimizer, positiveWeight: weight)
            #expect(try v3.jsonText == Self.train(ParallelEngine.self, on: .v4, optimizer: optimizer, positiveWeight: weight).jsonText)
            #expect(try v3.jsonText != Self.train(ParallelEngine.self, on: .v3).jsonText)
        }
    }
}
