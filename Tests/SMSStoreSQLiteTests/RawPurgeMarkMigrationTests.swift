import Foundation
import GRDB
import SMSCore
import Testing

@testable import SMSStoreSQLite

/// The SQLite migration `raw-purge-marks` (issue 15): a campaign purged before it has no mark, so
/// it is marked late once (the next pass looks at it, then skips it); an unpurged one gets none.
@Suite("SQLite: raw-purge-marks migration")
struct RawPurgeMarkMigrationTests {
    @Test("campaigns purged before the migration are marked late once; a pass then clears the mark")
    func marksEarlierPurges() async throws {
        let dir = NSTemporaryDirectory() + "smsstats-marks-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/db.sqlite"
        let t: Int64 = 1_710_000_000
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteSchema.migrator.migrate(queue, upTo: "message-log-indexes")
            try await queue.write { db in
                for (id, purged) in [("old", Int64?.some(t + 500)), ("live", nil)] {
                    var c = Campaign(
                        id: id, name: id, providerId: "p1", body: "Hi", links: [], audience: .all, timezone: "UTC", goal: nil,
                        status: .completed, createdAt: t)
                    c.completedAt = t + 100
                    c.rawPurgedAt = purged
                    try db.execute(
                        sql: "INSERT INTO campaigns (id, json, status, created_at) VALUES (?, ?, 'completed', ?)",
                        arguments: [id, try JSONCoding.encode(c), t])
                }
            }
        }
        let store = try SQLiteStore(path: path)
        #expect(try await store.rawPurgeLateCampaigns() == ["old"])
        let report = try await RawHistoryPurge(store: store, retention: RawRetention(olderThanSeconds: 10 * 86_400)).run(now: t + 1_000, dryRun: false)
        #expect(report.late.isEmpty && report.campaigns.isEmpty)
        #expect(try await store.rawPurgeLateCampaigns().isEmpty)
        #expect(try await store.campaign(id: "old")?.rawPurgedAt == t + 500)
        let queue = try DatabaseQueue(path: path)
        #expect(try await queue.read { db in try Int64.fetchOne(db, sql: "SELECT purged_at FROM raw_purges WHERE campaign_id = 'old'") } == t + 500)
    }
}
