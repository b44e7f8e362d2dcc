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
///
/// Cost (BENCHMARKS.md "webhooks"): the rows go through ``RawStatement`` (no boxed arguments per
/// row), the ids are AUTOINCREMENT's own (the first row's `version` is `sqlite_sequence`'s next
/// value read inside the INSERT, the others take its `last_insert_rowid`), and event ids are
/// time-ordered (``WebhookPayload/newEventId(now:)``).
enum SQLiteWebhookOutbox {
    /// The first row of an event: its `version` is the id AUTOINCREMENT gives it (the sequence's
    /// next value; a row id above the sequence never exists, every insert here advances it).
    static let insertFirstSQL = """
        INSERT INTO webhook_outbox (event_id, subscription_id, type, campaign_id, message_id, user_id, version,
          occurred_at, payload, next_attempt_at, created_at)
        VALUES (?, ?, ?, ?, ?, ?, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'webhook_outbox'), 0) + 1, ?, ?, ?, ?)
        """
    /// The event's rows for further subscriptions, with the first row's id as `version`.
    static let insertMoreSQL = """
        INSERT INTO webhook_outbox (event_id, subscription_id, type, campaign_id, message_id, user_id, occurred_at,
          payload, next_attempt_at, created_at, version)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Queues `events` for the subscriptions that take them. - Returns: the rows written.
    @discardableResult
    static func write(_ db: Database, _ events: [WebhookOutboxEntry], routes: WebhookRouteCache) throws -> Int {
        guard !events.isEmpty else { return 0 }
        let all = try routes.routes { try loadRoutes(db) }
        guard !all.isEmpty else { return 0 }
        var written = 0
        let date = Date()
        let now = Int64(date.timeIntervalSince1970)
        for e in events {
            let targets = WebhookRouteCache.targets(all, type: e.type, campaignId: e.campaignId)
            guard let first = targets.first else { continue }
            let eventId = WebhookPayload.newEventId(now: date)
            let insert = try RawStatement(db, sql: insertFirstSQL)
            bind(insert, e, eventId: eventId, subscription: first, now: now)
            try insert.run(db)
            written += 1
            guard targets.count > 1 else { continue }
            let version = db.lastInsertedRowID
            let more = try RawStatement(db, sql: insertMoreSQL)
            for subscription in targets.dropFirst() {
                bind(more, e, eventId: eventId, subscription: subscription, now: now)
                more.bind(11, version)
                try more.run(db)
                written += 1
            }
        }
        return written
    }

    /// Binds parameters 1–10 of both inserts (the same order up to `version`).
    private static func bind(_ s: RawStatement, _ e: WebhookOutboxEntry, eventId: String, subscription: Int64, now: Int64) {
        s.bind(1, eventId)
        s.bind(2, subscription)
        s.bind(3, e.type.rawValue)
        s.bind(4, e.campaignId)
        s.bind(5, e.messageId)
        s.bind(6, e.userId)
        s.bind(7, e.at)
        s.bind(8, e.payload)
        s.bind(9, now)
        s.bind(10, now)
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
