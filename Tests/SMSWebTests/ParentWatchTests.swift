import Foundation
import SMSStoreTestSupport
import SMSTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `SMSSTATS_EXIT_WITH_PARENT` (Sources/smsstats/ParentWatch.swift): a spawned `smsstats` exits
/// when its parent dies, even by SIGKILL, so a crashed test process leaves no server behind.
@Suite("smsstats exits with its parent (SMSSTATS_EXIT_WITH_PARENT)")
struct ParentWatchTests {
    /// Alive = signalable and not a zombie (a zombie has exited; its reaper may be slow to wait).
    static func alive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    static func text(_ url: URL) -> String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }

    /// Waits until `condition` holds, checking every 50 ms; `false` when `timeout` passed first.
    static func wait(_ timeout: Duration, until condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    @Test("a helper parent is SIGKILLed: its watched child exits within 5 s, an unwatched sibling keeps running")
    func childExitsWhenParentIsKilled() async throws {
        let bin = SMSStatsCLI.binary
        try #require(FileManager.default.isExecutableFile(atPath: bin.path), "build smsstats first: \(bin.path)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("parentwatch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let pids = dir.appendingPathComponent("pids")
        let watchedLog = dir.appendingPathComponent("watched.log")
        let plainLog = dir.appendingPathComponent("plain.log")
        // The helper parent: starts two sinks, the first watching it ($$ = the shell's pid), the
        // second without the variable (the control), writes their pids, then waits.
        let script = """
            SMSSTATS_EXIT_WITH_PARENT=$$ "$0" sink --port 0 --out "$1/w.refs" > "$1/watched.log" 2>&1 &
            echo $! > "$1/pids.tmp"
            env -u SMSSTATS_EXIT_WITH_PARENT "$0" sink --port 0 --out "$1/p.refs" > "$1/plain.log" 2>&1 &
            echo $! >> "$1/pids.tmp"
            mv "$1/pids.tmp" "$1/pids"
            wait
            """
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: SMSStatsCLI.exitWithParentVariable)
        let shell = try SpawnedProcess(executable: "/bin/sh", arguments: ["-c", script, bin.path, dir.path], environment: env)
        var children: [Int32] = []
        defer { for pid in children where Self.alive(pid) { kill(pid, SIGKILL) } }
        #expect(try await Self.wait(.seconds(10)) { FileManager.default.fileExists(atPath: pids.path) })
        children = Self.text(pids).split(separator: "\n").compactMap { Int32($0) }
        try #require(children.count == 2)
        let (watched, plain) = (children[0], children[1])
        // Both up (listening) before the parent dies: the watch thread, not the start-up check, must act.
        #expect(try await Self.wait(.seconds(30)) { Self.text(watchedLog).contains("sink listening on port") })
        #expect(try await Self.wait(.seconds(30)) { Self.text(plainLog).contains("sink listening on port") })
        #expect(Self.alive(watched) && Self.alive(plain))

        kill(shell.pid, SIGKILL)
        #expect(try await Self.wait(.seconds(5)) { !shell.isRunning })

        #expect(try await Self.wait(.seconds(5)) { !Self.alive(watched) }, "watched child \(watched) still running")
        #expect(Self.text(watchedLog).contains("parent process \(shell.pid) is gone; exiting (SMSSTATS_EXIT_WITH_PARENT)"))
        // The control: without the variable the sibling outlives its parent (what the tests used to leak).
        #expect(Self.alive(plain))
        kill(plain, SIGKILL)
        #expect(try await Self.wait(.seconds(5)) { !Self.alive(plain) })
        #expect(shell.waitUntilExit() == .signal(SIGKILL))
    }

    @Test("the parent named in the variable is already gone at start-up: exit status 1 at once, nothing served")
    func parentGoneBeforeStart() throws {
        let bin = SMSStatsCLI.binary
        try #require(FileManager.default.isExecutableFile(atPath: bin.path), "build smsstats first: \(bin.path)")
        var env = ProcessInfo.processInfo.environment
        // Not this child's parent (the test process is): as if the parent had died and the child been re-parented.
        env[SMSStatsCLI.exitWithParentVariable] = "2147483647"
        let r = try SpawnedProcess.collect(executable: bin.path, arguments: ["sink", "--port", "0", "--out", "/dev/null"], environment: env)
        #expect(r.termination == .exit(1))
        #expect(r.output.isEmpty)
        #expect(String(decoding: r.error, as: UTF8.self) == "smsstats: parent process 2147483647 is gone; exiting (SMSSTATS_EXIT_WITH_PARENT)\n")
    }

    @Test("with its real parent named, a command runs normally (the watch does not fire)")
    func realParentRunsNormally() throws {
        // SMSStatsCLI.run sets the variable to this process's pid.
        let r = try SMSStatsCLI.run(["--help"])
        #expect(r.status == 0)
        #expect(r.out.contains("SMSSTATS_EXIT_WITH_PARENT=<parent pid>"))
    }
}
