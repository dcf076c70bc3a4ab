import Testing

import BackpropKernelStorage
@_spi(Benchmarks) @testable import Backprop

@Suite struct EvaluationTests {
    /// Logits over the whole range that matters (saturated ones included) and random labels.
    static func samples(_ count: Int, seed: UInt64) -> (logits: [Double], labels: [Double]) {
        var generator = SplitMix64(seed: seed)
        let logits = (0..<count).map { i in i % 97 == 0 ? [-800.0, 800, -40, 40][i % 4] : generator.nextUniform(-30, 30) }
        let labels = (0..<count).map { _ in Double(generator.nextIndex(below: 2)) }
        return (logits, labels)
    }

    @Test(arguments: [1, 7, 8, 515, 5000])
    func theVectorLossMatchesTheScalarOne(count: Int) {
        let (logits, labels) = Self.samples(count, seed: UInt64(count))
        let scalar = zip(logits, labels).reduce(0.0) { $0 + binaryCrossEntropy(logit: $1.0, label: $1.1) }
        let vector = logits.withUnsafeBufferPointer { z in labels.withUnsafeBufferPointer { y in KernelVariant.best.kernels.crossEntropySum(z, y) } }
        // Both sums round once per term at most (n·2^-53 relative each) and the vector exp
        // and the log of products add a few ulps per term: 4·n·2^-53 bounds the difference.
        #expect(abs(vector - scalar) <= 4 * Double(count) * 0x1p-53 * scalar, "\(vector) vs \(scalar)")
    }

    @Test func theConfusionMatrixCountsEveryCase() {
        let evaluation = Evaluation(logits: [2, 0, -1, -3, 5, -0.5, 0.1], labels: [1, 0, 1, 0, 1, 0, 0])
        #expect(evaluation.truePositives == 2)  // 2, 5
        #expect(evaluation.falsePositives == 2)  // 0 (z ≥ 0 is class 1), 0.1
        #expect(evaluation.trueNegatives == 2)  // -3, -0.5
        #expect(evaluation.falseNegatives == 1)  // -1
        #expect(evaluation.count == 7)
    }

    @Test func evaluatingInPartsAgreesWithOnePass() {
        let (logits, labels) = Self.samples(40_000, seed: 9)
        var parts = Evaluation(logits: [], labels: [])
        for start in stride(from: 0, to: 40_000, by: 16_384) {
            let end = min(start + 16_384, 40_000)
            parts.add(logits: logits[start..<end], labels: labels[start..<end])
        }
        let whole = Evaluation(logits: logits, labels: labels)
        #expect(parts.count == whole.count && parts.truePositives == whole.truePositives)
        // The parts start their sums afresh: the same rounding bound as above.
        #expect(abs(parts.loss - whole.loss) <= 4 * 40_000 * 0x1p-53 * whole.loss)
    }
}
