import Foundation
import PostgresNIO
import SMSCore

extension PostgresStore: WebhookStore {
    public func insertWebhook(_ definition: WebhookSubscription.Definition, secret: String, at: Int64) async throws -> WebhookSubscription {
        let events = try JSONCoding.encode(definition.events)
        let url = definition.url.pgSafe
        let campaignId = definition.campaignId?.pgSafe
        defer { webhookRoutes.invalidate() }
        let id = try await write { tx in
            try await tx.scalar(
                """
                INSERT INTO webhook_subscriptions (url, events, campaign_id, secret, enabled, created_at, updated_at, fanout_txid, fanout_id)
                VALUES (\(url), \(events), \(campaignId), \(secret), \(definition.enabled), \(at), \(at),
                  pg_current_xact_id()::text::bigint, 0) RETURNING id
                """, as: Int64.self) ?? 0
        }
        return WebhookSubscription(id: id, definition: definition, secret: secret, createdAt: at, updatedAt: at)
    }

    public func webhook(id: Int64) async throws -> WebhookSubscription? {
        try await read { tx in try await tx.one("SELECT * FROM webhook_subscriptions WHERE id = \(id)").map(Self.webhook(from:)) }
    }

    public func webhooks() async throws -> [WebhookSubscription] {
        try await read { tx in try await tx.rows("SELECT * FROM webhook_subscriptions ORDER BY id").map(Self.webhook(from:)) }
    }

    static func webhook(from row: PGRow) throws -> WebhookSubscription {
        WebhookSubscription(
            id: try row.get("id"),
            definition: .init(
                url: try row.get("url"), events: try JSONCoding.decode([WebhookEventType].self, try row.get("events")),
                campaignId: try row.get("campaign_id", String?.self), enabled: try row.get("enabled")),
            secret: try row.get("secret"), disabledReason: try row.get("disabled_reason", String?.self),
            createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"))
    }

    public func updateWebhook(id: Int64, _ definition: WebhookSubscription.Definition, at: Int64) async throws -> Bool {
        let events = try JSONCoding.encode(definition.events)
        let url = definition.url.pgSafe
        let campaignId = definition.campaignId?.pgSafe
        defer { webhookRoutes.invalidate() }
        return try await write { tx in
            guard let wasEnabled = try await tx.scalar("SELECT enabled FROM webhook_subscriptions WHERE id = \(id)", as: Bool.self) else {
                return false
            }
            // The events it has not yet got go by the definition they were written under; one
            // enabled again starts at the head: the events of transactions after this one (``WebhookFanout``).
            _ = try await Self.fanOutRest(tx, id: id, disabling: wasEnabled && !definition.enabled)
            let restart = definition.enabled && !wasEnabled
            return try await !tx.rows(
                """
                UPDATE webhook_subscriptions SET url = \(url), events = \(events), campaign_id = \(campaignId),
                  enabled = \(definition.enabled), updated_at = \(at),
                  disabled_reason = CASE WHEN \(definition.enabled) THEN NULL ELSE disabled_reason END,
                  fanout_txid = CASE WHEN \(restart) THEN pg_current_xact_id()::text::bigint ELSE fanout_txid END,
                  fanout_id = CASE WHEN \(restart) THEN 0 ELSE fanout_id END
                WHERE id = \(id) RETURNING 1
                """
            ).isEmpty
        }
    }

    public func deleteWebhook(id: Int64) async throws -> Bool {
        defer { webhookRoutes.invalidate() }
        return try await write { tx in
            let existed = try await !tx.rows("DELETE FROM webhook_subscriptions WHERE id = \(id) RETURNING 1").isEmpty
            try await tx.exec("DELETE FROM webhook_outbox WHERE subscription_id = \(id)")
            return existed
        }
    }

    public func webhookDeliveryStats(id: Int64) async throws -> WebhookDeliveryStats {
        try await read { tx in
            var stats = WebhookDeliveryStats()
            var waiting: Int64 = 0
            if let row = try await tx.one("SELECT * FROM webhook_subscriptions WHERE id = \(id)") {
                waiting = WebhookFanout.waiting(try await Self.unfannedGroups(tx, subscriptionRow: row), for: try Self.webhook(from: row)).count
                stats.lastStatus = try row.get("last_status", Int64?.self).map(Int.init)
                stats.lastError = try row.get("last_error", String?.self)
                stats.lastAttemptAt = try row.get("last_attempt_at", Int64?.self)
                stats.lastLatencyMs = try row.get("last_latency_ms", Int64?.self)
                stats.consecutiveFailures = try row.get("consecutive_failures")
                stats.failedAttempts = try row.get("failed_attempts")
                stats.deliveredEvents = try row.get("delivered_events")
            }
            for row in try await tx.rows(
                "SELECT status, COUNT(*) AS n FROM webhook_outbox WHERE subscription_id = \(id) AND status != 'delivered' GROUP BY status")
            {
                let n: Int64 = try row.get("n")
                switch try row.get("status", String.self) {
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
