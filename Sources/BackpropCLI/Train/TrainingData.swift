import Backprop
import Foundation

/// The samples of a `train` run: loaded into memory, or streamed from an `.npy` file.
enum TrainingData {
    case memory(Dataset)
    case streamed(NPY.Reader)

    /// The data of `source` for a run with `configuration`: an `.npy` file is streamed when
    /// `stream` says so or when loading it would take more than half the memory this
    /// process may use; a file streamed in `streams` orders at once must leave room for
    /// their rows in flight.
    static func open(_ source: DataSource, configuration: TrainingConfiguration, stream: Bool, streams: Int = 1) throws -> TrainingData {
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
        let why = stream ? "--stream" : "\(memorySize(Double(reader.rows) * 24)) of rows, more than half the memory"
        if configuration.shuffle && configuration.blockShuffle == nil {
            throw UsageError(
                description: "\(path) is streamed from disk (\(why)), which shuffles in blocks: add --shuffle blocks, or --no-shuffle")
        }
        if configuration.validationFraction > 0 {
            throw UsageError(description: "\(path) is streamed from disk (\(why)): --validation-split needs the data in memory")
        }
        // Room beyond the rows in flight for each stream's and the run's other allocations
        // (a kernel's loss terms, the orders), found under `ulimit -v`: with less, an
        // allocation failed and the process aborted.
        let needed = Double(streams) * (configuration.bytesWhileStreaming(rows: reader.rows) + 4 * 1_048_576) + 4 * 1_048_576
        guard needed < memory else {
            throw UsageError(
                description: "\(path) is streamed from disk (\(why)), which needs about \(memorySize(needed)) of memory for the "
                    + "rows in flight; this process may use \(memorySize(memory))")
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

    /// What a checkpoint or a sweep folder keeps to recognise the data: made in the order
    /// `recorded` was, so that data recorded in memory is recognised streamed and the other
    /// way round; for a new record, in columns for data in memory (the bytes earlier
    /// versions wrote) and in rows, one pass, for a streamed file.
    func fingerprint(like recorded: String? = nil) throws(InputError) -> String {
        let order = recorded.map(FingerprintOrder.init(of:))
        return switch self {
        case .memory(let data): data.fingerprint(in: order ?? .columns)
        case .streamed(let reader): try Dataset.fingerprint(of: reader, in: order ?? .rows)
        }
    }
}
