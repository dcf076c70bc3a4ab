/// The optimizers' update rules, defined once for the library's scalar code (the reference
/// engine) and the kernels' vectors, each element on its own: `@inlinable`, so each copy of
/// the kernels compiles them for its CPU. Written as `torch.optim` computes them (docs/Optimizers.md).

/// The numbers an update rule runs on: `Double` and `SIMD8<Double>`.
public protocol UpdateArithmetic {
    init(broadcasting value: Double)
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static func / (a: Self, b: Self) -> Self
    /// √x of an x that is never negative, without libm's errno path.
    var rootOfNonNegative: Self { get }
    /// Which of two values each element takes: a Bool for a scalar, a lane mask for a vector.
    associatedtype Choice
    /// `a` where `choice` holds, `b` elsewhere.
    static func choose(_ choice: Choice, _ a: Self, _ b: Self) -> Self
    /// The same choice for every element.
    static func choice(_ value: Bool) -> Choice
}

// `squareRoot()` calls libm's sqrt for negative inputs (to set errno), lane by lane; of
// |x| it is one instruction, and LLVM vectorises the lanes (vsqrtpd).
extension Double: UpdateArithmetic {
    @inlinable @inline(__always) public init(broadcasting value: Double) { self = value }
    @inlinable @inline(__always) public var rootOfNonNegative: Double { magnitude.squareRoot() }
    @inlinable @inline(__always) public static func choose(_ choice: Bool, _ a: Double, _ b: Double) -> Double { choice ? a : b }
    @inlinable @inline(__always) public static func choice(_ value: Bool) -> Bool { value }
}

extension SIMD8: UpdateArithmetic where Scalar == Double {
    @inlinable @inline(__always) public init(broadcasting value: Double) { self.init(repeating: value) }
    @inlinable @inline(__always) public var rootOfNonNegative: Self {
        unsafeBitCast(unsafeBitCast(self, to: SIMD8<Int64>.self) & Int64.max, to: Self.self).squareRoot()
    }
    @inlinable @inline(__always) public static func choose(_ choice: SIMDMask<SIMD8<Int64>>, _ a: Self, _ b: Self) -> Self {
        b.replacing(with: a, where: choice)
    }
    @inlinable @inline(__always) public static func choice(_ value: Bool) -> SIMDMask<SIMD8<Int64>> { .init(repeating: value) }
}

/// An optimizer's settings as the update rules read them (the library's `Optimizer` and
/// learning rate, flattened).
@frozen
public struct UpdateSettings: Sendable, Equatable {
    public enum Kind: UInt8, Sendable { case sgd, adam, adamW }
    public var kind: Kind
    public var learningRate: Double
    public var momentum: Double
    public var nesterov: Bool
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var weightDecay: Double
    /// The loss's weight on positive samples (1: plain binary cross-entropy); it scales their
    /// output delta, so it belongs to the gradient, not to the update proper.
    public var positiveWeight: Double

    public init(
        kind: Kind, learningRate: Double, momentum: Double = 0, nesterov: Bool = false, beta1: Double = 0.9,
        beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0, positiveWeight: Double = 1
    ) {
        (self.kind, self.learningRate, self.momentum, self.nesterov) = (kind, learningRate, momentum, nesterov)
        (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
        self.positiveWeight = positiveWeight
    }

    /// Plain SGD, θ ← θ − lr·g: no state, and the kernels' original fast path.
    @inlinable public var isPlainSGD: Bool { kind == .sgd && momentum == 0 && weightDecay == 0 }

    /// The coefficients of step number `step` (1, 2, ...), the same for every element: the
    /// bias corrections computed once per mini-batch, as torch.optim computes them in
    /// Python floats; momentum and weight decay skipped where they are 0.
    @inlinable @inline(__always)
    public func coefficients<V: UpdateArithmetic>(step: Int, as _: V.Type = V.self) -> UpdateCoefficients<V> {
        let (correction1, correction2Root) = biasCorrections(beta1: beta1, beta2: beta2, step: step)
        func all(_ value: Double) -> V { V(broadcasting: value) }
        return UpdateCoefficients(
            isFirstStep: V.choice(step == 1), hasMomentum: momentum != 0, decays: weightDecay != 0, learningRate: all(learningRate),
            momentum: all(momentum), nesterov: V.choice(nesterov), weightDecay: all(weightDecay), beta1: all(beta1),
            oneMinusBeta1: all(1 - beta1), beta2: all(beta2), oneMinusBeta2: all(1 - beta2), epsilon: all(epsilon),
            stepSize: all(learningRate / correction1), correction2Root: all(correction2Root),
            decay: all(1 - learningRate * weightDecay))
    }
}

/// Adam's bias corrections at step `step`: 1 − β1^t, and √(1 − β2^t).
@inlinable @inline(__always)
public func biasCorrections(beta1: Double, beta2: Double, step: Int) -> (first: Double, secondRoot: Double) {
    (1 - _pow(beta1, Double(step)), (1 - _pow(beta2, Double(step))).squareRoot())
}

/// What an update rule multiplies by at one step, per element: the same for every element
/// of one model's parameters, one model's per lane in a population.
@frozen
public struct UpdateCoefficients<V: UpdateArithmetic> {
    /// SGD's momentum buffer starts as the first gradient: per element, for a population
    /// whose models took different numbers of steps.
    public var isFirstStep: V.Choice
    /// Whether to run SGD's momentum and the L2 term at all (a population runs them in every
    /// lane, with zeros where a model has none: the same numbers).
    public var hasMomentum: Bool
    public var decays: Bool
    public var learningRate: V
    public var momentum: V
    public var nesterov: V.Choice
    public var weightDecay: V
    public var beta1: V
    public var oneMinusBeta1: V
    public var beta2: V
    public var oneMinusBeta2: V
    public var epsilon: V
    /// Adam: lr / (1 − β1^t).
    public var stepSize: V
    /// Adam: √(1 − β2^t).
    public var correction2Root: V
    /// AdamW: 1 − lr·λ, the decoupled weight decay's factor.
    public var decay: V

    @inlinable @inline(__always)
    public init(
        isFirstStep: V.Choice, hasMomentum: Bool, decays: Bool, learningRate: V, momentum: V, nesterov: V.Choice,
        weightDecay: V, beta1: V, oneMinusBeta1: V, beta2: V, oneMinusBeta2: V, epsilon: V, stepSize: V,
        correction2Root: V, decay: V
    ) {
        (self.isFirstStep, self.hasMomentum, self.decays) = (isFirstStep, hasMomentum, decays)
        (self.learningRate, self.momentum, self.nesterov, self.weightDecay) = (learningRate, momentum, nesterov, weightDecay)
        (self.beta1, self.oneMinusBeta1, self.beta2, self.oneMinusBeta2) = (beta1, oneMinusBeta1, beta2, oneMinusBeta2)
        (self.epsilon, self.stepSize, self.correction2Root, self.decay) = (epsilon, stepSize, correction2Root, decay)
    }
}

/// One update of parameter (or parameters) `p` from its mean gradient `gradient`, with the
/// optimizer's state `first` (SGD's momentum buffer, Adam's first moment) and `second`
/// (Adam's second moment), in torch.optim's order of operations (dampening 0, no amsgrad):
///
///     SGD:   g ← g + λθ;  b ← g (first step) or μb + g;  g ← g + μb (Nesterov) or b;  θ ← θ − lr·g
///     Adam:  g ← g + λθ;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
///            θ ← θ − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε)
///     AdamW: θ ← θ·(1 − lr·λ), then Adam's step without the λθ term
@inlinable @inline(__always)
public func applyUpdate<V: UpdateArithmetic>(
    _ p: inout V, gradient: V, first: inout V, second: inout V, _ kind: UpdateSettings.Kind, _ c: UpdateCoefficients<V>
) {
    var g = gradient
    switch kind {
    case .sgd:
        if c.decays { g = g + c.weightDecay * p }
        if c.hasMomentum {
            first = V.choose(c.isFirstStep, g, c.momentum * first + g)
            g = V.choose(c.nesterov, g + c.momentum * first, first)
        }
        p = p - c.learningRate * g
    case .adam, .adamW:
        if kind == .adamW {
            p = p * c.decay
        } else if c.decays {
            g = g + c.weightDecay * p
        }
        first = c.beta1 * first + c.oneMinusBeta1 * g
        second = c.beta2 * second + c.oneMinusBeta2 * g * g
        let denominator = second.rootOfNonNegative / c.correction2Root + c.epsilon
        p = p - c.stepSize * first / denominator
    }
}

/// Eight models' update rules, one per lane, for the population kernel: one kind of
/// optimizer for the eight, every setting per lane.
@frozen
public struct LaneRules: Sendable {
    public var kind: UpdateSettings.Kind
    /// Every lane plain SGD (no momentum, no decay): the kernel's step without state.
    public var isPlainSGD: Bool
    public var learningRate = SIMD8<Double>()
    public var momentum = SIMD8<Double>()
    public var nesterov = SIMDMask<SIMD8<Int64>>(repeating: false)
    public var weightDecay = SIMD8<Double>()
    public var beta1 = SIMD8<Double>(repeating: 0.9)
    public var beta2 = SIMD8<Double>(repeating: 0.999)
    public var epsilon = SIMD8<Double>(repeating: 1e-8)
    public var positiveWeight = SIMD8<Double>(repeating: 1)

    public init(kind: UpdateSettings.Kind) {
        self.kind = kind
        isPlainSGD = kind == .sgd
    }

    /// Lane `lane` takes `settings` (of this kind).
    public mutating func set(_ lane: Int, _ settings: UpdateSettings) {
        precondition(settings.kind == kind, "one kind of optimizer a group")
        (learningRate[lane], momentum[lane], nesterov[lane]) = (settings.learningRate, settings.momentum, settings.nesterov)
        (weightDecay[lane], beta1[lane], beta2[lane]) = (settings.weightDecay, settings.beta1, settings.beta2)
        (epsilon[lane], positiveWeight[lane]) = (settings.epsilon, settings.positiveWeight)
        isPlainSGD = isPlainSGD && settings.isPlainSGD
    }

    /// Lane `lane` idle: learning rate 0 and no other term, so that zero weights stay zero.
    public mutating func clear(_ lane: Int) {
        (learningRate[lane], momentum[lane], nesterov[lane], weightDecay[lane]) = (0, 0, false, 0)
        (beta1[lane], beta2[lane], epsilon[lane], positiveWeight[lane]) = (0.9, 0.999, 1e-8, 1)
    }

    /// The coefficients of each lane's step number `steps[lane]` (each lane's bias corrections
    /// its own), with momentum and decay run in every lane: zeros give the same numbers, and
    /// no lane's arithmetic depends on another's settings.
    @inlinable
    public func coefficients(steps: InlineArray<8, Int>) -> UpdateCoefficients<SIMD8<Double>> {
        var (correction1, correction2) = (SIMD8<Double>(), SIMD8<Double>())
        var isFirstStep = SIMDMask<SIMD8<Int64>>(repeating: false)
        for lane in 0..<8 {
            (correction1[lane], correction2[lane]) = biasCorrections(beta1: beta1[lane], beta2: beta2[lane], step: steps[lane])
            isFirstStep[lane] = steps[lane] == 1
        }
        let one = SIMD8<Double>(repeating: 1)
        return UpdateCoefficients(
            isFirstStep: isFirstStep, hasMomentum: true, decays: true, learningRate: learningRate, momentum: momentum,
            nesterov: nesterov, weightDecay: weightDecay, beta1: beta1, oneMinusBeta1: one - beta1, beta2: beta2,
            oneMinusBeta2: one - beta2, epsilon: epsilon, stepSize: learningRate / correction1, correction2Root: correction2,
            decay: one - learningRate * weightDecay)
    }
}

/// Up to eight models trained together by the population kernel, one per lane: their
/// parameters, rules, optimizer state and batch sizes. Idle lanes (past the last model, or
/// of a model that ended) hold zeros at learning rate 0, in one batch as long as a call.
@frozen
public struct LaneGroup: Sendable {
    /// Per parameter (`ParameterLayout`), the eight models' values.
    public var weights = InlineArray<51, SIMD8<Double>>(repeating: SIMD8<Double>())
    public var rules: LaneRules
    /// Per parameter, the models' momentum buffers or first moments, and second moments.
    public var first = InlineArray<51, SIMD8<Double>>(repeating: SIMD8<Double>())
    public var second = InlineArray<51, SIMD8<Double>>(repeating: SIMD8<Double>())
    /// Each model's steps taken.
    public var steps = InlineArray<8, Int>(repeating: 0)
    /// Each model's samples a step; `Int.max` for an idle lane.
    public var batchSizes = InlineArray<8, Int>(repeating: .max)
    /// Lanes in use.
    public var models = 0

    public init(kind: UpdateSettings.Kind) {
        rules = LaneRules(kind: kind)
    }

    /// Lane `lane` idle: zeros at learning rate 0, never a step of its own.
    public mutating func makeIdle(_ lane: Int) {
        for index in 0..<51 { (weights[index][lane], first[index][lane], second[index][lane]) = (0, 0, 0) }
        rules.clear(lane)
        (steps[lane], batchSizes[lane]) = (0, .max)
    }
}
