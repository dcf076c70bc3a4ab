/// How the learning rate changes during a run, each kind defined as its class in
/// `torch.optim.lr_scheduler` defines it, with its defaults, and driven as
/// `scheduler.step()` after every epoch drives it (`oneCycle`: after every mini-batch;
/// `plateau`: with the epoch's loss).
///
/// The rate a run starts from is `TrainingConfiguration.learningRate` (PyTorch's `lr`, the
/// schedule's base rate), except for `oneCycle`, which starts from `maxRate / divFactor`.
/// The rates follow PyTorch's own recurrences (each from the rate before it, not from a
/// closed form), so that they equal PyTorch's float64 rates to the last bit or close to it.
/// The state of a run's schedule (`LearningRateState`) goes into its checkpoints.
public struct LearningRateSchedule: Sendable, Hashable, Codable {
    /// The schedule after any warmup.
    public var kind: Kind
    /// A linear warmup in front of `kind`, as `SequentialLR([LinearLR(startFactor,
    /// total_iters: epochs), S], milestones: [epochs])`; nil for none.
    public var warmup: Warmup?

    /// A schedule of `kind`, after `warmup` when given.
    public init(_ kind: Kind, warmup: Warmup? = nil) {
        (self.kind, self.warmup) = (kind, warmup)
    }

    /// The rate set for the whole run.
    public static let constant = LearningRateSchedule(.constant)

    /// The schedules.
    public enum Kind: Sendable, Hashable, Codable {
        /// The rate stays the same (with a warmup, `ConstantLR(factor: 1)` after it).
        case constant
        /// `StepLR`: the rate times `gamma` every `stepSize` epochs.
        case step(stepSize: Int, gamma: Double = 0.1)
        /// `MultiStepLR`: the rate times `gamma` at each of `milestones` (epochs, increasing).
        case multiStep(milestones: [Int], gamma: Double = 0.1)
        /// `ExponentialLR`: the rate times `gamma` every epoch.
        case exponential(gamma: Double)
        /// `CosineAnnealingLR`: from the base rate down to `minimumRate` along half a cosine
        /// over `period` epochs (nil: the epochs after the warmup), and back up after them.
        case cosine(period: Int? = nil, minimumRate: Double = 0)
        /// `LinearLR`: the rate times a factor that goes linearly from `startFactor` to
        /// `endFactor` over `epochs` epochs, then stays.
        case linear(startFactor: Double = 1.0 / 3, endFactor: Double = 1, epochs: Int = 5)
        /// `OneCycleLR` with `cycle_momentum=False` (the rate alone, every mini-batch): up
        /// from `maxRate / divFactor` to `maxRate` over the first `warmupFraction` of the
        /// cycle's steps, then down to `maxRate / divFactor / finalDivFactor`, over `epochs`
        /// epochs (nil: the run's). `maxRate` nil takes the configuration's learning rate.
        case oneCycle(
            maxRate: Double? = nil, epochs: Int? = nil, warmupFraction: Double = 0.3, annealing: Annealing = .cosine,
            divFactor: Double = 25, finalDivFactor: Double = 1e4)
        /// `ReduceLROnPlateau` (mode "min", relative threshold, ε 1e-8) on the validation loss,
        /// or on the epoch's training loss without a validation split.
        case plateau(factor: Double = 0.1, patience: Int = 10, threshold: Double = 1e-4, cooldown: Int = 0, minimumRate: Double = 0)

        /// The name in the CLI (`--schedule NAME`).
        public var name: String {
            switch self {
            case .constant: "constant"
            case .step: "step"
            case .multiStep: "multistep"
            case .exponential: "exponential"
            case .cosine: "cosine"
            case .linear: "linear"
            case .oneCycle: "onecycle"
            case .plateau: "plateau"
            }
        }
    }

    /// How `oneCycle` goes from one rate to the next (PyTorch's `anneal_strategy`).
    public enum Annealing: String, Sendable, Hashable, Codable, CaseIterable {
        /// Along half a cosine (PyTorch's "cos", the default).
        case cosine = "cos"
        /// Along a straight line.
        case linear
    }

    /// A `LinearLR` warmup: the rate times `startFactor` in the first epoch, rising linearly
    /// to the base rate at epoch `epochs`, where the schedule proper starts.
    public struct Warmup: Sendable, Hashable, Codable {
        /// Epochs of warmup (at least 1).
        public var epochs: Int
        /// The factor of the first epoch, in (0, 1]: PyTorch's default, 1/3.
        public var startFactor: Double

        /// A warmup of `epochs` epochs from `startFactor` times the base rate.
        public init(epochs: Int, startFactor: Double = 1.0 / 3) {
            (self.epochs, self.startFactor) = (epochs, startFactor)
        }
    }

    /// The most epochs any length of a schedule may count (2^40): far beyond a run, and far
    /// enough from `Int.max` that no step of the arithmetic overflows.
    public static let longest = 1 << 40

    /// What is wrong with these settings, if anything: the values PyTorch refuses, and
    /// those that would make a rate negative, infinite or not a number.
    public var problem: String? {
        let lengths = [warmup?.epochs] + {
            switch kind {
            case .step(let stepSize, _): [stepSize]
            case .multiStep(let milestones, _): milestones.map { $0 }
            case .cosine(let period, _): [period]
            case .linear(_, _, let epochs): [epochs]
            case .oneCycle(_, let epochs, _, _, _, _): [epochs]
            case .plateau(_, let patience, _, let cooldown, _): [patience, cooldown]
            case .constant, .exponential: []
            }
        }()
        if let long = lengths.compactMap({ $0 }).first(where: { $0 > Self.longest }) {
            return "a length of \(long) epochs is more than \(Self.longest)"
        }
        return settingsProblem
    }

    private var settingsProblem: String? {
        func positive(_ name: String, _ value: Double) -> String? {
            value.isFinite && value > 0 ? nil : "\(name) is \(value): must be a finite number greater than 0"
        }
        func notNegative(_ name: String, _ value: Double) -> String? {
            value.isFinite && value >= 0 ? nil : "\(name) is \(value): must be a finite number, 0 or more"
        }
        func factor(_ name: String, _ value: Double, zero: Bool) -> String? {
            (zero ? value >= 0 : value > 0) && value <= 1 ? nil : "\(name) is \(value): must be in \(zero ? "[0" : "(0"), 1]"
        }
        if let warmup {
            if warmup.epochs < 1 { return "the warmup's epochs are \(warmup.epochs): must be at least 1" }
            if let problem = factor("the warmup's start factor", warmup.startFactor, zero: false) { return problem }
            switch kind {
            case .oneCycle, .plateau:
                return "\(kind.name) cannot follow a warmup: PyTorch's SequentialLR takes neither (onecycle warms up itself)"
            default: break
            }
        }
        switch kind {
        case .constant:
            return nil
        case .step(let stepSize, let gamma):
            return stepSize >= 1 ? positive("gamma", gamma) : "the step size is \(stepSize): must be at least 1"
        case .multiStep(let milestones, let gamma):
            guard let first = milestones.first, first >= 1, zip(milestones, milestones.dropFirst()).allSatisfy({ $0 < $1 }) else {
                return "the milestones are \(milestones): must be epochs from 1 on, increasing"
            }
            return positive("gamma", gamma)
        case .exponential(let gamma):
            return positive("gamma", gamma)
        case .cosine(let period, let minimumRate):
            if let period, period < 1 { return "the period (T_max) is \(period): must be at least 1" }
            return notNegative("the minimum rate", minimumRate)
        case .linear(let startFactor, let endFactor, let epochs):
            if epochs < 1 { return "the linear schedule's epochs are \(epochs): must be at least 1" }
            return factor("the start factor", startFactor, zero: false) ?? factor("the end factor", endFactor, zero: true)
        case .oneCycle(let maxRate, let epochs, let warmupFraction, _, let divFactor, let finalDivFactor):
            if let epochs, epochs < 1 { return "the cycle's epochs are \(epochs): must be at least 1" }
            if !(0...1).contains(warmupFraction) { return "the warmup fraction is \(warmupFraction): must be in [0, 1]" }
            return maxRate.flatMap { positive("the maximum rate", $0) } ?? positive("the div factor", divFactor)
                ?? positive("the final div factor", finalDivFactor)
        case .plateau(let factor, let patience, let threshold, let cooldown, let minimumRate):
            if !(factor > 0 && factor < 1) { return "the plateau factor is \(factor): must be greater than 0 and less than 1" }
            if patience < 0 { return "the plateau patience is \(patience): must be 0 or more" }
            if cooldown < 0 { return "the cooldown is \(cooldown): must be 0 or more" }
            return notNegative("the plateau threshold", threshold) ?? notNegative("the minimum rate", minimumRate)
        }
    }

    /// What keeps this schedule from a run of `epochs` epochs of `batchesPerEpoch`
    /// mini-batches, if anything: a one-cycle schedule shorter than the run (PyTorch refuses
    /// a step past its total), or whose first phase is one step long (where PyTorch divides
    /// by zero).
    public func problem(epochs: Int, batchesPerEpoch: Int) -> String? {
        guard case .oneCycle(_, let cycle?, let warmupFraction, _, _, _) = resolved(epochs: epochs).kind else { return nil }
        if epochs > cycle { return "onecycle: the cycle is \(cycle) epochs long, and the run asks for \(epochs)" }
        let (steps, overflow) = cycle.multipliedReportingOverflow(by: batchesPerEpoch)
        if overflow || steps > Self.longest { return "onecycle: \(cycle) epochs of \(batchesPerEpoch) mini-batches are too many steps" }
        if warmupFraction * Double(steps) - 1 == 0 {
            return "onecycle: a warmup fraction of \(warmupFraction) of \(steps) steps is one step, which PyTorch divides by zero on"
        }
        return nil
    }

    /// True when the lengths a run fills in (`resolved(epochs:)`) are there.
    var isResolved: Bool {
        switch kind {
        case .cosine(nil, _), .oneCycle(_, nil, _, _, _, _): false
        default: true
        }
    }

    /// This schedule with the lengths left to the run filled in for a run of `epochs`
    /// epochs: the cosine's period (the epochs after the warmup, at least 1) and the one
    /// cycle's epochs. A run keeps them from its start, so that a resumed run that asks for
    /// more epochs keeps the rates it had.
    public func resolved(epochs: Int) -> LearningRateSchedule {
        var resolved = self
        switch kind {
        case .cosine(nil, let minimumRate):
            resolved.kind = .cosine(period: max(1, epochs - (warmup?.epochs ?? 0)), minimumRate: minimumRate)
        case .oneCycle(let maxRate, nil, let warmupFraction, let annealing, let divFactor, let finalDivFactor):
            resolved.kind = .oneCycle(
                maxRate: maxRate, epochs: max(1, epochs), warmupFraction: warmupFraction, annealing: annealing, divFactor: divFactor,
                finalDivFactor: finalDivFactor)
        default: break
        }
        return resolved
    }

    /// True for a schedule whose rate changes between the mini-batches of an epoch.
    public var stepsEveryBatch: Bool {
        if case .oneCycle = kind { true } else { false }
    }
}
