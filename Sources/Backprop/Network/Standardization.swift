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
    /// - Precondition: `dataset` is not empty.
    public init(fitting dataset: Dataset) {
        precondition(!dataset.isEmpty, "cannot standardise an empty dataset")
        func moments(_ column: [Double]) -> (mean: Double, std: Double) {
            let n = Double(column.count)
            let mean = column.reduce(0, +) / n
            // Two passes: the centred sum of squares does not cancel catastrophically.
            let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
            let std = variance.squareRoot()
            return (mean, std > 0 && std.isFinite ? std : 1)
        }
        let first = moments(dataset.x0)
        let second = moments(dataset.x1)
        mean = [first.mean, second.mean]
        std = [first.std, second.std]
    }

    /// `dataset` with both features standardised (in place when the caller hands it over).
    public func apply(to dataset: consuming Dataset) -> Dataset {
        let (m0, m1, s0, s1) = (mean[0], mean[1], std[0], std[1])
        return dataset.mapFeatures { x0, x1 in ((x0 - m0) / s0, (x1 - m1) / s1) }
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
