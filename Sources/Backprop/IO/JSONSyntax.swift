/// Finds the first syntax error in JSON text and the line it is on.
///
/// Foundation's decoder on Linux reports only "not valid JSON"; this scanner says where
/// and why, so that a malformed model file gets an `error: FILE:LINE: ...` like a CSV does.
enum JSONSyntax {
    struct Problem: Equatable {
        var line: Int
        var message: String
    }

    /// The first problem in `bytes`, or nil when they are one valid JSON value.
    static func firstProblem(in bytes: [UInt8]) -> Problem? {
        var scanner = Scanner(bytes: bytes)
        do throws(Problem) {
            scanner.skipSpace()
            if scanner.index == bytes.count { throw scanner.problem("the file is empty") }
            try scanner.value(depth: 0)
            scanner.skipSpace()
            if scanner.index < bytes.count { throw scanner.problem("unexpected text after the end of the JSON value") }
            return nil
        } catch {
            return error
        }
    }

    /// `bytes` with every number that underflows to zero (like `1e-400`, which Foundation's
    /// decoder refuses) written as `0`, its nearest double; nil when there is none or the
    /// text is not valid JSON.
    static func zeroingUnderflows(in bytes: [UInt8]) -> [UInt8]? {
        var scanner = Scanner(bytes: bytes)
        do throws(Problem) {
            scanner.skipSpace()
            try scanner.value(depth: 0)
        } catch {
            return nil
        }
        guard !scanner.underflows.isEmpty else { return nil }
        var result = bytes
        for range in scanner.underflows.reversed() { result.replaceSubrange(range, with: Array("0".utf8)) }
        return result
    }

    /// A number of the text that is not a whole number of `Int`'s range (3.5, 1e3, 2^64):
    /// where a whole number is expected, Foundation's decoder refuses it without saying where.
    struct InexactNumber {
        var range: Range<Int>
        var line: Int
        /// The key of the object member it is in (or the nearest before it, in a list).
        var key: String?
        var text: String
    }

    /// The numbers of `bytes` that are not whole numbers of `Int`'s range, in text order;
    /// none when the text is not valid JSON.
    static func inexactNumbers(in bytes: [UInt8]) -> [InexactNumber] {
        var scanner = Scanner(bytes: bytes)
        do throws(Problem) {
            scanner.skipSpace()
            try scanner.value(depth: 0)
        } catch {
            return []
        }
        return scanner.inexact
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        /// Numbers whose digits are not all zero but whose nearest double is 0.
        var underflows: [Range<Int>] = []
        /// Numbers that are not whole numbers of `Int`'s range, and the last key read.
        var inexact: [InexactNumber] = []
        var key: String?

        func problem(_ message: String) -> Problem { Problem(line: line, message: message) }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                if byte == 0x0A { line += 1 }
                index += 1
            }
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws(Problem) {
            skipSpace()
            guard current == byte else { throw unexpected(what) }
            index += 1
        }

        func unexpected(_ expected: String) -> Problem {
            guard let byte = current else { return problem("the file ends early: expected \(expected) (truncated?)") }
            let shown = (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
            return problem("expected \(expected), found \(shown)")
        }

        mutating func value(depth: Int) throws(Problem) {
            guard depth < 64 else { throw problem("nested too deeply") }
            skipSpace()
            guard let byte = current else { throw unexpected("a value") }
            switch byte {
            case UInt8(ascii: "{"):
                index += 1
                skipSpace()
                if current == UInt8(ascii: "}") { index += 1; return }
                repeat {
                    skipSpace()
                    guard current == UInt8(ascii: "\"") else { throw unexpected("a quoted key") }
                    let start = index
                    try string()
                    key = String(decoding: bytes[(start + 1)..<(index - 1)], as: UTF8.self)
                    try expect(UInt8(ascii: ":"), "':'")
                    try value(depth: depth + 1)
                    skipSpace()
                } while try separator(closing: UInt8(ascii: "}"))
            case UInt8(ascii: "["):
                index += 1
                skipSpace()
                if current == UInt8(ascii: "]") { index += 1; return }
                repeat {
                    try value(depth: depth + 1)
                    skipSpace()
                } while try separator(closing: UInt8(ascii: "]"))
            case UInt8(ascii: "\""):
                try string()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try number()
            default:
                for word in ["true", "false", "null"] where bytes[index...].starts(with: word.utf8) {
                    index += word.utf8.count
                    return
                }
                throw unexpected("a value")
            }
        }

        /// Consumes ',' (true: another element follows) or the closing bracket (false).
        mutating func separator(closing: UInt8) throws(Problem) -> Bool {
            if current == UInt8(ascii: ",") { index += 1; return true }
            if current == closing { index += 1; return false }
            throw unexpected("',' or '\(Character(Unicode.Scalar(closing)))'")
        }

        mutating func string() throws(Problem) {
            index += 1
            while let byte = current {
                index += 1
                if byte == UInt8(ascii: "\"") { return }
                if byte == UInt8(ascii: "\\") { index += 1 }
                if byte < 0x20 { throw problem("a control character inside a string") }
            }
            throw problem("the file ends inside a string (truncated?)")
        }

        mutating func number() throws(Problem) {
            let start = index
            while let byte = current,
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "+-.eE".utf8.contains(byte)
            {
                index += 1
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard let value = Double(text) else { throw problem("'\(text)' is not a number") }
            guard value.isFinite else { throw problem("\(text) is not a finite double") }
            let mantissa = text.prefix { $0 != "e" && $0 != "E" }
            if value == 0 && mantissa.contains(where: { ("1"..."9").contains($0) }) { underflows.append(start..<index) }
            if Int(text) == nil { inexact.append(InexactNumber(range: start..<index, line: line, key: key, text: text)) }
        }
    }
}

extension JSONSyntax.Problem: Error {}
