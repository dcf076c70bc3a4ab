@testable import BackpropCLI
import Backprop
import Foundation

// A sweep's results file: results that read must rank and plot (`plot --sweep`) without
// a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResultsLine(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("backprop-fuzz-\(getpid())-sweep")
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let file = (folder as NSString).appendingPathComponent("results.jsonl")
    guard FileManager.default.createFile(atPath: file, contents: Data(bytes: bytes, count: count)) else {
        finding("cannot write the fuzz input to \(file)")
    }
    guard let results = try? SweepResults.read(file).results else { return 0 }
    _ = SweepResults.ranked(results)
    _ = try? PlotCommand.sweep(folder)
    return 0
}
