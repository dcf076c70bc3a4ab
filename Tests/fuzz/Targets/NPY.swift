@testable import Backprop
import Foundation

// The .npy reader: the header and the rows, read whole and streamed in chunks of 3 rows,
// with and without a label column required. The two reads must agree.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    withFile(bytes, count, named: "data.npy") { path in
        for labels in [CSV.Labels.required, .optional] {
            let whole = Result { () throws(InputError) in try NPY.read(path: path, labels: labels) }
            let chunked = Result { () throws(InputError) in
                let reader = try NPY.Reader(path: path, labels: labels)
                var (all, chunk) = (Dataset(validatedX0: [], x1: [], label: []), Dataset(validatedX0: [], x1: [], label: []))
                for start in stride(from: 0, to: reader.rows, by: 3) {
                    try reader.read(start..<min(start + 3, reader.rows), into: &chunk)
                    all = Dataset(validatedX0: all.x0 + chunk.x0, x1: all.x1 + chunk.x1, label: all.label + chunk.label)
                }
                return all
            }
            if whole != chunked { finding("the .npy reads disagree (\(labels)):\n\(whole)\n\(chunked)") }
        }
    }
    return 0
}
