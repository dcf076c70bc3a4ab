#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
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
    /// The file is read in blocks of 4 MiB (a longer line grows the block), so memory holds
    /// the parsed columns and one block, never the whole text.
    public static func read(path: String, labels: Labels = .required) throws(InputError) -> Dataset {
        try read(path: path, labels: labels, blockSize: 4 << 20, threads: EngineOptions.availableCores)
    }

    /// `read(path:labels:)` with its block size and threads chosen (tests use tiny ones).
    static func read(
        path: String, labels: Labels, blockSize: Int, threads: Int, segmentBytes: Int = 1 << 18
    ) throws(InputError) -> Dataset {
        try InputFile.checkExists(path, kind: "a CSV file")
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw readError(path, errno) }
        defer { close(descriptor) }
        var status = stat()
        let size = fstat(descriptor, &status) == 0 && status.st_size > 0 ? Int(status.st_size) : nil
        var reader = CSVReader(
            name: path, labels: labels, threads: threads, expectedBytes: size, segmentBytes: segmentBytes)
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, blockSize) + padding, alignment: 64)
        defer { buffer.deallocate() }
        var filled = 0
        var atEnd = false
        var first = true
        while !atEnd {
            while filled < buffer.count - padding {
                let got = readBytes(descriptor, buffer.baseAddress! + filled, buffer.count - padding - filled)
                if got < 0 && errno == EINTR { continue }
                if got < 0 { throw readError(path, errno) }
                if got == 0 {
                    atEnd = true
                    break
                }
                filled += got
            }
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
        return try reader.finish()
    }

    /// Parses CSV `bytes`; `name` is the file name that errors report.
    public static func parse(
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
        var reader = CSVReader(
            name: name, labels: labels, threads: threads, expectedBytes: bytes.count, segmentBytes: segmentBytes)
        try text.withUnsafeBufferPointer { text throws(InputError) in
            let skip = byteOrderMarkLength(text.baseAddress!, bytes.count)
            try reader.consume(text.baseAddress! + skip, count: bytes.count - skip)
        }
        return try reader.finish()
    }

    /// Readable bytes after a block: a NUL for strtod and room for 8-byte loads.
    static let padding = 16

    static func byteOrderMarkLength(_ text: UnsafePointer<UInt8>, _ count: Int) -> Int {
        count >= 3 && text[0] == 0xEF && text[1] == 0xBB && text[2] == 0xBF ? 3 : 0
    }

    static func readError(_ path: String, _ code: Int32) -> InputError {
        InputError(file: path, line: nil, message: "cannot be read: \(String(cString: strerror(code)))")
    }
}

/// read(2), named so that it cannot be mistaken for `CSV.read`.
private func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
