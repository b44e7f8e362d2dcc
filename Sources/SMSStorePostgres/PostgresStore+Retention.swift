import Foundation
import PostgresNIO
import SMSCore

/// Retention (``RawRetention``): a campaign's raw history removed in batches, one short write
/// transaction per batch, so live callbacks and clicks interleave with a long purge. Whole
/// partitions whose messages all belong to due campaigns are dropped before
/// (``RawHistoryPurge``, ``dropPartitions(messagesCreatedBefore:)``); what is left is deleted here.
extension PostgresStore {
    public func purgeRawHistory(campaignId: String, now: Int64, batchSize: Int, dryRun: Bool) async throws -> RawPurgeCounts {
        guard let campaign = try await campaign(id: campaignId) else { throw StoreError.notFound("campaign \(campaignId)") }
        if dryRun {
            return try await read { tx in
                RawPurgeCounts(
                    events: try await tx.scalar("""
                        SELECT COUNT(*) FROM message_events e JOIN messages m ON m.id = e.message_id WHERE m.campaign_id = \(campaignId)
                        """, as: Int.self) ?? 0,
                    clicks: try await tx.scalar("SELECT COUNT(*) FROM clicks WHERE campaign_id = \(campaignId)", as: Int.self) ?? 0,
                    messages: try await tx.scalar("""
                        SELECT COUNT(*) FROM messages WHERE campaign_id = \(campaignId)
                          AND (phone IS NOT NULL OR body <> '' OR template_variables IS NOT NULL)
                        """, as: Int.self) ?? 0)
            }
        }
        // Clean before the first batch: a row written from here on sets `late` again (triggers
        // `message_events_raw_late`, `clicks_raw_late`). A writer in flight meanwhile (its row not
        // committed, so not seen by the batches below, and its trigger run before the mark existed
        // or was cleared) is waited for: the SHARE lock conflicts with every open insert into the
        // two tables and is released at commit; writers that start later see the mark. The lock
        // comes first, the mark's row lock after it: the other order could deadlock with a writer
        // whose trigger waits for the mark's row while it holds its insert lock.
        let purgedAt = campaign.rawPurgedAt ?? now
        try await write { tx in
            try await tx.exec("LOCK TABLE message_events, clicks IN SHARE MODE")
            try await tx.exec("""
                INSERT INTO raw_purges (campaign_id, purged_at, late) VALUES (\(campaignId), \(purgedAt), false)
                ON CONFLICT (campaign_id) DO UPDATE SET late = false
                """)
        }
        func batches(_ statement: @escaping @Sendable () -> PostgresQuery) async throws -> Int {
            var total = 0
            while true {
                let n = try await write { tx in try await tx.scalar(statement(), as: Int.self) ?? 0 }
                total += n
                if n < batchSize { return total }
            }
        }
        // Each removed receipt-log row leaves its dedup key (`purged_event_keys`): a repeat of the
        // callback after the purge is a duplicate, as before it.
        let counts = RawPurgeCounts(
            events: try await batches {
                """
                WITH d AS (DELETE FROM message_events WHERE (id, message_id) IN (
                  SELECT e.id, e.message_id FROM message_events e JOIN messages m ON m.id = e.message_id
                  WHERE m.campaign_id = \(campaignId) LIMIT \(batchSize)) RETURNING message_id, dedup_key),
                k AS (INSERT INTO purged_event_keys (message_id, dedup_key) SELECT message_id, dedup_key FROM d
                  ON CONFLICT DO NOTHING)
                SELECT COUNT(*) FROM d
                """
            },
            clicks: try await batches {
                """
                WITH d AS (DELETE FROM clicks WHERE (id, message_id) IN (
                  SELECT id, message_id FROM clicks WHERE campaign_id = \(campaignId) LIMIT \(batchSize)) RETURNING 1)
                SELECT COUNT(*) FROM d
                """
            },
            messages: try await batches {
                """
                WITH d AS (UPDATE messages SET phone = NULL, body = '', template_variables = NULL WHERE id IN (
                  SELECT id FROM messages WHERE campaign_id = \(campaignId)
                    AND (phone IS NOT NULL OR body <> '' OR template_variables IS NOT NULL) LIMIT \(batchSize)) RETURNING 1)
                SELECT COUNT(*) FROM d
                """
            })
        if campaign.rawPurgedAt == nil {
            _ = try await changeCampaign(id: campaignId) { c, _ in RawRetention.markedPurged(c, at: now) }
        }
        return counts
    }

    public func rawPurgeLateCampaigns() async throws -> Set<String> {
        try await read { tx in Set(try await tx.rows("SELECT campaign_id FROM raw_purges WHERE late").map { try $0.at(0, String.self) }) }
    }
}
