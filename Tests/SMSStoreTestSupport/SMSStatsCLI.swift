import Foundation
import SMSTestSupport

/// The built `smsstats` executable, run as a child process by the CLI tests.
public enum SMSStatsCLI {
    /// `SMSSTATS_BIN`, or the `smsstats` next to the test bundle (`swift build --build-tests` builds it).
    public static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["SMSSTATS_BIN"] { return URL(fileURLWithPath: path) }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("smsstats").path), dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("smsstats")
    }

    /// Set (to the test process's pid) for every `smsstats` a test spawns: the child exits when
    /// the test process dies, even by SIGKILL, when no `defer` runs.
    public static let exitWithParentVariable = "SMSSTATS_EXIT_WITH_PARENT"

    /// One finished run: exit status and the whole stdout and stderr.
    public struct Run: Sendable {
        public var status: Int32
        public var out: String
        public var err: String

        /// The cells of the stdout table row whose first cell is `name` (psql-style `| name | a | b |`).
        public func row(_ name: String) -> [String]? {
            for line in out.split(separator: "\n") {
                let cells = line.split(separator: "|", omittingEmptySubsequences: false)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                guard cells.count > 2, cells[1] == name else { continue }
                return Array(cells[2..<(cells.count - 1)])
            }
            return nil
        }
    }

    public struct NotBuilt: Error, CustomStringConvertible {
        public var description: String { "build the smsstats executable first (swift build --build-tests): \(SMSStatsCLI.binary.path)" }
    }

    /// ``run(_:)`` on a thread of its own: waiting for the child must not hold a thread of Swift's
    /// cooperative pool (2 threads on 2 cores): two blocking waits at once leave none for the test
    /// process's own store work, and a child waiting on a lock that work holds never ends.
    public static func runOnOwnThread(_ arguments: [String]) async throws -> Run {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try run(arguments) }) }.start()
        }
    }

    /// Runs `smsstats arguments…` to completion without `SMSSTATS_DATABASE` in its environment
    /// (started with ``SpawnedProcess``, not Foundation's `Process`: see there why).
    /// - Throws: ``NotBuilt`` when the executable is missing; ``SpawnedProcess/SpawnError``.
    public static func run(_ arguments: [String]) throws -> Run {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw NotBuilt() }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "SMSSTATS_DATABASE")
        env[exitWithParentVariable] = String(ProcessInfo.processInfo.processIdentifier)
        let r = try SpawnedProcess.collect(executable: binary.path, arguments: arguments, environment: env)
        return Run(
            status: r.termination.status, out: String(decoding: r.output, as: UTF8.self),
            err: String(decoding: r.error, as: UTF8.self))
    }
}
