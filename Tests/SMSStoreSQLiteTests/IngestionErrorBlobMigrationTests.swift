import Foundation
import GRDB
import SMSCore
import Testing

@testable import SMSStoreSQLite

/// The SQLite migration that makes `ingestion_errors.raw` a BLOB keeps the rows stored as TEXT.
@Suite("SQLite: ingestion_errors.raw TEXT → BLOB migration")
struct IngestionErrorBlobMigrationTests {
    @Test("rows stored as TEXT before the migration keep their id and bytes; new ids follow them; raw is a BLOB")
    func keepsRows() async throws {
        let dir = NSTemporaryDirectory() + "smsstats-blob-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/db.sqlite"
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteSchema.migrator.migrate(queue, upTo: "dispatch-dead-letters")
            try await queue.write { db in
                try db.execute(
                    sql: "INSERT INTO ingestion_errors (id, source, provider_id, reason, raw, received_at) VALUES (41, 'callback', 'p1', 'old', ?, 5)",
                    arguments: [#"[{"meta":"café"}]"#])
                try db.execute(
                    sql: "INSERT INTO ingestion_errors (id, source, provider_id, reason, raw, received_at, replayed_at) VALUES (42, 'events', NULL, 'older', 'x', 6, 9)")
            }
        }
        let store = try SQLiteStore(path: path)
        let old = try await store.ingestionErrors(limit: 10).sorted { $0.id < $1.id }
        #expect(old.map(\.id) == [41, 42])
        #expect(old.map(\.raw) == [Array(#"[{"meta":"café"}]"#.utf8), Array("x".utf8)])
        #expect(old.map(\.replayedAt) == [nil, 9])
        try await store.recordIngestionErrors([IngestionErrorInput(source: "callback", providerId: "p1", reason: "new", raw: [0, 1], receivedAt: 7)])
        let all = try await store.ingestionErrors(limit: 10)
        #expect(all.first?.id == 43)
        #expect(all.first?.raw == [0, 1])
        let queue = try DatabaseQueue(path: path)
        let types = try await queue.read { db in try String.fetchAll(db, sql: "SELECT typeof(raw) FROM ingestion_errors ORDER BY id") }
        #expect(types == ["blob", "blob", "blob"])
    }
}
