import Foundation
import GRDB
import SMSCore

/// The embedded store: SQLite through GRDB (a `DatabasePool` in WAL mode for files, a
/// `DatabaseQueue` in memory for tests). Every method is one transaction; SQL uses bound
/// parameters only. Conforms to ``SMSStore``.
public struct SQLiteStore: SMSStore {
    package let db: any DatabaseWriter
    /// Opt-out keywords applied to `replied` callbacks.
    let keywords: OptOutKeywords
    /// Callback batches waiting for the writer share its next transaction.
    let callbackWrites: CallbackGroupCommit
    /// Singleton work (``NodeCoordination/exclusively(_:_:)``): one process per database file.
    let singletons: ProcessExclusion
    /// The enabled webhook subscriptions the outbox writer routes events to (``SQLiteWebhookOutbox``).
    let webhookRoutes: WebhookRouteCache

    /// Opens (creating if needed) the database file and runs the migrations.
    /// - Parameter path: file path, e.g. `./smsstats.sqlite`.
    /// - Throws: GRDB's `DatabaseError` when the file cannot be opened or migrated.
    public init(path: String, keywords: OptOutKeywords = OptOutKeywords()) throws {
        var config = Configuration()
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Deleted or rewritten content is overwritten with zeros, in pages and on the freelist,
            // so an erased phone (issue 15) leaves no old copy in the file. Decision: always on
            // (not only during an erasure), because a value rewritten earlier (a message row
            // updated by every receipt) would otherwise have left copies in freed space.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // Readers: a 64 MiB page cache (callback batches look messages up by random meta
            // values on a reader). The writer keeps SQLite's default 2 MiB: at every commit SQLite
            // walks the page cache's hash table (pcache1 truncate), which cost ~1.4 µs per callback
            // item with 64 MiB (10 % of the CPU). Measured in BENCHMARKS.md "callbacks".
            try db.execute(sql: db.configuration.readonly ? "PRAGMA cache_size = -65536" : "PRAGMA cache_size = -2000")
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
        self.callbackWrites = CallbackGroupCommit()
        self.singletons = ProcessExclusion()
        self.webhookRoutes = WebhookRouteCache()
        try SQLiteSchema.migrator.migrate(writer)
    }
}
