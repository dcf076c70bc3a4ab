import Foundation
import Testing

@_spi(Benchmarks) @testable import Backprop

@Suite struct CSVTests {
    static func parse(_ text: String) throws(InputError) -> Dataset {
        try CSV.parse(Array(text.utf8), name: "data.csv")
    }

    @Test(arguments: [
        ("header", "x0,x1,y\n1,2,0\n3,4,1\n"),
        ("header of any names", "first feature, second ,class\n1,2,0\n3,4,1\n"),
        ("no header", "1,2,0\n3,4,1\n"),
        ("CRLF", "x0,x1,y\r\n1,2,0\r\n3,4,1\r\n"),
        ("byte-order mark", "\u{FEFF}x0,x1,y\n1,2,0\n3,4,1\n"),
        ("byte-order mark, no header", "\u{FEFF}1,2,0\n3,4,1"),
        ("no final newline", "1,2,0\n3,4,1"),
        ("trailing blank lines", "1,2,0\n3,4,1\n\n\r\n  \n"),
        ("exponents and plus signs", "+1e0,0.2E1,0\n3.0,+4,1.0\n"),
        ("spaces around fields", " 1 , 2,0\n3,\t4 , 1\n"),
    ])
    func accepts(_ name: String, _ text: String) throws {
        let data = try Self.parse(text)
        #expect(data.x0 == [1, 3], "\(name)")
        #expect(data.x1 == [2, 4], "\(name)")
        #expect(data.label == [0, 1], "\(name)")
    }

    @Test func acceptsASingleClassAndNegativeAndTinyNumbers() throws {
        let data = try Self.parse("-1.5e-300,-0,1\n.5,5.,1\n")
        #expect(data.x0 == [-1.5e-300, 0.5])
        #expect(data.x1 == [0, 5])
        #expect(data.label == [1, 1])
    }

    @Test(arguments: [
        ("empty file", "", 1, "no data rows (the file is empty)"),
        ("only blank lines", "\n\n", 1, "no data rows (the file is empty)"),
        ("header only", "x0,x1,y\n", 1, "a header but no data rows"),
        ("too few columns", "x0,x1,y\n1,2,0\n3,4\n", 3, "expected 3 comma-separated columns (x0,x1,label), found 2"),
        ("too many columns", "1,2,0,9\n", 1, "expected 3 comma-separated columns (x0,x1,label), found 4"),
        ("empty field", "1,2,0\n1,,0\n", 2, "column 2 is empty"),
        ("not a number", "1,2,0\n1,abc,0\n", 2, "column 2: \"abc\" is not a number"),
        ("hex is not accepted", "0x10,2,0\n", 1, "column 1: \"0x10\" is not a number"),
        ("half a number", "1,2e,0\n", 1, "column 2: \"2e\" is not a number"),
        ("NaN", "x0,x1,y\n1,2,0\nNaN,2,1\n", 3, "column 1: \"NaN\" is not a finite number"),
        ("infinity", "1,-inf,0\n", 1, "column 2: \"-inf\" is not a finite number"),
        ("overflow", "1,2,0\n1e999,2,0\n", 2, "column 1: \"1e999\" is not a finite number"),
        ("label 2", "1,2,0\n1,2,2\n", 2, "label \"2\" is not 0 or 1"),
        ("label 0.5", "1,2,0.5\n", 1, "label \"0.5\" is not 0 or 1"),
        ("semicolons", "x0;x1;y\n1;2;0\n", 1, "expected 3 comma-separated columns (x0,x1,label), found 1; the file seems to use ';' as the delimiter"),
        ("tabs", "1\t2\t0\n", 1, "expected 3 comma-separated columns (x0,x1,label), found 1; the file seems to use tabs as the delimiter"),
        ("blank line between rows", "1,2,0\n\n3,4,1\n", 2, "blank line between rows"),
        ("NUL byte", "1,2,0\n1,2\u{0},0\n", 2, "binary data (a NUL byte): not a CSV text file"),
    ])
    func rejects(_ name: String, _ text: String, _ line: Int, _ message: String) {
        // The field a problem is in: "column N: ..." and the label's, the third.
        let column = message.hasPrefix("column ") ? Int(message.dropFirst(7).prefix(1)) : message.hasPrefix("label ") ? 3 : nil
        #expect(throws: InputError(file: "data.csv", line: line, column: column, message: message), "\(name)") {
            try Self.parse(text)
        }
    }

    @Test func labelsMayBeOptional() throws {
        let unlabelled = try CSV.parse(Array("x0,x1\n1,2\n3,4\n".utf8), name: "new.csv", labels: .optional)
        #expect(unlabelled.x0 == [1, 3])
        #expect(unlabelled.label == [0, 0])
        let labelled = try CSV.parse(Array("1,2,1\n3,4,0\n".utf8), name: "new.csv", labels: .optional)
        #expect(labelled.label == [1, 0])
        #expect(throws: InputError(file: "new.csv", line: 2, message: "expected 2 comma-separated columns (x0,x1) like the first line, found 3")) {
            try CSV.parse(Array("1,2\n3,4,1\n".utf8), name: "new.csv", labels: .optional)
        }
        #expect(throws: InputError(file: "data.csv", line: 1, message: "expected 3 comma-separated columns (x0,x1,label), found 2")) {
            try Self.parse("1,2\n")
        }
    }

    @Test func numbersAreConvertedExactlyOnEveryPath() throws {
        // Short numbers take the fast path, long ones strtod; both must give the correctly
        // rounded double, which is what Swift's own parser gives.
        var generator = SplitMix64(seed: 5)
        var lines: [String] = []
        var expected: [Double] = []
        for i in 0..<4000 {
            let magnitude = Foundation.exp(generator.nextUniform(-30, 30))
            let value = (generator.nextIndex(below: 2) == 0 ? -1 : 1) * magnitude
            let text = String(format: "%.\(1 + i % 17)\(["g", "e", "f"][i % 3])", value)
            lines.append("\(text),0.5,\(i % 2)")
            expected.append(Double(text)!)
        }
        let data = try Self.parse(lines.joined(separator: "\n"))
        for (index, (got, want)) in zip(data.x0, expected).enumerated() {
            #expect(got.bitPattern == want.bitPattern, "line \(index + 1): \(lines[index])")
        }
    }

    @Test func eiselLemireMatchesSwiftsParserOnEveryPowerOfTen() throws {
        // 17 significant digits (what shortest round-trip printing writes) at every decimal
        // exponent, plus integers just past 2^53 whose halves must round to even, plus
        // subnormals and overflow, which go to strtod.
        var generator = SplitMix64(seed: 11)
        var texts: [String] = []
        for exponent in -340...308 {
            for _ in 0..<8 {
                let digits = (0..<17).map { _ in String(generator.nextIndex(below: 10)) }.joined()
                texts.append("\(1 + generator.nextIndex(below: 9)).\(digits.dropFirst())e\(exponent)")
            }
        }
        for _ in 0..<2000 {
            let odd = (UInt64(1) << 53) + 2 * UInt64(generator.nextIndex(below: 1 << 30)) + 1
            texts.append(String(odd << UInt64(generator.nextIndex(below: 11))))
        }
        texts += ["4.9e-324", "2.2250738585072011e-308", "2.2250738585072014e-308", "1.7976931348623157e308",
            "1.7976931348623158e308", "9007199254740993", "0.000000000000000000000000000001234", "123456789012345678901234"]
        for text in texts {
            let expected = try #require(Double(text), "\(text)")
            guard expected.isFinite else { continue }
            let data = try Self.parse("\(text),-\(text),1\n")
            #expect(data.x0[0].bitPattern == expected.bitPattern, "\(text)")
            #expect(data.x1[0].bitPattern == (-expected).bitPattern, "-\(text)")
        }
    }

    /// Blocks of a few bytes, and many threads on tiny segments, must give the same rows and
    /// the same first error as reading the text whole on one thread.
    @Test func cuttingTheTextAnywhereChangesNothing() throws {
        var generator = SplitMix64(seed: 3)
        var long = ""
        for i in 0..<3000 {
            long += "\(generator.nextUniform(-5, 5)),\(generator.nextUniform(-5, 5)),\(i % 2)\(i % 7 == 0 ? "\r\n" : "\n")"
        }
        let texts = [
            "x0,x1,y\n" + long, long + "\n\n", long + "1,2,0", "\u{FEFF}" + long, long + "\n3,4,1\n", long + "1,x,0\n" + long,
            "x0,x1,y\n1,2,0\n" + long + "1, 2 ,1\n" + long, "\n\n\n", "x0,x1,y\n\n", long + "1,2\u{0},0\n",
            long + " \n" + long, "\n" + long, long + "\n\n\n1,2,0\n",
        ]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("backprop-csv-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (index, text) in texts.enumerated() {
            let path = folder.appendingPathComponent("\(index).csv").path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let whole = Result { () throws(InputError) in
                try CSV.parse(Array(text.utf8), name: path, labels: .required, threads: 1, segmentBytes: .max)
            }
            var cut: [Result<Dataset, InputError>] = [
                Result { () throws(InputError) in
                    try CSV.parse(Array(text.utf8), name: path, labels: .required, threads: 5, segmentBytes: 1)
                }
            ]
            for blockSize in [1, 7, 4096] {
                cut.append(
                    Result { () throws(InputError) in
                        try CSV.read(path: path, labels: .required, blockSize: blockSize, threads: 3, segmentBytes: 100)
                    })
            }
            for result in cut {
                #expect(result == whole, "text \(index)")
            }
        }
    }

    @Test func aFileWhoseLinesGetShorterIsReadWhole() throws {
        // The columns are sized from the first MiB's lines; short lines after long ones
        // outgrow that, and the file is read again with room for every possible row.
        let long = "1.00000000000000000000000000000000000000000000000000000000000000,2,0\n"
        let text = String(repeating: long, count: (1 << 20) / long.utf8.count + 10) + String(repeating: "3,4,1\n", count: 400_000)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("backprop-short-\(UUID()).csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let data = try CSV.read(path: path)
        #expect(data.count == (1 << 20) / long.utf8.count + 10 + 400_000)
        #expect(data.x0.first == 1 && data.x0.last == 3 && data.label.last == 1)
    }

    @Test func binaryGarbageIsRejectedWithALine() {
        var generator = SplitMix64(seed: 1)
        let bytes = (0..<4096).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        do {
            _ = try CSV.parse(bytes, name: "noise.bin")
            Issue.record("binary garbage was accepted")
        } catch {
            #expect(error.file == "noise.bin")
            #expect(error.line != nil)
        }
    }

    @Test func aLineOfManyMegabytesGetsAShortMessage() {
        let long = String(repeating: "9", count: 5_000_000)
        do {
            _ = try Self.parse("1,2,0\n1,\(long)x,0\n")
            Issue.record("accepted")
        } catch {
            #expect(error.line == 2)
            #expect(error.message.count < 100)
        }
    }

    @Test func reportsMissingFilesAndDirectories() {
        #expect(throws: InputError(file: "/nonexistent.csv", line: nil, message: "no such file", kind: .notFound)) {
            try CSV.read(path: "/nonexistent.csv")
        }
        #expect(throws: InputError(file: "/tmp", line: nil, message: "is a directory, not a CSV file", kind: .notAFile)) {
            try CSV.read(path: "/tmp")
        }
    }

    @Test func errorsDescribeThemselvesAsFileLineMessage() {
        #expect(InputError(file: "a.csv", line: 3, message: "bad").description == "a.csv:3: bad")
        #expect(InputError(file: "a.csv", line: nil, message: "bad").description == "a.csv: bad")
    }

    /// Endless or binary input stops at the first NUL byte, in bounded memory, with its line;
    /// a device is named for what it is.
    @Test func binaryStreamsAndDevicesAreRefused() throws {
        let pipe = Pipe()
        try pipe.fileHandleForWriting.write(contentsOf: Data("x0,x1,label\n1,2,0\n".utf8) + Data(count: 60_000))
        try pipe.fileHandleForWriting.close()
        let path = "/dev/fd/\(pipe.fileHandleForReading.fileDescriptor)"
        #expect(throws: InputError(file: path, line: 3, message: "binary data (a NUL byte): not a CSV text file")) {
            try CSV.read(path: path)
        }
        #expect(throws: InputError(file: "/dev/zero", line: nil, message: "is a character device, not a CSV file", kind: .notAFile)) {
            try CSV.read(path: "/dev/zero")
        }
        // An .npy file through a pipe is named as one, not as a CSV file with a NUL byte.
        let npy = Pipe()
        try npy.fileHandleForWriting.write(contentsOf: Data(NPYHeader(rows: 1, columns: 3).encoded) + Data(count: 24))
        try npy.fileHandleForWriting.close()
        let npyPath = "/dev/fd/\(npy.fileHandleForReading.fileDescriptor)"
        let message = "an .npy file through a pipe or a device: it is read in place, by offset; give the file itself"
        #expect(throws: InputError(file: npyPath, line: nil, message: message, kind: .notAFile)) { try Dataset.read(path: npyPath) }
        #expect(throws: InputError(file: "/dev/zero", line: nil, message: "is a character device, not a model file", kind: .notAFile)) {
            try Model.read(path: "/dev/zero")
        }
    }
}
