import Foundation
import Synchronization
import Testing

@_spi(Benchmarks) @testable import Backprop

/// Output files: never a partial file, never a replaced device, link or permission.
@Suite struct AtomicFileTests {
    /// Runs `body` in a new folder, removed afterwards.
    func inTemporaryFolder(_ body: (URL) throws -> Void) throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("backprop-atomic-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(folder)
    }

    @Test func aLinkStaysALinkAndItsTargetKeepsItsPermissions() throws {
        try inTemporaryFolder { folder in
            let target = folder.appendingPathComponent("target.json").path
            let link = folder.appendingPathComponent("link.json").path
            try "old".write(toFile: target, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: target)
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "target.json")

            try AtomicFile.write("new", to: link)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "target.json")
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
            let permissions = try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int
            #expect(permissions == 0o640)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["link.json", "target.json"])
        }
    }

    /// A save killed midway leaves its temporary file; the next save to the same file
    /// takes it over, and nothing else is left in the folder.
    @Test func aKilledSavesTemporaryFileIsTakenOverByTheNext() throws {
        try inTemporaryFolder { folder in
            let stale = folder.appendingPathComponent(".model.json.tmp").path
            try String(repeating: "half a model ", count: 1000).write(toFile: stale, atomically: false, encoding: .utf8)
            try AtomicFile.write("new", to: folder.appendingPathComponent("model.json").path)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.json"])
            #expect(try String(contentsOfFile: folder.appendingPathComponent("model.json").path, encoding: .utf8) == "new")
            // A link at the temporary name is never followed: the save takes a name of its own.
            try FileManager.default.createSymbolicLink(atPath: stale, withDestinationPath: "/nonexistent/target")
            try AtomicFile.write("newer", to: folder.appendingPathComponent("model.json").path)
            #expect(try String(contentsOfFile: folder.appendingPathComponent("model.json").path, encoding: .utf8) == "newer")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == [".model.json.tmp", "model.json"])
        }
    }

    /// Saves to one file at once (each thread opens its own descriptor, as processes do):
    /// the file is always one save's whole contents, and no temporary file stays.
    @Test func concurrentSavesLeaveOneWholeFile() throws {
        try inTemporaryFolder { folder throws in
            let path = folder.appendingPathComponent("model.json").path
            let contents = (0..<4).map { String(repeating: "\($0)", count: 100_000) }
            let failures = Mutex(0)
            DispatchQueue.concurrentPerform(iterations: 4) { thread in
                for _ in 0..<50 {
                    do { try AtomicFile.write(contents[thread], to: path) } catch { failures.withLock { $0 += 1 } }
                    let read = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                    if !contents.contains(read) { failures.withLock { $0 += 1 } }
                }
            }
            #expect(failures.withLock { $0 } == 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.json"])
        }
    }

    @Test func aDeviceIsWrittenThroughNotReplaced() throws {
        try AtomicFile.write("discarded", to: "/dev/null")
        #expect(System.status("/dev/null")?.kind == .characterDevice)
    }

    @Test func aDanglingLinkGetsItsTargetCreated() throws {
        try inTemporaryFolder { folder in
            let link = folder.appendingPathComponent("link.json").path
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "made.json")
            try AtomicFile.write("made", to: link)
            #expect(try String(contentsOfFile: folder.appendingPathComponent("made.json").path, encoding: .utf8) == "made")
            #expect(System.status(link, followingLinks: false)?.kind == .link)
        }
    }

    @Test func sameFileIsFoundThroughLinksHardLinksAndSpellings() throws {
        try inTemporaryFolder { folder in
            let data = folder.appendingPathComponent("d.csv").path
            try "1,2,0\n".write(toFile: data, atomically: false, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("soft.csv").path, withDestinationPath: data)
            try FileManager.default.linkItem(atPath: data, toPath: folder.appendingPathComponent("hard.csv").path)
            for spelling in ["soft.csv", "hard.csv", "./d.csv", "sub/../d.csv"] {
                #expect(AtomicFile.wouldReplace(folder.appendingPathComponent(spelling).path, data), "\(spelling)")
            }
            #expect(!AtomicFile.wouldReplace(folder.appendingPathComponent("other.csv").path, data))
            #expect(AtomicFile.wouldReplace(folder.appendingPathComponent("new.json").path, folder.path + "/./new.json"))
            #expect(!AtomicFile.wouldReplace("/dev/null", "/dev/null"))
        }
    }
}
