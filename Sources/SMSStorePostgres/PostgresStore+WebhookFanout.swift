import Foundation
import PostgresNIO
import SMSCore

/// The fan-out of the outbox's event rows to subscriptions (``WebhookFanout``, issue 17); the SQLite
/// store's (`SQLiteStore+WebhookFanout`) translated. Event rows are taken in `(txid, id)` order
/// and only below the **horizon**, `pg_snapshot_xmin(pg_current_snapshot())`: every transaction
/// with a smaller id has ended, so no event can still appear below a subscription's position
/// `(fanout_txid, fanout_id)` (an identity id is taken at INSERT; a transaction that took a
/// smaller id may commit later: ordering by id alone would skip it). A long write transaction
/// holds the horizon back and delays fan-out (never loses an event). Two nodes never fan out
/// the same subscription at once: its row is locked (`FOR UPDATE`, `SKIP LOCKED` in the lease).
extension PostgresStore {
    /// A position in the event rows' `(txid, id)` order.
    typealias FanoutPosition = (txid: Int64, id: Int64)

    /// The oldest running transaction's id: event rows of smaller `txid` are all committed or gone.
    static func fanOutHorizon(_ tx: PGTx) async throws -> Int64 {
        try await tx.scalar("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint", as: Int64.self) ?? 0
    }

    static func fanOutPosition(_ row: PGRow) throws -> FanoutPosition? {
        guard let txid = try row.get("fanout_txid", Int64?.self), let id = try row.get("fanout_id", Int64?.self) else { return nil }
        return (txid, id)
    }

    /// Fans out the event rows after `position` and below `horizon` to `subscription`, up to
    /// `limit` rows scanned (`nil`: all), and records its new position. - Returns: the rows copied.
    @discardableResult
    static func fanOut(_ tx: PGTx, subscription: WebhookSubscription, position: FanoutPosition, horizon: Int64, limit: Int?) async throws -> Int {
        var position = position
        var copied = 0
        let page = limit ?? WebhookFanout.scanLimit
        while true {
            let rows = try await tx.rows(
                """
                SELECT id, txid, type, campaign_id FROM webhook_outbox
                WHERE subscription_id = 0 AND txid < \(horizon) AND (txid, id) > (\(position.txid), \(position.id))
                ORDER BY txid, id LIMIT \(Int64(page))
                """)
            guard let last = rows.last else { break }
            var scanned: [WebhookFanout.Scanned] = []
            for row in rows {
                guard let type = WebhookEventType(rawValue: try row.get("type", String.self)) else { continue }
                scanned.append(.init(rowId: try row.get("id"), type: type, campaignId: try row.get("campaign_id", String?.self)))
            }
            let accepted = WebhookFanout.accepted(scanned, by: subscription)
            if !accepted.isEmpty {
                try await tx.exec(
                    """
                    INSERT INTO webhook_outbox (event_id, subscription_id, type, campaign_id, message_id, user_id, version,
                      occurred_at, payload, next_attempt_at, created_at)
                    SELECT event_id, \(subscription.id), type, campaign_id, message_id, user_id, version, occurred_at, payload,
                      created_at, created_at
                    FROM webhook_outbox WHERE id = ANY(\(accepted)::bigint[]) ORDER BY txid, id
                    """)
                copied += accepted.count
            }
            position = (try last.get("txid", Int64.self), try last.get("id", Int64.self))
            if limit != nil || rows.count < page { break }
        }
        try await tx.exec(
            "UPDATE webhook_subscriptions SET fanout_txid = \(position.txid), fanout_id = \(position.id) WHERE id = \(subscription.id)")
        return copied
    }

    /// Fans out every enabled subscription no other node is fanning out (up to
    /// ``WebhookFanout/scanLimit`` event rows each); one not yet placed (created by a server of
    /// the previous release) is placed at the horizon.
    static func fanOutEnabled(_ tx: PGTx) async throws {
        let horizon = try await fanOutHorizon(tx)
        for row in try await tx.rows("SELECT * FROM webhook_subscriptions WHERE enabled ORDER BY id FOR UPDATE SKIP LOCKED") {
            let subscription = try webhook(from: row)
            guard let position = try fanOutPosition(row) else {
                try await tx.exec("UPDATE webhook_subscriptions SET fanout_txid = \(horizon), fanout_id = 0 WHERE id = \(subscription.id)")
                continue
            }
            try await fanOut(tx, subscription: subscription, position: position, horizon: horizon, limit: WebhookFanout.scanLimit)
        }
    }

    /// Fans out all that `id` (as stored, locked) has not yet got, when it is enabled: before its
    /// filters change (up to the horizon: a later event is judged by the new filters) or it is
    /// disabled (`disabling`: every committed event; one still in flight is not its, and enabling
    /// it again starts at the head anyway). - Returns: whether it exists.
    static func fanOutRest(_ tx: PGTx, id: Int64, disabling: Bool) async throws -> Bool {
        guard let row = try await tx.one("SELECT * FROM webhook_subscriptions WHERE id = \(id) FOR UPDATE") else { return false }
        let subscription = try webhook(from: row)
        guard subscription.definition.enabled, let position = try fanOutPosition(row) else { return true }
        let horizon = disabling ? Int64.max : try await fanOutHorizon(tx)
        try await fanOut(tx, subscription: subscription, position: position, horizon: horizon, limit: nil)
        return true
    }

    /// The event rows after the position of an enabled subscription, per (type, campaign) (all
    /// visible ones: the next passes fan them out). Empty for a disabled or not yet placed one.
    static func unfannedGroups(_ tx: PGTx, subscriptionRow row: PGRow) async throws -> [WebhookFanout.Group] {
        guard try row.get("enabled", Bool.self), let position = try fanOutPosition(row) else { return [] }
        var groups: [WebhookFanout.Group] = []
        for g in try await tx.rows(
            """
            SELECT type, campaign_id, COUNT(*) AS n, MIN(created_at) AS oldest FROM webhook_outbox
            WHERE subscription_id = 0 AND (txid, id) > (\(position.txid), \(position.id)) GROUP BY type, campaign_id
            """)
        {
            guard let type = WebhookEventType(rawValue: try g.get("type", String.self)) else { continue }
            groups.append(
                .init(type: type, campaignId: try g.get("campaign_id", String?.self), count: try g.get("n"), oldestQueuedAt: try g.get("oldest")))
        }
        return groups
    }

    /// The events an enabled subscription has not yet been fanned out, newest first, at most
    /// `limit`, as its pending events (no attempt yet).
    static func unfannedEvents(_ tx: PGTx, subscriptionRow row: PGRow, limit: Int) async throws -> [WebhookOutboxEvent] {
        guard try row.get("enabled", Bool.self), let position = try fanOutPosition(row), limit > 0 else { return [] }
        let subscription = try webhook(from: row)
        var out: [WebhookOutboxEvent] = []
        var before: FanoutPosition = (Int64.max, Int64.max)
        while out.count < limit {
            let rows = try await tx.rows(
                """
                SELECT \(unescaped: outboxColumns), o.txid FROM webhook_outbox o LEFT JOIN messages m ON m.id = o.message_id
                WHERE o.subscription_id = 0 AND (o.txid, o.id) > (\(position.txid), \(position.id))
                  AND (o.txid, o.id) < (\(before.txid), \(before.id))
                ORDER BY o.txid DESC, o.id DESC LIMIT 1000
                """)
            guard let last = rows.last else { break }
            for row in rows where out.count < limit {
                var e = try outboxEvent(row)
                guard subscription.accepts(e.type, campaignId: e.campaignId) else { continue }
                e.status = "pending"
                out.append(e)
            }
            before = (try last.get("txid", Int64.self), try last.get("id", Int64.self))
        }
        return out
    }
}
