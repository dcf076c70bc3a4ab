import Backprop

/// The engines the CLI can pick by name: the only place where `any TrainingEngine` appears.
enum EngineChoice {
    static let names = [ReferenceEngine.name, SIMDEngine.name, ParallelEngine.name, LaneEngine.name]

    /// The engine type for `name`, one of `names` (the option table checked it).
    static func type(named name: String) -> any TrainingEngine.Type {
        switch name {
        case ReferenceEngine.name: ReferenceEngine.self
        case ParallelEngine.name: ParallelEngine.self
        case LaneEngine.name: LaneEngine.self
        default: SIMDEngine.self
        }
    }

    /// `--engine NAME`, with the command's default engine.
    static func option(default name: String) -> Option {
        Option(
            "--engine", "NAME", .choice(names),
            "reference (scalar, the specification), simd (one core),\nparallel (all cores), population (one lane of the sweeps'\nengine: their models' reference, not fast) (default: \(name))")
    }

    /// Refuses `--threads` above 1 with an engine that runs on one thread, which would
    /// ignore it (`--threads 1` is what it does, and scripts that loop over engines give it).
    static func checkThreads(_ threads: Int?, engine: String, usedBy engines: [String]) throws(UsageError) {
        guard let threads, threads > 1, !engines.contains(engine) else { return }
        throw UsageError(
            description: "--threads \(threads): the \(engine) engine runs on one thread (--threads is for \(engines.joined(separator: " and ")))")
    }

    /// `--threads T`.
    static let threadsOption = Option(
        "--threads", "T", .integer(1...1024), "threads for the parallel engine (default: all cores)")
}
