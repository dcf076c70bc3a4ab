import Testing

@_spi(Benchmarks) @testable import Backprop

@Suite struct ReferenceEngineTests {
    /// A tiny network and batch whose step was computed by hand, independently of this
    /// package, with 40-digit arithmetic (mpmath) from the same double inputs.
    static let start = Parameters(
        hidden1: Layer(
            weights: [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6], [0.7, -0.8], [0.9, 1.0]],
            bias: [0.1, -0.1, 0.2, -0.2, 0.0]),
        hidden2: Layer(
            weights: [
                [0.5, -0.4, 0.3, -0.2, 0.1], [-0.1, 0.2, -0.3, 0.4, -0.5], [0.25, 0.25, -0.25, -0.25, 0.5],
                [0.0, 0.1, 0.0, -0.1, 0.0], [-0.6, 0.3, 0.6, -0.3, 0.2],
            ],
            bias: [0.05, -0.05, 0.1, -0.1, 0.0]),
        output: Layer(weights: [[1.0, -1.5, 0.5, 2.0, -0.75]], bias: [0.25]))

    static let batch = try! Dataset(x0: [0.5, -1.5, 2.0], x1: [-1.0, 2.0, 0.25], label: [1, 0, 1])

    static let handLoss = 0.67361931980120568871
    /// The parameters after one SGD step at learning rate 0.5, in model-file order.
    static let handAfterStep: [Double] = [
        0.12126124243858389109, -0.21978453612636627413, 0.28967830278213463234, 0.4098189035170971181,
        -0.49809822655980657493, 0.59861399011841005758, 0.69297534646621598131, -0.79557302078276703913,
        0.91278181730504419848, 0.98512543047612453111, 0.098255597998098304048, -0.099019348043357489779,
        0.20041061181248719845, -0.20268079215453447636, -0.0026355925269305002523, 0.50138053943674236231,
        -0.40494601933844985953, 0.28077398308814923535, -0.18504224250009508736, 0.09430770095293099957,
        -0.10284711815487566598, 0.20632751736631467319, -0.27297043863978427081, 0.37747734084248356909,
        -0.49270059632732102345, 0.25051389999167139891, 0.24736814080801412488, -0.25955886515662277438,
        -0.24285836302982217702, 0.49691999188910730643, 0.0021266753428841622491, 0.089157159897351843993,
        -0.039999030468594574123, -0.070117366136317648967, -0.012503079192615551651, -0.60153335169191799451,
        0.30299780568998223062, 0.61330688989929271631, -0.31131047690356102805, 0.20343442174030154799,
        0.04265334423600810153, -0.040980134467096001019, 0.0960906859310162239, -0.11636635856082095356,
        0.0042466588118886899253, 0.97654348390504481149, -1.5023268227949071521, 0.4800271942925414632,
        1.9825383687958486818, -0.78574040584133715724, 0.21752495072783842337,
    ]

    @Test func oneStepMatchesHandComputedNumbers() {
        var engine = ReferenceEngine(parameters: Self.start)
        let loss = Self.batch.withMiniBatch(0..<3) { engine.step($0, learningRate: 0.5) }
        // Every value is O(1) and passes through ~20 roundings of 1.1e-16 each, so 1e-14
        // is a safe bound for correct double arithmetic; any wrong term (a missing sum
        // over the batch, a missing 1/m) moves a value by at least 1e-3.
        #expect(abs(loss - Self.handLoss) < 1e-14)
        for (index, (got, expected)) in zip(engine.parameters.flattened, Self.handAfterStep).enumerated() {
            #expect(abs(got - expected) < 1e-14, "parameter \(index)")
        }
    }

    @Test func lossAndGradientsDoNotUpdate() {
        let engine = ReferenceEngine(parameters: Self.start)
        let (loss, gradients) = engine.lossAndGradients(Self.batch)
        #expect(abs(loss - Self.handLoss) < 1e-14)
        #expect(engine.parameters == Self.start)
        // The step is θ − 0.5·g, so g = 2·(θ − θ_after): same bound, doubled.
        for (index, value) in gradients.flattened.enumerated() {
            let expected = 2 * (Self.start.flattened[index] - Self.handAfterStep[index])
            #expect(abs(value - expected) < 4e-14, "gradient \(index)")
        }
    }

    @Test func lastPartialBatchIsAveragedOverItsOwnSize() throws {
        // One sample alone must give the same gradient as that sample repeated: the mean, not the sum.
        let single = try Dataset(x0: [0.5], x1: [-1.0], label: [1])
        let repeated = try Dataset(x0: [0.5, 0.5, 0.5], x1: [-1.0, -1.0, -1.0], label: [1, 1, 1])
        let engine = ReferenceEngine(parameters: Self.start)
        let one = engine.lossAndGradients(single)
        let three = engine.lossAndGradients(repeated)
        #expect(abs(one.loss - three.loss) < 1e-15)
        for (a, b) in zip(one.gradients.flattened, three.gradients.flattened) {
            #expect(abs(a - b) < 1e-15 * max(1, abs(a)) * 4)
        }
    }

    @Test func confidentWrongPredictionsHaveFiniteLoss() throws {
        // Weights large enough that σ(z) rounds to exactly 0 or 1 in double precision.
        let huge = Parameters(flattened: Self.start.flattened.map { $0 * 1e6 })
        let engine = ReferenceEngine(parameters: huge)
        let flipped = try Dataset(x0: Self.batch.x0, x1: Self.batch.x1, label: Self.batch.label.map { 1 - $0 })
        let (loss, gradients) = engine.lossAndGradients(flipped)
        #expect(loss.isFinite && loss > 1000)
        #expect(gradients.flattened.allSatisfy { $0.isFinite })
    }
}
