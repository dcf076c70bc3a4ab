import BackpropKernelStorage

/// The models of a population's lanes in the library's types: the parameters in model-file
/// order (`Parameters.flattened`, the kernels' `ParameterLayout`) and the optimizer's state.
extension LaneGroup {
    /// Lane `lane` holds a model: its parameters, update settings, batch size and optimizer
    /// state (of a stateful update; plain SGD keeps none).
    mutating func place(_ lane: Int, parameters: Parameters, settings: UpdateSettings, batchSize: Int, state: OptimizerState) {
        for (index, value) in parameters.flattened.enumerated() { weights[index][lane] = value }
        rules.set(lane, settings)
        batchSizes[lane] = batchSize
        models = max(models, lane + 1)
        guard !settings.isPlainSGD else { return }
        steps[lane] = state.steps
        for (index, value) in state.first.enumerated() { first[index][lane] = value }
        for (index, value) in state.second.enumerated() { second[index][lane] = value }
    }

    /// Lane `lane`'s parameters.
    func parameters(of lane: Int) -> Parameters {
        Parameters(flattened: (0..<Parameters.count).map { weights[$0][lane] })
    }

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
