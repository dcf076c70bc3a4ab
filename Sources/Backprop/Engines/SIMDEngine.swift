/// The specialised single-core engine: padded `SIMD8<Double>` weight blocks and fused,
/// unrolled kernels with a vectorised sigmoid (see `SIMDKernels.swift`).
///
/// Computes what `ReferenceEngine` computes, to rounding: the tests hold every parameter
/// and the loss to 1e-12 relative after one step. The loss of a step is accurate to about
/// 1e-16 absolute per sample (its logs are taken of products of up to 512 factors in (1, 2]).
public struct SIMDEngine: TrainingEngine {
    public static let name = "simd"

    @usableFromInline var weights: SIMDWeights

    public init(parameters: Parameters, options: EngineOptions) {
        weights = SIMDWeights(PaddedBlocks(parameters))
    }

    public var parameters: Parameters { weights.blocks.parameters() }

    /// True when every padding lane of every weight block is exactly 0.0.
    var paddingIsZero: Bool { weights.blocks.paddingIsZero }

    public mutating func step(_ batch: MiniBatch, learningRate: Double) -> Double {
        precondition(batch.count > 0, "a mini-batch needs at least one sample")
        // Local sums: with sums stored beside the weights, every step copied the weights.
        var sums = BatchSums()
        weights.accumulate(batch, from: 0, count: batch.count, into: &sums)
        weights.descend(along: sums, count: batch.count, learningRate: learningRate)
        return sums.loss / Double(batch.count)
    }

    /// `step` on each mini-batch in turn.
    ///
    /// - Precondition: `batchSize` ≥ 1.
    public mutating func trainEpoch(_ data: MiniBatch, batchSize: Int, learningRate: Double) {
        // Local copies of the weights and sums: through `self`, every step copied the weights.
        var local = weights
        var sums = BatchSums()
        data.forEachBatch(of: batchSize) { batch in
            local.accumulate(batch, from: 0, count: batch.count, into: &sums)
            local.descend(along: sums, count: batch.count, learningRate: learningRate)
        }
        weights = local
    }

    public func lossAndGradients(_ batch: MiniBatch) -> (loss: Double, gradients: Parameters) {
        precondition(batch.count > 0, "a mini-batch needs at least one sample")
        var sums = BatchSums()
        weights.accumulate(batch, from: 0, count: batch.count, into: &sums)
        let m = Double(batch.count)
        return (sums.loss / m, sums.gradient.parameters(scaledBy: 1 / m))
    }

    public func logits(_ inputs: MiniBatch, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(output.count >= inputs.count, "output buffer too small")
        guard inputs.count > 0 else { return }
        weights.logits(inputs.x0.baseAddress!, inputs.x1.baseAddress!, count: inputs.count, into: output.baseAddress!)
    }
}
