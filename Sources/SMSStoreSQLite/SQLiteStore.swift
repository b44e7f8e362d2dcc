import Foundation
import GRDB
import SMSCore

/// The embedded store: SQLite through GRDB (a `DatabasePool` in WAL mode for files, a
/// `DatabaseQueue` in memory for tests). Every method is one transaction; SQL uses bound
/// parameters only. Conforms to ``SMSStore``.
public struct SQLiteStore: SMSStore {
    let db: any DatabaseWriter
    /// Opt-out keywords applied to `replied` callbacks.
    let keywords: OptOutKeywords

    /// Opens (creating if needed) the database file and runs the migrations.
    /// - Parameter path: file path, e.g. `./smsstats.sqlite`.
    /// - Throws: GRDB's `DatabaseError` when the file cannot be opened or migrated.
    public init(path: String, keywords: OptOutKeywords = OptOutKeywords()) throws {
        var config = Configuration()
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // 64 MiB page cache per connection (SQLite's default is 2 MiB): callback batches
            // look messages up by random meta values; measured in BENCHMARKS.md "callbacks".
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        let pool = try DatabasePool(path: path, configuration: config)
        try self.init(writer: pool, keywords: keywords)
    }

    /// An in-memory store (tests).
    public static func inMemory(keywords: OptOutKeywords = OptOutKeywords()) throws -> SQLiteStore {
        try SQLiteStore(writer: DatabaseQueue(), keywords: keywords)
    }

    init(writer: any DatabaseWriter, keywords: OptOutKeywords) throws {
        self.db = writer
        self.keywords = keywords
        try SQLiteMigrations.migrator.migrate(writer)
    }
}
