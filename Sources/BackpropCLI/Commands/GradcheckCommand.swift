import Backprop
import Foundation

enum GradcheckCommand {
    static let command = Command(
        name: "gradcheck", usage: ["[--engine NAME] [--trials N] [--seed S]"],
        summary: """
            Compares an engine's analytic gradients with centred finite differences of its own
            loss, on random parameters (including saturated sigmoids) and random mini-batches,
            and prints the worst relative error per layer. Exits with status 1 above the tolerance.
            """,
        sections: [
            (
                "OPTIONS",
                [
                    EngineChoice.option(default: ReferenceEngine.name),
                    Option("--trials", "N", .integer(1...100_000), "random cases (default: 24)"),
                    Option("--seed", "S", .integer(0...Int.max), "seed for the cases (default: 7)"),
                ]
            )
        ], run: run)

static func run(_ options: ParsedOptions) throws -> Int32 {
        let engineName = options.string("--engine") ?? ReferenceEngine.name
        let trials = options.integer("--trials") ?? 24
        let seed = options.integer("--seed") ?? 7
        let engine = EngineChoice.type(named: engineName)

        let results = GradientCheck.run(engine, trials: trials, seed: UInt64(seed))
        print("gradient check of the \(engineName) engine, \(trials) random cases")
        print("relative error = |analytic - numeric| / max(|analytic|, |numeric|, \(GradientCheck.magnitudeFloor))")
        for result in results {
            let verdict = result.passed ? "ok" : "FAILED"
            print(
                "  \(result.name.padding(toLength: 16, withPad: " ", startingAt: 0)) worst \(String(format: "%.3e", result.worstRelativeError))  \(verdict)"
            )
        }
        let worst = results.map(\.worstRelativeError).max() ?? 0
        guard results.allSatisfy(\.passed) else {
            throw Failure(
                description: "gradient check failed: worst relative error \(String(format: "%.3e", worst)) exceeds \(GradientCheck.tolerance)")
        }
        print("passed: worst relative error \(String(format: "%.3e", worst)) < \(GradientCheck.tolerance)")
        try finishStandardOutput()
        return 0
    }
}
