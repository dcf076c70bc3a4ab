// A client of Backprop, built the way a client builds it: a dependency by version and a
// plain `swift build -c release`. Prints the kernels it runs and the SIMD engine's
// throughput on the standard workload, in M samples/s.
@_spi(Benchmarks) import Backprop

let batchSize = Int(CommandLine.arguments.dropFirst().first ?? "256") ?? 256
let result = StandardWorkload.measure(
    SIMDEngine.self, on: StandardWorkload.dataset(), batchSize: batchSize, epochs: 3, options: EngineOptions(threads: 1),
    from: StandardWorkload.initialParameters)
print(KernelVariant.best.rawValue, result.samplesPerSecond / 1e6)
