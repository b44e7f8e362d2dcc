import Foundation
import GRDB
import SMSCore

extension SQLiteStore: WebhookStore {
    public func insertWebhook(_ definition: WebhookSubscription.Definition, secret: String, at: Int64) async throws -> WebhookSubscription {
        let events = try JSONCoding.encode(definition.events)
        defer { webhookRoutes.invalidate() }
        return try await db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO webhook_subscriptions (url, events, campaign_id, secret, enabled, created_at, updated_at, fanout_position)
                    VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(id), 0) FROM webhook_outbox))
                    """,
                arguments: [definition.url, events, definition.campaignId, secret, definition.enabled, at, at])
            return WebhookSubscription(id: db.lastInsertedRowID, definition: definition, secret: secret, createdAt: at, updatedAt: at)
        }
    }

    public func webhook(id: Int64) async throws -> WebhookSubscription? {
        try await db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM webhook_subscriptions WHERE id = ?", arguments: [id]).map(Self.webhook(from:))
        }
    }

    public func webhooks() async throws -> [WebhookSubscription] {
        try await db.read { db in try Row.fetchAll(db, sql: "SELECT * FROM webhook_subscriptions ORDER BY id").map(Self.webhook(from:)) }
    }

    static func webhook(from row: Row) throws -> WebhookSubscription {
        WebhookSubscription(
            id: row["id"],
            definition: .init(
                url: row["url"], events: try JSONCoding.decode([WebhookEventType].self, row["events"]), campaignId: row["campaign_id"],
                enabled: row["enabled"]),
            secret: row["secret"], disabledReason: row["disabled_reason"], createdAt: row["created_at"], updatedAt: row["updated_at"])
    }

    public func updateWebhook(id: Int64, _ definition: WebhookSubscription.Definition, at: Int64) async throws -> Bool {
        let events = try JSONCoding.encode(definition.events)
        defer { webhookRoutes.invalidate() }
        return try await db.write { db in
            guard let wasEnabled = try Bool.fetchOne(db, sql: "SELECT enabled FROM webhook_subscriptions WHERE id = ?", arguments: [id]) else {
                return false
            }
            // The events it has not yet got go by the definition they were written under; one
            // enabled again starts at the head (``WebhookFanout``).
            try Self.fanOutRest(db, id: id)
            try db.execute(
                sql: """
                    UPDATE webhook_subscriptions SET url = ?, events = ?, campaign_id = ?, enabled = ?, updated_at = ?,
                      disabled_reason = CASE WHEN ? THEN NULL ELSE disabled_reason END,
                      fanout_position = CASE WHEN ? THEN ? ELSE fanout_position END
                    WHERE id = ?
                    """,
                arguments: [
                    definition.url, events, definition.campaignId, definition.enabled, at, definition.enabled,
                    definition.enabled && !wasEnabled, try Self.outboxHead(db), id,
                ])
            return db.changesCount > 0
        }
    }

    public func deleteWebhook(id: Int64) async throws -> Bool {
        defer { webhookRoutes.invalidate() }
        return try await db.write { db in
            try db.execute(sql: "DELETE FROM webhook_subscriptions WHERE id = ?", arguments: [id])
            let existed = db.changesCount > 0
            try db.execute(sql: "DELETE FROM webhook_outbox WHERE subscription_id = ?", arguments: [id])
            return existed
        }
    }

    public func webhookDeliveryStats(id: Int64) async throws -> WebhookDeliveryStats {
        try await db.read { db in
            var stats = WebhookDeliveryStats()
            var waiting: Int64 = 0
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM webhook_subscriptions WHERE id = ?", arguments: [id]) {
                waiting = WebhookFanout.waiting(try Self.unfannedGroups(db, subscriptionRow: row), for: try Self.webhook(from: row)).count
                stats.lastStatus = row["last_status"]
                stats.lastError = row["last_error"]
                stats.lastAttemptAt = row["last_attempt_at"]
                stats.lastLatencyMs = row["last_latency_ms"]
                stats.consecutiveFailures = row["consecutive_failures"]
                stats.failedAttempts = row["failed_attempts"]
                stats.deliveredEvents = row["delivered_events"]
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT status, COUNT(*) AS n FROM webhook_outbox WHERE subscription_id = ? AND status != 'delivered' GROUP BY status",
                arguments: [id])
            {
                let n: Int64 = row["n"]
                switch row["status"] as String {
                case "pending": stats.queueDepth += n
                case "failed": stats.failedEvents = n
                default: break
                }
            }
            stats.queueDepth += waiting
            return stats
        }
    }
}
