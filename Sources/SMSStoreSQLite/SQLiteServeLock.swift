import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lock that tells `smsstats restore` a server is using a SQLite database: the file
/// `<database>-serve.lock` beside it (like `-wal`, `-shm` and the `-clicks` journal directory).
///
/// `smsstats serve` holds a shared `flock(2)` on it for as long as it runs (several servers may
/// share it) and writes its process id into it; `restore` takes it exclusively without waiting,
/// so it refuses while a server runs, and a server refuses to start while a restore writes. The
/// kernel drops a `flock` when its process dies, so a killed server leaves no stale lock. The
/// lock is `flock`, never `fcntl`: SQLite's own locks are `fcntl` locks, which closing any other
/// descriptor of the database file would release; this file is not the database.
///
/// A symlink or a hard link to the database names the same lock (issue 15): the lock file sits
/// beside the database with symlinks resolved (`realpath(3)`), and the holder also takes the same
/// `flock` on the database file itself (a lock on its inode, whatever name opened it), kept until
/// after the store closed it, so `restore --database <hard link>` meets the server's hold too.
public final class SQLiteServeLock: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    /// The database file itself (`-1` when it did not exist yet), `flock`ed like `fd`.
    private let databaseFD: Int32
    private let releaseLock = NSLock()
    private var released = false

    private init(path: String, fd: Int32, databaseFD: Int32) {
        self.path = path
        self.fd = fd
        self.databaseFD = databaseFD
    }

    deinit { release() }

    /// `<database>-serve.lock`, `database` with symlinks resolved.
    public static func path(database: String) -> String { resolved(database) + "-serve.lock" }

    /// `database` with symlinks resolved (`realpath(3)`); for a file that does not exist yet, its
    /// directory's resolved path and its name; `database` itself when neither resolves.
    public static func resolved(_ database: String) -> String {
        if let r = realPath(database) { return r }
        let url = URL(fileURLWithPath: database)
        if let dir = realPath(url.deletingLastPathComponent().path) {
            return dir.hasSuffix("/") ? dir + url.lastPathComponent : dir + "/" + url.lastPathComponent
        }
        return database
    }

    private static func realPath(_ p: String) -> String? {
        guard let c = realpath(p, nil) else { return nil }
        defer { free(c) }
        return String(cString: c)
    }

    /// The lock is held the other way: by a running server (`restore` asked), or by a restore
    /// (`serve` asked).
    public struct Busy: Error, CustomStringConvertible, Equatable {
        /// The database file.
        public var database: String
        /// The lock file.
        public var lockFile: String
        /// Who holds it, as its holder wrote it (`smsstats serve pid 1234`), `nil` when unknown.
        public var holder: String?
        /// `true`: a server holds it (asked by restore); `false`: a restore holds it.
        public var byServer: Bool

        public var description: String {
            if byServer {
                return "\(database) is in use by a running server (\(holder ?? "smsstats serve"); it holds \(lockFile)): "
                    + "stop it first, then restore"
            }
            return "\(database) is being restored (\(holder ?? "smsstats restore") holds \(lockFile)); start the server once it is done"
        }
    }

    /// A server's shared hold, with `holder` (e.g. `smsstats serve pid 1234`) written into the file.
    /// - Throws: ``Busy`` while a restore holds the lock; an `NSError` (POSIX) when the file
    ///   cannot be created.
    public static func serve(database: String, holder: String) throws -> SQLiteServeLock {
        // Shared holders may overwrite each other's line: the file names one of them.
        try take(database: database, operation: LOCK_SH, byServer: false, holder: holder)
    }

    /// A restore's exclusive hold, `holder` written into the file.
    /// - Throws: ``Busy`` while a server holds the lock; an `NSError` (POSIX) when the file
    ///   cannot be created.
    public static func restore(database: String, holder: String) throws -> SQLiteServeLock {
        try take(database: database, operation: LOCK_EX, byServer: true, holder: holder)
    }

    /// Takes the lock without waiting and writes `holder` into the file.
    private static func take(database: String, operation: Int32, byServer: Bool, holder: String) throws -> SQLiteServeLock {
        let file = path(database: database)
        let f = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard f >= 0 else { throw NSError(domain: NSPOSIXErrorDomain, code: Int(errno), userInfo: [NSFilePathErrorKey: file]) }
        guard flock(f, operation | LOCK_NB) == 0 else {
            let e = errno
            var text: String?
            if e == EWOULDBLOCK {
                var buffer = [UInt8](repeating: 0, count: 256)
                let n = buffer.withUnsafeMutableBytes { pread(f, $0.baseAddress, $0.count, 0) }
                if n > 0 {
                    let s = String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    text = s.isEmpty ? nil : s
                }
            }
            close(f)
            if e == EWOULDBLOCK { throw Busy(database: database, lockFile: file, holder: text, byServer: byServer) }
            throw NSError(domain: NSPOSIXErrorDomain, code: Int(e), userInfo: [NSFilePathErrorKey: file])
        }
        // The database's inode: a hard link has another lock file, never another inode.
        let d = open(database, O_RDONLY | O_CLOEXEC)
        if d >= 0, flock(d, operation | LOCK_NB) != 0 {
            let e = errno
            close(d)
            close(f)
            if e == EWOULDBLOCK { throw Busy(database: database, lockFile: resolved(database), holder: nil, byServer: byServer) }
            throw NSError(domain: NSPOSIXErrorDomain, code: Int(e), userInfo: [NSFilePathErrorKey: database])
        }
        _ = ftruncate(f, 0)
        let line = Array((holder + "\n").utf8)
        _ = line.withUnsafeBytes { pwrite(f, $0.baseAddress, $0.count, 0) }
        return SQLiteServeLock(path: file, fd: f, databaseFD: d)
    }

    /// Releases the lock (closes the file; the file stays). Idempotent.
    public func release() {
        let first = releaseLock.withLock {
            defer { released = true }
            return !released
        }
        if first {
            close(fd)
            if databaseFD >= 0 { close(databaseFD) }
        }
    }
}
