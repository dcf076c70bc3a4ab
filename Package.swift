// swift-tools-version: 6.2
import PackageDescription

// Native code. A plain `swift build -c release` targets baseline x86-64 (SSE2, no FMA),
// where the engines' SIMD8 kernels run several times slower. When this package is built
// on its own (the README's commands), it compiles the library for the build machine's CPU:
// its vector width and FMA. The binary then needs a CPU with the same features, a
// deliberate choice for a training tool that runs where it is built.
//
// As a dependency of another package (checked out under .build/checkouts or Xcode's
// SourcePackages) it stays portable unless BACKPROP_NATIVE=1 is set, and
// BACKPROP_PORTABLE=1 forces portable code everywhere. Tools version 6.2 lets SwiftPM use a
// dependency with these (conditional) unsafe flags by version.
let environment = Context.environment
let checkedOutAsDependency = ["/.build/checkouts/", "/SourcePackages/checkouts/"].contains {
    Context.packageDirectory.contains($0)
}
let native =
    environment["BACKPROP_PORTABLE"] == nil
    && (environment["BACKPROP_NATIVE"] != nil || !checkedOutAsDependency)

#if arch(x86_64)
    // Without the preference, LLVM splits 512-bit vectors on some AVX-512 CPUs.
    let nativeFlags = ["-target-cpu", "native", "-Xcc", "-mprefer-vector-width=512"]
#else
    let nativeFlags = ["-target-cpu", "native"]
#endif
let librarySettings: [SwiftSetting] =
    native ? [.unsafeFlags(nativeFlags), .define("BACKPROP_NATIVE")] : []

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
        .target(name: "Backprop", swiftSettings: librarySettings),
        // The CLI's target has its own name so that `Sources/Backprop` and the executable's
        // folder never collide on a case-insensitive file system.
        .executableTarget(name: "BackpropCLI", dependencies: ["Backprop"]),
        .testTarget(name: "BackpropTests", dependencies: ["Backprop"], swiftSettings: librarySettings),
        // Runs the `backprop` executable as a user would; the dependency makes SwiftPM build it.
        .testTarget(name: "BackpropCLITests", dependencies: ["BackpropCLI"]),
    ],
    swiftLanguageModes: [.v6]
)
