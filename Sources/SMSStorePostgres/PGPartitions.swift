import Foundation
import PostgresNIO

/// The range partitions of PostgreSQL's append-only raw tables, `message_events` (the receipt log)
/// and `clicks`, by `message_id` (`docs/ARCHITECTURE.md` "Partitions"). The partition key is the
/// message id because every uniqueness the store relies on holds per message: a callback's
/// duplicate is `(message_id, dedup_key)`, so it is detected exactly whatever the time between the
/// two copies (a key by receive time would split the copies into two partitions), and older nodes'
/// `ON CONFLICT (message_id, dedup_key)` keeps its unique index. Ids are handed out in publish
/// order, so a span of ids is a span of publish time.
///
/// Partitions: `<table>_initial` (`MINVALUE` up to the first span above the migration's last
/// message: every row from before partitioning, attached as it was), `<table>_p<lower>` of
/// ``span`` ids each, and `<table>_default` (ids above the spans created so far: a publish that
/// outran the periodic ``ensure(_:)``).
enum PGPartitions {
    /// The partitioned tables.
    static let tables = ["message_events", "clicks"]
    /// Message ids per partition.
    static let span: Int64 = 1_000_000
    /// Empty spans kept ready above the highest message id.
    static let spansAhead: Int64 = 2

    /// One partition: its name and range (`lower` `nil`: from `MINVALUE`; both `nil`: the default).
    struct Partition {
        var name: String
        var lower: Int64?
        var upper: Int64?
        var isDefault: Bool
    }

    /// The partitions of `table` from the catalog (bounds parsed from `pg_get_expr`).
    static func partitions(_ tx: PGTx, of table: String) async throws -> [Partition] {
        try await tx.rows("""
            SELECT c.relname::text, pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT',
              substring(pg_get_expr(c.relpartbound, c.oid) from 'FROM \\(''?(-?[0-9]+)''?\\)')::bigint,
              substring(pg_get_expr(c.relpartbound, c.oid) from 'TO \\(''?(-?[0-9]+)''?\\)')::bigint
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = to_regclass(\(table)) ORDER BY 4 NULLS LAST
            """
        ).map {
            Partition(
                name: try $0.at(0, String.self), lower: try $0.at(2, Int64?.self), upper: try $0.at(3, Int64?.self),
                isDefault: try $0.at(1, Bool.self))
        }
    }

    /// The migration's step after its SQL (``PostgresMigrations/partitions``): attaches the former
    /// tables as `<table>_initial` up to the first span boundary above the highest message id (a
    /// scan to check the range; no row moves), then creates the spans ahead and the default.
    static func attachInitial(_ tx: PGTx) async throws {
        let upper = (try await maxMessageId(tx) / span + 1) * span
        for table in tables {
            try await tx.exec(PostgresQuery(unsafeSQL: """
                ALTER TABLE \(table) ATTACH PARTITION \(table)_initial FOR VALUES FROM (MINVALUE) TO (\(upper))
                """))
        }
        _ = try await ensure(tx)
    }

    /// Creates the partitions for the ids to come: spans of ``span`` up to at least
    /// ``spansAhead`` spans above the highest message id (starting above any row the default
    /// partition holds, which stays there), and the default partition when missing.
    /// - Returns: the names created.
    static func ensure(_ tx: PGTx) async throws -> [String] {
        let maxId = try await maxMessageId(tx)
        var created: [String] = []
        for table in tables {
            let existing = try await partitions(tx, of: table)
            var next = existing.compactMap(\.upper).max() ?? span
            if existing.contains(where: \.isDefault),
                let held = try await tx.scalar(PostgresQuery(unsafeSQL: "SELECT max(message_id) FROM \(table)_default"), as: Int64?.self)
                    ?? nil, held >= next
            {
                next = (held / span + 1) * span
            }
            while next <= maxId + spansAhead * span {
                let name = "\(table)_p\(next)"
                try await tx.exec(PostgresQuery(unsafeSQL: """
                    CREATE TABLE \(name) PARTITION OF \(table) FOR VALUES FROM (\(next)) TO (\(next + span))
                    """))
                created.append(name)
                next += span
            }
            if !existing.contains(where: \.isDefault) {
                try await tx.exec(PostgresQuery(unsafeSQL: "CREATE TABLE \(table)_default PARTITION OF \(table) DEFAULT"))
                created.append("\(table)_default")
            }
        }
        return created
    }

    /// Detaches and drops the range partitions whose messages were all created before `cutoff`
    /// (epoch seconds) and above whose range a message exists (no new message falls in it).
    /// - Returns: the names dropped.
    static func drop(_ tx: PGTx, messagesCreatedBefore cutoff: Int64) async throws -> [String] {
        let maxId = try await maxMessageId(tx)
        var dropped: [String] = []
        for table in tables {
            for p in try await partitions(tx, of: table) where !p.isDefault {
                guard let upper = p.upper, upper <= maxId else { continue }
                // The newest message of the range (ids follow publish order, so look there first),
                // then every message of the range: clocks of several nodes may disagree a little.
                let newest = try await tx.scalar(
                    "SELECT created_at FROM messages WHERE id < \(upper) ORDER BY id DESC LIMIT 1", as: Int64.self)
                if let newest, newest >= cutoff { continue }
                let latest = try await tx.scalar(
                    "SELECT max(created_at) FROM messages WHERE id >= \(p.lower ?? Int64.min) AND id < \(upper)", as: Int64?.self) ?? nil
                if let latest, latest >= cutoff { continue }
                let name = quoted(p.name)
                if table == "message_events" {
                    // Its dedup keys stay (`purged_event_keys`): a repeated callback stays a duplicate.
                    try await tx.exec(PostgresQuery(unsafeSQL: """
                        INSERT INTO purged_event_keys (message_id, dedup_key) SELECT message_id, dedup_key FROM \(name)
                        ON CONFLICT DO NOTHING
                        """))
                }
                try await tx.exec(PostgresQuery(unsafeSQL: "ALTER TABLE \(table) DETACH PARTITION \(name)"))
                try await tx.exec(PostgresQuery(unsafeSQL: "DROP TABLE \(name)"))
                dropped.append(p.name)
            }
        }
        return dropped
    }

    /// Adding or detaching a partition locks the parent: outside the migration, give up after 2 s
    /// rather than queue every callback and click behind a long transaction (tried again next period).
    static func shortLockWait(_ tx: PGTx) async throws {
        try await tx.exec("SET LOCAL lock_timeout = '2s'")
    }

    static func maxMessageId(_ tx: PGTx) async throws -> Int64 {
        try await tx.scalar("SELECT COALESCE(max(id), 0) FROM messages", as: Int64.self) ?? 0
    }

    /// An identifier quoted for SQL (a partition's name from the catalog).
    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
