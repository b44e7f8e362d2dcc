import Foundation
import GRDB
import SMSCore

/// The fan-out of the outbox's event rows to subscriptions (``WebhookFanout``, issue 17): each
/// subscription's `fanout_position` is the last event row id it has been fanned out; the event
/// rows after it that it takes (the core's rule) are copied into rows of its own (`pending`,
/// due at once, queued when the event was), which the lease then takes as before. SQLite has one
/// writer and AUTOINCREMENT ids, so an event row committed later always has a greater id: a
/// position never passes an event that is not yet visible.
extension SQLiteStore {
    /// A subscription's copy of an event row: its own delivery state, the event's id, version and
    /// queue time (the retry horizon counts from there).
    static let fanOutCopySQL = """
        INSERT INTO webhook_outbox (event_id, subscription_id, type, campaign_id, message_id, user_id, version,
          occurred_at, payload, next_attempt_at, created_at)
        SELECT event_id, ?, type, campaign_id, message_id, user_id, version, occurred_at, payload, created_at, created_at
        FROM webhook_outbox WHERE id = ?
        """

    /// The head of the outbox: the greatest row id (0 when empty). A subscription placed there
    /// receives the events written after.
    static func outboxHead(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM webhook_outbox") ?? 0
    }

    /// Fans out the event rows after `position` to `subscription`, up to `limit` rows scanned
    /// (`nil`: all of them), and records its new position. - Returns: the rows copied.
    @discardableResult
    static func fanOut(_ db: Database, subscription: WebhookSubscription, position: Int64, limit: Int?) throws -> Int {
        var position = position
        var copied = 0
        let page = limit ?? WebhookFanout.scanLimit
        while true {
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT id, type, campaign_id FROM webhook_outbox WHERE subscription_id = 0 AND status = 'event' AND id > ? ORDER BY id LIMIT ?",
                arguments: [position, page])
            guard let last = rows.last else { break }
            let scanned = rows.compactMap { row in
                WebhookEventType(rawValue: row["type"]).map { WebhookFanout.Scanned(rowId: row["id"], type: $0, campaignId: row["campaign_id"]) }
            }
            let copy = try db.cachedStatement(sql: fanOutCopySQL)
            for id in WebhookFanout.accepted(scanned, by: subscription) {
                try copy.execute(arguments: [subscription.id, id])
                copied += 1
            }
            position = last["id"]
            if limit != nil || rows.count < page { break }
        }
        try db.execute(sql: "UPDATE webhook_subscriptions SET fanout_position = ? WHERE id = ?", arguments: [position, subscription.id])
        return copied
    }

    /// Fans out every enabled subscription (up to ``WebhookFanout/scanLimit`` event rows each);
    /// one not yet placed (created by a server of the previous release) is placed at the head.
    static func fanOutEnabled(_ db: Database) throws {
        for row in try Row.fetchAll(db, sql: "SELECT * FROM webhook_subscriptions WHERE enabled ORDER BY id") {
            let subscription = try webhook(from: row)
            guard let position: Int64 = row["fanout_position"] else {
                try db.execute(
                    sql: "UPDATE webhook_subscriptions SET fanout_position = ? WHERE id = ?", arguments: [try outboxHead(db), subscription.id])
                continue
            }
            try fanOut(db, subscription: subscription, position: position, limit: WebhookFanout.scanLimit)
        }
    }

    /// Fans out all that `id` (as stored) has not yet got, when it is enabled: before its filters
    /// change or it is disabled, so those events go by the definition they were written under.
    static func fanOutRest(_ db: Database, id: Int64) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM webhook_subscriptions WHERE id = ?", arguments: [id]) else { return }
        let subscription = try webhook(from: row)
        guard subscription.definition.enabled, let position: Int64 = row["fanout_position"] else { return }
        try fanOut(db, subscription: subscription, position: position, limit: nil)
    }

    /// The event rows after the position of an enabled subscription, per (type, campaign): what
    /// it will receive at the next pass is ``WebhookFanout/waiting(_:for:)`` of these. Empty for a
    /// disabled or not yet placed subscription.
    static func unfannedGroups(_ db: Database, subscriptionRow row: Row) throws -> [WebhookFanout.Group] {
        guard row["enabled"] as Bool, let position: Int64 = row["fanout_position"] else { return [] }
        return try Row.fetchAll(
            db,
            sql: """
                SELECT type, campaign_id, COUNT(*) AS n, MIN(created_at) AS oldest FROM webhook_outbox
                WHERE subscription_id = 0 AND status = 'event' AND id > ? GROUP BY type, campaign_id
                """, arguments: [position]
        ).compactMap { g in
            WebhookEventType(rawValue: g["type"]).map {
                WebhookFanout.Group(type: $0, campaignId: g["campaign_id"], count: g["n"], oldestQueuedAt: g["oldest"])
            }
        }
    }

    /// The events an enabled subscription has not yet been fanned out, newest first, at most
    /// `limit`, as its pending events (no attempt yet).
    static func unfannedEvents(_ db: Database, subscriptionRow row: Row, limit: Int) throws -> [WebhookOutboxEvent] {
        guard row["enabled"] as Bool, let position: Int64 = row["fanout_position"], limit > 0 else { return [] }
        let subscription = try webhook(from: row)
        var out: [WebhookOutboxEvent] = []
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT \(outboxColumns) FROM webhook_outbox o LEFT JOIN messages m ON m.id = o.message_id
                WHERE o.subscription_id = 0 AND o.status = 'event' AND o.id > ? ORDER BY o.id DESC
                """, arguments: [position])
        while out.count < limit, let row = try rows.next() {
            var e = try outboxEvent(row)
            guard subscription.accepts(e.type, campaignId: e.campaignId) else { continue }
            e.status = "pending"
            out.append(e)
        }
        return out
    }
}
