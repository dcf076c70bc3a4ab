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
    public static func read(path: String, labels: Labels = .required) throws(InputError) -> Dataset {
        try InputFile.checkExists(path, kind: "a CSV file")
        let text = try contents(of: path)
        return try parseTerminated(text, name: path, labels: labels)
    }

    /// Parses CSV `bytes`; `name` is the file name that errors report.
    public static func parse(
        _ bytes: some Collection<UInt8>, name: String, labels: Labels = .required
    ) throws(InputError) -> Dataset {
        var text = [UInt8]()
        text.reserveCapacity(bytes.count + 1)
        text.append(contentsOf: bytes)
        text.append(0)
        return try parseTerminated(text, name: name, labels: labels)
    }

    /// The file's bytes and one NUL after them, read straight into one buffer (no copies).
    static func contents(of path: String) throws(InputError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw InputError(file: path, line: nil, message: "cannot be read: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw InputError(file: path, line: nil, message: "cannot be read: \(String(cString: strerror(errno)))")
        }
        let size = Int(status.st_size)
        guard size > 0 else {
            // Empty, or not a regular file (a pipe): read it the general way.
            guard let data = FileManager.default.contents(atPath: path) else {
                throw InputError(file: path, line: nil, message: "cannot be read (permission denied?)")
            }
            return [UInt8](data) + [0]
        }
        var failure: Int32 = 0
        let text = [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, initialized in
            var filled = 0
            while filled < size {
                let got = readBytes(descriptor, buffer.baseAddress! + filled, size - filled)
                if got < 0 && errno == EINTR { continue }
                if got < 0 { failure = errno }
                if got <= 0 { break }
                filled += got
            }
            buffer[filled] = 0
            initialized = filled + 1
        }
        if failure != 0 {
            throw InputError(file: path, line: nil, message: "cannot be read: \(String(cString: strerror(failure)))")
        }
        return text
    }

    /// Parses `text`, whose last byte is a NUL that strtod stops at.
    static func parseTerminated(_ text: [UInt8], name: String, labels: Labels) throws(InputError) -> Dataset {
        do {
            return try text.withUnsafeBufferPointer { buffer throws(InputError) in
                var parser = Parser(text: buffer, name: name, labels: labels)
                return try parser.run()
            }
        }
    }

    private struct Parser {
        let text: UnsafeBufferPointer<UInt8>
        let end: Int  // index of the terminating NUL
        let name: String
        let labels: Labels
        /// 3, or 2 for a file without labels; fixed by the first line when labels are optional.
        var columns: Int?
        var x0: [Double] = []
        var x1: [Double] = []
        var label: [Double] = []

        init(text: UnsafeBufferPointer<UInt8>, name: String, labels: Labels) {
            self.labels = labels
            self.columns = labels == .required ? 3 : nil
            self.text = text
            self.end = text.count - 1
            self.name = name
        }

        mutating func run() throws(InputError) -> Dataset {
            let base = text.baseAddress!
            var start = 0
            if end >= 3 && text[0] == 0xEF && text[1] == 0xBB && text[2] == 0xBF { start = 3 }
            // A NUL anywhere before the end means binary data; found once, reported at its line.
            let firstNUL = memchr(base, 0, end).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? end
            var rows = 0
            var scan = UnsafeRawPointer(base + start)
            while let newline = memchr(scan, Int32(UInt8(ascii: "\n")), UnsafeRawPointer(base + end) - scan) {
                rows += 1
                scan = UnsafeRawPointer(newline) + 1
            }
            x0.reserveCapacity(rows + 1)
            x1.reserveCapacity(rows + 1)
            label.reserveCapacity(rows + 1)

            var lineNumber = 0
            var sawHeader = false
            var blankLine: Int?  // first blank line seen since the last data row
            var bounds = InlineArray<3, Range<Int>>(repeating: 0..<0)
            while start < end {
                lineNumber += 1
                let newline = memchr(base + start, Int32(UInt8(ascii: "\n")), end - start)
                var stop = newline.map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? end
                let next = stop + 1
                if stop > start && text[stop - 1] == UInt8(ascii: "\r") { stop -= 1 }
                defer { start = next }

                if (stop == start || text[start] == UInt8(ascii: " ") || text[start] == UInt8(ascii: "\t"))
                    && isBlank(start, stop)
                {
                    if blankLine == nil { blankLine = lineNumber }
                    continue
                }
                if let blank = blankLine {
                    throw error(blank, "blank line between rows")
                }
                if firstNUL < stop {
                    throw error(lineNumber, "binary data (a NUL byte): not a CSV text file")
                }
                // Up to three fields, trimmed, without allocating; more is an error.
                var fieldCount = 0
                var fieldStart = start
                var i = start
                while true {
                    if i == stop || text[i] == UInt8(ascii: ",") {
                        if fieldCount == 3 {
                            fieldCount += 1
                            break
                        }
                        var a = fieldStart
                        var b = i
                        while a < b && (text[a] == UInt8(ascii: " ") || text[a] == UInt8(ascii: "\t")) { a += 1 }
                        while b > a && (text[b - 1] == UInt8(ascii: " ") || text[b - 1] == UInt8(ascii: "\t")) { b -= 1 }
                        bounds[fieldCount] = a..<b
                        fieldCount += 1
                        fieldStart = i + 1
                        if i == stop { break }
                    }
                    i += 1
                }
                if columns == nil && (fieldCount == 2 || fieldCount == 3) { columns = fieldCount }
                if fieldCount != columns {
                    throw error(lineNumber, columnCountMessage(fieldCountOfLine(start, stop), start, stop))
                }
                var values = InlineArray<3, Field>(repeating: .empty)
                for column in 0..<fieldCount { values[column] = parseNumber(bounds[column]) }
                if lineNumber == 1 && !sawHeader
                    && (0..<fieldCount).allSatisfy({ if case .notANumber = values[$0] { true } else { false } })
                {
                    sawHeader = true  // a header: none of the first line's fields is a number
                    continue
                }
                var row = SIMD3<Double>()  // x0, x1, label (0 when the file has none)
                for column in 0..<fieldCount {
                    switch values[column] {
                    case .number(let x):
                        row[column] = x
                    case .empty:
                        throw error(lineNumber, "column \(column + 1) is empty")
                    case .notANumber:
                        throw error(lineNumber, "column \(column + 1): \(quoted(bounds[column])) is not a number")
                    case .nonFinite:
                        throw error(
                            lineNumber, "column \(column + 1): \(quoted(bounds[column])) is not a finite number")
                    }
                }
                guard fieldCount == 2 || row[2] == 0 || row[2] == 1 else {
                    throw error(lineNumber, "label \(quoted(bounds[2])) is not 0 or 1")
                }
                x0.append(row[0])
                x1.append(row[1])
                label.append(row[2])
            }
            if label.isEmpty {
                throw error(1, sawHeader ? "a header but no data rows" : "no data rows (the file is empty)")
            }
            return Dataset(x0: x0, x1: x1, label: label)
        }

        func error(_ line: Int, _ message: String) -> InputError {
            InputError(file: name, line: line, message: message)
        }

        func isBlank(_ start: Int, _ stop: Int) -> Bool {
            (start..<stop).allSatisfy { text[$0] == UInt8(ascii: " ") || text[$0] == UInt8(ascii: "\t") }
        }

        /// The number of comma-separated fields on a line (for messages only).
        func fieldCountOfLine(_ start: Int, _ stop: Int) -> Int {
            1 + (start..<stop).count { text[$0] == UInt8(ascii: ",") }
        }

        func columnCountMessage(_ found: Int, _ start: Int, _ stop: Int) -> String {
            var message =
                switch columns {
                case 3: "expected 3 comma-separated columns (x0,x1,label), found \(found)"
                case 2: "expected 2 comma-separated columns (x0,x1) like the first line, found \(found)"
                default: "expected 2 or 3 comma-separated columns (x0,x1[,label]), found \(found)"
                }
            if found == 1 {
                for (byte, label) in [(UInt8(ascii: ";"), "';'"), (UInt8(ascii: "\t"), "tabs"), (UInt8(ascii: "|"), "'|'")]
                where (start..<stop).contains(where: { text[$0] == byte }) {
                    message += "; the file seems to use \(label) as the delimiter"
                    break
                }
            }
            return message
        }

        enum Field {
            case number(Double), empty, notANumber, nonFinite
        }

        /// Parses a decimal number: digits, sign, point and exponent only (no hex, no words).
        ///
        /// Numbers of at most 15 significant digits and a power of ten up to 22 are exact
        /// in a double, and so is their product or quotient once rounded: those are converted
        /// here (Clinger's fast path); everything else goes to strtod.
        func parseNumber(_ field: Range<Int>) -> Field {
            guard !field.isEmpty else { return .empty }
            if let value = fastNumber(field) { return .number(value) }
            var hasDigit = false
            for i in field {
                switch text[i] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): hasDigit = true
                case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): break
                default:
                    return isNonFiniteWord(field) ? .nonFinite : .notANumber
                }
            }
            guard hasDigit else { return .notANumber }
            let base = text.baseAddress!
            var stop: UnsafeMutablePointer<CChar>?
            let value = base.withMemoryRebound(to: CChar.self, capacity: text.count) { chars in
                strtod(chars + field.lowerBound, &stop)
            }
            let consumed = stop.map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? field.lowerBound
            guard consumed == field.upperBound else { return .notANumber }
            return value.isFinite ? .number(value) : .nonFinite
        }

        /// [sign] digits [. digits] [e [sign] digits], exactly, or nil to take the slow path.
        @inline(__always)
        func fastNumber(_ field: Range<Int>) -> Double? {
            var i = field.lowerBound
            let stop = field.upperBound
            var negative = false
            if text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+") {
                negative = text[i] == UInt8(ascii: "-")
                i += 1
            }
            var mantissa: UInt64 = 0
            var digits = 0  // significant digits, leading zeros excluded
            var anyDigit = false
            var scale = 0  // digits after the point
            var seenPoint = false
            while i < stop {
                let c = text[i]
                if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                    anyDigit = true
                    if mantissa != 0 || c != UInt8(ascii: "0") { digits += 1 }
                    guard digits <= 15 else { return nil }
                    mantissa = mantissa * 10 + UInt64(c - UInt8(ascii: "0"))
                    if seenPoint { scale += 1 }
                } else if c == UInt8(ascii: ".") && !seenPoint {
                    seenPoint = true
                } else {
                    break
                }
                i += 1
            }
            guard anyDigit else { return nil }
            var exponent = 0
            if i < stop {
                guard text[i] == UInt8(ascii: "e") || text[i] == UInt8(ascii: "E") else { return nil }
                i += 1
                var negativeExponent = false
                if i < stop && (text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+")) {
                    negativeExponent = text[i] == UInt8(ascii: "-")
                    i += 1
                }
                guard i < stop else { return nil }
                while i < stop {
                    let c = text[i]
                    guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"), exponent < 1000 else { return nil }
                    exponent = exponent * 10 + Int(c - UInt8(ascii: "0"))
                    i += 1
                }
                if negativeExponent { exponent = -exponent }
            }
            let power = exponent - scale
            guard power >= -22 && power <= 22 else { return mantissa == 0 ? (negative ? -0.0 : 0.0) : nil }
            var value = Double(mantissa)
            value = power >= 0 ? value * Self.powersOfTen[power] : value / Self.powersOfTen[-power]
            return negative ? -value : value
        }

        /// 10^0 ... 10^22, every one exact in a double.
        static let powersOfTen: [Double] = (0...22).map { exponent in
            var value = 1.0
            for _ in 0..<exponent { value *= 10 }
            return value
        }

        func isNonFiniteWord(_ field: Range<Int>) -> Bool {
            var word = String(decoding: text[field], as: UTF8.self).lowercased()
            if word.hasPrefix("+") || word.hasPrefix("-") { word.removeFirst() }
            return ["nan", "inf", "infinity"].contains(word)
        }

        /// The field in quotes, shortened so that a line of megabytes never floods the terminal.
        func quoted(_ field: Range<Int>) -> String {
            let limit = 40
            let shown = field.count > limit ? field.lowerBound..<(field.lowerBound + limit) : field
            let text = String(decoding: text[shown], as: UTF8.self)
            return "\"\(text)\(field.count > limit ? "…" : "")\""
        }
    }
}

/// read(2), named so that it cannot be mistaken for `CSV.read`.
private func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
