// swift-tools-version: 6.1
import PackageDescription

// The benchmarks are a package of their own so that the benchmark framework never becomes
// a dependency of the library's users (the root package has none).
let package = Package(
    name: "BackpropBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Backprop", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "BackpropBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Backprop", package: "Backprop"),
            ],
            path: "Benchmarks/BackpropBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
