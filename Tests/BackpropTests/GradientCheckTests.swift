import Testing

@_spi(Benchmarks) @testable import Backprop

@Suite struct GradientCheckTests {
    @Test func referenceGradientsMatchFiniteDifferences() {
        let results = GradientCheck.run(ReferenceEngine.self, trials: 30, seed: 11)
        #expect(results.count == 6)
        for result in results {
            #expect(result.worstRelativeError < GradientCheck.tolerance, "\(result.name)")
        }
    }

    @Test func checkCatchesAWrongGradient() {
        // An engine whose output-bias gradient is off by 0.1% must fail the check.
        struct Skewed: TrainingEngine {
            static let name = "skewed"
            var inner: ReferenceEngine
            var parameters: Parameters {
                get { inner.parameters }
                set { inner.parameters = newValue }
            }
            init(parameters: Parameters, options: EngineOptions) { inner = ReferenceEngine(parameters: parameters) }
            func lossAndGradients(_ batch: MiniBatch, positiveWeight: Double) -> (loss: Double, gradients: Parameters) {
                var (loss, gradients) = inner.lossAndGradients(batch, positiveWeight: positiveWeight)
                gradients.output.bias[0] *= 1.001
                return (loss, gradients)
            }
            func logits(_ inputs: MiniBatch, into output: UnsafeMutableBufferPointer<Double>) {
                inner.logits(inputs, into: output)
            }
        }
        let results = GradientCheck.run(Skewed.self, trials: 3)
        #expect(results.first { $0.name == "output.bias" }?.passed == false)
        #expect(results.first { $0.name == "hidden1.weights" }?.passed == true)
    }
}
