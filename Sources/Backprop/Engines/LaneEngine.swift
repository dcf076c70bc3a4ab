import BackpropKernelStorage

/// One model trained in lane 0 of the population kernel (`PopulationEngine`): the reference
/// for the models of a population sweep, not a fast way to train one model.
///
/// A model trained by `Trainer<LaneEngine>` has the bits that the same configuration gets
/// in any lane of a population (`PopulationTrainer`), alone or among others, on any thread
/// count: the population kernel computes every lane on its own. It agrees with `SIMDEngine`
/// to rounding only (its gradient sums run sample by sample, the SIMD engine's eight at a
/// time), and it is about eight times slower, as seven lanes of eight compute nothing.
public struct LaneEngine: TrainingEngine {
    /// The engine's name in the CLI: `train --engine population`.
    public static let name = PopulationEngine.name

    /// The model's parameters (lane 0 of a group made for each call to the kernel).
    public var parameters: Parameters
    /// The copy of the kernels this engine runs (`EngineOptions.kernel`).
    public let kernel: KernelVariant

    /// Starts from `parameters`, on the copy of the kernels `options.kernel` names (one thread).
    public init(parameters: Parameters, options: EngineOptions) {
        (self.parameters, kernel) = (parameters, options.kernel)
    }

    /// The optimizer's steps on each mini-batch in turn, in one call to the population kernel.
    @discardableResult
    public mutating func trainEpoch(_ data: MiniBatch, batchSize: Int, rule: UpdateRule, state: inout OptimizerState) -> Double {
        precondition(batchSize >= 1, "the batch size must be at least 1")
        guard data.count > 0 else { return 0 }
        let settings = rule.settings
        var group = LaneGroup(kind: settings.kind)
        group.place(0, parameters: parameters, settings: settings, batchSize: batchSize, state: state)
        var losses = Vector8()
        kernel.kernels.trainPopulation(
            &group, x0: data.x0.baseAddress!, x1: data.x1.baseAddress!, label: data.label.baseAddress!, count: data.count,
            losses: &losses)
        parameters = group.parameters(of: 0)
        if !settings.isPlainSGD { state = group.state(of: 0) }
        return losses[0]
    }

    /// The SIMD engine's loss and gradients (the population kernel has no gradient of its own).
    public func lossAndGradients(_ batch: MiniBatch, positiveWeight: Double) -> (loss: Double, gradients: Parameters) {
        SIMDEngine(parameters: parameters, options: EngineOptions(threads: 1, kernel: kernel))
            .lossAndGradients(batch, positiveWeight: positiveWeight)
    }

    /// The SIMD engine's logits: a population's models are evaluated as one model is.
    public func logits(_ inputs: MiniBatch, into output: UnsafeMutableBufferPointer<Double>) {
        SIMDEngine(parameters: parameters, options: EngineOptions(threads: 1, kernel: kernel)).logits(inputs, into: output)
    }
}
