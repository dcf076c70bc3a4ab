import Backprop
import Foundation

/// The samples of a `train` run: loaded into memory, or streamed from an `.npy` file.
enum TrainingData {
    case memory(Dataset)
    case streamed(NPY.Reader)

    /// The data of `source` for a run with `configuration`: an `.npy` file is streamed when
    /// `stream` says so or when loading it would take more than half the memory this
    /// process may use.
    static func open(_ source: DataSource, configuration: TrainingConfiguration, stream: Bool) throws -> TrainingData {
        try checkStream(source, stream: stream)
        guard case .file(let path) = source, NPY.isNPY(path: path) else {
            if stream, case .file(let path) = source {
                throw UsageError(description: "--stream reads .npy files; write \(path) as one with `backprop convert`")
            }
            if case .synthetic(_, let count, _, _) = source { try checkMemory(forSamples: count, option: "--samples") }
            return .memory(try source.load())
        }
        let reader = try NPY.Reader(path: path)
        let memory = Double(availableMemory())
        guard stream || Double(reader.rows) * configuration.bytesPerLoadedSample > memory / 2 else { return .memory(try NPY.read(path: path)) }
        let why = stream ? "--stream" : String(format: "%.1f GiB of rows, more than half the memory", Double(reader.rows) * 24 / 1_073_741_824)
        if configuration.shuffle && configuration.blockShuffle == nil {
            throw UsageError(
                description: "\(path) is streamed from disk (\(why)), which shuffles in blocks: add --shuffle blocks, or --no-shuffle")
        }
        if configuration.validationFraction > 0 {
            throw UsageError(description: "\(path) is streamed from disk (\(why)): --validation-split needs the data in memory")
        }
        return .streamed(reader)
    }

    /// `--stream` reads a file: with a built-in set it would be ignored without a word.
    static func checkStream(_ source: DataSource, stream: Bool) throws(UsageError) {
        if stream, case .synthetic = source { throw UsageError(description: "--stream reads an .npy file given with --data") }
    }

    /// Number of samples.
    var count: Int {
        switch self {
        case .memory(let data): data.count
        case .streamed(let reader): reader.rows
        }
    }

    /// What a checkpoint keeps to recognise the data: the same for a file loaded or streamed.
    func fingerprint() throws(InputError) -> String {
        switch self {
        case .memory(let data): data.fingerprint
        case .streamed(let reader): try Dataset.fingerprint(of: reader)
        }
    }
}
