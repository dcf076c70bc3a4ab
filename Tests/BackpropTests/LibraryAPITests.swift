import Foundation
import Testing

@_spi(Benchmarks) @testable import Backprop

/// The library as client code meets it: values, a caller's engine, raw-input prediction,
/// an engine written without pointers, engines trained from tasks.
@Suite struct LibraryAPITests {
    static let data = SyntheticData.moons.generate(count: 1200, seed: 5)

    static func configuration() -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.epochs = 3
        configuration.batchSize = 300  // two shards of the parallel engine on two threads
        return configuration
    }

    /// A copy of an engine is independent: training the original leaves the copy where it was.
    @Test func engineCopiesNeverShareState() {
        func check<Engine: TrainingEngine>(_: Engine.Type) {
            let start = Parameters.glorotUniform(seed: 3)
            var engine = Engine(parameters: start, options: EngineOptions(threads: 2))
            let snapshot = engine
            Self.data.withMiniBatch(0..<600) { _ = engine.step($0, learningRate: 1) }
            #expect(snapshot.parameters == start, "\(Engine.name)")
            #expect(engine.parameters != start, "\(Engine.name)")
            // And the other way round: stepping the copy leaves the original.
            var copy = engine
            let before = engine.parameters
            Self.data.withMiniBatch(0..<600) { copy.trainEpoch($0, batchSize: 300, learningRate: 1) }
            #expect(engine.parameters == before, "\(Engine.name)")
        }
        check(ReferenceEngine.self)
        check(SIMDEngine.self)
        check(ParallelEngine.self)
    }

    /// A caller's engine, trained and handed back: the bits of the trainer's own engine.
    @Test func trainerRunsTheCallersEngine() throws {
        let start = Parameters.glorotUniform(seed: 11)
        let own = try Trainer<ParallelEngine>(Self.configuration()).run(on: Self.data, from: Model(parameters: start))
        let engine = ParallelEngine(parameters: start, options: EngineOptions(threads: 2))
        let given = try Trainer<ParallelEngine>(Self.configuration()).run(engine, on: Self.data)
        #expect(given.model == own.model)
        #expect(given.engine.parameters == own.model.parameters)
        #expect(engine.parameters == start)  // the caller's value is untouched
    }

    /// The model applies its own standardisation: raw points give the probabilities that the
    /// prepared points give the engine.
    @Test func modelPredictsFromRawInputs() throws {
        let raw = Self.data.mapFeatures { x0, x1 in (x0 * 40 + 7, x1 * 3 - 2) }
        let model = try Trainer<SIMDEngine>(Self.configuration()).train(on: raw)
        let points = try Dataset(x0: [7, 47, -33], x1: [-2, 1, -5])
        let expected = SIMDEngine(parameters: model.parameters).predict(model.prepare(points))
        #expect(model.probabilities(for: points) == expected)
        #expect(try model.probabilities(x0: points.x0, x1: points.x1) == expected)
        #expect(model.probability(x0: 47, x1: 1) == expected[1])
        #expect(model.classes(for: points) == expected.map { $0 >= 0.5 ? 1 : 0 })
        // A logit is a short sum of O(1) terms: engines agree to a few ulps.
        for (a, b) in zip(model.probabilities(for: points, using: ReferenceEngine.self), expected) {
            #expect(abs(a - b) <= 1e-13)
        }
        #expect(model.evaluate(on: raw) == SIMDEngine(parameters: model.parameters).evaluate(model.prepare(raw)))
    }

    /// An engine a client writes in a few lines, without pointers: it delegates the
    /// arithmetic to the reference engine and predicts one sample at a time.
    struct DelegatingEngine: TrainingEngine {
        var inner: ReferenceEngine
        init(parameters: Parameters, options: EngineOptions) { inner = ReferenceEngine(parameters: parameters, options: options) }
        var parameters: Parameters {
            get { inner.parameters }
            set { inner.parameters = newValue }
        }
        func lossAndGradients(_ batch: MiniBatch, positiveWeight: Double) -> (loss: Double, gradients: Parameters) {
            inner.lossAndGradients(batch, positiveWeight: positiveWeight)
        }
        func logit(x0: Double, x1: Double) -> Double {
            let (a, b) = (inner.parameters.hidden1, inner.parameters.hidden2)
            let h1 = (0..<5).map { sigmoid(a.weights[$0][0] * x0 + a.weights[$0][1] * x1 + a.bias[$0]) }
            let h2 = (0..<5).map { i in sigmoid((0..<5).reduce(b.bias[i]) { $0 + b.weights[i][$1] * h1[$1] }) }
            let output = inner.parameters.output
            return (0..<5).reduce(output.bias[0]) { $0 + output.weights[0][$1] * h2[$1] }
        }
    }

    /// An engine with neither `logit` nor `logits` of its own, whose defaults would call
    /// each other until the stack overflowed.
    struct PredictionlessEngine: TrainingEngine {
        var parameters: Parameters
        init(parameters: Parameters, options: EngineOptions) { self.parameters = parameters }
        func lossAndGradients(_ batch: MiniBatch, positiveWeight: Double) -> (loss: Double, gradients: Parameters) {
            ReferenceEngine(parameters: parameters).lossAndGradients(batch, positiveWeight: positiveWeight)
        }
    }

    /// It stops with a message that says what to implement (in a child process, as a trap
    /// ends the process).
    @Test func anEngineWithoutPredictionsSaysWhatToImplement() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let engine = PredictionlessEngine(parameters: Parameters.glorotUniform(seed: 1), options: EngineOptions())
            _ = engine.logit(x0: 0, x1: 0)
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("PredictionlessEngine implements neither logit(x0:x1:) nor logits(_:into:)"), "\(message)")
        }
    }

    @Test func aClientEngineNeedsNoPointers() throws {
        #expect(DelegatingEngine.name == "DelegatingEngine")
        let reference = try Trainer<ReferenceEngine>(Self.configuration()).train(on: Self.data)
        let delegating = try Trainer<DelegatingEngine>(Self.configuration()).train(on: Self.data)
        #expect(delegating == reference)
        // Its evaluation goes through the default `logits(_:into:)`, one `logit` at a time;
        // the same sums in another order: 1e-12 on a mean loss of order 0.1.
        let points = reference.prepare(Self.data)
        let mine = DelegatingEngine(parameters: reference.parameters, options: EngineOptions()).evaluate(points)
        let theirs = ReferenceEngine(parameters: reference.parameters).evaluate(points)
        #expect(mine.count == theirs.count && mine.truePositives == theirs.truePositives)
        #expect(abs(mine.loss - theirs.loss) <= 1e-12)
    }

    /// Engines trained at once from two tasks, each its own value.
    @Test func enginesTrainConcurrentlyInTasks() async throws {
        let configuration = Self.configuration()
        async let first = Trainer<SIMDEngine>(configuration).run(on: Self.data).model
        async let second = Trainer<ParallelEngine>(configuration).run(on: Self.data).model
        let (a, b) = await (try first, try second)
        #expect(try a == Trainer<SIMDEngine>(configuration).train(on: Self.data))
        #expect(try b == Trainer<ParallelEngine>(configuration).train(on: Self.data))
    }

    /// Evaluations of parts merge into the evaluation of the whole.
    @Test func evaluationsMerge() throws {
        let model = try Trainer<SIMDEngine>(Self.configuration()).train(on: Self.data)
        let whole = model.evaluate(on: Self.data)
        var merged = model.evaluate(on: Self.data.selecting(0..<500))
        merged.merge(model.evaluate(on: Self.data.selecting(500..<1200)))
        #expect(merged.count == whole.count)
        #expect(merged.truePositives == whole.truePositives && merged.falseNegatives == whole.falseNegatives)
        // Sums in two parts instead of one: rounding of 1200 terms of order 1, 1e-13 relative.
        #expect(abs(merged.loss - whole.loss) <= 1e-13 * whole.loss)
        let built = Evaluation(count: 4, loss: 0.5, truePositives: 1, falsePositives: 1, trueNegatives: 1, falseNegatives: 1)
        #expect(built.accuracy == 0.5 && built.precision == 0.5)
    }
}
