import Backprop

// An imported state_dict (safetensors): a model that reads exports and reads back as itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let model = try? Model(safetensors: Array(UnsafeBufferPointer(start: bytes, count: count)), name: "w.safetensors") else {
        return 0
    }
    if (try? Model(safetensors: model.safetensors(), name: "again.safetensors")) != model {
        finding("an imported model does not export and read back as itself")
    }
    return 0
}
