import Foundation

/// The fuzzer's input as a file, for the readers that take a path: one file a process,
/// rewritten for each input, in the temporary folder.
func withFile<Result>(
    _ bytes: UnsafePointer<UInt8>, _ count: Int, named name: String, _ body: (String) throws -> Result
) rethrows -> Result {
    let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("backprop-fuzz-\(getpid())-\(name)")
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes: bytes, count: count)) else {
        fatalError("cannot write the fuzz input to \(path)")
    }
    return try body(path)
}

/// Stops the run, which libFuzzer reports as a finding with the input that caused it.
func finding(_ message: String) -> Never {
    fatalError("finding: \(message)")
}
