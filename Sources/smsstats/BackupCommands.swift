import ArgumentParser
import Foundation
import SMSServer

/// `smsstats backup --database FILE --to BACKUP [--force]`: a consistent online copy of a SQLite
/// database, safe while `serve` runs on it (``DatabaseBackup``). Exit status 0, or 1 with the reason.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Copy a SQLite database online (while serve runs) to a backup file.")

    @Option(help: "SQLite database file (env SMSSTATS_DATABASE). PostgreSQL: use pg_dump (README \"Backups\").")
    var database: String = ProcessInfo.processInfo.environment["SMSSTATS_DATABASE"] ?? "./smsstats.sqlite"

    @Option(help: "The backup file to write (refused when it exists, unless --force).")
    var to: String

    @Flag(help: "Replace an existing backup file.")
    var force = false

    func run() throws {
        do {
            let started = Date()
            let copied = try DatabaseBackup.backup(database: database, to: to, force: force)
            print("backed up \(database) to \(to): \(copied) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        } catch let refusal as DatabaseBackup.Refusal {
            FileHandle.standardError.write(Data("smsstats backup: \(refusal)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// `smsstats restore --from BACKUP --database FILE [--force]`: writes a backup into a SQLite
/// database (refused when it exists, unless `--force`; stop `serve` on it first).
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore a SQLite database from a backup file (stop serve first).")

    @Option(help: "The backup file (made by smsstats backup).")
    var from: String

    @Option(help: "SQLite database file to write (env SMSSTATS_DATABASE). PostgreSQL: use pg_restore.")
    var database: String = ProcessInfo.processInfo.environment["SMSSTATS_DATABASE"] ?? "./smsstats.sqlite"

    @Flag(help: "Replace an existing database (stop serve on it first).")
    var force = false

    func run() throws {
        do {
            let copied = try DatabaseBackup.restore(from: from, database: database, force: force)
            print("restored \(from) into \(database): \(copied)")
        } catch let refusal as DatabaseBackup.Refusal {
            FileHandle.standardError.write(Data("smsstats restore: \(refusal)\n".utf8))
            throw ExitCode(1)
        }
    }
}
