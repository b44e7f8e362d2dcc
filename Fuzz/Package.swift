// swift-tools-version: 6.1
// The coverage-guided fuzzers (libFuzzer) of the parsers that read outside input: callback bodies
// and fields, the JSON reader, the profile CSV reader, message templates. A package of its own so
// that the main build never compiles it: `scripts/checks/fuzz.sh` builds it with
// `-sanitize=fuzzer,address` in `.build-fuzz` and runs each fuzzer for a bounded time; the
// README's "Fuzzing" paragraph says how to run one longer.
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its directory (`main`, `wt-x`, a CI checkout...), so the
/// repository's package is referred to by the name of the directory above this one.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "SMSStatsFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "smsstats-fuzz",
            dependencies: [
                .product(name: "SMSCore", package: root),
                .product(name: "SMSTemplating", package: root),
            ],
            path: "Sources/SMSFuzz"
        )
    ]
)
