@testable import Backprop
import Foundation

// The CSV reader, three ways that must agree on every input: the whole text parsed on one
// thread; parsed on two threads in segments of 16 bytes (every line split across segments);
// and read from a file in blocks of 37 bytes (every line split across blocks). The same
// dataset, or the same error, or it is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = UnsafeBufferPointer(start: bytes, count: count)
    withFile(bytes, count, named: "data.csv") { path in
        for labels in [CSV.Labels.required, .optional] {
            let whole = Result { () throws(InputError) in try CSV.parse(text, name: path, labels: labels, threads: 1) }
            let segments = Result { () throws(InputError) in
                try CSV.parse(text, name: path, labels: labels, threads: 2, segmentBytes: 16)
            }
            let blocks = Result { () throws(InputError) in
                try CSV.read(path: path, labels: labels, blockSize: 37, threads: 2, segmentBytes: 16)
            }
            if whole != segments || whole != blocks {
                finding("the CSV readers disagree (\(labels)):\n\(whole)\n\(segments)\n\(blocks)")
            }
        }
    }
    return 0
}
