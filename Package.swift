// swift-tools-version: 6.2
import PackageDescription

// Native speed without flags. The hot kernels are compiled three times, from one source
// (Sources/BackpropKernels; the V3 and V4 folders link to its files): for baseline x86-64,
// for x86-64-v3 (AVX2 and FMA) and for x86-64-v4 (AVX-512), and the library picks the best
// one the CPU runs, at start (`KernelVariant`). A plain `swift build -c release`, in this
// package or in one that depends on it, gets the fast code, and the binary runs on any
// x86-64 CPU. Swift takes CPU names, not x86-64-v3/v4: haswell has exactly the v3 features
// and skylake-avx512 the v4 ones. Tools version 6.2 lets SwiftPM build a dependency with
// these unsafe flags by version.
// The kernels are optimised in debug builds too: unoptimised, they made the tests (which
// train hundreds of models through the debug build) run for well over a minute.
let optimisedInDebug: SwiftSetting = .unsafeFlags(["-O"], .when(configuration: .debug))
#if arch(x86_64)
    let v3: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"]), .define("BACKPROP_FMA"), optimisedInDebug]
    // Without the preference, LLVM splits 512-bit vectors on some AVX-512 CPUs.
    let v4: [SwiftSetting] = [
        .unsafeFlags(["-target-cpu", "skylake-avx512", "-Xcc", "-mprefer-vector-width=512"]), .define("BACKPROP_FMA"),
        optimisedInDebug,
    ]
    let baseline: [SwiftSetting] = [optimisedInDebug]
#else
    // arm64: NEON and its fused multiply-add are the baseline; one variant serves.
    let v3: [SwiftSetting] = [.define("BACKPROP_FMA"), optimisedInDebug]
    let v4: [SwiftSetting] = [.define("BACKPROP_FMA"), optimisedInDebug]
    let baseline: [SwiftSetting] = [.define("BACKPROP_FMA"), optimisedInDebug]
#endif

let package = Package(
    name: "Backprop",
    // InlineArray and the Synchronization module need the 2025 releases of Apple's systems.
    // Tested on Linux (x86-64); Apple platforms are expected to build, untested.
    platforms: [.macOS(.v26), .iOS(.v26), .tvOS(.v26), .watchOS(.v26), .visionOS(.v26)],
    products: [
        .library(name: "Backprop", targets: ["Backprop"]),
        .executable(name: "backprop", targets: ["BackpropCLI"]),
    ],
    dependencies: [],
    targets: [
        .target(
            name: "Backprop",
            dependencies: ["BackpropKernelStorage", "BackpropKernels", "BackpropKernelsV3", "BackpropKernelsV4", "CPUFeatures"]
        ),
        // The kernels' data, shared by the three copies of the kernels.
        .target(name: "BackpropKernelStorage"),
        .target(name: "BackpropKernels", dependencies: ["BackpropKernelStorage", "CPUFeatures"], swiftSettings: baseline),
        .target(name: "BackpropKernelsV3", dependencies: ["BackpropKernelStorage", "CPUFeatures"], swiftSettings: v3),
        .target(name: "BackpropKernelsV4", dependencies: ["BackpropKernelStorage", "CPUFeatures"], swiftSettings: v4),
        // Which of them the CPU runs (cpuid, through the C compiler's builtins), and a prefetch.
        .target(name: "CPUFeatures"),
        // The CLI's target has its own name so that `Sources/Backprop` and the executable's
        // folder never collide on a case-insensitive file system.
        .executableTarget(name: "BackpropCLI", dependencies: ["Backprop"]),
        .testTarget(name: "BackpropTests", dependencies: ["Backprop", "BackpropKernelStorage"]),
        // Runs the `backprop` executable as a user would; the dependency makes SwiftPM build it.
        .testTarget(name: "BackpropCLITests", dependencies: ["BackpropCLI", "Backprop"]),
    ],
    swiftLanguageModes: [.v6]
)
