import Foundation
import Testing

@_spi(Benchmarks) @testable import Backprop

/// NumPy `.npy` files: what NumPy writes is read, what is written NumPy reads, and every
/// way a file can be wrong is an error naming the file and what to do.
@Suite struct NPYTests {
    static let folder: URL = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("backprop-npy-\(UUID())")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }()

    /// A file of `values` (row by row) under a header dict, as NumPy would write it with that dict.
    static func file(_ name: String, dict: String, values: [Double], version: UInt8 = 1) throws -> String {
        var text = dict
        let lengthBytes = version == 1 ? 2 : 4
        text += String(repeating: " ", count: (64 - (8 + lengthBytes + text.utf8.count + 1) % 64) % 64) + "\n"
        let length = text.utf8.count
        var bytes = NPYHeader.magic + [version, 0] + (0..<lengthBytes).map { UInt8((length >> (8 * $0)) & 0xFF) }
        bytes += Array(text.utf8)
        for value in values { bytes += withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
        let path = folder.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func dict(_ descr: String = "'<f8'", fortran: String = "False", shape: String) -> String {
        "{'descr': \(descr), 'fortran_order': \(fortran), 'shape': \(shape), }"
    }

    /// The bytes `np.save` writes for a (3, 3) float64 array (NumPy 2.x, captured): a header
    /// padded with spaces so that the data starts at byte 128.
    @Test func headersAreWhatNumPyWrites() {
        let numpy = "\u{93}NUMPY\u{1}\u{0}v\u{0}{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }"
            + String(repeating: " ", count: 58) + "\n"
        #expect(NPYHeader(rows: 3, columns: 3).encoded == Array(numpy.unicodeScalars.map { UInt8($0.value) }))
        #expect(NPYHeader(rows: 3, columns: 3).dataOffset == 128)
    }

    @Test func writtenFilesReadBackExactly() throws {
        let data = try Dataset(x0: [1, -0.0, 1e-310, .pi], x1: [2, 5e300, -3, 0.1], label: [0, 1, 1, 0])
        let path = Self.folder.appendingPathComponent("round.npy").path
        try NPY.write(data, to: path)
        #expect(try NPY.read(path: path) == data)
        #expect(try Dataset.read(path: path) == data)
        try NPY.write(data, to: path, labels: false)
        #expect(try NPY.read(path: path, labels: .optional) == Dataset(x0: data.x0, x1: data.x1))
        #expect(throws: InputError(file: path, line: nil, message: "shape (4, 2) has no label column: training and evaluation need (N, 3)")) {
            try NPY.read(path: path)
        }
    }

    /// Chunks of a streamed read hold the same rows as the whole file, across chunk ends.
    @Test func chunksMatchTheWholeFile() throws {
        let data = SyntheticData.moons.generate(count: 1000, seed: 3)
        let path = Self.folder.appendingPathComponent("chunks.npy").path
        try NPY.write(data, to: path)
        let reader = try NPY.Reader(path: path)
        var chunk = try Dataset(x0: [], x1: [])
        for start in stride(from: 0, to: 1000, by: 300) {
            let range = start..<min(start + 300, 1000)
            try reader.read(range, into: &chunk)
            #expect(chunk == data.selecting(range))
        }
    }

    /// The format is recognised by its first bytes, not by the file's name.
    @Test func filesAreToldApartByContent() throws {
        let data = try Dataset(x0: [1, 2], x1: [3, 4], label: [0, 1])
        let npy = Self.folder.appendingPathComponent("really-npy.csv").path
        try NPY.write(data, to: npy)
        #expect(try Dataset.read(path: npy) == data)
        let csv = Self.folder.appendingPathComponent("really-csv.npy").path
        try "1,3,0\n2,4,1\n".write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(try Dataset.read(path: csv) == data)
    }

    /// A dtype in double quotes, which NumPy reads, is read.
    @Test func aDoubleQuotedDtypeIsRead() throws {
        let path = try Self.file("quoted.npy", dict: Self.dict("\"<f8\"", shape: "(2, 3)"), values: [1, 2, 0, 3, 4, 1])
        #expect(try NPY.read(path: path) == Dataset(x0: [1, 3], x1: [2, 4], label: [0, 1]))
    }

    /// A complete header longer than this tool reads is called so, not "cut short".
    @Test func aHeaderLongerThanThisToolReadsSaysSo() throws {
        let long = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), " + String(repeating: " ", count: 70_000) + "}"
        let path = try Self.file("long.npy", dict: long, values: [1, 2, 0, 3, 4, 1], version: 2)
        let error = #expect(throws: InputError.self) { try NPY.read(path: path) }
        #expect(error?.message.hasPrefix("the .npy header is 70") == true && error?.message.contains("more than the 65524 this tool reads") == true, "\(String(describing: error))")
    }

    @Test func version2HeadersAreRead() throws {
        let path = try Self.file("v2.npy", dict: Self.dict(shape: "(2, 3)"), values: [1, 2, 0, 3, 4, 1], version: 2)
        #expect(try NPY.read(path: path) == Dataset(x0: [1, 3], x1: [2, 4], label: [0, 1]))
    }

    @Test(arguments: [
        (Self.dict("'>f8'", shape: "(2, 3)"), [1, 2, 0, 3, 4, 1],
         "dtype '>f8' is not float64, little-endian ('<f8'): convert it with array.astype('<f8') before np.save"),
        (Self.dict("'<f4'", shape: "(2, 3)"), [1, 2, 0, 3, 4, 1],
         "dtype '<f4' is not float64, little-endian ('<f8'): convert it with array.astype('<f8') before np.save"),
        (Self.dict(fortran: "True", shape: "(2, 3)"), [1, 3, 2, 4, 0, 1],
         "the array is in Fortran order: save np.ascontiguousarray(array) instead"),
        (Self.dict(shape: "(2, 4)"), [Double](repeating: 0, count: 8),
         "shape (2, 4): needs (N, 3) for rows of x0, x1, label, or (N, 2) for rows of x0, x1"),
        (Self.dict(shape: "(6,)"), [Double](repeating: 0, count: 6),
         "shape (6,): needs (N, 3) for rows of x0, x1, label, or (N, 2) for rows of x0, x1"),
        (Self.dict(shape: "(0, 3)"), [], "no rows: shape (0, 3)"),
        (Self.dict(shape: "(4611686018427387904, 3)"), [], "shape (4611686018427387904, 3): more rows than any file can hold"),
        (Self.dict(shape: "(2, 3)"), [1, 2, 0, 3, 4],
         "the file is 168 bytes, but its header's shape (2, 3) needs 176: the file is cut short"),
        (Self.dict(shape: "(2, 3)"), [1, 2, 0, 3, 4, 1, 7],
         "the file is 184 bytes, but its header's shape (2, 3) needs 176: 8 bytes follow the data"),
        (Self.dict(shape: "(2, 3)"), [1, 2, 0, 3, .nan, 1], "row 1 (counting from 0): x1 is nan"),
        (Self.dict(shape: "(2, 3)"), [-.infinity, 2, 0, 3, 4, 1], "row 0 (counting from 0): x0 is -inf"),
        (Self.dict(shape: "(2, 3)"), [1, 2, 0, 3, 4, 0.5], "row 1 (counting from 0): label 0.5 is not 0 or 1"),
        ("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'shape': (3, 2), }", [1, 2, 0, 3, 4, 1],
         "the .npy header names 'shape' twice"),
        ("{'descr': '<f8', \"descr\": '<f4', 'fortran_order': False, 'shape': (2, 3), }", [1, 2, 0, 3, 4, 1],
         "the .npy header names 'descr' twice"),
    ] as [(String, [Double], String)])
    func badFilesAreRefusedWithTheirProblem(dict: String, values: [Double], message: String) throws {
        let path = try Self.file("bad-\(UUID()).npy", dict: dict, values: values)
        #expect(throws: InputError(file: path, line: nil, message: message)) { try Dataset.read(path: path) }
    }
}
