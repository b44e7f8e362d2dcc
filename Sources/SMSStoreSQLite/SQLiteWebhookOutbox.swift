import Foundation
import GRDB
import SMSCore

/// Writes webhook events into the outbox (`webhook_outbox`, issue 17) inside the transaction of the
/// state change that produced them (``WebhookEventRule``): one row per (event, subscription),
/// all rows of an event sharing its `event_id` and `version`. Nothing is written (and nothing is
/// queried) when no enabled subscription takes the event (``WebhookRouteCache``).
///
/// `version`: the id of the event's first outbox row. SQLite has one writer, and the row ids only
/// grow (AUTOINCREMENT), so a message's later change always has a greater version: a receiver
/// drops an event whose version is below one it has seen for that message.
enum SQLiteWebhookOutbox {
    /// Queues `events` for the subscriptions that take them. - Returns: the rows written.
    @discardableResult
    static func write(_ db: Database, _ events: [WebhookOutboxEntry], routes: WebhookRouteCache) throws -> Int {
        guard !events.isEmpty else { return 0 }
        let all = try routes.routes { try loadRoutes(db) }
        guard !all.isEmpty else { return 0 }
        var written = 0
        var nextId: Int64?
        let now = Int64(Date().timeIntervalSince1970)
        for e in events {
            let targets = WebhookRouteCache.targets(all, type: e.type, campaignId: e.campaignId)
            guard !targets.isEmpty else { continue }
            if nextId == nil {
                nextId = (try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'webhook_outbox'") ?? 0) + 1
            }
            let version = nextId!
            let eventId = WebhookPayload.newEventId()
            for subscription in targets {
                try db.cachedStatement(
                    sql: """
                        INSERT INTO webhook_outbox (id, event_id, subscription_id, type, campaign_id, message_id, user_id, version,
                          occurred_at, payload, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """
                ).execute(arguments: [
                    nextId!, eventId, subscription, e.type.rawValue, e.campaignId, e.messageId, e.userId, version, e.at, e.payload,
                    now, now,
                ])
                nextId! += 1
                written += 1
            }
        }
        return written
    }

    /// The events of a message's change (``WebhookEventRule``) queued for it.
    static func write(
        _ db: Database, fact: MessagePlanner.Fact?, old: MessageState, new: MessageState, message: MessageRow, routes: WebhookRouteCache
    ) throws {
        try write(
            db,
            WebhookEventRule.entries(
                fact: fact, old: old, new: new, campaignId: message.campaignId, messageId: message.id, userId: message.userId),
            routes: routes)
    }

    /// The enabled subscriptions, without secrets.
    static func loadRoutes(_ db: Database) throws -> [WebhookSubscription] {
        try Row.fetchAll(db, sql: "SELECT id, url, events, campaign_id, enabled, created_at, updated_at FROM webhook_subscriptions WHERE enabled")
            .map { row in
                WebhookSubscription(
                    id: row["id"],
                    definition: .init(
                        url: row["url"], events: try JSONCoding.decode([WebhookEventType].self, row["events"]),
                        campaignId: row["campaign_id"], enabled: row["enabled"]),
                    secret: "", createdAt: row["created_at"], updatedAt: row["updated_at"])
            }
    }
}
