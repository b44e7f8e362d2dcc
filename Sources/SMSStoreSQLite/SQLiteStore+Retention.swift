import Foundation
import GRDB
import SMSCore

/// Retention (``RawRetention``): a campaign's raw history removed in batches, one short write
/// transaction per batch, so live callbacks and clicks interleave with a long purge.
extension SQLiteStore {
    public func purgeRawHistory(campaignId: String, now: Int64, batchSize: Int, dryRun: Bool) async throws -> RawPurgeCounts {
        guard let campaign = try await campaign(id: campaignId) else { throw StoreError.notFound("campaign \(campaignId)") }
        let events = "SELECT e.id FROM message_events e JOIN messages m ON m.id = e.message_id WHERE m.campaign_id = ?"
        let clicks = "SELECT id FROM clicks WHERE campaign_id = ?"
        let texts = "SELECT id FROM messages WHERE campaign_id = ? AND (phone IS NOT NULL OR body <> '' OR template_variables IS NOT NULL)"
        if dryRun {
            return try await db.read { db in
                func count(_ sql: String) throws -> Int {
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(sql))", arguments: [campaignId]) ?? 0
                }
                return RawPurgeCounts(events: try count(events), clicks: try count(clicks), messages: try count(texts))
            }
        }
        // Clean before the first batch: a row written from here on sets `late` again (trigger
        // `message_events_raw_late` / `clicks_raw_late`), and the batches below see every row written before.
        try await db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO raw_purges (campaign_id, purged_at, late) VALUES (?, ?, 0)
                    ON CONFLICT (campaign_id) DO UPDATE SET late = 0
                    """,
                arguments: [campaignId, campaign.rawPurgedAt ?? now])
        }
        func batches(_ statement: String) async throws -> Int {
            var total = 0
            while true {
                let n = try await db.write { db in
                    try db.execute(sql: statement, arguments: [campaignId, batchSize])
                    return db.changesCount
                }
                total += n
                if n < batchSize { return total }
            }
        }
        // Each removed receipt-log row leaves its dedup key (`purged_event_keys`): a repeat of the
        // callback after the purge is a duplicate, as before it.
        var eventCount = 0
        while true {
            let n = try await db.write { db in
                let ids = try Int64.fetchAll(db, sql: "\(events) LIMIT ?", arguments: [campaignId, batchSize])
                guard !ids.isEmpty else { return 0 }
                let list = ids.map(String.init).joined(separator: ",")
                try db.execute(sql: """
                    INSERT OR IGNORE INTO purged_event_keys (message_id, dedup_key)
                    SELECT message_id, dedup_key FROM message_events WHERE id IN (\(list))
                    """)
                try db.execute(sql: "DELETE FROM message_events WHERE id IN (\(list))")
                return db.changesCount
            }
            eventCount += n
            if n < batchSize { break }
        }
        let counts = RawPurgeCounts(
            events: eventCount,
            clicks: try await batches("DELETE FROM clicks WHERE id IN (\(clicks) LIMIT ?)"),
            messages: try await batches("UPDATE messages SET phone = NULL, body = '', template_variables = NULL WHERE id IN (\(texts) LIMIT ?)"))
        if campaign.rawPurgedAt == nil {
            _ = try await changeCampaign(id: campaignId) { c, _ in RawRetention.markedPurged(c, at: now) }
        }
        return counts
    }

    public func rawPurgeLateCampaigns() async throws -> Set<String> {
        try await db.read { db in Set(try String.fetchAll(db, sql: "SELECT campaign_id FROM raw_purges WHERE late = 1")) }
    }
}
