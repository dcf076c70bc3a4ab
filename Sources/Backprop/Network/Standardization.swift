/// Per-feature standardisation to mean 0 and standard deviation 1: x' = (x - mean) / std.
///
/// Fitted on the training data, stored in the model file and applied again by prediction
/// and evaluation, so that a model always sees inputs on the scale it was trained on.
public struct Standardization: Codable, Equatable, Sendable {
    /// Per-feature means, [x0, x1].
    public internal(set) var mean: [Double]
    /// Per-feature population standard deviations, [x0, x1]; always > 0.
    ///
    /// A constant feature has no spread; its `std` is stored as 1 so that it maps to 0
    /// instead of dividing by zero.
    public internal(set) var std: [Double]

    /// Per-feature means and standard deviations, two of each (two finite means, two finite
    /// standard deviations greater than 0), unchecked; `checked(mean:std:)` throws a
    /// `SettingError` for numbers from outside the program.
    public init(mean: [Double], std: [Double]) {
        (self.mean, self.std) = (mean, std)
    }

    /// A standardisation of numbers from outside the program (a user, a file), checked.
    ///
    /// - Throws: `SettingError` (setting `standardization`) unless there are two finite
    ///   means and two finite standard deviations greater than 0.
    public static func checked(mean: [Double], std: [Double]) throws(SettingError) -> Standardization {
        let candidate = Standardization(mean: mean, std: std)
        if let problem = candidate.problem() { throw SettingError(setting: "standardization", message: problem) }
        return candidate
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
        self = Self.fit { body in dataset.withMiniBatch(0..<dataset.count, body) }
    }

    /// Fits to the rows of `source`, read in order in passes: the same bits as
    /// `init(fitting:)` on the same samples in memory.
    init(fitting source: some RowSource) throws(InputError) {
        precondition(source.count > 0, "cannot standardise an empty dataset")
        var (part, scratch) = (Dataset(validatedX0: [], x1: [], label: []), [Double]())
        var failure: InputError?
        let fitted = Self.fit { body in
            guard failure == nil else { return }
            do throws(InputError) { try source.forEachPart(through: &part, scratch: &scratch, body) } catch { failure = error }
        }
        if let failure { throw failure }
        self = fitted
    }

    /// Means and standard deviations from passes over the samples: `forEachPart` calls its
    /// argument with consecutive parts of the samples, in order, once per pass. Sums are
    /// taken sample by sample in that order, so parts of any size give the same bits.
    private static func fit(_ forEachPart: (_ body: (MiniBatch) -> Void) -> Void) -> Standardization {
        typealias Pair = (Double, Double)
        func moments(scaledBy scale: Pair) -> (count: Int, mean: Pair, variance: Pair, largest: Pair) {
            var (count, sum, largest) = (0, (0.0, 0.0), (0.0, 0.0))
            forEachPart { part in
                count += part.count
                for i in 0..<part.count {
                    sum = (sum.0 + part.x0[i] / scale.0, sum.1 + part.x1[i] / scale.1)
                    largest = (max(largest.0, abs(part.x0[i])), max(largest.1, abs(part.x1[i])))
                }
            }
            let n = Double(count)
            let mean = (sum.0 / n, sum.1 / n)
            var squares = (0.0, 0.0)
            forEachPart { part in
                for i in 0..<part.count {
                    let d = (part.x0[i] / scale.0 - mean.0, part.x1[i] / scale.1 - mean.1)
                    squares = (squares.0 + d.0 * d.0, squares.1 + d.1 * d.1)
                }
            }
            return (count, mean, (squares.0 / n, squares.1 / n), largest)
        }
        let plain = moments(scaledBy: (1, 1))
        // A power of two near the largest magnitude, so that dividing by it is exact, where
        // the plain sums overflowed or underflowed.
        func scale(_ mean: Double, _ variance: Double, _ largest: Double) -> Double {
            guard !(mean.isFinite && variance.isNormal), largest > 0 && largest.isFinite else { return 1 }
            return Double(sign: .plus, exponent: largest.exponent, significand: 1)
        }
        let scales = (scale(plain.mean.0, plain.variance.0, plain.largest.0), scale(plain.mean.1, plain.variance.1, plain.largest.1))
        let scaled = scales == (1, 1) ? plain : moments(scaledBy: scales)
        func result(_ mean: Double, _ variance: Double, _ scale: Double) -> (mean: Double, std: Double) {
            let std = variance.squareRoot() * scale
            return (mean * scale, std > 0 && std.isFinite ? std : 1)
        }
        let first = scales.0 == 1 ? result(plain.mean.0, plain.variance.0, 1) : result(scaled.mean.0, scaled.variance.0, scales.0)
        let second = scales.1 == 1 ? result(plain.mean.1, plain.variance.1, 1) : result(scaled.mean.1, scaled.variance.1, scales.1)
        return Standardization(mean: [first.mean, second.mean], std: [first.std, second.std])
    }

    /// `dataset` with both features standardised (in place when the caller hands it over):
    /// (x − mean) / std, or x / std − mean / std where the difference would overflow.
    public func apply(to dataset: consuming Dataset) -> Dataset {
        let (m0, m1, s0, s1) = (mean[0], mean[1], std[0], std[1])
        return dataset.mapFeatures { x0, x1 in (Self.standardise(x0, m0, s0), Self.standardise(x1, m1, s1)) }
    }

    /// One sample's features, standardised as `apply(to:)` does it.
    @inline(__always)
    func apply(_ x0: Double, _ x1: Double) -> (Double, Double) {
        (Self.standardise(x0, mean[0], std[0]), Self.standardise(x1, mean[1], std[1]))
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
