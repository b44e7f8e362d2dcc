import Foundation
import GRDB

/// Online copies of an SMSStats SQLite database (`smsstats backup` / `smsstats restore`), through
/// SQLite's online backup API (GRDB `DatabaseReader.backup(to:)`, all pages in one step).
///
/// Consistency: the copy is made inside one read transaction of the source, so it is the database
/// exactly as of one commit; in WAL mode (how `serve` opens it) readers never block the server's
/// writes, so a backup can run while `serve` takes callbacks. Every callback a provider was
/// answered 200 for before that commit is in the copy, with the rollups it changed (they are
/// written in the same transaction).
public enum SQLiteBackup {
    /// What a backup or restore copied.
    public struct Report: Sendable, Equatable {
        /// Bytes of the written file (page size × pages).
        public var bytes: Int64
        /// Campaigns in the copy.
        public var campaigns: Int
        /// Receipts in the copy's event log (`message_events`).
        public var events: Int
    }

    /// Why a backup or restore was refused (nothing was written).
    public struct Refusal: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// Copies the database at `source` into a new file `destination`: written beside it under a
    /// temporary name, checked (`PRAGMA quick_check`), then renamed, so `destination` is either
    /// absent or a whole copy.
    /// - Parameter force: replace an existing `destination`.
    /// - Throws: ``Refusal`` when `source` is missing or not an SMSStats database, `destination`
    ///   exists without `force`, is `source` itself (same inode or same resolved path: replacing it
    ///   would delete the live `-wal`), or is held by a running server (``SQLiteServeLock``);
    ///   GRDB errors.
    public static func backup(from source: String, to destination: String, force: Bool) throws -> Report {
        let fm = FileManager.default
        guard fm.fileExists(atPath: source) else { throw Refusal(description: "no database at \(source)") }
        try requireFile(source, role: "the SQLite database file to copy")
        try requireFile(destination, role: "the backup file to write")
        if sameFile(source, destination) {
            throw Refusal(description: "\(destination) is the database itself (\(source)); choose another backup file")
        }
        if fm.fileExists(atPath: destination), !force {
            throw Refusal(description: "\(destination) exists; pass --force to replace it")
        }
        // A server's database must not be replaced by a rename under it.
        var destinationLock: SQLiteServeLock?
        if fm.fileExists(atPath: destination) {
            do {
                destinationLock = try SQLiteServeLock.restore(
                    database: destination, holder: "smsstats backup pid \(ProcessInfo.processInfo.processIdentifier)")
            } catch let busy as SQLiteServeLock.Busy {
                throw Refusal(
                    description: "\(destination) is in use by a running server (\(busy.holder ?? "smsstats serve"); it holds \(busy.lockFile)): "
                        + "choose another backup file")
            }
        }
        defer { destinationLock?.release() }
        let reader = try notADatabase(source, what: "database") {
            let reader = try openReadOnly(source)
            try requireSMSStats(reader, path: source)
            return reader
        }
        let partial = destination + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        try? fm.removeItem(atPath: partial)
        do {
            let copy = try DatabaseQueue(path: partial)
            try reader.backup(to: copy)
            try check(copy, path: partial)
            try copy.close()
            try reader.close()
            if fm.fileExists(atPath: destination) { try fm.removeItem(atPath: destination) }
            try fm.moveItem(atPath: partial, toPath: destination)
        } catch {
            try? fm.removeItem(atPath: partial)
            throw error
        }
        return try report(destination)
    }

    /// Writes the backup `file` into the database at `database` through SQLite (the backup API into
    /// the target connection, so a write-ahead log left by the old database is never mixed in).
    /// Refused while `serve` runs on that database (``SQLiteServeLock``): a running server keeps
    /// state of its own (the click journal's position, cached provider settings) and would write
    /// over the restored pages.
    /// - Parameter force: replace an existing database.
    /// - Throws: ``Refusal`` when `file` is missing, damaged, not a SQLite database or not an
    ///   SMSStats database, `database` exists without `force`, or a server runs on it; GRDB errors.
    public static func restore(from file: String, to database: String, force: Bool) throws -> Report {
        let fm = FileManager.default
        guard fm.fileExists(atPath: file) else { throw Refusal(description: "no backup at \(file)") }
        try requireFile(file, role: "the backup file to read (made by smsstats backup)")
        try requireFile(database, role: "the SQLite database file to write")
        if fm.fileExists(atPath: database), !force {
            throw Refusal(description: "\(database) exists; pass --force to replace it (stop serve on it first)")
        }
        let reader = try notADatabase(file, what: "backup") {
            let reader = try openReadOnly(file)
            try check(reader, path: file)
            try requireSMSStats(reader, path: file)
            return reader
        }
        let lock: SQLiteServeLock
        do {
            lock = try SQLiteServeLock.restore(database: database, holder: "smsstats restore pid \(ProcessInfo.processInfo.processIdentifier)")
        } catch let busy as SQLiteServeLock.Busy {
            throw Refusal(description: busy.description)
        }
        defer { lock.release() }
        let target = try DatabaseQueue(path: database)
        try reader.backup(to: target)
        try target.close()
        try reader.close()
        return try report(database)
    }

    /// Refuses a path that cannot be the file `role` names, in words instead of SQLite's error 10
    /// or 14: an existing directory (`<path> is a directory; give the SQLite database file to
    /// write, e.g. <path>/smsstats.sqlite`), or a file whose directory does not exist.
    /// - Throws: ``Refusal``.
    static func requireFile(_ path: String, role: String) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let example = (path.hasSuffix("/") ? path : path + "/") + "smsstats.sqlite"
            throw Refusal(description: "\(path) is a directory; give \(role), e.g. \(example)")
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, !(fm.fileExists(atPath: parent, isDirectory: &isDirectory) && isDirectory.boolValue) {
            throw Refusal(description: "\(path): the directory \(parent) does not exist; give \(role) in an existing directory")
        }
    }

    /// `true` when `a` and `b` name one file: the same device and inode when both exist (symlinks
    /// and hard links), else the same path with symlinks resolved.
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat()
        var sb = stat()
        if stat(a, &sa) == 0, stat(b, &sb) == 0 { return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino }
        return SQLiteServeLock.resolved(a) == SQLiteServeLock.resolved(b)
    }

    /// Runs `body`, turning SQLite's "file is not a database" (`SQLITE_NOTADB`, error 26) into
    /// ``Refusal`` `<path> is not an SMSStats <what> (not a SQLite database)`.
    static func notADatabase<T>(_ path: String, what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as DatabaseError where e.resultCode == .SQLITE_NOTADB {
            throw Refusal(description: "\(path) is not an SMSStats \(what) (not a SQLite database)")
        }
    }

    static func openReadOnly(_ path: String) throws -> DatabaseQueue {
        var config = Configuration()
        config.readonly = true
        return try DatabaseQueue(path: path, configuration: config)
    }

    /// - Throws: ``Refusal`` unless `PRAGMA quick_check` answers `ok`.
    static func check(_ db: some DatabaseReader, path: String) throws {
        let verdict = try db.read { try String.fetchOne($0, sql: "PRAGMA quick_check") } ?? "no answer"
        guard verdict == "ok" else { throw Refusal(description: "\(path) is damaged: quick_check says \(verdict.prefix(200))") }
    }

    /// - Throws: ``Refusal`` unless the database has SMSStats' tables.
    static func requireSMSStats(_ db: some DatabaseReader, path: String) throws {
        let tables = try db.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
        guard Set(tables).isSuperset(of: ["campaigns", "messages", "rollups"]) else {
            throw Refusal(description: "\(path) is not an SMSStats database (no campaigns, messages and rollups tables)")
        }
    }

    static func report(_ path: String) throws -> Report {
        let db = try openReadOnly(path)
        defer { try? db.close() }
        return try db.read { db in
            let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let size = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0
            return Report(
                bytes: pages * size, campaigns: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaigns") ?? 0,
                events: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message_events") ?? 0)
        }
    }
}
