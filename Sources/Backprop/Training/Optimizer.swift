import BackpropKernelStorage

/// How a mini-batch's mean gradient changes the parameters, defined exactly as
/// `torch.optim.SGD`, `torch.optim.Adam` and `torch.optim.AdamW` define it.
///
/// With g the mean gradient over the mini-batch, θ a parameter, lr the learning rate, λ the
/// weight decay and t the step number (1, 2, ...):
///
///     sgd:    g ← g + λθ;  b ← g (first step) or μ·b + g;  g ← g + μ·b (nesterov) or b;  θ ← θ − lr·g
///     adam:   g ← g + λθ;  m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;
///             θ ← θ − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε)
///     adamW:  θ ← θ·(1 − lr·λ), then adam's step without the λθ term
///
/// as in PyTorch: dampening 0, the momentum buffer starts as the first gradient, Adam's
/// bias corrections and ε where PyTorch puts them, no amsgrad. The optimizer is a training
/// setting, not part of the model: model files never hold it, checkpoints do (with its
/// state, `OptimizerState`). Every engine applies every optimizer.
public enum Optimizer: Sendable, Hashable, Codable {
    /// Stochastic gradient descent; plain SGD (θ ← θ − lr·g) with the defaults.
    case sgd(momentum: Double = 0, nesterov: Bool = false, weightDecay: Double = 0)
    /// Adam, with L2 weight decay added to the gradient.
    case adam(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0)
    /// Adam with decoupled weight decay (PyTorch's default λ, 0.01).
    case adamW(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0.01)

    /// The optimizer's name in the CLI (`--optimizer NAME`): sgd, adam or adamw.
    public var name: String {
        switch self {
        case .sgd: "sgd"
        case .adam: "adam"
        case .adamW: "adamw"
        }
    }

    /// The learning rate a `TrainingConfiguration` takes with this optimizer unless one is
    /// set: 1 for SGD (which gets past the plateau this network sits on), and PyTorch's
    /// default, 0.001, for Adam and AdamW (at 1 they train a model that predicts one class).
    public var defaultLearningRate: Double {
        switch self {
        case .sgd: 1
        case .adam, .adamW: 0.001
        }
    }

    /// What is wrong with these settings, if anything (PyTorch refuses the same values).
    public var problem: String? {
        func fraction(_ name: String, _ value: Double) -> String? {
            (0..<1).contains(value) ? nil : "\(name) is \(value): must be from 0 up to (not including) 1"
        }
        func decay(_ value: Double) -> String? {
            value.isFinite && value >= 0 ? nil : "the weight decay is \(value): must be a finite number, 0 or more"
        }
        switch self {
        case .sgd(let momentum, let nesterov, let weightDecay):
            if nesterov && momentum == 0 { return "Nesterov momentum needs a momentum greater than 0" }
            return fraction("the momentum", momentum) ?? decay(weightDecay)
        case .adam(let beta1, let beta2, let epsilon, let weightDecay), .adamW(let beta1, let beta2, let epsilon, let weightDecay):
            if !(epsilon.isFinite && epsilon > 0) { return "epsilon is \(epsilon): must be a finite number greater than 0" }
            return fraction("beta1", beta1) ?? fraction("beta2", beta2) ?? decay(weightDecay)
        }
    }

    /// The settings as the update rules read them.
    func settings(learningRate: Double, positiveWeight: Double) -> UpdateSettings {
        switch self {
        case .sgd(let momentum, let nesterov, let weightDecay):
            UpdateSettings(
                kind: .sgd, learningRate: learningRate, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay,
                positiveWeight: positiveWeight)
        case .adam(let beta1, let beta2, let epsilon, let weightDecay):
            UpdateSettings(
                kind: .adam, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                weightDecay: weightDecay, positiveWeight: positiveWeight)
        case .adamW(let beta1, let beta2, let epsilon, let weightDecay):
            UpdateSettings(
                kind: .adamW, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                weightDecay: weightDecay, positiveWeight: positiveWeight)
        }
    }
}

/// What one training step does: the optimizer, its learning rate, and the loss's weight on
/// positive samples. Engines take it in `trainEpoch(_:batchSize:rule:state:)`.
public struct UpdateRule: Sendable, Hashable {
    /// The step size (PyTorch's `lr`).
    public private(set) var learningRate: Double
    /// How the gradient becomes an update (plain SGD by default).
    public private(set) var optimizer: Optimizer
    /// The weight of a positive sample's loss term, as `BCEWithLogitsLoss(pos_weight:)`: the
    /// mean over a mini-batch still divides by its sample count. 1 is plain cross-entropy.
    public private(set) var positiveWeight: Double

    /// A rule of settings the caller knows to be valid; for settings from outside the
    /// program, `checked(learningRate:optimizer:positiveWeight:)` throws instead.
    ///
    /// - Precondition: `learningRate` and `positiveWeight` are finite and greater than 0,
    ///   and the optimizer's settings are valid (`Optimizer.problem`).
    public init(learningRate: Double, optimizer: Optimizer = .sgd(), positiveWeight: Double = 1) {
        precondition(learningRate.isFinite && learningRate > 0, "the learning rate must be finite and greater than 0")
        precondition(positiveWeight.isFinite && positiveWeight > 0, "the positive weight must be finite and greater than 0")
        precondition(optimizer.problem == nil, optimizer.problem ?? "")
        (self.learningRate, self.optimizer, self.positiveWeight) = (learningRate, optimizer, positiveWeight)
    }

    /// A rule of settings from outside the program (a user, a file), checked.
    ///
    /// - Throws: `SettingError` naming `learningRate` or `positiveWeight` when it is not a
    ///   finite number greater than 0, or `optimizer` when its settings are out of range.
    public static func checked(learningRate: Double, optimizer: Optimizer = .sgd(), positiveWeight: Double = 1) throws(SettingError)
        -> UpdateRule
    {
        guard learningRate.isFinite && learningRate > 0 else {
            throw SettingError(setting: "learningRate", message: "\(learningRate) is not a finite number greater than 0")
        }
        guard positiveWeight.isFinite && positiveWeight > 0 else {
            throw SettingError(setting: "positiveWeight", message: "\(positiveWeight) is not a finite number greater than 0")
        }
        if let problem = optimizer.problem { throw SettingError(setting: "optimizer", message: problem) }
        return UpdateRule(learningRate: learningRate, optimizer: optimizer, positiveWeight: positiveWeight)
    }

    /// This rule at another learning rate, 0 included: a schedule's rate may reach 0.
    func with(learningRate: Double) -> UpdateRule {
        var rule = self
        rule.learningRate = learningRate
        return rule
    }

    /// The settings as the kernels read them.
    var settings: UpdateSettings { optimizer.settings(learningRate: learningRate, positiveWeight: positiveWeight) }

    /// One step of the rule: `parameters` updated from the mean gradient `gradients` (the
    /// reference arithmetic, one number at a time, in model-file order).
    public func apply(to parameters: inout Parameters, gradients: Parameters, state: inout OptimizerState) {
        let settings = settings
        var values = parameters.flattened
        let gradient = gradients.flattened
        if settings.isPlainSGD {
            for i in values.indices { values[i] -= learningRate * gradient[i] }
        } else {
            state.prepare()
            state.steps += 1
            let coefficients = settings.coefficients(step: state.steps, as: Double.self)
            for i in values.indices {
                applyUpdate(&values[i], gradient: gradient[i], first: &state.first[i], second: &state.second[i], settings.kind, coefficients)
            }
        }
        parameters = Parameters(flattened: values)
    }
}

/// An optimizer's state: what a run needs, besides the parameters, to continue exactly.
/// Checkpoints keep it; plain SGD has none.
public struct OptimizerState: Sendable, Hashable, Codable {
    /// Steps taken with a stateful optimizer (Adam's t).
    public var steps = 0
    /// SGD's momentum buffer or Adam's first moment, one value per parameter in model-file
    /// order (`Parameters.flattened`); empty before the first step.
    public var first: [Double] = []
    /// Adam's second moment, as `first`.
    public var second: [Double] = []

    /// No step taken yet.
    public init() {}

    /// Zeros in both buffers when they are empty.
    mutating func prepare() {
        if first.isEmpty { first = Array(repeating: 0, count: Parameters.count) }
        if second.isEmpty { second = Array(repeating: 0, count: Parameters.count) }
    }

    /// The state in the kernels' blocks.
    var blocks: OptimizerBlocks {
        var blocks = OptimizerBlocks()
        blocks.steps = steps
        if !first.isEmpty { blocks.first = PaddedBlocks(Parameters(flattened: first)) }
        if !second.isEmpty { blocks.second = PaddedBlocks(Parameters(flattened: second)) }
        return blocks
    }

    /// The state from the kernels' blocks (unchanged when no step was taken).
    init(_ blocks: OptimizerBlocks) {
        self.init()
        guard blocks.steps > 0 else { return }
        steps = blocks.steps
        first = blocks.first.parameters().flattened
        second = blocks.second.parameters().flattened
    }

    /// What an untrusted state (from a checkpoint of a run with `rule`) holds that no such
    /// run writes, if anything: the state is checked as a whole against its optimizer.
    func problem(for rule: UpdateRule) -> String? {
        // Beyond 2^53 a step count is not exact as a Double (and t + 1 could overflow).
        if steps < 1 || steps > 1 << 53 { return "optimizerState.steps is \(steps): must be from 1 to 2^53 (a state is kept after a step)" }
        if rule.settings.isPlainSGD {
            return "optimizerState: plain SGD keeps no state, but the checkpoint holds \(steps) steps of one"
        }
        for (name, values) in [("first", first), ("second", second)] {
            if values.count != Parameters.count {
                return "optimizerState.\(name) has \(values.count) values: must have \(Parameters.count) after \(steps) steps"
            }
            if let index = values.firstIndex(where: { !$0.isFinite }) {
                return "optimizerState.\(name)[\(index)] is not a finite number"
            }
        }
        if let index = second.firstIndex(where: { $0 < 0 }) {
            return "optimizerState.second[\(index)] is \(second[index]): a second moment is never negative"
        }
        if case .sgd = rule.optimizer, let index = second.firstIndex(where: { $0 != 0 }) {
            return "optimizerState.second[\(index)] is \(second[index]): SGD keeps no second moment (an Adam state?)"
        }
        return nil
    }
}
