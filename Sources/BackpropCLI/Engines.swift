import Backprop

/// The engines the CLI can pick by name: the only place where `any TrainingEngine` appears.
enum EngineChoice {
    static let names = ["reference", "simd", "parallel"]

    /// The engine type for `name`.
    static func type(named name: String) throws(UsageError) -> any TrainingEngine.Type {
        switch name {
        case ReferenceEngine.name:
            return ReferenceEngine.self
        case SIMDEngine.name:
            return SIMDEngine.self
        case ParallelEngine.name:
            return ParallelEngine.self
        default:
            throw UsageError(description: "--engine must be one of \(names.joined(separator: ", ")), not '\(name)'")
        }
    }

    static let help = "reference (scalar, the specification), simd (one core), parallel (all cores)"
}
