import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn(3)`, for the tests that run real programs (the
/// `smsstats` executable, Kannel, Chromium, the reference Python tools).
///
/// Why not Foundation's `Process`: on this toolchain (Swift 6.3) `Process.run()` lists
/// `/proc/self/fd` to close the parent's descriptors in the child and copies each entry's whole
/// 256-byte name, which reads past the end of glibc's `readdir` buffer; with ~1,300 descriptors open
/// (the parallel test run, each test with its servers and database pools) the read crosses into an
/// unmapped page and the whole test process dies with SIGSEGV in `memcpy` (CI run of cbe58ba;
/// swift-corelibs-foundation#5472, fixed upstream after 6.3). Here the child closes every
/// descriptor from 3 up with one `closefrom` action (glibc 2.34+), without listing anything.
///
/// The child gets: standard input `/dev/null` unless given; standard output and error as given
/// (descriptors, duplicated onto 1 and 2) or `/dev/null`; an empty signal mask and default signal
/// dispositions (the test runner blocks SIGTERM in its threads; a child that inherits that ignores
/// `terminate()`); its own process group (as `Process` did: a Ctrl-C at the terminal reaches the
/// test runner, which then stops its children itself).
public final class SpawnedProcess: @unchecked Sendable {
    /// How the child ended.
    public enum Termination: Equatable, Sendable {
        /// `exit(code)`.
        case exit(Int32)
        /// Killed by this signal number.
        case signal(Int32)

        /// The exit code, or 128 + the signal number (the shell's convention).
        public var status: Int32 {
            switch self {
            case .exit(let code): code
            case .signal(let number): 128 + number
            }
        }
    }

    /// `posix_spawn` or a file action failed: the call and its `errno`.
    public struct SpawnError: Error, CustomStringConvertible {
        public var call: String
        public var code: Int32
        public var description: String { "\(call) failed: \(String(cString: strerror(code))) (errno \(code))" }
    }

    /// The child's process id.
    public let pid: pid_t
    private let lock = NSLock()
    private var ended: Termination?

    /// Starts `executable arguments…`.
    /// - Parameters:
    ///   - executable: an absolute path (no `PATH` search).
    ///   - environment: the child's whole environment (default: this process's).
    ///   - directory: the child's working directory (default: this process's).
    ///   - standardInput, standardOutput, standardError: descriptors of this process to give the
    ///     child as 0, 1 and 2 (this process keeps its own copy; close it when done); `nil` is `/dev/null`.
    /// - Throws: ``SpawnError`` (for example `ENOENT` when the executable does not exist).
    public init(
        executable: String, arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String? = nil, standardInput: Int32? = nil, standardOutput: Int32? = nil, standardError: Int32? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        try Self.check("posix_spawn_file_actions_init", posix_spawn_file_actions_init(&actions))
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (source, target) in [(standardInput, Int32(0)), (standardOutput, 1), (standardError, 2)] {
            if let source {
                try Self.check("posix_spawn_file_actions_adddup2", posix_spawn_file_actions_adddup2(&actions, source, target))
            } else {
                let flags = target == 0 ? O_RDONLY : O_WRONLY
                try Self.check("posix_spawn_file_actions_addopen", posix_spawn_file_actions_addopen(&actions, target, "/dev/null", flags, 0))
            }
        }
        try Self.check("posix_spawn_file_actions_addclosefrom_np", GNU.addclosefrom(&actions, 3))
        if let directory {
            try Self.check("posix_spawn_file_actions_addchdir_np", GNU.addchdir(&actions, directory))
        }

        var attributes = posix_spawnattr_t()
        try Self.check("posix_spawnattr_init", posix_spawnattr_init(&attributes))
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        try Self.check("posix_spawnattr_setsigmask", posix_spawnattr_setsigmask(&attributes, &none))
        try Self.check("posix_spawnattr_setsigdefault", posix_spawnattr_setsigdefault(&attributes, &all))
        try Self.check("posix_spawnattr_setpgroup", posix_spawnattr_setpgroup(&attributes, 0))
        let flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP
        try Self.check("posix_spawnattr_setflags", posix_spawnattr_setflags(&attributes, Int16(flags)))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var child: pid_t = 0
        try Self.check("posix_spawn \(executable)", posix_spawn(&child, executable, &actions, &attributes, argv, envp))
        pid = child
    }

    private static func check(_ call: String, _ result: Int32) throws {
        guard result == 0 else { throw SpawnError(call: call, code: result) }
    }

    /// How the child ended, or `nil` while it runs (reaps it when it has ended; never blocks).
    public var termination: Termination? {
        lock.lock()
        defer { lock.unlock() }
        if let ended { return ended }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        ended = status & 0x7f == 0 ? .exit((status >> 8) & 0xff) : .signal(status & 0x7f)
        return ended
    }

    /// Whether the child still runs.
    public var isRunning: Bool { termination == nil }

    /// Blocks the calling thread until the child ends (polls every 5 ms; call it off Swift's
    /// cooperative pool when the wait can be long).
    @discardableResult
    public func waitUntilExit() -> Termination {
        while true {
            if let termination { return termination }
            usleep(5_000)
        }
    }

    /// Sends `signal` to the child (nothing once it has been reaped).
    public func signal(_ signal: Int32) {
        guard isRunning else { return }
        kill(pid, signal)
    }

    /// Sends SIGTERM.
    public func terminate() { signal(SIGTERM) }

    /// A finished run: how it ended and everything it wrote.
    public struct Collected: Sendable {
        public var termination: SpawnedProcess.Termination
        public var output: Data
        public var error: Data
    }

    /// Runs `executable arguments…` to its end, collecting standard output and standard error
    /// (each read on its own thread, so that a child filling one pipe never blocks on it).
    /// - Throws: ``SpawnError``.
    public static func collect(
        executable: String, arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        standardInput: Int32? = nil
    ) throws -> Collected {
        let out = try Self.pipe()
        let err: (read: Int32, write: Int32)
        do { err = try Self.pipe() } catch {
            close(out.read); close(out.write)
            throw error
        }
        let child: SpawnedProcess
        do {
            child = try SpawnedProcess(
                executable: executable, arguments: arguments, environment: environment,
                standardInput: standardInput, standardOutput: out.write, standardError: err.write)
        } catch {
            for fd in [out.read, out.write, err.read, err.write] { close(fd) }
            throw error
        }
        close(out.write)
        close(err.write)
        let errorReader = DataReader(err.read)
        let thread = Thread { errorReader.readToEnd() }
        thread.start()
        let output = FileHandle(fileDescriptor: out.read, closeOnDealloc: true).readDataToEndOfFile()
        let termination = child.waitUntilExit()
        return Collected(termination: termination, output: output, error: errorReader.waitForData())
    }

    /// A pipe whose two ends are close-on-exec here (the child gets its end by `dup2`, which clears the flag).
    public static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard GNU.pipe2(&fds, O_CLOEXEC) == 0 else { throw SpawnError(call: "pipe2", code: errno) }
        return (fds[0], fds[1])
    }

    /// glibc's GNU extensions (declared under `_GNU_SOURCE`, which Swift's Glibc module does not
    /// define), looked up by name once; all exist in glibc 2.34 and later (Debian 12 has 2.36).
    private enum GNU {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32

        static let addclosefrom: AddCloseFrom = symbol("posix_spawn_file_actions_addclosefrom_np")
        static let addchdir: AddChdir = symbol("posix_spawn_file_actions_addchdir_np")
        static let pipe2: Pipe2 = symbol("pipe2")

        private static func symbol<F>(_ name: String) -> F {
            guard let address = dlsym(nil, name) else { fatalError("glibc has no \(name) (glibc 2.34 or later is needed)") }
            return unsafeBitCast(address, to: F.self)
        }
    }

    /// Reads a descriptor to its end on another thread; ``waitForData()`` returns what it read.
    private final class DataReader: @unchecked Sendable {
        private let fd: Int32
        private let done = DispatchSemaphore(value: 0)
        private var data = Data()

        init(_ fd: Int32) { self.fd = fd }

        func readToEnd() {
            data = FileHandle(fileDescriptor: fd, closeOnDealloc: true).readDataToEndOfFile()
            done.signal()
        }

        func waitForData() -> Data {
            done.wait()
            return data
        }
    }
}
