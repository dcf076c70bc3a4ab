import Foundation

/// Reads and writes data sets as NumPy `.npy` files: float64, little-endian, C order, shape
/// (N, 3) with columns x0, x1, label, or (N, 2) with x0, x1 for prediction.
///
/// In NumPy: `np.save("data.npy", np.column_stack([x0, x1, y]).astype("<f8"))`, and
/// `np.load("data.npy")` reads what `write` writes. No text to parse: a file is read at
/// the speed of the disk, or streamed from it in chunks (`NPY.Reader`).
///
/// Every value is checked as it is read: features must be finite and labels 0 or 1. Errors
/// name the file and the row, counting rows from 0 as NumPy indexes them.
public enum NPY {
    /// Reads the `.npy` file at `path` whole.
    ///
    /// - Parameters:
    ///   - path: the file, as the user named it (errors name it so).
    ///   - labels: `.required` needs 3 columns; `.optional` also takes 2 (labels 0).
    public static func read(path: String, labels: CSV.Labels = .required) throws(InputError) -> Dataset {
        let reader = try Reader(path: path, labels: labels)
        var columns = (x0: [Double](), x1: [Double](), label: [Double]())
        columns.x0.reserveCapacity(reader.rows)
        columns.x1.reserveCapacity(reader.rows)
        columns.label.reserveCapacity(reader.rows)
        var chunk = Dataset(validatedX0: [], x1: [], label: [])
        for start in stride(from: 0, to: reader.rows, by: Reader.preferredChunk) {
            try reader.read(start..<min(start + Reader.preferredChunk, reader.rows), into: &chunk)
            columns.x0 += chunk.x0
            columns.x1 += chunk.x1
            columns.label += chunk.label
        }
        return Dataset(validatedX0: columns.x0, x1: columns.x1, label: columns.label)
    }

    /// Writes `data` to `path` as an `.npy` file of shape (N, 3), or (N, 2) without `labels`;
    /// atomically, as every file this package writes (never left half-written).
    public static func write(_ data: Dataset, to path: String, labels: Bool = true) throws(InputError) {
        let columns = labels ? 3 : 2
        let header = NPYHeader(rows: data.count, columns: columns).encoded
        var bytes = [UInt8](repeating: 0, count: header.count + data.count * columns * 8)
        bytes.withUnsafeMutableBytes { buffer in
            buffer.copyBytes(from: header)
            let values = (buffer.baseAddress! + header.count).bindMemory(to: UInt64.self, capacity: data.count * columns)
            for i in 0..<data.count {
                values[columns * i] = data.x0[i].bitPattern.littleEndian
                values[columns * i + 1] = data.x1[i].bitPattern.littleEndian
                if labels { values[columns * i + 2] = data.label[i].bitPattern.littleEndian }
            }
        }
        try AtomicFile.write(bytes, to: path)
    }

    /// True when the file at `path` starts like an `.npy` file (false when it cannot be read).
    public static func isNPY(path: String) -> Bool {
        let descriptor = System.openForReading(path)
        guard descriptor >= 0 else { return false }
        defer { System.close(descriptor) }
        guard System.regularFileSize(descriptor) != nil else { return false }  // never consume a pipe
        var start = [UInt8](repeating: 0, count: NPYHeader.magic.count)
        let got = start.withUnsafeMutableBytes { System.read(descriptor, $0.baseAddress!, $0.count, at: 0) }
        return got == start.count && NPYHeader.isNPY(start)
    }

    /// An open `.npy` file, read in chunks of rows on demand: memory holds a chunk, not the file.
    public final class Reader: @unchecked Sendable, RowSource {
        /// Rows per chunk that keep a chunk in the larger caches: 2^16 rows, 1.5 MiB.
        public static let preferredChunk = 1 << 16

        /// The file, as named.
        public let path: String
        /// Rows in the file.
        public let rows: Int
        /// Rows in the file (`rows`, as every row source names it).
        var count: Int { rows }
        /// 3 when the file has labels, 2 when not.
        public let columns: Int
        private let header: NPYHeader
        private let descriptor: Int32
        /// The file's size and modification time when opened: a file written in place while
        /// it is streamed would mix two data sets, so each read checks that they still hold.
        private let version: [Int]?
        private var scratch: [Double] = []

        /// Opens `path` and checks its header and size.
        public init(path: String, labels: CSV.Labels = .required) throws(InputError) {
            try InputFile.checkExists(path, kind: "an .npy file")
            let descriptor = System.openForReading(path)
            guard descriptor >= 0 else { throw InputFile.readError(path, System.errorCode) }
            guard let size = System.regularFileSize(descriptor) else {
                System.close(descriptor)
                throw InputError(file: path, line: nil, message: "an .npy file must be a regular file (it is read in place, by offset)", kind: .notAFile)
            }
            var start = [UInt8](repeating: 0, count: min(size, NPYHeader.maximumLength))
            let got = start.withUnsafeMutableBytes { System.read(descriptor, $0.baseAddress!, $0.count, at: 0) }
            let header: NPYHeader
            do throws(NPYError) {
                guard got == start.count else { throw NPYError("cannot be read: \(System.describe(System.errorCode))") }
                header = try NPYHeader(parsing: start)
                if header.columns == 2 && labels == .required {
                    throw NPYError("shape (\(header.rows), 2) has no label column: training and evaluation need (N, 3)")
                }
                guard header.rows > 0 else { throw NPYError("no rows: shape (0, \(header.columns))") }
                let expected = header.dataOffset + header.dataBytes
                guard size == expected else {
                    throw NPYError(
                        "the file is \(size) bytes, but its header's shape (\(header.rows), \(header.columns)) needs \(expected): "
                            + (size < expected ? "the file is cut short" : "\(size - expected) bytes follow the data"))
                }
            } catch {
                System.close(descriptor)
                throw InputError(file: path, line: nil, message: error.message)
            }
            (self.path, self.header, self.descriptor, version) = (path, header, descriptor, System.fileVersion(descriptor))
            (rows, columns) = (header.rows, header.columns)
        }

        deinit { System.close(descriptor) }

        /// Replaces `chunk`'s samples with rows `range` of the file, checked: finite
        /// features, labels 0 or 1 (0 for a file without labels).
        public func read(_ range: Range<Int>, into chunk: inout Dataset) throws(InputError) {
            try read(range, into: &chunk, scratch: &scratch)
        }

        /// The rows at `range`, 3 doubles each (label 0 for a file without labels), checked.
        func read(_ range: Range<Int>, into rows: UnsafeMutableBufferPointer<Double>) throws(InputError) {
            precondition(range.lowerBound >= 0 && range.upperBound <= self.rows && rows.count >= 3 * range.count, "rows out of range")
            let wanted = range.count * columns * 8
            let offset = header.dataOffset + range.lowerBound * columns * 8
            // Straight into place for rows of 3; rows of 2 are read into the last two thirds
            // of the buffer and spread out from the front, which never overwrites a value
            // not yet moved.
            let start = columns == 3 ? 0 : range.count
            let result = Result { () throws(FileReading.Failure) in
                try FileReading.read(descriptor, into: rows.baseAddress! + start, count: wanted, at: offset, threads: 1)
            }
            switch result {
            case .success(let got) where got == wanted: break
            case .success: throw InputError(file: path, line: nil, message: "the file was cut short while being read")
            case .failure(let failure): throw InputFile.readError(path, failure.code)
            }
            guard System.fileVersion(descriptor) == version else {
                throw InputError(
                    file: path, line: nil,
                    message: "the file changed while being read (its size or modification time): stopped rather than mix two data sets",
                    kind: .changedWhileRead)
            }
            var bad: (row: Int, problem: String)?
            for k in 0..<range.count {
                let a = Double(bitPattern: UInt64(littleEndian: rows[start + columns * k].bitPattern))
                let b = Double(bitPattern: UInt64(littleEndian: rows[start + columns * k + 1].bitPattern))
                let y = columns == 3 ? Double(bitPattern: UInt64(littleEndian: rows[start + 3 * k + 2].bitPattern)) : 0
                (rows[3 * k], rows[3 * k + 1], rows[3 * k + 2]) = (a, b, y)
                // One test for the common case; the details only for a bad row.
                if !(a.isFinite && b.isFinite && (y == 0 || y == 1)) && bad == nil {
                    bad = (range.lowerBound + k, !a.isFinite ? "x0 is \(a)" : !b.isFinite ? "x1 is \(b)" : "label \(y) is not 0 or 1")
                }
            }
            if let bad { throw InputError(file: path, line: nil, message: "row \(bad.row) (counting from 0): \(bad.problem)") }
        }
    }
}
