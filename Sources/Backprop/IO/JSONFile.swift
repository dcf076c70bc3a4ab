import Foundation

/// Decoding the package's JSON files (models, checkpoints) with messages a user can act on:
/// the file, the line of a syntax error, the field that is missing, null or of the wrong
/// type, or the `ShapeError` a type's own checks threw.
enum JSONFile {
    /// Decodes `data`, the contents of the file `name`; `kind` names the file in messages
    /// ("a model file").
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, name: String, kind: String) throws(InputError) -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as ShapeError {
            throw InputError(file: name, line: nil, message: error.message)
        } catch let error as DecodingError {
            if case .dataCorrupted = error, let zeroed = JSONSyntax.zeroingUnderflows(in: [UInt8](data)) {
                return try decode(type, from: Data(zeroed), name: name, kind: kind)
            }
            throw describe(error, type, name: name, kind: kind, data: data)
        } catch {
            throw InputError(file: name, line: nil, message: "not \(kind): \(error)")
        }
    }

    private static func describe<T: Decodable>(_ error: DecodingError, _ type: T.Type, name: String, kind: String, data: Data) -> InputError {
        func field(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            var text = ""
            for key in codingPath + (last.map { [$0] } ?? []) {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? "the top level" : "\"\(text)\""
        }
        let message: String
        switch error {
        case .keyNotFound(let key, let context):
            message = "missing field \(field(context.codingPath, key))"
        case .valueNotFound(_, let context):
            message = "\(field(context.codingPath)) is null"
        case .typeMismatch(let type, let context):
            message = "\(field(context.codingPath)) must be \(describe(type))"
        case .dataCorrupted(let context):
            if let problem = JSONSyntax.firstProblem(in: [UInt8](data)) {
                let what = problem.message == "the file is empty" ? problem.message : "not valid JSON: \(problem.message)"
                return InputError(file: name, line: problem.line, message: what)
            }
            if context.codingPath.isEmpty, let number = refusedNumber(T.self, in: data) {
                let key = number.key.map { "\"\($0)\" " } ?? ""
                return InputError(file: name, line: number.line, message: "\(key)is \(number.text): not a whole number of the range allowed there")
            }
            message = "\(field(context.codingPath)) has a value that is not allowed"
        @unknown default:
            message = "not \(kind)"
        }
        return InputError(file: name, line: nil, message: message)
    }

    /// The first number of `data` that a whole-number field refuses (Foundation's decoder
    /// says only "not valid JSON", with no field): with the numbers from the k-th on written
    /// as 1 (which every field takes, where 0 is no standard deviation), the decoder's error
    /// is gone exactly when k is at or before that number, so a binary search finds it in a
    /// logarithmic number of decodings.
    private static func refusedNumber<T: Decodable>(_ type: T.Type, in data: Data) -> JSONSyntax.InexactNumber? {
        let bytes = [UInt8](data)
        let numbers = JSONSyntax.inexactNumbers(in: bytes)
        func refused(zeroingFrom k: Int) -> Bool {
            var text = bytes
            for number in numbers[k...].reversed() { text.replaceSubrange(number.range, with: Array("1".utf8)) }
            do {
                _ = try JSONDecoder().decode(type, from: Data(text))
                return false
            } catch DecodingError.dataCorrupted(let context) {
                return context.codingPath.isEmpty
            } catch {
                return false
            }
        }
        guard !numbers.isEmpty, !refused(zeroingFrom: 0) else { return nil }
        var (low, high) = (0, numbers.count)  // not refused from low; refused from high
        while high - low > 1 {
            let middle = (low + high) / 2
            if refused(zeroingFrom: middle) { high = middle } else { low = middle }
        }
        return numbers[low]
    }

    /// A Swift type as a user reads it.
    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type: "a number"
        case is Int.Type, is UInt64.Type: "a whole number"
        case is String.Type: "text"
        case is Bool.Type: "true or false"
        case is [Any].Type: "a list"
        default: "an object"
        }
    }
}
