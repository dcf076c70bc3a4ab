import Backprop
import Foundation

// The checkpoint: one that reads must resume for an epoch on a few samples without a trap,
// or be refused with an error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    withFile(bytes, count, named: "checkpoint.json") { path in
        guard let checkpoint = try? TrainingProgress.read(path: path) else { return }
        let data = try! Dataset(x0: (0..<16).map { Double($0) / 4 }, x1: (0..<16).map { Double($0 % 5) }, label: (0..<16).map { Double($0 % 2) })
        var configuration = checkpoint.configuration
        configuration.epochs = min(checkpoint.epochsCompleted, Int.max - 1) + 1
        configuration.engineOptions = EngineOptions(threads: 1)
        _ = try? Trainer<SIMDEngine>(configuration).run(on: data, resuming: checkpoint)
    }
    return 0
}
