import Foundation
import PostgresNIO
import SMSCore

/// Writes webhook events into the outbox (`webhook_outbox`, issue 17) inside the transaction of the
/// state change that produced them (``WebhookEventRule``); the SQLite writer's translation
/// (`SQLiteWebhookOutbox`): **one row per event** (`subscription_id` 0, `status` 'event', `txid`
/// its transaction's id), fanned out to the subscriptions that take it when the worker leases
/// (``WebhookFanout``, `PostgresStore.fanOut`). Nothing is written or queried when no enabled
/// subscription takes the event (``WebhookRouteCache``).
///
/// `version`: `nextval('webhook_outbox_versions')`, taken after the message's change in the same
/// transaction, which holds the message's lock (the callback path's advisory lock on its meta, or
/// its row lock) until it commits: a later change of the same message takes a greater value. A
/// transaction that buffers its message states (``PGRollupWriter/defersStates``: a callback
/// batch, a click batch) buffers its events too and writes them all with one statement when it
/// flushes (``PGRollupWriter/queueWebhookEvents(_:_:routes:)``).
enum PGWebhookOutbox {
    /// Writes the `events` an enabled subscription takes, in one statement, in their order (each
    /// takes its `version` in that order). - Returns: the rows written.
    @discardableResult
    static func write(_ tx: PGTx, _ events: [WebhookOutboxEntry], routes: WebhookRouteCache) async throws -> Int {
        guard !events.isEmpty else { return 0 }
        let all = try await routes.routes { try await loadRoutes(tx) }
        guard !all.isEmpty else { return 0 }
        let taken = events.filter { WebhookFanout.anyTakes(all, type: $0.type, campaignId: $0.campaignId) }
        guard !taken.isEmpty else { return 0 }
        let date = Date()
        let now = Int64(date.timeIntervalSince1970)
        let ids = taken.map { _ in WebhookPayload.newEventId(now: date) }
        let types = taken.map(\.type.rawValue)
        let campaigns = taken.map { $0.campaignId?.pgSafe ?? "" }
        let hasCampaign = taken.map { $0.campaignId != nil }
        let messages = taken.map { $0.messageId ?? 0 }
        let hasMessage = taken.map { $0.messageId != nil }
        let users = taken.map { $0.userId?.pgSafe ?? "" }
        let hasUser = taken.map { $0.userId != nil }
        let at = taken.map(\.at)
        let payloads = taken.map(\.payload)
        try await tx.exec(
            """
            INSERT INTO webhook_outbox (event_id, subscription_id, type, campaign_id, message_id, user_id, version,
              occurred_at, payload, status, next_attempt_at, created_at, txid)
            SELECT e, 0, ty, CASE WHEN hc THEN c END, CASE WHEN hm THEN m END, CASE WHEN hu THEN u END,
              nextval('webhook_outbox_versions'), a, p, 'event', \(now), \(now), pg_current_xact_id()::text::bigint
            FROM unnest(\(ids)::text[], \(types)::text[], \(campaigns)::text[], \(hasCampaign)::boolean[], \(messages)::bigint[],
              \(hasMessage)::boolean[], \(users)::text[], \(hasUser)::boolean[], \(at)::bigint[], \(payloads)::text[])
              WITH ORDINALITY AS x(e, ty, c, hc, m, hm, u, hu, a, p, n)
            ORDER BY n
            """)
        return taken.count
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
