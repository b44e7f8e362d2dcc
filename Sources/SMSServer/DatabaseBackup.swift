import Foundation
import SMSStorePostgres
import SMSStoreSQLite

/// `smsstats backup` and `smsstats restore` for the database a `--database` value names: a SQLite
/// file is copied online (``SQLiteBackup``); a PostgreSQL URL is refused with the standard tools
/// to use instead (README "Backups": `pg_dump` / `pg_restore`).
public enum DatabaseBackup {
    /// Why nothing was written, for the command's error line.
    public struct Refusal: Error, CustomStringConvertible {
        public var description: String
    }

    /// - Returns: what was copied, as one line (`<bytes> bytes, <n> campaigns, <n> receipts`).
    /// - Throws: ``Refusal`` (a PostgreSQL URL, a missing source, an existing target without
    ///   `force`, …); GRDB errors.
    public static func backup(database: String, to file: String, force: Bool) throws -> String {
        try refusePostgres(database, tool: "pg_dump --format=custom --file=FILE")
        return describe(try refusing { try SQLiteBackup.backup(from: database, to: file, force: force) })
    }

    /// - Throws: as ``backup(database:to:force:)``.
    public static func restore(from file: String, database: String, force: Bool) throws -> String {
        try refusePostgres(database, tool: "pg_restore --clean --if-exists --dbname=URL FILE")
        return describe(try refusing { try SQLiteBackup.restore(from: file, to: database, force: force) })
    }

    static func describe(_ r: SQLiteBackup.Report) -> String {
        "\(r.bytes) bytes, \(r.campaigns) campaigns, \(r.events) receipts"
    }

    static func refusing<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let r as SQLiteBackup.Refusal { throw Refusal(description: r.description) }
    }

    static func refusePostgres(_ database: String, tool: String) throws {
        guard PostgresLocation.isPostgresURL(database) else { return }
        throw Refusal(
            description: "--database is a PostgreSQL URL: back it up with the standard tools (\(tool); README \"Backups\")")
    }
}
