import BackpropKernelStorage

/// A seedable SplitMix64 generator: the package's only source of randomness.
///
/// The standard library has no seedable generator, and its `random(in:using:)` algorithms
/// may change between Swift releases; everything here draws through the helpers below so
/// that a seed gives the same numbers on every platform and toolchain.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable, Codable {
    /// The whole state: saving it and restoring it resumes the exact same stream.
    public var state: UInt64

    /// A generator whose sequence is determined by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform double in [lower, upper).
    public mutating func nextUniform(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * nextUnit()
    }

    /// A uniform integer in 0..<bound (Lemire's multiply-shift; bias below 2^-64 · bound).
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A standard normal deviate (Box–Muller, one of the pair).
    public mutating func nextGaussian() -> Double {
        let u1 = 1.0 - nextUnit()  // in (0, 1], so the log is finite
        let u2 = nextUnit()
        return (-2.0 * _log(u1)).squareRoot() * _cos(2.0 * .pi * u2)
    }

    /// Shuffles `indices` in place (Fisher–Yates).
    public mutating func shuffle(_ indices: inout [Int]) {
        guard indices.count > 1 else { return }
        indices.withUnsafeMutableBufferPointer { indices in
            for i in stride(from: indices.count - 1, to: 0, by: -1) {
                indices.swapAt(i, nextIndex(below: i + 1))
            }
        }
    }
}
