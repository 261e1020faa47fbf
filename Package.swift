// swift-tools-version:6.2
import PackageDescription

/// Settings every Cuecast target shares: strict Swift 6 plus the upcoming features Hummingbird itself builds with.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "cuecast",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cuecast", targets: ["cuecast"]),
        .library(name: "CuecastCore", targets: ["CuecastCore"]),
        .library(name: "CuecastServer", targets: ["CuecastServer"]),
        .library(name: "CuecastClient", targets: ["CuecastClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        // HTTP/2 and TLS on the streaming path (already built for AsyncHTTPClient, so they cost no extra build time).
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.0"),
        // A local certificate for workshops (`cuecast cert`), generated in-process rather than by an openssl recipe.
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.0"),
        // Running it as a service: Prometheus metrics through the ecosystem's metrics API, and configuration from
        // the command line, the environment and a JSON file with one precedence rule.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        // Several instances sharing every stream (`cuecast serve --cluster postgres://…`): LISTEN/NOTIFY plus a table.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // jansson, found through pkg-config; the only module that sees C. Wrapped once, in CuecastCore/JSON.
        .systemLibrary(
            name: "CJansson",
            pkgConfig: "jansson",
            providers: [.apt(["libjansson-dev"])]
        ),
        // Everything that is not networking: SSE wire format, JSON, scenario model and loader, playback, broadcast hub.
        .target(
            name: "CuecastCore",
            dependencies: [
                "CJansson",
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP on Hummingbird 2: routes, SSE responses, live stations, configuration.
        .target(
            name: "CuecastServer",
            dependencies: [
                "CuecastCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP2", package: "swift-nio-extras"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            // The OpenAPI document is data: a JSON file that tools open directly, embedded so a copied binary serves it.
            resources: [.embedInCode("API/openapi.json")],
            swiftSettings: swiftSettings
        ),
        // An EventSource for Swift and the terminal: browser reconnection rules on AsyncHTTPClient.
        .target(
            name: "CuecastClient",
            dependencies: [
                "CuecastCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The load generator behind `cuecast bench`: subscribers on raw SwiftNIO, a publisher, the server under test.
        .target(
            name: "CuecastBench",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // The thin executable: argument parsing, then the server or a core tool.
        .executableTarget(
            name: "cuecast",
            dependencies: [
                "CuecastCore",
                "CuecastServer",
                "CuecastClient",
                "CuecastBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: swiftSettings
        ),
        // What the server and client tests share: a live server on a free port, the real executable, polling.
        .target(
            name: "CuecastTestSupport",
            dependencies: [
                "CuecastCore",
                "CuecastServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/CuecastTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CuecastCoreTests",
            dependencies: ["CuecastCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CuecastServerTests",
            dependencies: [
                "CuecastCore",
                "CuecastTestSupport",
                "CuecastServer",
                // The project's one HTTP/2 client (`HTTP2ClientConnection`), shared with the load generator.
                "CuecastBench",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CuecastClientTests",
            dependencies: [
                "CuecastCore",
                "CuecastTestSupport",
                "CuecastClient",
                "CuecastServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
