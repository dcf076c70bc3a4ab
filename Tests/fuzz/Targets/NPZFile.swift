import Backprop

// An imported state_dict (np.savez's .npz): a model that reads exports and reads back as itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPZ(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let model = try? Model(npz: Array(UnsafeBufferPointer(start: bytes, count: count)), name: "w.npz") else { return 0 }
    if (try? Model(safetensors: model.safetensors(), name: "again.safetensors")) != model {
        finding("an imported model does not export and read back as itself")
    }
    return 0
}
