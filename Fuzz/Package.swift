// swift-tools-version:6.2
import PackageDescription

/// libFuzzer targets for every Cuecast parser that reads outside bytes. A package of its own so that the sanitizer
/// build compiles only CuecastCore (with jansson and DequeModule): never Hummingbird, NIO or the server.
/// Built and run by `scripts/fuzz`; see RELIABILITY.md, "Fuzzing".
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// One executable per target: each exports `LLVMFuzzerTestOneInput`, and libFuzzer supplies `main`.
let fuzzTargets = ["FuzzEventStream", "FuzzEventRoundTrip", "FuzzJSON", "FuzzScenario", "FuzzPublish", "FuzzTemplate"]

let package = Package(
    name: "cuecast-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "cuecast", path: ".."),
    ],
    targets: [
        // What several targets share: the reference event-stream reader, position bounds, the failure report.
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "CuecastCore", package: "cuecast")],
            swiftSettings: swiftSettings
        ),
    ] + fuzzTargets.map { name in
        .executableTarget(
            name: name,
            dependencies: ["FuzzSupport", .product(name: "CuecastCore", package: "cuecast")],
            swiftSettings: swiftSettings
        )
    }
)
