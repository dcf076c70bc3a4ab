/// Where a training run's samples come from: a data file or a built-in data set.
///
/// A value, so that a checkpoint can keep it and a resumed run can load the same data again.
public enum DataSource: Codable, Sendable, Equatable {
    /// Rows of x0,x1,label in a CSV or `.npy` file (see `Dataset.read(path:labels:)`).
    case file(path: String)
    /// `count` samples of a built-in set (see `SyntheticData.generate(count:noise:seed:)`).
    case synthetic(set: SyntheticData, count: Int, noise: Double, seed: UInt64)

    /// Reads or generates the samples.
    ///
    /// - Throws: `InputError` when the file cannot be read or is not valid CSV or `.npy`.
    public func load() throws(InputError) -> Dataset {
        switch self {
        case .file(let path):
            try Dataset.read(path: path)
        case .synthetic(let set, let count, let noise, let seed):
            set.generate(count: count, noise: noise, seed: seed)
        }
    }
}

extension Dataset {
    /// Reads a data file: NumPy `.npy` (see `NPY`) when it starts like one, CSV otherwise
    /// (see `CSV`), whatever its name.
    ///
    /// - Parameters:
    ///   - path: the file, as the user named it (errors name it so).
    ///   - labels: `.required` needs a label per row; `.optional` also takes rows of x0, x1
    ///     only (labels 0), for prediction.
    public static func read(path: String, labels: CSV.Labels = .required) throws(InputError) -> Dataset {
        NPY.isNPY(path: path) ? try NPY.read(path: path, labels: labels) : try CSV.read(path: path, labels: labels)
    }
}
