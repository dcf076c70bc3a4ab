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
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(file: path, line: nil, message: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw InputError(file: path, line: nil, message: "is a directory, not a CSV file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, line: nil, message: "cannot be read (permission denied?)")
        }
        return try parse(data, name: path, labels: labels)
    }

    /// Parses CSV `bytes`; `name` is the file name that errors report.
    public static func parse(
        _ bytes: some Collection<UInt8>, name: String, labels: Labels = .required
    ) throws(InputError) -> Dataset {
        // One NUL after the text lets strtod stop at the end of the last field.
        var text = [UInt8]()
        text.reserveCapacity(bytes.count + 1)
        text.append(contentsOf: bytes)
        text.append(0)
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
            var start = 0
            if end >= 3 && text[0] == 0xEF && text[1] == 0xBB && text[2] == 0xBF { start = 3 }
            var lineNumber = 0
            var sawHeader = false
            var blankLine: Int?  // first blank line seen since the last data row
            while start < end {
                lineNumber += 1
                var stop = start
                while stop < end && text[stop] != UInt8(ascii: "\n") { stop += 1 }
                let next = stop + 1
                if stop > start && text[stop - 1] == UInt8(ascii: "\r") { stop -= 1 }
                defer { start = next }

                if isBlank(start, stop) {
                    if blankLine == nil { blankLine = lineNumber }
                    continue
                }
                if let blank = blankLine {
                    throw error(blank, "blank line between rows")
                }
                if (start..<stop).contains(where: { text[$0] == 0 }) {
                    throw error(lineNumber, "binary data (a NUL byte): not a CSV text file")
                }
                let fields = split(start, stop)
                if columns == nil && (fields.count == 2 || fields.count == 3) { columns = fields.count }
                if fields.count != columns {
                    throw error(lineNumber, columnCountMessage(fields.count, start, stop))
                }
                let values = fields.map { parseNumber($0) }
                if lineNumber == 1 && !sawHeader && values.allSatisfy({ if case .notANumber = $0 { true } else { false } }) {
                    sawHeader = true
                    continue
                }
                var row = SIMD3<Double>()  // x0, x1, label (0 when the file has none)
                for (column, value) in values.enumerated() {
                    switch value {
                    case .number(let x):
                        row[column] = x
                    case .empty:
                        throw error(lineNumber, "column \(column + 1) is empty")
                    case .notANumber:
                        throw error(lineNumber, "column \(column + 1): \(quoted(fields[column])) is not a number")
                    case .nonFinite:
                        throw error(
                            lineNumber,
                            "column \(column + 1): \(quoted(fields[column])) is not a finite number")
                    }
                }
                guard fields.count == 2 || row[2] == 0 || row[2] == 1 else {
                    throw error(lineNumber, "label \(quoted(fields[2])) is not 0 or 1")
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

        /// Field ranges between commas, with surrounding spaces and tabs trimmed.
        func split(_ start: Int, _ stop: Int) -> [Range<Int>] {
            var fields: [Range<Int>] = []
            var fieldStart = start
            for i in start...stop where i == stop || text[i] == UInt8(ascii: ",") {
                var a = fieldStart
                var b = i
                while a < b && (text[a] == UInt8(ascii: " ") || text[a] == UInt8(ascii: "\t")) { a += 1 }
                while b > a && (text[b - 1] == UInt8(ascii: " ") || text[b - 1] == UInt8(ascii: "\t")) { b -= 1 }
                fields.append(a..<b)
                fieldStart = i + 1
            }
            return fields
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
        func parseNumber(_ field: Range<Int>) -> Field {
            guard !field.isEmpty else { return .empty }
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
