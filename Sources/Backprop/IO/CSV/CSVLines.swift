/// Reading single lines of CSV text: the fast path for plain rows and the general path that
/// accepts spaces, strtod's numbers and headers, and says exactly what is wrong.
///
/// Positions are offsets into `text`; a line is `start..<stop` without its line end.
struct CSVLines: @unchecked Sendable {  // read-only text shared by the segments' threads
    let text: UnsafePointer<UInt8>

    static let blankLineMessage = "blank line between rows"

    struct LineError: Error {
        var message: String
        /// The 1-based field the problem is in, if it is in one.
        var column: Int? = nil
    }

    /// The end of the line at `start` (without "\r\n" or "\n") and the start of the next one.
    @inline(__always)
    func bounds(at start: Int, end: Int) -> (stop: Int, next: Int) {
        let newline = System.find(UInt8(ascii: "\n"), in: text + start, count: end - start)
        var stop = newline.map { $0 - UnsafeRawPointer(text) } ?? end
        let next = stop + 1
        if stop > start && text[stop - 1] == UInt8(ascii: "\r") { stop -= 1 }
        return (stop, next)
    }

    /// The number of lines in `start..<end` (the last may lack its line end).
    func lineCount(_ start: Int, _ end: Int) -> Int {
        var newlines = 0
        var i = start
        while i + 8 <= end {
            // Eight bytes at a time: the top bit of each byte of `other` is set unless it was a "\n".
            let bytes = UnsafeRawPointer(text + i).loadUnaligned(as: UInt64.self) ^ 0x0A0A_0A0A_0A0A_0A0A
            let other = ((bytes & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | bytes
            newlines &+= (~other & 0x8080_8080_8080_8080).nonzeroBitCount
            i += 8
        }
        while i < end {
            if text[i] == UInt8(ascii: "\n") { newlines += 1 }
            i += 1
        }
        return newlines + (end > start && text[end - 1] != UInt8(ascii: "\n") ? 1 : 0)
    }

    func isBlank(_ start: Int, _ stop: Int) -> Bool {
        (start..<stop).allSatisfy { text[$0] == UInt8(ascii: " ") || text[$0] == UInt8(ascii: "\t") }
    }

    /// `x0,x1[,label]` and its line end, with plain decimals, no spaces and a label of 0 or 1.
    ///
    /// - Returns: the row and the next line's start, or nil to take the general path.
    @inline(__always)
    func fastRow(at start: Int, end: Int, columns: Int) -> (SIMD3<Double>, next: Int)? {
        var p = text + start
        guard let (first, afterFirst) = DecimalConversion.scan(p), afterFirst[0] == UInt8(ascii: ","),
            let x0 = DecimalConversion.value(first)
        else { return nil }
        p = afterFirst + 1
        guard let (second, afterSecond) = DecimalConversion.scan(p), let x1 = DecimalConversion.value(second) else {
            return nil
        }
        p = afterSecond
        var label = 0.0
        if columns == 3 {
            // "0" or "1" then the line end: the label as almost every file writes it.
            guard p[0] == UInt8(ascii: ","), p[1] &- UInt8(ascii: "0") < 2 else { return nil }
            label = p[1] == UInt8(ascii: "1") ? 1 : 0
            p += 2
        }
        let row = SIMD3(x0, x1, label)
        if p[0] == UInt8(ascii: "\r") { p += 1 }
        let stop = p - text
        if stop == end { return (row, end) }
        guard stop < end && p[0] == UInt8(ascii: "\n") else { return nil }
        return (row, stop + 1)
    }

    /// The row on a line that is not blank, or what is wrong with it.
    func row(_ start: Int, _ stop: Int, columns: Int) throws(LineError) -> SIMD3<Double> {
        var columns: Int? = columns
        return try rowOrHeader(start, stop, columns: &columns, headerAllowed: false)!
    }

    /// The row on a line that is not blank; nil for a header (when allowed: a line none of
    /// whose fields is a number). Fixes `columns` from the line when it is nil.
    func rowOrHeader(
        _ start: Int, _ stop: Int, columns: inout Int?, headerAllowed: Bool
    ) throws(LineError) -> SIMD3<Double>? {
        if System.find(0, in: text + start, count: stop - start) != nil {
            throw LineError(message: "binary data (a NUL byte): not a CSV text file")
        }
        // Up to three fields, trimmed; more is an error.
        var bounds = InlineArray<3, Range<Int>>(repeating: 0..<0)
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
        guard fieldCount == columns else {
            throw LineError(message: columnCountMessage(columns, start, stop))
        }
        var values = InlineArray<3, Field>(repeating: .empty)
        for column in 0..<fieldCount { values[column] = number(bounds[column]) }
        if headerAllowed && (0..<fieldCount).allSatisfy({ if case .notANumber = values[$0] { true } else { false } }) {
            return nil
        }
        var row = SIMD3<Double>()  // x0, x1, label (0 when the file has none)
        for column in 0..<fieldCount {
            switch values[column] {
            case .number(let x):
                row[column] = x
            case .empty:
                throw LineError(message: "column \(column + 1) is empty", column: column + 1)
            case .notANumber:
                throw LineError(message: "column \(column + 1): \(quoted(bounds[column])) is not a number", column: column + 1)
            case .nonFinite:
                throw LineError(message: "column \(column + 1): \(quoted(bounds[column])) is not a finite number", column: column + 1)
            }
        }
        guard fieldCount == 2 || row.z == 0 || row.z == 1 else {
            throw LineError(message: "label \(quoted(bounds[2])) is not 0 or 1", column: 3)
        }
        return row
    }

    func columnCountMessage(_ columns: Int?, _ start: Int, _ stop: Int) -> String {
        let found = 1 + (start..<stop).count { text[$0] == UInt8(ascii: ",") }
        var message =
            switch columns {
            case 3: "expected 3 comma-separated columns (x0,x1,label), found \(found)"
            case 2: "expected 2 comma-separated columns (x0,x1) like the first line, found \(found)"
            default: "expected 2 or 3 comma-separated columns (x0,x1[,label]), found \(found)"
            }
        if (start..<stop).contains(where: { text[$0] == UInt8(ascii: "\r") }) {
            return message + "; the file seems to end its lines with CR alone (old Mac style): convert them to LF or CRLF"
        }
        if found == 1 {
            for (byte, name) in [(UInt8(ascii: ";"), "';'"), (UInt8(ascii: "\t"), "tabs"), (UInt8(ascii: "|"), "'|'")]
            where (start..<stop).contains(where: { text[$0] == byte }) {
                message += "; the file seems to use \(name) as the delimiter"
                break
            }
        }
        return message
    }

    enum Field {
        case number(Double), empty, notANumber, nonFinite
    }

    /// A field as a number: digits, sign, point and exponent only (no hex, no words).
    func number(_ field: Range<Int>) -> Field {
        guard !field.isEmpty else { return .empty }
        if let (decimal, end) = DecimalConversion.scan(text + field.lowerBound), end - text == field.upperBound,
            let value = DecimalConversion.value(decimal)
        {
            return .number(value)
        }
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
        // Digits that DecimalConversion leaves alone (more than 19, subnormal, overflow).
        let (value, stop) = text.withMemoryRebound(to: CChar.self, capacity: field.upperBound + 1) { chars in
            System.parseDouble(chars + field.lowerBound)
        }
        let consumed = stop - UnsafeRawPointer(text)
        guard consumed == field.upperBound else { return .notANumber }
        return value.isFinite ? .number(value) : .nonFinite
    }

    func isNonFiniteWord(_ field: Range<Int>) -> Bool {
        var word = String(decoding: UnsafeBufferPointer(start: text + field.lowerBound, count: field.count), as: UTF8.self)
            .lowercased()
        if word.hasPrefix("+") || word.hasPrefix("-") { word.removeFirst() }
        return ["nan", "inf", "infinity"].contains(word)
    }

    /// The field in quotes, shortened so that a line of megabytes never floods the terminal.
    func quoted(_ field: Range<Int>) -> String {
        let limit = 40
        let shown = min(field.count, limit)
        let text = String(decoding: UnsafeBufferPointer(start: text + field.lowerBound, count: shown), as: UTF8.self)
        return "\"\(text)\(field.count > limit ? "…" : "")\""
    }
}
