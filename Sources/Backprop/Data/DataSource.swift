/// Where a training run's samples come from: a CSV file or a built-in data set.
///
/// A value, so that a checkpoint can keep it and a resumed run can load the same data again.
public enum DataSource: Codable, Sendable, Equatable {
    /// Rows of x0,x1,label in a CSV file (see `CSV`).
    case file(path: String)
    /// `count` samples of a built-in set (see `SyntheticData.generate(count:noise:seed:)`).
    case synthetic(set: SyntheticData, count: Int, noise: Double, seed: UInt64)

    /// Reads or generates the samples.
    ///
    /// - Throws: `InputError` when the file cannot be read or is not valid CSV.
    public func load() throws(InputError) -> Dataset {
        switch self {
        case .file(let path):
            try CSV.read(path: path)
        case .synthetic(let set, let count, let noise, let seed):
            set.generate(count: count, noise: noise, seed: seed)
        }
    }
}
