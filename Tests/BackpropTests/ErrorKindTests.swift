import Foundation
import Testing

@testable import Backprop

/// A client switches on an `InputError`'s kind: a missing file, a bad CSV line (with its
/// line and column), a full disk.
@Suite struct ErrorKindTests {
    /// What a client would do about each kind.
    static func action(for error: InputError) -> String {
        switch error.kind {
        case .notFound: "ask for another file"
        case .notAFile: "ask for a file"
        case .readFailed(let code): "report read error \(code)"
        case .changedWhileRead: "run again once the file is written"
        case .malformed: "show line \(error.line ?? 0), column \(error.column ?? 0)"
        case .writeFailed(let code?) where code == ENOSPC || code == EFBIG: "free some space"
        case .writeFailed: "report the write"
        }
    }

    @Test func aMissingFileAndAFolder() {
        let missing = #expect(throws: InputError.self) { try CSV.read(path: "/nonexistent/data.csv") }
        #expect(missing.map(Self.action) == "ask for another file")
        let folder = #expect(throws: InputError.self) { try Model.read(path: "/tmp") }
        #expect(folder.map(Self.action) == "ask for a file")
    }

    @Test func aBadCSVLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("backprop-bad-\(UUID()).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "x0,x1,y\n1,2,0\n3,oops,1\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: InputError.self) { try CSV.read(path: path) }
        #expect(error.map(Self.action) == "show line 3, column 2")
        #expect(error?.description == "\(path):3: column 2: \"oops\" is not a number")
        #expect(error?.localizedDescription == error?.description)
    }

    /// A write past the file size limit fails as a full disk does (EFBIG, ENOSPC's twin),
    /// in a child process whose limit it sets, and leaves no file behind.
    @Test func aFullDisk() async {
        await #expect(processExitsWith: .success) {
            var limit = rlimit(rlim_cur: 200, rlim_max: 200)
            _ = setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit)
            signal(SIGXFSZ, SIG_IGN)  // a write past the limit fails instead of ending the process
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("backprop-full-\(UUID()).json").path
            let model = try Trainer<SIMDEngine>(TrainingConfiguration()).train(on: SyntheticData.moons.generate(count: 64, seed: 1))
            do throws(InputError) {
                try model.write(to: path)
            } catch {
                let left = FileManager.default.fileExists(atPath: path)
                exit(ErrorKindTests.action(for: error) == "free some space" && !left ? 0 : 1)
            }
            exit(2)
        }
    }
}
