import Foundation
import GRDB
import SMSCore

extension SQLiteStore: WebhookOutboxStore {
    static let outboxColumns = """
        o.id, o.event_id, o.type, o.campaign_id, o.message_id, m.meta, o.version, o.occurred_at, o.payload, o.attempts,
        o.status, o.last_error, o.created_at, o.delivered_at
        """

    static func outboxEvent(_ row: Row) throws -> WebhookOutboxEvent {
        let type: String = row["type"]
        guard let t = WebhookEventType(rawValue: type) else { throw StoreError.notFound("webhook event type \(type)") }
        return WebhookOutboxEvent(
            rowId: row["id"], eventId: row["event_id"], type: t, campaignId: row["campaign_id"], messageId: row["message_id"],
            meta: row["meta"], version: row["version"], occurredAt: row["occurred_at"], payload: row["payload"],
            attempts: row["attempts"], status: row["status"], lastError: row["last_error"], queuedAt: row["created_at"],
            deliveredAt: row["delivered_at"])
    }

    public func leaseWebhookEvents(holder: String, now: Int64, leaseSeconds: Int64, batchSize: Int, subscriptions: Int) async throws
        -> [WebhookDeliveryBatch]
    {
        try await db.write { db in
            try Self.fanOutEnabled(db)
            let due = try Int64.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT o.subscription_id FROM webhook_outbox o JOIN webhook_subscriptions s ON s.id = o.subscription_id
                    WHERE o.status = 'pending' AND o.next_attempt_at <= ? AND (o.lease_expires_at IS NULL OR o.lease_expires_at < ?)
                      AND s.enabled
                    LIMIT ?
                    """, arguments: [now, now, subscriptions])
            var batches: [WebhookDeliveryBatch] = []
            for id in due {
                guard let subscription = try Row.fetchOne(db, sql: "SELECT * FROM webhook_subscriptions WHERE id = ?", arguments: [id])
                    .map(Self.webhook(from:))
                else { continue }
                let events = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(Self.outboxColumns) FROM webhook_outbox o LEFT JOIN messages m ON m.id = o.message_id
                        WHERE o.subscription_id = ? AND o.status = 'pending' AND o.next_attempt_at <= ?
                          AND (o.lease_expires_at IS NULL OR o.lease_expires_at < ?)
                        ORDER BY o.id LIMIT ?
                        """, arguments: [id, now, now, batchSize]
                ).map(Self.outboxEvent)
                guard !events.isEmpty else { continue }
                let lease = try db.cachedStatement(sql: "UPDATE webhook_outbox SET lease_holder = ?, lease_expires_at = ? WHERE id = ?")
                for e in events { try lease.execute(arguments: [holder, now + leaseSeconds, e.rowId]) }
                batches.append(WebhookDeliveryBatch(subscription: subscription, events: events))
            }
            return batches
        }
    }

    public func finishWebhookDelivery(_ batch: WebhookDeliveryBatch, holder: String, result: WebhookDeliveryResult) async throws {
        let subscription = batch.subscription.id
        try await db.write { db in
            // A 410 disables it: first what it has not yet got is fanned out (kept queued, as its other events).
            if result.gone { try Self.fanOutRest(db, id: subscription) }
            for e in batch.events {
                if result.delivered {
                    try db.execute(
                        sql: """
                            UPDATE webhook_outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, last_error = NULL,
                              lease_holder = NULL, lease_expires_at = NULL
                            WHERE id = ? AND lease_holder = ? AND status = 'pending'
                            """, arguments: [result.at, e.rowId, holder])
                } else {
                    let next = result.retries[e.rowId] ?? nil
                    try db.execute(
                        sql: """
                            UPDATE webhook_outbox SET status = ?, attempts = attempts + 1, next_attempt_at = COALESCE(?, next_attempt_at),
                              last_error = ?, lease_holder = NULL, lease_expires_at = NULL
                            WHERE id = ? AND lease_holder = ? AND status = 'pending'
                            """, arguments: [next == nil ? "failed" : "pending", next, result.errorText, e.rowId, holder])
                }
            }
            if result.delivered {
                try db.execute(
                    sql: """
                        UPDATE webhook_subscriptions SET last_status = ?, last_error = NULL, last_attempt_at = ?, last_latency_ms = ?,
                          consecutive_failures = 0, delivered_events = delivered_events + ? WHERE id = ?
                        """, arguments: [result.status, result.at, result.latencyMs, batch.events.count, subscription])
            } else {
                try db.execute(
                    sql: """
                        UPDATE webhook_subscriptions SET last_status = ?, last_error = ?, last_attempt_at = ?, last_latency_ms = ?,
                          consecutive_failures = consecutive_failures + 1, failed_attempts = failed_attempts + 1,
                          enabled = CASE WHEN ? THEN 0 ELSE enabled END,
                          disabled_reason = CASE WHEN ? THEN ? ELSE disabled_reason END
                        WHERE id = ?
                        """,
                    arguments: [
                        result.status, result.errorText, result.at, result.latencyMs, result.gone, result.gone,
                        result.goneReason, subscription,
                    ])
            }
        }
        if result.gone { webhookRoutes.invalidate() }
    }

    /// `pending` also lists the events not yet fanned out to it (``WebhookFanout``), first: they are the newest.
    public func webhookEvents(subscriptionId: Int64, status: String, limit: Int) async throws -> [WebhookOutboxEvent] {
        try await db.read { db in
            var out: [WebhookOutboxEvent] = []
            if status == "pending", let row = try Row.fetchOne(db, sql: "SELECT * FROM webhook_subscriptions WHERE id = ?", arguments: [subscriptionId]) {
                out = try Self.unfannedEvents(db, subscriptionRow: row, limit: limit)
            }
            guard out.count < limit else { return out }
            return try out + Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.outboxColumns) FROM webhook_outbox o LEFT JOIN messages m ON m.id = o.message_id
                    WHERE o.subscription_id = ? AND o.status = ? ORDER BY o.id DESC LIMIT ?
                    """, arguments: [subscriptionId, status, limit - out.count]
            ).map(Self.outboxEvent)
        }
    }

    public func replayWebhookEvents(subscriptionId: Int64, now: Int64) async throws -> Int {
        try await db.write { db in
            try db.execute(
                sql: """
                    UPDATE webhook_outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, created_at = ?, last_error = NULL,
                      lease_holder = NULL, lease_expires_at = NULL
                    WHERE subscription_id = ? AND status = 'failed'
                    """, arguments: [now, now, subscriptionId])
            return db.changesCount
        }
    }

    public func hasEnabledWebhooks() async throws -> Bool {
        try await !webhookRoutes.routes { try await db.read { try SQLiteWebhookOutbox.loadRoutes($0) } }.isEmpty
    }

    /// Pending rows of enabled subscriptions plus, for each, the events not yet fanned out to it.
    public func webhookOutboxDepth(now: Int64) async throws -> (depth: Int64, oldestAgeSeconds: Int64?) {
        try await db.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS n, MIN(o.created_at) AS oldest FROM webhook_outbox o
                    JOIN webhook_subscriptions s ON s.id = o.subscription_id WHERE o.status = 'pending' AND s.enabled
                    """)
            var n: Int64 = row?["n"] ?? 0
            var oldest: Int64? = row?["oldest"]
            for s in try Row.fetchAll(db, sql: "SELECT * FROM webhook_subscriptions WHERE enabled") {
                let waiting = WebhookFanout.waiting(try Self.unfannedGroups(db, subscriptionRow: s), for: try Self.webhook(from: s))
                n += waiting.count
                if let w = waiting.oldestQueuedAt { oldest = min(oldest ?? w, w) }
            }
            return (n, oldest.map { max(0, now - $0) })
        }
    }
}
