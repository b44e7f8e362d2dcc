// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "SMSStats",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "smsstats", targets: ["smsstats"]),
        // For the fuzz package (Fuzz/Package.swift), which builds only these with the fuzzer's
        // instrumentation, in its own scratch path.
        .library(name: "SMSCore", targets: ["SMSCore"]),
        .library(name: "SMSTemplating", targets: ["SMSTemplating"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/ordo-one/TextTable.git", from: "0.0.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // Pure domain: Foundation only. No HTTP, no SQL.
        .target(name: "SMSCore", resources: [.copy("Resources")], swiftSettings: swiftSettings),
        // SQLite store (GRDB). Every SQL dialect detail stays here.
        .target(
            name: "SMSStoreSQLite",
            dependencies: [
                "SMSCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API for the callback hot path's raw binds (RawStatement.swift).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // PostgreSQL store (postgres-nio) for production. Same schema and semantics as SMSStoreSQLite.
        .target(
            name: "SMSStorePostgres",
            dependencies: [
                "SMSCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Personalisation of SMS bodies with Mustache (plain text, no HTML escaping).
        .target(
            name: "SMSTemplating",
            dependencies: ["SMSCore", .product(name: "Mustache", package: "swift-mustache")],
            swiftSettings: swiftSettings
        ),
        // Outbound generic HTTP provider client.
        .target(
            name: "SMSGatewayHTTP",
            dependencies: [
                "SMSCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                // HMAC-SHA256 of the per-message callback tokens in `$$DlrUrl` (CallbackToken).
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Hummingbird adapter: API, callbacks, redirects, dashboard, metrics.
        .target(
            name: "SMSWeb",
            dependencies: [
                "SMSCore",
                "SMSGatewayHTTP",
                "SMSTemplating",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CSV", package: "CSV.swift"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        // A provider simulator: accepts the generic request, POSTs callbacks back, keeps ground truth.
        .target(
            name: "SMSSimulator",
            dependencies: [
                "SMSCore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The composition root: a configuration (database path or postgres:// URL, click journal,
        // provider client, server settings) → the store it names → a running application. Used by
        // `serve`, `demo`, `stats` and `reconcile`; the only module that knows both stores.
        .target(
            name: "SMSServer",
            dependencies: [
                "SMSCore", "SMSStoreSQLite", "SMSStorePostgres", "SMSGatewayHTTP", "SMSWeb",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The end-to-end demo: server + simulator + audience + clicks + conversions, with ground truth.
        .target(
            name: "SMSDemo",
            dependencies: [
                "SMSCore", "SMSServer", "SMSGatewayHTTP", "SMSWeb", "SMSSimulator",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "smsstats",
            dependencies: [
                "SMSServer",
                "SMSDemo",
                "SMSCore",
                "SMSWeb",
                "SMSSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "TextTable", package: "TextTable"),
            ],
            swiftSettings: swiftSettings
        ),
        // Benchmarks: `swift run -c release smsstats-bench <name>`; figures go to BENCHMARKS.md.
        // Benchmark-only bulk loading into the SQLite store (not in the production target).
        .target(
            name: "SMSBenchLoad",
            dependencies: ["SMSCore", "SMSStoreSQLite", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Benchmarks/SMSBenchLoad",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "smsstats-bench",
            dependencies: [
                "SMSCore", "SMSStoreSQLite", "SMSBenchLoad", "SMSStorePostgres", "SMSWeb", "SMSGatewayHTTP", "SMSSimulator", "SMSTemplating",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/SMSBench",
            swiftSettings: swiftSettings
        ),
        // Test oracles shared by the test targets (independent of the code under test).
        .target(name: "SMSTestSupport", path: "Tests/SMSTestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "SMSCoreTests", dependencies: ["SMSCore", "SMSTestSupport"], swiftSettings: swiftSettings),
        // Test support: a fresh store of each kind (SQLite file / PostgreSQL schema) with raw SQL probes.
        .target(
            name: "SMSStoreTestSupport",
            dependencies: [
                "SMSCore", "SMSStoreSQLite", "SMSStorePostgres", "SMSTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/SMSStoreTestSupport",
            swiftSettings: swiftSettings
        ),
        // Store-level behaviour, run against every store (SQLite and PostgreSQL).
        .testTarget(
            name: "SMSStoreTests",
            dependencies: [
                "SMSCore", "SMSStoreSQLite", "SMSStorePostgres", "SMSStoreTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SMSStorePostgresTests",
            dependencies: ["SMSCore", "SMSStorePostgres", "SMSStoreTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SMSStoreSQLiteTests",
            dependencies: [
                "SMSCore", "SMSStoreSQLite", "SMSBenchLoad", "SMSStoreTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SMSWebTests",
            dependencies: [
                "SMSCore", "SMSStoreSQLite", "SMSWeb", "SMSSimulator", "SMSGatewayHTTP", "SMSServer", "SMSDemo", "SMSTemplating",
                "SMSTestSupport",
                "SMSStoreTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
