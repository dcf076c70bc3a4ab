import Backprop
import Foundation

enum GradcheckCommand {
    static let help = """
        USAGE: backprop gradcheck [--engine NAME] [--trials N] [--seed S]

        Compares an engine's analytic gradients with centred finite differences of its own
        loss, on random parameters (including saturated sigmoids) and random mini-batches,
        and prints the worst relative error per layer. Exits with status 1 above the tolerance.

        OPTIONS:
          --engine NAME   \(EngineChoice.help) (default: reference)
          --trials N      random cases (default: 24)
          --seed S        seed for the cases (default: 7)
          -h, --help      show this help
        """

    static func run(_ arguments: inout Arguments) throws -> Int32 {
        let engineName = try arguments.choice("--engine", EngineChoice.names) ?? "reference"
        let trials = try arguments.integer("--trials", in: 1...100_000) ?? 24
        let seed = try arguments.integer("--seed", in: 0...Int.max) ?? 7
        try arguments.finish()
        let engine = try EngineChoice.type(named: engineName)

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
        return 0
    }
}
