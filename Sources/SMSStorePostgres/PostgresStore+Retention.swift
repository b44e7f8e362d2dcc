import Foundation
import PostgresNIO
import SMSCore

/// Retention (``RawRetention``): a campaign's raw history removed in batches, one short write
/// transaction per batch, so live callbacks and clicks interleave with a long purge. Whole
/// partitions whose messages all belong to due campaigns are dropped before
/// (``RawHistoryPurge``, ``dropPartitions(messagesCreatedBefore:)``); what is left is deleted here.
extension PostgresStore {
    public func purgeRawHistory(campaignId: String, now: Int64, batchSize: Int, dryRun: Bool) async throws -> RawPurgeCounts {
        guard try await campaign(id: campaignId) != nil else { throw StoreError.notFound("campaign \(campaignId)") }
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
        func batches(_ statement: @escaping @Sendable () -> PostgresQuery) async throws -> Int {
            var total = 0
            while true {
                let n = try await write { tx in try await tx.scalar(statement(), as: Int.self) ?? 0 }
                total += n
                if n < batchSize { return total }
            }
        }
        let counts = RawPurgeCounts(
            events: try await batches {
                """
                WITH d AS (DELETE FROM message_events WHERE (id, message_id) IN (
                  SELECT e.id, e.message_id FROM message_events e JOIN messages m ON m.id = e.message_id
                  WHERE m.campaign_id = \(campaignId) LIMIT \(batchSize)) RETURNING 1)
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
        _ = try await changeCampaign(id: campaignId) { c, _ in RawRetention.markedPurged(c, at: now) }
        return counts
    }
}
