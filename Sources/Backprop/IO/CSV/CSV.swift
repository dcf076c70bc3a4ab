import Foundation

/// Reads data sets from CSV: two numeric features and a 0/1 label per row.
///
/// Accepts an optional header line (any names: it is a header when none of its fields is a
/// number), LF or CRLF line ends, a UTF-8 byte-order mark, spaces around fields, no final
/// newline and trailing blank lines. Everything else is an `InputError` naming the line.
public enum CSV {
    /// Whether rows must carry a label column.
    public enum Labels: Sendable {
        /// Every row is x0,x1,label.
        case required
        /// Rows are either all x0,x1,label or all x0,x1; unlabelled rows get label 0.
        case optional
    }

    /// Reads the CSV file at `path`.
    ///
    /// The file is read in blocks of 4 MiB (a longer line grows the block) and parsed
    /// straight into the columns, so memory holds the samples and one block, never the text.
    public static func read(path: String, labels: Labels = .required) throws(InputError) -> Dataset {
        try read(path: path, labels: labels, blockSize: 4 << 20, threads: EngineOptions.availableCores)
    }

    /// Reads the CSV file at the file URL `url` (see `read(path:labels:)`).
    public static func read(from url: URL, labels: Labels = .required) throws(InputError) -> Dataset {
        try read(path: try InputFile.path(of: url), labels: labels)
    }

    /// `read(path:labels:)` with its block size and threads chosen (tests use tiny ones).
    static func read(
        path: String, labels: Labels, blockSize: Int, threads: Int, segmentBytes: Int = 1 << 18
    ) throws(InputError) -> Dataset {
        try InputFile.checkExists(path, kind: "a CSV file")
        let descriptor = System.openForReading(path)
        guard descriptor >= 0 else { throw InputFile.readError(path, System.errorCode) }
        defer { System.close(descriptor) }
        guard let size = System.regularFileSize(descriptor) else {
            // A pipe or a device: it cannot be read twice, so read it whole, then parse it.
            let text: [UInt8]
            do { text = try FileReading.readToEnd(descriptor) } catch { throw InputFile.readError(path, error.code) }
            if NPYHeader.isNPY(text) {
                throw InputError(
                    file: path, line: nil, message: "an .npy file through a pipe or a device: it is read in place, by offset; give the file itself",
                    kind: .notAFile)
            }
            return try parse(text, name: path, labels: labels, threads: threads, segmentBytes: segmentBytes)
        }
        // Room for the rows the file's first MiB promises, and for every possible row if
        // that was too little (rows take at least 4 bytes, "0,0\n").
        let sample = UnsafeMutableRawBufferPointer.allocate(byteCount: min(size, 1 << 20) + padding, alignment: 64)
        defer { sample.deallocate() }
        let sampled: Int
        do {
            sampled = try FileReading.read(descriptor, into: sample.baseAddress!, count: sample.count - padding, at: 0, threads: 1)
        } catch {
            throw InputFile.readError(path, error.code)
        }
        let linesSampled = CSVLines(text: sample.baseAddress!.assumingMemoryBound(to: UInt8.self)).lineCount(0, sampled)
        let estimate = Int(Double(size) * Double(linesSampled) / Double(max(1, sampled)) * 1.02) + 1024
        for capacity in [estimate, size / 4 + 2] {
            let outcome = withColumns(capacity: capacity) { columns throws(CSVReader.Stop) in
                var reader = CSVReader(
                    name: path, labels: labels, into: columns, threads: threads, segmentBytes: segmentBytes)
                try readBlocks(descriptor, path: path, blockSize: blockSize, threads: threads, into: &reader)
                return reader
            }
            switch outcome {
            case .success(let dataset): return dataset
            case .failure(.input(let error)): throw error
            case .failure(.full): continue
            }
        }
        fatalError("\(path): more rows than bytes / 4")
    }

    /// Reads the file from its start in blocks of whole lines and hands them to `reader`.
    private static func readBlocks(
        _ descriptor: Int32, path: String, blockSize: Int, threads: Int, into reader: inout CSVReader
    ) throws(CSVReader.Stop) {
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, blockSize) + padding, alignment: 64)
        defer { buffer.deallocate() }
        var filled = 0
        var offset = 0  // of the file, after the bytes read so far
        var atEnd = false
        var first = true
        while !atEnd {
            let wanted = buffer.count - padding - filled
            let count: Int
            do {
                count = try FileReading.read(descriptor, into: buffer.baseAddress! + filled, count: wanted, at: offset, threads: threads)
            } catch {
                throw .input(InputFile.readError(path, error.code))
            }
            filled += count
            offset += count
            atEnd = count < wanted
            // Whole lines only; the rest waits for the next block.
            var usable = filled
            if !atEnd {
                guard let newline = buffer[..<filled].lastIndex(of: UInt8(ascii: "\n")) else {
                    let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: 2 * buffer.count, alignment: 64)
                    larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[..<filled]))
                    buffer.deallocate()
                    buffer = larger
                    continue
                }
                usable = newline + 1
            }
            // Past a block's last line end comes the next line or, after the file's end, NULs.
            (buffer.baseAddress! + filled).initializeMemory(as: UInt8.self, repeating: 0, count: padding)
            let text = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let skip = first ? byteOrderMarkLength(text, usable) : 0
            try reader.consume(text + skip, count: usable - skip)
            first = false
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[usable..<filled]))
            filled -= usable
        }
    }

    /// Parses CSV `bytes`; `name` is the file name that errors report.
    @_spi(Benchmarks) public static func parse(
        _ bytes: some Collection<UInt8>, name: String, labels: Labels = .required
    ) throws(InputError) -> Dataset {
        try parse(bytes, name: name, labels: labels, threads: EngineOptions.availableCores)
    }

    /// `parse(_:name:labels:)` with its threads chosen (tests use many, on tiny segments).
    static func parse(
        _ bytes: some Collection<UInt8>, name: String, labels: Labels, threads: Int, segmentBytes: Int = 1 << 18
    ) throws(InputError) -> Dataset {
        var text = [UInt8]()
        text.reserveCapacity(bytes.count + padding)
        text.append(contentsOf: bytes)
        text.append(contentsOf: repeatElement(0, count: padding))
        let outcome = text.withUnsafeBufferPointer { text in
            let skip = byteOrderMarkLength(text.baseAddress!, bytes.count)
            let lines = CSVLines(text: text.baseAddress! + skip).lineCount(0, bytes.count - skip)
            return withColumns(capacity: lines) { columns throws(CSVReader.Stop) in
                var reader = CSVReader(name: name, labels: labels, into: columns, threads: threads, segmentBytes: segmentBytes)
                try reader.consume(text.baseAddress! + skip, count: bytes.count - skip)
                return reader
            }
        }
        switch outcome {
        case .success(let dataset): return dataset
        case .failure(.input(let error)): throw error
        case .failure(.full): fatalError("\(name): more rows than lines")
        }
    }

    /// A dataset whose three columns `fill` writes in place, in arrays of `capacity` rows:
    /// no copy of the samples is ever made.
    private static func withColumns(
        capacity: Int, _ fill: (CSVReader.Columns) throws(CSVReader.Stop) -> CSVReader
    ) -> Result<Dataset, CSVReader.Stop> {
        let capacity = max(1, capacity)
        var outcome = Result<CSVReader, CSVReader.Stop>.failure(.full)
        var (x1, label) = ([Double](), [Double]())
        let x0 = [Double](unsafeUninitializedCapacity: capacity) { x0, x0Count in
            x1 = [Double](unsafeUninitializedCapacity: capacity) { x1, x1Count in
                label = [Double](unsafeUninitializedCapacity: capacity) { label, labelCount in
                    let columns = CSVReader.Columns(
                        x0: x0.baseAddress!, x1: x1.baseAddress!, label: label.baseAddress!, capacity: capacity)
                    outcome = Result { () throws(CSVReader.Stop) in try fill(columns) }
                    let rows = (try? outcome.get())?.rows ?? 0
                    (x0Count, x1Count, labelCount) = (rows, rows, rows)
                }
            }
        }
        return outcome.flatMap { reader in
            do throws(InputError) {
                try reader.finish()
                return .success(Dataset(validatedX0: x0, x1: x1, label: label))
            } catch {
                return .failure(.input(error))
            }
        }
    }

    /// Readable bytes after a block: a NUL for strtod and room for 8-byte loads.
    static let padding = 16

    static func byteOrderMarkLength(_ text: UnsafePointer<UInt8>, _ count: Int) -> Int {
        count >= 3 && text[0] == 0xEF && text[1] == 0xBB && text[2] == 0xBF ? 3 : 0
    }
}
