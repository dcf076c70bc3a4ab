import Backprop

/// The optimizer options of `train` and `bench`: the table, the `Optimizer` they give, and
/// their comparison with a checkpoint's.
enum OptimizerOptions {
    private static let fraction = Option.Value.number(
        requirement: "a number from 0 up to (not including) 1", isValid: { $0 >= 0 && $0 < 1 })
    private static let sgdOnly = ["--momentum", "--nesterov"]
    static let adamOnly = ["--beta1", "--beta2", "--epsilon"]

    static let options = [
        Option(
            "--optimizer", "NAME", .choice(["sgd", "adam", "adamw"]),
            "sgd (default), adam, or adamw (decoupled weight decay): as\ntorch.optim's SGD, Adam and AdamW (docs/Optimizers.md)",
            keptByCheckpoint: true),
        Option("--momentum", "M", fraction, "sgd's momentum, 0 <= M < 1 (default: 0)", keptByCheckpoint: true),
        Option.flag("--nesterov", "sgd: Nesterov momentum (needs --momentum above 0)", keptByCheckpoint: true),
        Option("--beta1", "B1", fraction, "adam(w)'s first-moment decay (default: 0.9)", keptByCheckpoint: true),
        Option("--beta2", "B2", fraction, "adam(w)'s second-moment decay (default: 0.999)", keptByCheckpoint: true),
        Option(
            "--epsilon", "E", .number(requirement: "a number > 0", isValid: { $0 > 0 }),
            "adam(w)'s term added to the denominator (default: 1e-8)", keptByCheckpoint: true),
        Option(
            "--weight-decay", "L", .number(requirement: "a number >= 0", isValid: { $0 >= 0 }),
            "L2 penalty added to the gradient (sgd, adam), or decoupled\n(adamw) (default: 0; adamw: 0.01)", keptByCheckpoint: true),
        Option(
            "--positive-weight", "W", .number(requirement: "a number > 0", isValid: { $0 > 0 }),
            "weight of a positive sample's loss, as BCEWithLogitsLoss's\npos_weight: above 1 for data with few positives (default: 1)",
            keptByCheckpoint: true),
    ]

    /// The optimizer the options name, with PyTorch's defaults for what they leave out.
    static func optimizer(_ options: ParsedOptions) -> Optimizer {
        optimizer(named: options.string("--optimizer") ?? "sgd", momentum: options.number("--momentum") ?? 0, options)
    }

    /// Optimizer `name` (sgd, adam or adamw) at `momentum` (sgd's), with the options'
    /// other settings and PyTorch's defaults for what they leave out.
    static func optimizer(named name: String, momentum: Double, _ options: ParsedOptions) -> Optimizer {
        let decay = options.number("--weight-decay")
        let (beta1, beta2, epsilon) = (options.number("--beta1") ?? 0.9, options.number("--beta2") ?? 0.999, options.number("--epsilon") ?? 1e-8)
        switch name {
        case "adam": return .adam(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: decay ?? 0)
        case "adamw": return .adamW(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: decay ?? 0.01)
        default: return .sgd(momentum: momentum, nesterov: options.flag("--nesterov"), weightDecay: decay ?? 0)
        }
    }

    /// Refuses options that the chosen optimizer does not have, and settings PyTorch refuses.
    static func check(_ options: ParsedOptions) throws(UsageError) {
        let name = options.string("--optimizer") ?? "sgd"
        let foreign = name == "sgd" ? adamOnly : sgdOnly
        if let option = foreign.first(where: options.has) {
            throw UsageError(description: "\(option) is not a setting of --optimizer \(name)")
        }
        if let problem = optimizer(options).problem { throw UsageError(description: "--optimizer \(name): \(problem)") }
    }

    /// Each option given again with `--resume`, beside the checkpoint's value, as text.
    static func comparisons(_ options: ParsedOptions, with run: TrainingConfiguration) -> [(option: String, given: String, kept: String)] {
        // Without --optimizer, the settings given are the run's optimizer's (--beta1 of an Adam run).
        let given = optimizer(named: options.string("--optimizer") ?? run.optimizer.name, momentum: options.number("--momentum") ?? 0, options)
        var pairs = [
            ("--optimizer", given.name, run.optimizer.name),
            ("--positive-weight", "\(options.number("--positive-weight") ?? 1)", "\(run.positiveWeight)"),
        ]
        for option in sgdOnly + adamOnly + ["--weight-decay"] {
            let value = setting(option, of: given)
            // A setting the optimizer does not have, given anyway, never agrees.
            pairs.append((option, value.hasPrefix("none") ? "given" : value, setting(option, of: run.optimizer)))
        }
        return pairs
    }

    /// One setting of `optimizer` as text, or what it is when the optimizer has no such setting.
    private static func setting(_ option: String, of optimizer: Optimizer) -> String {
        switch (optimizer, option) {
        case (.sgd(let momentum, _, _), "--momentum"): "\(momentum)"
        case (.sgd(_, let nesterov, _), "--nesterov"): nesterov ? "given" : "absent"
        case (.sgd(_, _, let decay), "--weight-decay"), (.adam(_, _, _, let decay), "--weight-decay"),
            (.adamW(_, _, _, let decay), "--weight-decay"):
            "\(decay)"
        case (.adam(let beta1, _, _, _), "--beta1"), (.adamW(let beta1, _, _, _), "--beta1"): "\(beta1)"
        case (.adam(_, let beta2, _, _), "--beta2"), (.adamW(_, let beta2, _, _), "--beta2"): "\(beta2)"
        case (.adam(_, _, let epsilon, _), "--epsilon"), (.adamW(_, _, let epsilon, _), "--epsilon"): "\(epsilon)"
        default: "none (--optimizer \(optimizer.name))"
        }
    }
}
