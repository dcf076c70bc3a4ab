import BackpropKernelStorage

/// Built-in, seeded two-class data sets in two dimensions.
public enum SyntheticData: String, CaseIterable, Sendable, Codable {
    /// Two interleaving half circles (as scikit-learn's `make_moons`).
    case moons
    /// A circle inside a ring, radii 0.5 and 1.
    case circles
    /// Four clusters at (±1, ±1); label 1 where x0 and x1 have opposite signs.
    case xor
    /// Two interleaved spirals of 1.75 turns.
    case spirals

    /// `count` samples, half of each class, with Gaussian noise of standard deviation
    /// `noise` added to both coordinates, in a seeded random order.
    public func generate(count: Int, noise: Double = 0.2, seed: UInt64 = 0) -> Dataset {
        precondition(count >= 0, "count must not be negative")
        var generator = SplitMix64(seed: seed)
        var x0 = [Double](), x1 = [Double](), label = [Double]()
        x0.reserveCapacity(count)
        x1.reserveCapacity(count)
        label.reserveCapacity(count)
        for i in 0..<count {
            let y = i < count / 2 ? 0.0 : 1.0
            let t = generator.nextUnit()
            var (a, b): (Double, Double)
            switch self {
            case .moons:
                let angle = Double.pi * t
                (a, b) = y == 0 ? (_cos(angle), _sin(angle)) : (1 - _cos(angle), 0.5 - _sin(angle))
            case .circles:
                let angle = 2 * Double.pi * t
                let radius = y == 0 ? 1.0 : 0.5
                (a, b) = (radius * _cos(angle), radius * _sin(angle))
            case .xor:
                let quadrant = generator.nextIndex(below: 2)
                let sx = quadrant == 0 ? 1.0 : -1.0
                let sy = y == 0 ? sx : -sx
                (a, b) = (sx, sy)
            case .spirals:
                let r = 0.1 + t
                let angle = 3.5 * Double.pi * t + (y == 0 ? 0 : Double.pi)
                (a, b) = (r * _cos(angle), r * _sin(angle))
            }
            x0.append(a + noise * generator.nextGaussian())
            x1.append(b + noise * generator.nextGaussian())
            label.append(y)
        }
        var order = Array(0..<count)
        generator.shuffle(&order)
        return Dataset(validatedX0: x0, x1: x1, label: label).selecting(order)
    }
}
