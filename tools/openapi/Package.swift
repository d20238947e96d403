// swift-tools-version:6.1
import PackageDescription

/// The code generator for Siyu's API contract, kept out of the main package so that building Siyu
/// never builds it. `scripts/generate-api` runs it; the generated code is committed.
let package = Package(
    name: "siyu-openapi-tools",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator.git", exact: "1.14.3")
    ],
    targets: []
)
