import Foundation

/// The header of a NumPy `.npy` file: the magic string, a version, and a Python dict
/// literal with the array's dtype, memory order and shape
/// (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
///
/// Backprop reads and writes one kind of array: float64, little-endian, C order, with 3
/// columns (x0, x1, label) or 2 (x0, x1).
struct NPYHeader: Equatable {
    /// Rows of the array.
    var rows: Int
    /// Columns of the array: 2 or 3.
    var columns: Int
    /// Where the data starts in the file: right after the header.
    var dataOffset: Int

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// True when `bytes` start like an `.npy` file.
    static func isNPY(_ bytes: some Collection<UInt8>) -> Bool { bytes.starts(with: magic) }

    /// Bytes a header needs at most, with the longest dict a file could reasonably have.
    static let maximumLength = 1 << 16

    /// Parses the header at the start of `bytes` (at least the header's length, or the whole file).
    ///
    /// - Throws: a message saying what is wrong and how to fix it in NumPy.
    init(parsing bytes: [UInt8]) throws(NPYError) {
        let (dict, offset) = try Self.dictionary(in: bytes)
        try self.init(dict: dict, dataOffset: offset)
    }

    /// The header's dict literal and where the data starts after it.
    static func dictionary(in bytes: [UInt8]) throws(NPYError) -> (dict: String, dataOffset: Int) {
        guard Self.isNPY(bytes) else { throw NPYError("not a NumPy .npy file (it does not start with \\x93NUMPY)") }
        guard bytes.count >= 10 else { throw NPYError("the .npy header is cut short") }
        let major = bytes[6]
        let lengthBytes: Int
        switch major {
        case 1: lengthBytes = 2
        case 2, 3: lengthBytes = 4
        default: throw NPYError(".npy format version \(major).\(bytes[7]) is not one this tool reads (1, 2 or 3)")
        }
        var length = 0
        for i in (0..<lengthBytes).reversed() where 8 + i < bytes.count { length = length << 8 | Int(bytes[8 + i]) }
        let start = 8 + lengthBytes
        guard start + length <= Self.maximumLength else {
            throw NPYError("the .npy header is \(length) bytes, more than the \(Self.maximumLength - start) this tool reads")
        }
        guard bytes.count >= start + length else { throw NPYError("the .npy header is cut short") }
        let dict = String(decoding: bytes[start..<(start + length)], as: UTF8.self)
        // NumPy's dict literal keeps the last of two equal keys, a first-match reader the
        // first: a header that names a key twice is refused, not read one way or the other.
        for key in ["descr", "fortran_order", "shape"] where Self.occurrences(of: key, in: dict) > 1 {
            throw NPYError("the .npy header names '\(key)' twice")
        }
        return (dict, start + length)
    }

    /// The header of a data set's array: float64, C order, (N, 3) or (N, 2).
    private init(dict: String, dataOffset: Int) throws(NPYError) {
        self.dataOffset = dataOffset
        guard let descr = Self.value(of: "descr", in: dict) else { throw NPYError("the .npy header has no 'descr' (dtype)") }
        // NumPy reads the dtype quoted either way.
        guard ["'<f8'", "'<d'", "\"<f8\"", "\"<d\""].contains(descr) else {
            throw NPYError(
                "dtype \(descr) is not float64, little-endian ('<f8'): convert it with array.astype('<f8') before np.save")
        }
        guard let order = Self.value(of: "fortran_order", in: dict) else { throw NPYError("the .npy header has no 'fortran_order'") }
        guard order == "False" else {
            throw NPYError("the array is in Fortran order: save np.ascontiguousarray(array) instead")
        }
        guard let shape = Self.value(of: "shape", in: dict), shape.hasPrefix("("), shape.hasSuffix(")") else {
            throw NPYError("the .npy header has no 'shape'")
        }
        let dimensions = shape.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard dimensions.count == 2, let rows = Int(dimensions[0]), let columns = Int(dimensions[1]), rows >= 0,
            columns == 2 || columns == 3
        else {
            throw NPYError("shape \(shape): needs (N, 3) for rows of x0, x1, label, or (N, 2) for rows of x0, x1")
        }
        guard rows <= (Int.max - dataOffset) / (columns * 8) else {
            throw NPYError("shape \(shape): more rows than any file can hold")
        }
        (self.rows, self.columns) = (rows, columns)
    }

    /// A header for `rows` × `columns` float64 values, version 1.0, padded so that the data
    /// starts at a multiple of 64 bytes, as NumPy writes it.
    init(rows: Int, columns: Int) {
        (self.rows, self.columns) = (rows, columns)
        dataOffset = 0
        dataOffset = encoded.count
    }

    /// The header's bytes.
    var encoded: [UInt8] {
        var dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        let unpadded = 10 + dict.utf8.count + 1
        dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = dict.utf8.count
        return Self.magic + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(dict.utf8)
    }

    /// Bytes of data the shape calls for.
    var dataBytes: Int { rows * columns * 8 }

    /// How many times `key`, quoted either way, appears in the dict literal.
    private static func occurrences(of key: String, in dict: String) -> Int {
        dict.components(separatedBy: "'\(key)'").count - 1 + dict.components(separatedBy: "\"\(key)\"").count - 1
    }

    /// The value after `'key':` in a dict literal: a quoted string, a tuple, or a bare word.
    static func value(of key: String, in dict: String) -> String? {
        guard let keyRange = dict.range(of: "'\(key)'") ?? dict.range(of: "\"\(key)\"") else { return nil }
        let rest = dict[keyRange.upperBound...].drop { $0 == " " }
        guard rest.first == ":" else { return nil }
        let value = rest.dropFirst().drop { $0 == " " }
        guard let first = value.first else { return nil }
        let end: String.Index?
        switch first {
        case "(": end = value.firstIndex(of: ")").map { value.index(after: $0) }
        case "'", "\"": end = value.dropFirst().firstIndex(of: first).map { value.index(after: $0) }
        default: end = value.firstIndex { $0 == "," || $0 == "}" } ?? value.endIndex
        }
        return end.map { String(value[..<$0]).trimmingCharacters(in: .whitespaces) }
    }
}

/// What is wrong with an `.npy` file (the caller adds the file's name).
struct NPYError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
