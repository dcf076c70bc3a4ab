// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Backprop",
    products: [
        .library(name: "Backprop", targets: ["Backprop"]),
        .executable(name: "backprop", targets: ["BackpropCLI"]),
    ],
    dependencies: [],
    targets: [
        .target(name: "Backprop"),
        // The CLI's target has its own name so that `Sources/Backprop` and the executable's
        // folder never collide on a case-insensitive file system.
        .executableTarget(name: "BackpropCLI", dependencies: ["Backprop"]),
        .testTarget(name: "BackpropTests", dependencies: ["Backprop"]),
    ],
    swiftLanguageModes: [.v6]
)
