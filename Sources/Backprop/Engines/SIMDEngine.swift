import BackpropKernelStorage

/// The specialised single-core engine: padded `SIMD8<Double>` weight blocks and fused,
/// unrolled kernels with a vectorised sigmoid, in the copy compiled for this CPU
/// (`KernelVariant`).
///
/// Computes what `ReferenceEngine` computes, to rounding: the tests hold every parameter
/// and the loss to 1e-12 relative after one step. The loss of a step is accurate to about
/// 1e-16 absolute per sample (its logs are taken of products of up to 512 factors in (1, 2]).
public struct SIMDEngine: TrainingEngine {
    public static let name = "simd"

    var weights: SIMDWeights
    /// The copy of the kernels this engine runs (`EngineOptions.kernel`).
    public let kernel: KernelVariant

    public init(parameters: Parameters, options: EngineOptions) {
        weights = SIMDWeights(PaddedBlocks(parameters))
        kernel = options.kernel
    }

    public var parameters: Parameters {
        get { weights.blocks.parameters() }
        set { weights = SIMDWeights(PaddedBlocks(newValue)) }
    }

    /// True when every padding lane of every weight block is exactly 0.0.
    var paddingIsZero: Bool { weights.blocks.paddingIsZero }

    /// The optimizer's steps on each mini-batch in turn, in one call to the kernels.
    @discardableResult
    public mutating func trainEpoch(_ data: MiniBatch, batchSize: Int, rule: UpdateRule, state: inout OptimizerState) -> Double {
        trainEpoch(data, batchSize: batchSize, rule: rule, rates: .noRates, state: &state)
    }

    /// The optimizer's steps on each mini-batch in turn, each at its rate, in one call to the kernels.
    @discardableResult
    public mutating func trainEpoch(
        _ data: MiniBatch, batchSize: Int, rule: UpdateRule, rates: UnsafeBufferPointer<Double>, state: inout OptimizerState
    ) -> Double {
        precondition(batchSize >= 1, "the batch size must be at least 1")
        guard data.count > 0 else { return 0 }
        var blocks = state.blocks
        let settings = rule.settings
        defer { if !settings.isPlainSGD { state = OptimizerState(blocks) } }
        return kernel.trainEpoch(&weights, on: data, batchSize: batchSize, settings: settings, rates: rates, state: &blocks)
    }

    public func lossAndGradients(_ batch: MiniBatch, positiveWeight: Double) -> (loss: Double, gradients: Parameters) {
        precondition(batch.count > 0, "a mini-batch needs at least one sample")
        var sums = BatchSums()
        withUnsafePointer(to: weights) { kernel.accumulate($0, batch, positiveWeight: positiveWeight, into: &sums) }
        let m = Double(batch.count)
        return (sums.loss / m, sums.gradient.parameters(scaledBy: 1 / m))
    }

    /// The probabilities through the kernels' vector sigmoid (within 4 ulps of the scalar one).
    public func predict(_ inputs: MiniBatch, into output: UnsafeMutableBufferPointer<Double>) {
        withUnsafePointer(to: weights) { kernel.forward($0, inputs, into: output, probabilities: true) }
    }

    public func logits(_ inputs: MiniBatch, into output: UnsafeMutableBufferPointer<Double>) {
        withUnsafePointer(to: weights) { kernel.forward($0, inputs, into: output, probabilities: false) }
    }
}
