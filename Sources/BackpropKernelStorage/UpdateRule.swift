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
}

// `squareRoot()` calls libm's sqrt for negative inputs (to set errno), lane by lane; of
// |x| it is one instruction, and LLVM vectorises the lanes (vsqrtpd).
extension Double: UpdateArithmetic {
    @inlinable @inline(__always) public init(broadcasting value: Double) { self = value }
    @inlinable @inline(__always) public var rootOfNonNegative: Double { magnitude.squareRoot() }
}

extension SIMD8: UpdateArithmetic where Scalar == Double {
    @inlinable @inline(__always) public init(broadcasting value: Double) { self.init(repeating: value) }
    @inlinable @inline(__always) public var rootOfNonNegative: Self {
        unsafeBitCast(unsafeBitCast(self, to: SIMD8<Int64>.self) & Int64.max, to: Self.self).squareRoot()
    }
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

    /// The per-step constants of step number `step` (1, 2, ...): scalars computed once per
    /// mini-batch, as torch.optim computes them in Python floats.
    @inlinable @inline(__always)
    public func constants(step: Int) -> UpdateConstants {
        let correction1 = 1 - _pow(beta1, Double(step))
        let correction2 = 1 - _pow(beta2, Double(step))
        return UpdateConstants(
            isFirstStep: step == 1, stepSize: learningRate / correction1, correction2Root: correction2.squareRoot(),
            decay: 1 - learningRate * weightDecay)
    }
}

/// What an update rule needs of the step count, computed once per step.
@frozen
public struct UpdateConstants: Sendable {
    /// SGD's momentum buffer starts as the first gradient.
    public var isFirstStep: Bool
    /// Adam: lr / (1 − β1^t).
    public var stepSize: Double
    /// Adam: √(1 − β2^t).
    public var correction2Root: Double
    /// AdamW: 1 − lr·λ, the decoupled weight decay's factor.
    public var decay: Double

    @inlinable
    public init(isFirstStep: Bool, stepSize: Double, correction2Root: Double, decay: Double) {
        (self.isFirstStep, self.stepSize, self.correction2Root, self.decay) = (isFirstStep, stepSize, correction2Root, decay)
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
    _ p: inout V, gradient: V, first: inout V, second: inout V, _ s: UpdateSettings, _ k: UpdateConstants
) {
    var g = gradient
    switch s.kind {
    case .sgd:
        if s.weightDecay != 0 { g = g + V(broadcasting: s.weightDecay) * p }
        if s.momentum != 0 {
            first = k.isFirstStep ? g : V(broadcasting: s.momentum) * first + g
            g = s.nesterov ? g + V(broadcasting: s.momentum) * first : first
        }
        p = p - V(broadcasting: s.learningRate) * g
    case .adam, .adamW:
        if s.kind == .adamW {
            p = p * V(broadcasting: k.decay)
        } else if s.weightDecay != 0 {
            g = g + V(broadcasting: s.weightDecay) * p
        }
        first = V(broadcasting: s.beta1) * first + V(broadcasting: 1 - s.beta1) * g
        second = V(broadcasting: s.beta2) * second + V(broadcasting: 1 - s.beta2) * g * g
        let denominator = second.rootOfNonNegative / V(broadcasting: k.correction2Root) + V(broadcasting: s.epsilon)
        p = p - V(broadcasting: k.stepSize) * first / denominator
    }
}
