import Backprop
import Foundation

// The model file: a model that reads must predict without a trap, and write and read back
// as the same model.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelFile(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let model = try? Model(json: Data(bytes: bytes, count: count), name: "model.json") else { return 0 }
    _ = try? model.probabilities(x0: [0, 1e300, -3], x1: [0, -1e300, 2])
    guard let again = try? Model(json: Data(model.jsonText.utf8), name: "written.json") else {
        finding("a model that reads does not read back after writing:\n\(model.jsonText)")
    }
    if again != model { finding("a model reads back changed:\n\(model.jsonText)") }
    return 0
}
