import Foundation

/// The Python interpreter of the reference-tool venv (`scripts/setup/python.sh`, sourced by
/// `scripts/test.sh`, exports `SMSSTATS_TEST_PYTHON`), for tests that compare the product with a
/// reference library (libphonenumber's `phonenumbers`, …) through a small committed script.
///
/// Outside CI a missing interpreter skips those tests with ``skipNote``; under `CI=true` they run
/// and ``require()`` fails them, so CI never passes without the comparison. Use:
/// `@Test(.enabled(if: ReferencePython.shouldRun, Comment(rawValue: ReferencePython.skipNote)))`,
/// then `try ReferencePython.run(script: "scripts/reference/x.py", arguments: […])`.
public enum ReferencePython {
    /// The environment variable naming the interpreter.
    public static let environmentVariable = "SMSSTATS_TEST_PYTHON"

    /// The interpreter's path, or `nil` when the variable is unset or empty.
    public static var executable: String? {
        guard let path = ProcessInfo.processInfo.environment[environmentVariable], !path.isEmpty else { return nil }
        return path
    }

    /// Whether the run is CI (`CI=true`, as `.ci/run` and most CI services set it).
    public static var isCI: Bool {
        ProcessInfo.processInfo.environment["CI"]?.lowercased() == "true"
    }

    /// Whether a test that needs the interpreter should run: it is there, or this is CI (where its
    /// absence must fail the test rather than skip it).
    public static var shouldRun: Bool { executable != nil || isCI }

    /// Why such a test was skipped.
    public static let skipNote =
        "\(environmentVariable) is not set: skipped the comparison with the reference library "
        + "(scripts/test.sh sets it up via scripts/setup/python.sh; under CI=true this fails instead)"

    /// The repository's root directory (this file is `Tests/SMSTestSupport/ReferencePython.swift`).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Why the reference could not be used.
    public enum Failure: Error, CustomStringConvertible {
        /// No interpreter (under CI).
        case missing
        /// The script exited with a non-zero status: status and its standard error.
        case failed(Int32, String)

        public var description: String {
            switch self {
            case .missing:
                "\(ReferencePython.environmentVariable) is not set and CI=true: the reference comparison must run in CI (source scripts/setup/python.sh)"
            case .failed(let status, let stderr):
                "the reference script exited with status \(status): \(stderr)"
            }
        }
    }

    /// The interpreter's path.
    /// - Throws: ``Failure/missing`` when there is none.
    public static func require() throws -> String {
        guard let executable else { throw Failure.missing }
        return executable
    }

    /// Runs a committed Python script with the reference interpreter and returns its standard output.
    /// - Parameters:
    ///   - script: path relative to the repository root (`"scripts/reference/phonenumbers_check.py"`).
    ///   - arguments: the script's arguments.
    /// - Throws: ``Failure/missing``, ``Failure/failed(_:_:)``, or the error of starting the process.
    public static func run(script: String, arguments: [String]) throws -> Data {
        let r = try SpawnedProcess.collect(
            executable: try require(), arguments: [repositoryRoot.appendingPathComponent(script).path] + arguments)
        guard r.termination == .exit(0) else {
            let message = String(decoding: r.error, as: UTF8.self)
            throw Failure.failed(r.termination.status, String(message.suffix(4000)))
        }
        let output = r.output
        return output
    }
}
