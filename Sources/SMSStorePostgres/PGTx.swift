import Foundation
import Logging
import PostgresNIO
import SMSCore

/// One open transaction on one connection (handed to the bodies of ``PostgresStore/write(_:)``).
struct PGTx: Sendable {
    let conn: PostgresConnection
    let logger: Logger

    /// Runs a statement, discarding rows.
    func exec(_ query: PostgresQuery) async throws {
        _ = try await conn.query(query, logger: logger).collect()
    }

    /// Runs a query and returns all its rows.
    func rows(_ query: PostgresQuery) async throws -> [PGRow] {
        try await conn.query(query, logger: logger).collect().map { PGRow($0.makeRandomAccess()) }
    }

    /// The first row, if any.
    func one(_ query: PostgresQuery) async throws -> PGRow? {
        try await rows(query).first
    }

    /// The first column of the first row (e.g. `COUNT(*)`, which is `bigint`).
    func scalar<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> T? {
        guard let row = try await one(query) else { return nil }
        return try row.at(0, T.self)
    }

    /// Transaction-level advisory locks on `keys` (64-bit hashes of the strings), taken in sorted
    /// order so two transactions never wait on each other in a cycle. Released at commit.
    /// Used where a row that does not exist yet must be seen by whoever inserts it (a callback
    /// that arrives before its message: the pending table).
    func lockKeys(_ keys: Set<String>) async throws {
        guard !keys.isEmpty else { return }
        let hashes = Array(Set(keys.map(Self.lockHash))).sorted()
        try await exec("SELECT pg_advisory_xact_lock(k) FROM unnest(\(hashes)::bigint[]) AS k ORDER BY k")
    }

    /// FNV-1a, 64-bit: stable across processes (Swift's `hashValue` is seeded per process).
    static func lockHash(_ key: String) -> Int64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: h)
    }
}

/// A result row, read by column name or position.
struct PGRow {
    let row: PostgresRandomAccessRow
    init(_ row: PostgresRandomAccessRow) { self.row = row }

    subscript<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) -> T {
        get throws { try row[name].decode(T.self) }
    }

    func get<T: PostgresDecodable>(_ name: String, _ type: T.Type = T.self) throws -> T {
        try row[name].decode(T.self)
    }

    func at<T: PostgresDecodable>(_ index: Int, _ type: T.Type = T.self) throws -> T {
        try row[index].decode(T.self)
    }
}

extension String {
    /// PostgreSQL `text` cannot hold U+0000: it becomes U+FFFD (``StoredText``; input from outside only).
    var pgSafe: String {
        StoredText.withoutNUL(self)
    }
}
