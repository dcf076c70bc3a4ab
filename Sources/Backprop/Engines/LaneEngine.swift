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

    /// The model in lane 0, the other lanes zero at learning rate 0.
    var group: LaneGroup
    /// The copy of the kernels this engine runs (`EngineOptions.kernel`).
    public let kernel: KernelVariant

    /// Starts from `parameters`, on the copy of the kernels `options.kernel` names (one thread).
    public init(parameters: Parameters, options: EngineOptions) {
        group = LaneGroup(kind: .sgd)
        kernel = options.kernel
        self.parameters = parameters
    }

    /// The model's parameters, in lane 0.
    public var parameters: Parameters {
        get { Parameters(flattened: (0..<Parameters.count).map { group.weights[$0][0] }) }
        set {
            for (index, value) in newValue.flattened.enumerated() { group.weights[index][0] = value }
        }
    }

    /// The optimizer's steps on each mini-batch in turn, in one call to the population kernel.
    @discardableResult
    public mutating func trainEpoch(_ data: MiniBatch, batchSize: Int, rule: UpdateRule, state: inout OptimizerState) -> Double {
        precondition(batchSize >= 1, "the batch size must be at least 1")
        guard data.count > 0 else { return 0 }
        let settings = rule.settings
        var lane = LaneGroup(kind: settings.kind)
        lane.weights = group.weights
        lane.rules.set(0, settings)
        lane.batchSizes[0] = batchSize
        lane.models = 1
        if !settings.isPlainSGD {
            lane.steps[0] = state.steps
            for (index, value) in state.first.enumerated() { lane.first[index][0] = value }
            for (index, value) in state.second.enumerated() { lane.second[index][0] = value }
        }
        var losses = Vector8()
        kernel.kernels.trainPopulation(
            &lane, x0: data.x0.baseAddress!, x1: data.x1.baseAddress!, label: data.label.baseAddress!, count: data.count,
            losses: &losses)
        group.weights = lane.weights
        if !settings.isPlainSGD { state = lane.state(of: 0) }
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

extension LaneGroup {
    /// Lane `lane`'s optimizer state, as one model's run keeps it.
    func state(of lane: Int) -> OptimizerState {
        var state = OptimizerState()
        guard steps[lane] > 0 else { return state }
        state.steps = steps[lane]
        state.first = (0..<Parameters.count).map { first[$0][lane] }
        state.second = (0..<Parameters.count).map { second[$0][lane] }
        return state
    }
}
