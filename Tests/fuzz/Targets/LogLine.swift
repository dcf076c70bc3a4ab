@testable import BackpropCLI
import Backprop
import Foundation

// A training log (`train --log`): a log that reads must plot (`plot --history`) without a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLogLine(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    withFile(bytes, count, named: "log.jsonl") { path in
        guard let points = try? Plot.readHistory(path: path) else { return }
        _ = Plot.history(points)
    }
    return 0
}
