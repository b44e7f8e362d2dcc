import Foundation
import GRDB
import SMSCore

/// Writes webhook events into the outbox (`webhook_outbox`, issue 17) inside the transaction of the
/// state change that produced them (``WebhookEventRule``): **one row per event** (`subscription_id`
/// 0, `status` 'event'), whatever the number of subscriptions; the delivery worker fans it out to
/// the subscriptions that take it when it leases (``WebhookFanout``,
/// `SQLiteStore.fanOut(_:subscription:position:limit:)`). Nothing is written (and nothing is
/// queried) when no enabled subscription takes the event (``WebhookRouteCache``).
///
/// `version`: the event row's id. SQLite has one writer, and the row ids only grow
/// (AUTOINCREMENT), so a message's later change always has a greater version: a receiver drops an
/// event whose version is below one it has seen for that message.
///
/// Cost (BENCHMARKS.md "webhooks"): one row and two index entries per event (the
/// `(subscription_id, status, id)` index, appended at its end, and the user's), through
/// ``RawStatement``; the `version` is `sqlite_sequence`'s next value read inside the INSERT.
enum SQLiteWebhookOutbox {
    /// An event's row: its `version` is the id AUTOINCREMENT gives it (the sequence's next value;
    /// a row id above the sequence never exists, every insert here advances it).
    static let insertSQL = """
        INSERT INTO webhook_outbox (event_id, subscription_id, type, campaign_id, message_id, user_id, version,
          occurred_at, payload, status, next_attempt_at, created_at)
        VALUES (?, 0, ?, ?, ?, ?, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'webhook_outbox'), 0) + 1, ?, ?, 'event', ?, ?)
        """

    /// Queues `events` that an enabled subscription takes. - Returns: the rows written.
    @discardableResult
    static func write(_ db: Database, _ events: [WebhookOutboxEntry], routes: WebhookRouteCache) throws -> Int {
        guard !events.isEmpty else { return 0 }
        let all = try routes.routes { try loadRoutes(db) }
        guard !all.isEmpty else { return 0 }
        var written = 0
        let date = Date()
        let now = Int64(date.timeIntervalSince1970)
        for e in events where WebhookFanout.anyTakes(all, type: e.type, campaignId: e.campaignId) {
            let insert = try RawStatement(db, sql: insertSQL)
            insert.bind(1, WebhookPayload.newEventId(now: date))
            insert.bind(2, e.type.rawValue)
            insert.bind(3, e.campaignId)
            insert.bind(4, e.messageId)
            insert.bind(5, e.userId)
            insert.bind(6, e.at)
            insert.bind(7, e.payload)
            insert.bind(8, now)
            insert.bind(9, now)
            try insert.run(db)
            written += 1
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
