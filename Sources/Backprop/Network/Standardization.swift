/// Per-feature standardisation to mean 0 and standard deviation 1: x' = (x - mean) / std.
///
/// Fitted on the training data, stored in the model file and applied again by prediction
/// and evaluation, so that a model always sees inputs on the scale it was trained on.
public struct Standardization: Codable, Equatable, Sendable {
    /// Per-feature means, [x0, x1].
    public var mean: [Double]
    /// Per-feature population standard deviations, [x0, x1]; always > 0.
    ///
    /// A constant feature has no spread; its `std` is stored as 1 so that it maps to 0
    /// instead of dividing by zero.
    public var std: [Double]

    /// Per-feature means and standard deviations, two of each.
    public init(mean: [Double], std: [Double]) {
        self.mean = mean
        self.std = std
    }

    /// Fits the means and standard deviations of `dataset`'s features.
    ///
    /// Exact to rounding for features anywhere in the double range: where the plain sums
    /// would overflow or underflow (magnitudes beyond about 1e150 or below 1e-150), they
    /// are taken of the features divided by a power of two near their largest magnitude.
    /// A constant feature gets std 1.
    ///
    /// - Precondition: `dataset` is not empty.
    public init(fitting dataset: Dataset) {
        precondition(!dataset.isEmpty, "cannot standardise an empty dataset")
        let first = Self.moments(dataset.x0)
        let second = Self.moments(dataset.x1)
        mean = [first.mean, second.mean]
        std = [first.std, second.std]
    }

    /// Mean and population standard deviation, in two passes (the centred sum of squares
    /// does not cancel catastrophically).
    private static func moments(_ column: [Double]) -> (mean: Double, std: Double) {
        func moments(scaledBy scale: Double) -> (mean: Double, variance: Double) {
            let n = Double(column.count)
            let mean = column.reduce(0) { $0 + $1 / scale } / n
            let variance = column.reduce(0) { $0 + ($1 / scale - mean) * ($1 / scale - mean) } / n
            return (mean, variance)
        }
        var (mean, variance) = moments(scaledBy: 1)
        var scale = 1.0
        if !(mean.isFinite && variance.isNormal) {
            // A power of two, so that dividing by it is exact.
            let largest = column.reduce(0) { max($0, abs($1)) }
            if largest > 0 && largest.isFinite {
                scale = Double(sign: .plus, exponent: largest.exponent, significand: 1)
                (mean, variance) = moments(scaledBy: scale)
            }
        }
        let std = variance.squareRoot() * scale
        return (mean * scale, std > 0 && std.isFinite ? std : 1)
    }

    /// `dataset` with both features standardised (in place when the caller hands it over):
    /// (x − mean) / std, or x / std − mean / std where the difference would overflow.
    public func apply(to dataset: consuming Dataset) -> Dataset {
        let (m0, m1, s0, s1) = (mean[0], mean[1], std[0], std[1])
        return dataset.mapFeatures { x0, x1 in (Self.standardise(x0, m0, s0), Self.standardise(x1, m1, s1)) }
    }

    @inline(__always)
    private static func standardise(_ x: Double, _ mean: Double, _ std: Double) -> Double {
        let difference = x - mean
        return difference.isFinite ? difference / std : x / std - mean / std
    }

    /// The first problem with an untrusted standardisation (from a file), if any.
    func problem() -> String? {
        guard mean.count == 2 else { return "standardization.mean has \(mean.count) numbers, expected 2" }
        guard std.count == 2 else { return "standardization.std has \(std.count) numbers, expected 2" }
        if let i = mean.firstIndex(where: { !$0.isFinite }) {
            return "standardization.mean[\(i)] is not a finite number"
        }
        if let i = std.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
            return "standardization.std[\(i)] must be a finite number greater than 0"
        }
        return nil
    }
}
