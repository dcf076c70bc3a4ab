import Backprop
import Foundation

/// The learning-rate schedule options of `train`: the table, the `LearningRateSchedule`
/// they give, and their comparison with a checkpoint's.
enum ScheduleOptions {
    private static let positive = Option.Value.number(requirement: "a number > 0", isValid: { $0 > 0 })
    private static let notNegative = Option.Value.number(requirement: "a number >= 0", isValid: { $0 >= 0 })
    private static let factor = Option.Value.number(requirement: "a number > 0 and <= 1", isValid: { $0 > 0 && $0 <= 1 })

    /// The options of each schedule: any other schedule's is refused.
    private static let settings: KeyValuePairs<String, [String]> = [
        "constant": [],
        "step": ["--step-size", "--gamma"],
        "multistep": ["--milestones", "--gamma"],
        "exponential": ["--gamma"],
        "cosine": ["--t-max", "--eta-min"],
        "linear": ["--start-factor", "--end-factor", "--total-iters"],
        "onecycle": ["--max-learning-rate", "--pct-start", "--anneal-strategy", "--div-factor", "--final-div-factor"],
        "plateau": ["--plateau-factor", "--plateau-patience", "--plateau-threshold", "--cooldown", "--min-learning-rate"],
    ]
    /// The option each schedule cannot do without (PyTorch's required arguments).
    static let required = ["step": "--step-size", "multistep": "--milestones", "exponential": "--gamma"]
    private static let warmupOptions = ["--warmup-epochs", "--warmup-start-factor"]

    /// The schedules' names, as `--schedule` takes them.
    static let names = settings.map(\.key)

    /// The schedules that take `option`.
    static func schedules(taking option: String) -> [String] {
        option == "--warmup-epochs" || option == "--warmup-start-factor"
            ? names.filter { !["onecycle", "plateau"].contains($0) } : settings.filter { $0.value.contains(option) }.map(\.key)
    }

    static let options = [
        Option(
            "--schedule", "NAME", .choice(settings.map(\.key)),
            "how the learning rate changes, as torch.optim.lr_scheduler's\nclass of that name (docs/Schedules.md): constant (default),\nstep, multistep, exponential, cosine, linear, onecycle, plateau",
            keptByCheckpoint: true),
        Option("--step-size", "N", .integer(1...10_000_000), "step: epochs between decays (StepLR's step_size)", keptByCheckpoint: true),
        Option(
            "--gamma", "G", positive, "step, multistep, exponential: the decay factor (default\n0.1; exponential has none)",
            keptByCheckpoint: true),
        Option("--milestones", "LIST", .text, "multistep: the epochs of the decays, increasing: 30,80", keptByCheckpoint: true),
        Option(
            "--t-max", "N", .integer(1...10_000_000), "cosine: epochs of half a cycle (default: the epochs after\nany warmup)",
            keptByCheckpoint: true),
        Option("--eta-min", "X", notNegative, "cosine: the lowest rate (default: 0)", keptByCheckpoint: true),
        Option("--start-factor", "F", factor, "linear: the first epoch's factor (default: 1/3)", keptByCheckpoint: true),
        Option(
            "--end-factor", "F", .number(requirement: "a number from 0 to 1", isValid: { $0 >= 0 && $0 <= 1 }),
            "linear: the factor from --total-iters on (default: 1)", keptByCheckpoint: true),
        Option("--total-iters", "N", .integer(1...10_000_000), "linear: epochs from start to end factor (default: 5)", keptByCheckpoint: true),
        Option(
            "--max-learning-rate", "X", positive, "onecycle: the peak rate (default: --learning-rate); the\nrate changes every mini-batch",
            keptByCheckpoint: true),
        Option(
            "--pct-start", "F", .number(requirement: "a number from 0 to 1", isValid: { $0 >= 0 && $0 <= 1 }),
            "onecycle: the fraction of steps spent rising (default: 0.3)", keptByCheckpoint: true),
        Option("--anneal-strategy", "HOW", .choice(["cos", "linear"]), "onecycle: cos (default) or linear", keptByCheckpoint: true),
        Option("--div-factor", "D", positive, "onecycle: the first rate is the peak / D (default: 25)", keptByCheckpoint: true),
        Option(
            "--final-div-factor", "D", positive, "onecycle: the last rate is the first / D (default: 1e4)", keptByCheckpoint: true),
        Option(
            "--plateau-factor", "F", .number(requirement: "a number > 0 and < 1", isValid: { $0 > 0 && $0 < 1 }),
            "plateau: the rate's factor at each reduction (default: 0.1)", keptByCheckpoint: true),
        Option(
            "--plateau-patience", "N", .integer(0...1_000_000),
            "plateau: epochs without improvement before a reduction\n(default: 10)", keptByCheckpoint: true),
        Option(
            "--plateau-threshold", "X", notNegative, "plateau: the relative improvement that counts (default: 1e-4)",
            keptByCheckpoint: true),
        Option("--cooldown", "N", .integer(0...1_000_000), "plateau: epochs ignored after a reduction (default: 0)", keptByCheckpoint: true),
        Option("--min-learning-rate", "X", notNegative, "plateau: the lowest rate (default: 0)", keptByCheckpoint: true),
        Option(
            "--warmup-epochs", "N", .integer(1...10_000_000),
            "a LinearLR warmup of N epochs before the schedule, as\nSequentialLR (not with onecycle or plateau)", keptByCheckpoint: true),
        Option(
            "--warmup-start-factor", "F", factor, "the warmup's first factor (default: 1/3)", requires: ["--warmup-epochs"],
            keptByCheckpoint: true),
    ]

    /// The schedule the options name, with PyTorch's defaults for what they leave out.
    static func schedule(_ options: ParsedOptions) -> LearningRateSchedule {
        schedule(
            named: options.string("--schedule") ?? "constant", gamma: options.number("--gamma"), period: options.integer("--t-max"),
            warmupEpochs: options.integer("--warmup-epochs"), options)
    }

    /// Schedule `name` with these settings (a sweep's configuration takes them from its
    /// lists) and the options' others; `warmupEpochs` nil or 0 for no warmup.
    static func schedule(named name: String, gamma: Double?, period: Int?, warmupEpochs: Int?, _ options: ParsedOptions)
        -> LearningRateSchedule
    {
        let kind: LearningRateSchedule.Kind =
            switch name {
            case "step": .step(stepSize: options.integer("--step-size") ?? 1, gamma: gamma ?? 0.1)
            case "multistep": .multiStep(milestones: milestones(options) ?? [], gamma: gamma ?? 0.1)
            case "exponential": .exponential(gamma: gamma ?? 1)
            case "cosine": .cosine(period: period, minimumRate: options.number("--eta-min") ?? 0)
            case "linear":
                .linear(
                    startFactor: options.number("--start-factor") ?? 1.0 / 3, endFactor: options.number("--end-factor") ?? 1,
                    epochs: options.integer("--total-iters") ?? 5)
            case "onecycle":
                .oneCycle(
                    maxRate: options.number("--max-learning-rate"), warmupFraction: options.number("--pct-start") ?? 0.3,
                    annealing: options.string("--anneal-strategy") == "linear" ? .linear : .cosine,
                    divFactor: options.number("--div-factor") ?? 25, finalDivFactor: options.number("--final-div-factor") ?? 1e4)
            case "plateau":
                .plateau(
                    factor: options.number("--plateau-factor") ?? 0.1, patience: options.integer("--plateau-patience") ?? 10,
                    threshold: options.number("--plateau-threshold") ?? 1e-4, cooldown: options.integer("--cooldown") ?? 0,
                    minimumRate: options.number("--min-learning-rate") ?? 0)
            default: .constant
            }
        let warmup = warmupEpochs.flatMap { epochs in
            epochs == 0 ? nil : LearningRateSchedule.Warmup(epochs: epochs, startFactor: options.number("--warmup-start-factor") ?? 1.0 / 3)
        }
        return LearningRateSchedule(kind, warmup: warmup)
    }

    /// Refuses options of another schedule, a schedule without its required option, and
    /// settings PyTorch refuses.
    static func check(_ options: ParsedOptions) throws(UsageError) {
        let name = options.string("--schedule") ?? "constant"
        let own = settings.first { $0.key == name }?.value ?? []
        for option in Set(settings.flatMap(\.value)).subtracting(own).sorted() where options.has(option) {
            throw UsageError(description: "\(option) is not a setting of --schedule \(name)")
        }
        try checkRequired([name], options)
        if name == "onecycle" && options.has("--learning-rate") && options.has("--max-learning-rate") {
            throw UsageError(description: "--schedule onecycle starts from --max-learning-rate / --div-factor: --learning-rate is not used")
        }
        if let problem = schedule(options).problem { throw UsageError(description: "--schedule \(name): \(problem)") }
    }

    /// Refuses schedules `names` without the options they need, and `--milestones` that are
    /// not epochs.
    static func checkRequired(_ names: [String], _ options: ParsedOptions) throws(UsageError) {
        for name in names {
            if let option = required[name], !options.has(option) { throw UsageError(description: "--schedule \(name) needs \(option)") }
        }
        if let text = options.string("--milestones"), milestones(options) == nil {
            throw UsageError(description: "--milestones \(text): must be epochs (whole numbers from 1) separated by commas")
        }
    }

    /// `--milestones`: whole epochs separated by commas; nil when it is not that.
    static func milestones(_ options: ParsedOptions) -> [Int]? {
        guard let text = options.string("--milestones") else { return nil }
        let epochs = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return epochs.allSatisfy({ ($0 ?? 0) >= 1 }) ? epochs.map { $0! } : nil
    }

    /// Each option given again with `--resume`, beside the checkpoint's value, as text.
    static func comparisons(_ options: ParsedOptions, with run: TrainingConfiguration) -> [(option: String, given: String, kept: String)] {
        let kept = run.schedule
        var pairs = [("--schedule", options.string("--schedule") ?? kept.kind.name, kept.kind.name)]
        for option in Set(settings.flatMap(\.value)).sorted() + warmupOptions where options.has(option) {
            pairs.append((option, text(of: option, options), setting(option, of: kept)))
        }
        return pairs
    }

    /// The value of `option` as given, as `setting(_:of:)` writes it.
    private static func text(of option: String, _ options: ParsedOptions) -> String {
        if let value = options.integer(option) { return "\(value)" }
        if let value = options.number(option) { return "\(value)" }
        if option == "--milestones", let value = milestones(options) { return value.map(String.init).joined(separator: ",") }
        return options.string(option) ?? ""
    }

    /// One setting of `schedule` as text, or what it is when the schedule has no such setting.
    private static func setting(_ option: String, of schedule: LearningRateSchedule) -> String {
        switch (schedule.kind, option) {
        case (_, "--warmup-epochs"): return schedule.warmup.map { "\($0.epochs)" } ?? "none"
        case (_, "--warmup-start-factor"): return schedule.warmup.map { "\($0.startFactor)" } ?? "none"
        case (.step(let size, _), "--step-size"): return "\(size)"
        case (.step(_, let gamma), "--gamma"), (.multiStep(_, let gamma), "--gamma"), (.exponential(let gamma), "--gamma"): return "\(gamma)"
        case (.multiStep(let milestones, _), "--milestones"): return milestones.map(String.init).joined(separator: ",")
        case (.cosine(let period, _), "--t-max"): return period.map(String.init) ?? "none"
        case (.cosine(_, let minimum), "--eta-min"), (.plateau(_, _, _, _, let minimum), "--min-learning-rate"): return "\(minimum)"
        case (.linear(let start, _, _), "--start-factor"): return "\(start)"
        case (.linear(_, let end, _), "--end-factor"): return "\(end)"
        case (.linear(_, _, let epochs), "--total-iters"): return "\(epochs)"
        case (.oneCycle(let rate, _, _, _, _, _), "--max-learning-rate"): return rate.map { "\($0)" } ?? "none"
        case (.oneCycle(_, _, let fraction, _, _, _), "--pct-start"): return "\(fraction)"
        case (.oneCycle(_, _, _, let annealing, _, _), "--anneal-strategy"): return annealing.rawValue
        case (.oneCycle(_, _, _, _, let div, _), "--div-factor"): return "\(div)"
        case (.oneCycle(_, _, _, _, _, let div), "--final-div-factor"): return "\(div)"
        case (.plateau(let factor, _, _, _, _), "--plateau-factor"): return "\(factor)"
        case (.plateau(_, let patience, _, _, _), "--plateau-patience"): return "\(patience)"
        case (.plateau(_, _, let threshold, _, _), "--plateau-threshold"): return "\(threshold)"
        case (.plateau(_, _, _, let cooldown, _), "--cooldown"): return "\(cooldown)"
        default: return "none (--schedule \(schedule.kind.name))"
        }
    }
}
