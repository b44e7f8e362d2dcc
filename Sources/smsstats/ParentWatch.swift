import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `SMSSTATS_EXIT_WITH_PARENT`: the process exits when its parent does. Tests that spawn
/// `smsstats serve` / `smsstats sink` set it, so that a test process that crashes or is
/// SIGKILLed (its `defer` never runs) leaves no server behind.
///
/// Value: the parent's process id (tests pass their own `getpid()`); any other non-empty value
/// (e.g. `1`) watches the parent found at start-up. When the parent is already a different
/// process at start-up (it died between spawning and this check), the process exits at once.
/// Then a background thread checks `getppid()` every 0.2 s; once the parent has changed (the
/// process was re-parented to init or a subreaper) it writes one line to stderr and exits with
/// status 1 at once (`_exit`: no graceful shutdown; the click journal and the stores are crash
/// safe, so this is the same as a crash).
///
/// Polling rather than Linux's `prctl(PR_SET_PDEATHSIG)`: the death signal fires when the parent
/// *thread* that spawned the child ends, and a test spawns from a pool thread that may end while
/// the test process lives; a signal may also be blocked in the child (spawned processes inherit
/// the test runner's signal mask). `getppid()` changes only when the parent process is gone.
enum ParentWatch {
    static let variable = "SMSSTATS_EXIT_WITH_PARENT"
    /// How often the parent is checked.
    static let interval: useconds_t = 200_000

    /// The parent to watch for the variable's `value` (`nil`: unset or empty, no watch).
    /// - Parameters:
    ///   - value: the variable's text; a number above 1 is the parent's pid, anything else
    ///     non-empty means the current parent.
    ///   - currentParent: `getppid()` now.
    static func parent(value: String?, currentParent: Int32) -> Int32? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let pid = Int32(value), pid > 1 { return pid }
        return currentParent
    }

    /// Starts the watch when the variable is set (call first thing in `main`).
    static func startFromEnvironment() {
        guard let parent = parent(value: ProcessInfo.processInfo.environment[variable], currentParent: getppid()) else { return }
        if getppid() != parent { exitOrphaned(parent) }
        Thread.detachNewThread {
            while true {
                usleep(interval)
                if getppid() != parent { exitOrphaned(parent) }
            }
        }
    }

    static func exitOrphaned(_ parent: Int32) -> Never {
        let line = "smsstats: parent process \(parent) is gone; exiting (\(variable))\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        _exit(1)
    }
}
