import Foundation
import PostgresNIO
import SMSCore

/// Writes webhook events into the outbox (`webhook_outbox`, issue 17) inside the transaction of the
/// state change that produced them (``WebhookEventRule``); the SQLite writer's translation
/// (`SQLiteWebhookOutbox`): one row per (event, subscription), sharing `event_id` and `version`.
/// Nothing is written or queried when no enabled subscription takes the event (``WebhookRouteCache``).
///
/// `version`: `nextval('webhook_outbox_versions')`, taken after the message's change in the same
/// transaction, which holds the message's lock (the callback path's advisory lock on its meta, or
/// its row lock): a later change of the same message takes a greater value.
enum PGWebhookOutbox {
    @discardableResult
    static func write(_ tx: PGTx, _ events: [WebhookOutboxEntry], routes: WebhookRouteCache) async throws -> Int {
        guard !events.isEmpty else { return 0 }
        let all = try await routes.routes { try await loadRoutes(tx) }
        guard !all.isEmpty else { return 0 }
        var written = 0
        let now = Int64(Date().timeIntervalSince1970)
        for e in events {
            let targets = WebhookRouteCache.targets(all, type: e.type, campaignId: e.campaignId)
            guard !targets.isEmpty else { continue }
            let eventId = WebhookPayload.newEventId()
            let type = e.type.rawValue
            let campaignId = e.campaignId?.pgSafe
            let userId = e.userId?.pgSafe
            try await tx.exec(
                """
                INSERT INTO webhook_outbox (event_id, subscription_id, type, campaign_id, message_id, user_id, version,
                  occurred_at, payload, next_attempt_at, created_at)
                SELECT \(eventId), s, \(type), \(campaignId), \(e.messageId), \(userId), v.n, \(e.at), \(e.payload), \(now), \(now)
                FROM unnest(\(targets)::bigint[]) AS s, (SELECT nextval('webhook_outbox_versions') AS n) AS v
                """)
            written += targets.count
        }
        return written
    }

    static func write(
        _ tx: PGTx, fact: MessagePlanner.Fact?, old: MessageState, new: MessageState, message: PGMessageRow, routes: WebhookRouteCache
    ) async throws {
        try await write(
            tx,
            WebhookEventRule.entries(
                fact: fact, old: old, new: new, campaignId: message.campaignId, messageId: message.id, userId: message.userId),
            routes: routes)
    }

    static func loadRoutes(_ tx: PGTx) async throws -> [WebhookSubscription] {
        try await tx.rows("SELECT id, url, events, campaign_id, enabled, created_at, updated_at FROM webhook_subscriptions WHERE enabled")
            .map { row in
                WebhookSubscription(
                    id: try row.get("id"),
                    definition: .init(
                        url: try row.get("url"), events: try JSONCoding.decode([WebhookEventType].self, try row.get("events")),
                        campaignId: try row.get("campaign_id", String?.self), enabled: try row.get("enabled")),
                    secret: "", createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"))
            }
    }
}
