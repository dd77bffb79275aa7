// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Lumen",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "lumen", targets: ["lumen"]),
        .executable(name: "lumen-bench", targets: ["lumen-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // (already in the graph through Hummingbird: NIOHTTPTypes names the HTTP parts a channel handler sees)
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // (already in the graph through PostgresNIO and AsyncHTTPClient: the store's first direct connection takes a TLS context)
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // Pure stages: no I/O, Sendable values in and out.
        .target(name: "LumenClassifier", swiftSettings: strict),
        .target(
            name: "LumenPolicy",
            dependencies: [
                "LumenClassifier",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(name: "LumenRedaction", dependencies: ["LumenClassifier", "LumenPolicy"], swiftSettings: strict),
        .target(name: "LumenCore", swiftSettings: strict),
        // JSON Schema → GBNF grammar (constrained generation on the embedded model), and a schema validator.
        .target(name: "LumenGrammar", dependencies: ["LumenCore"], swiftSettings: strict),

        // I/O stages.
        .systemLibrary(
            name: "CLlama",
            pkgConfig: "llama",
            providers: [.brew(["llama.cpp"]), .apt(["libllama-dev"])]
        ),
        .target(
            name: "LumenLocalRuntime",
            dependencies: ["CLlama", "LumenCore", "LumenGrammar", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "LumenProviders",
            dependencies: [
                "LumenCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "LumenAudit",
            dependencies: [
                "LumenCore", "LumenClassifier",
                "LumenPolicy",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The shared store (#17): audit chains, budget reservations and policy versions in PostgreSQL.
        .target(
            name: "LumenStore",
            dependencies: [
                "LumenAudit", "LumenPolicy", "LumenCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "LumenRouter",
            dependencies: [
                "LumenCore", "LumenClassifier", "LumenPolicy", "LumenRedaction",
                "LumenLocalRuntime", "LumenProviders", "LumenAudit", "LumenStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "LumenServer",
            dependencies: [
                "LumenCore", "LumenRouter", "LumenPolicy", "LumenAudit", "LumenLocalRuntime", "LumenStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "LumenFakeUpstream",
            dependencies: [
                "LumenCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "lumen",
            dependencies: [
                "LumenCore", "LumenClassifier", "LumenPolicy", "LumenRedaction", "LumenLocalRuntime",
                "LumenProviders", "LumenAudit", "LumenRouter", "LumenServer", "LumenFakeUpstream", "LumenStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),

        // Benchmarks, apart from the product: `swift build --product lumen` compiles none of them.
        .executableTarget(
            name: "lumen-bench",
            dependencies: [
                "LumenCore", "LumenClassifier", "LumenPolicy", "LumenRedaction", "LumenLocalRuntime", "LumenAudit", "LumenRouter",
                "LumenFakeUpstream", "LumenTestSupport", "LumenStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/LumenBench",
            swiftSettings: strict
        ),

        // Fixtures shared by the tests and the benchmarks: where the binary, the venv, the model and
        // the shared data are; an in-memory backend; planted values; a synthetic audit log.
        .target(
            name: "LumenTestSupport",
            dependencies: ["LumenCore", "LumenPolicy", "LumenAudit", "LumenRouter"],
            path: "Tests/LumenTestSupport",
            swiftSettings: strict
        ),

        .testTarget(name: "LumenClassifierTests", dependencies: ["LumenClassifier", "LumenCore", "LumenTestSupport"]),
        .testTarget(name: "LumenPolicyTests", dependencies: ["LumenPolicy", "LumenClassifier", "LumenTestSupport"]),
        .testTarget(name: "LumenRedactionTests", dependencies: ["LumenRedaction", "LumenClassifier", "LumenCore"]),
        .testTarget(name: "LumenLocalRuntimeTests", dependencies: ["LumenLocalRuntime", "LumenGrammar", "LumenCore", "LumenTestSupport"]),
        .testTarget(name: "LumenGrammarTests", dependencies: ["LumenGrammar", "LumenCore"]),
        .testTarget(
            name: "LumenProvidersTests",
            dependencies: [
                "LumenProviders", "LumenFakeUpstream", "LumenCore", "LumenTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(name: "LumenAuditTests", dependencies: ["LumenAudit", "LumenPolicy", "LumenClassifier", "LumenTestSupport"]),
        .testTarget(
            name: "LumenServerTests",
            dependencies: [
                "LumenServer", "LumenRouter", "LumenPolicy", "LumenCore", "LumenAudit", "LumenTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "LumenRouterTests",
            dependencies: [
                "LumenRouter", "LumenProviders", "LumenTestSupport", "LumenFakeUpstream", "LumenAudit", "LumenPolicy", "LumenRedaction", "LumenClassifier",
                "LumenCore", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "LumenStoreTests",
            dependencies: [
                "LumenStore", "LumenAudit", "LumenPolicy", "LumenTestSupport", "LumenFakeUpstream", "LumenCore",
                .product(name: "Logging", package: "swift-log"), .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "LumenEndToEndTests",
            dependencies: ["lumen", "LumenTestSupport", "LumenFakeUpstream", "LumenCore", "LumenClassifier"]
        ),
    ]
)
