import BackpropKernelStorage

/// Checks an engine's analytic gradients against centred finite differences of its own loss.
public enum GradientCheck {
    /// The largest accepted relative error (see `relativeError`).
    public static let tolerance = 1e-7

    /// Gradient components smaller than this are compared in absolute terms.
    ///
    /// The finite differences below have a rounding error of about ε·|loss|/h ≈ 1e-13 for
    /// h = 1e-3 (ε = 2.2e-16, loss ≲ 1 per sample for unsaturated outputs, up to ~30 when
    /// saturated and wrong); dividing by at least 1e-5 keeps that noise below 1e-7 while
    /// every gradient larger than 1e-5 is still checked to 1e-7 relative.
    public static let magnitudeFloor = 1e-5

    /// The worst error found in one group of parameters.
    public struct GroupResult: Sendable {
        /// `hidden1.weights`, `hidden1.bias`, ..., `output.bias`.
        public var name: String
        /// The largest `relativeError` over the group's parameters and every trial.
        public var worstRelativeError: Double
        /// True below `GradientCheck.tolerance`.
        public var passed: Bool { worstRelativeError < GradientCheck.tolerance }
    }

    /// |analytic − numeric| / max(|analytic|, |numeric|, `magnitudeFloor`).
    public static func relativeError(_ analytic: Double, _ numeric: Double) -> Double {
        abs(analytic - numeric) / max(abs(analytic), abs(numeric), magnitudeFloor)
    }

    /// Runs `trials` random cases: random parameters (some scaled up until the sigmoids
    /// saturate) and random mini-batches of 1 to 16 samples.
    ///
    /// The numeric derivative is the fourth-order centred difference
    /// (−L(θ+2h) + 8L(θ+h) − 8L(θ−h) + L(θ−2h)) / 12h, whose truncation error O(h⁴) is
    /// negligible at h = 1e-3, which in turn keeps the rounding error small.
    public static func run<Engine: TrainingEngine>(
        _ engine: Engine.Type, trials: Int = 24, seed: UInt64 = 7
    ) -> [GroupResult] {
        var generator = SplitMix64(seed: seed)
        var worst = [Double](repeating: 0, count: Parameters.count)
        for trial in 0..<trials {
            // Every third trial multiplies the weights by 6: pre-activations of 5 to 15 put
            // the sigmoids deep into saturation, where derivatives are tiny.
            let scale = trial % 3 == 2 ? 6.0 : 1.0 + Double(trial % 3)
            let start = Parameters.glorotUniform(using: &generator)
            var values = start.flattened.map { $0 * scale }
            for i in values.indices where ParameterLayout.isBias(i) { values[i] = generator.nextUniform(-1, 1) * scale }
            let parameters = Parameters(flattened: values)

            let count = 1 + generator.nextIndex(below: 16)
            var x0 = [Double](), x1 = [Double](), label = [Double]()
            for _ in 0..<count {
                x0.append(2 * generator.nextGaussian())
                x1.append(2 * generator.nextGaussian())
                label.append(Double(generator.nextIndex(below: 2)))
            }
            let batch = Dataset(validatedX0: x0, x1: x1, label: label)

            let analytic = Engine(parameters: parameters, options: EngineOptions(threads: 1))
                .lossAndGradients(batch).gradients.flattened
            for i in values.indices {
                let h = 1e-3 * max(1, abs(values[i]))
                func loss(_ offset: Double) -> Double {
                    var shifted = values
                    shifted[i] += offset
                    return Engine(parameters: Parameters(flattened: shifted), options: EngineOptions(threads: 1))
                        .lossAndGradients(batch).loss
                }
                let numeric = (-loss(2 * h) + 8 * loss(h) - 8 * loss(-h) + loss(-2 * h)) / (12 * h)
                worst[i] = max(worst[i], relativeError(analytic[i], numeric))
            }
        }
        return groups.map { name, range in
            GroupResult(name: name, worstRelativeError: worst[range].max() ?? 0)
        }
    }

    /// The parameter groups in model-file order and their ranges in `Parameters.flattened`.
    public static let groups = ParameterLayout.groups
}
