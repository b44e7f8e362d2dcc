import Foundation
import PostgresNIO
import SMSCore

extension PostgresStore: WebhookOutboxStore {
    static let outboxColumns = """
        o.id, o.event_id, o.type, o.campaign_id, o.message_id, m.meta, o.version, o.occurred_at, o.payload, o.attempts,
        o.status, o.last_error, o.created_at, o.delivered_at
        """

    static func outboxEvent(_ row: PGRow) throws -> WebhookOutboxEvent {
        let type = try row.get("type", String.self)
        guard let t = WebhookEventType(rawValue: type) else { throw StoreError.notFound("webhook event type \(type)") }
        return WebhookOutboxEvent(
            rowId: try row.get("id"), eventId: try row.get("event_id"), type: t, campaignId: try row.get("campaign_id", String?.self),
            messageId: try row.get("message_id", Int64?.self), meta: try row.get("meta", String?.self), version: try row.get("version"),
            occurredAt: try row.get("occurred_at"), payload: try row.get("payload"), attempts: Int(try row.get("attempts", Int64.self)),
            status: try row.get("status"), lastError: try row.get("last_error", String?.self), queuedAt: try row.get("created_at"),
            deliveredAt: try row.get("delivered_at", Int64?.self))
    }

    /// Rows are taken `FOR UPDATE SKIP LOCKED` (as the dispatch claims): two nodes leasing at the
    /// same moment get different rows, and a row leased by a live node is skipped until its lease expires.
    public func leaseWebhookEvents(holder: String, now: Int64, leaseSeconds: Int64, batchSize: Int, subscriptions: Int) async throws
        -> [WebhookDeliveryBatch]
    {
        let expires = now + leaseSeconds
        let limit = Int64(batchSize)
        return try await write { tx in
            try await Self.fanOutEnabled(tx)
            let due = try await tx.rows(
                """
                SELECT DISTINCT o.subscription_id FROM webhook_outbox o JOIN webhook_subscriptions s ON s.id = o.subscription_id
                WHERE o.status = 'pending' AND o.next_attempt_at <= \(now) AND (o.lease_expires_at IS NULL OR o.lease_expires_at < \(now))
                  AND s.enabled
                LIMIT \(Int64(subscriptions))
                """
            ).map { try $0.at(0, Int64.self) }
            var batches: [WebhookDeliveryBatch] = []
            for id in due {
                guard let subscription = try await tx.one("SELECT * FROM webhook_subscriptions WHERE id = \(id)").map(Self.webhook(from:))
                else { continue }
                let leased = try await tx.rows(
                    """
                    UPDATE webhook_outbox SET lease_holder = \(holder), lease_expires_at = \(expires)
                    WHERE id IN (
                      SELECT id FROM webhook_outbox WHERE subscription_id = \(id) AND status = 'pending' AND next_attempt_at <= \(now)
                        AND (lease_expires_at IS NULL OR lease_expires_at < \(now))
                      ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                    RETURNING id
                    """
                ).map { try $0.at(0, Int64.self) }
                guard !leased.isEmpty else { continue }
                let events = try await tx.rows(
                    """
                    SELECT \(unescaped: Self.outboxColumns) FROM webhook_outbox o LEFT JOIN messages m ON m.id = o.message_id
                    WHERE o.id = ANY(\(leased)::bigint[]) ORDER BY o.id
                    """
                ).map(Self.outboxEvent)
                batches.append(WebhookDeliveryBatch(subscription: subscription, events: events))
            }
            return batches
        }
    }

    public func finishWebhookDelivery(_ batch: WebhookDeliveryBatch, holder: String, result: WebhookDeliveryResult) async throws {
        let subscription = batch.subscription.id
        let error = result.errorText
        try await write { tx in
            // A 410 disables it: first what it has not yet got is fanned out (kept queued, as its other events).
            if result.gone { _ = try await Self.fanOutRest(tx, id: subscription, disabling: true) }
            for e in batch.events {
                if result.delivered {
                    try await tx.exec(
                        """
                        UPDATE webhook_outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = \(result.at), last_error = NULL,
                          lease_holder = NULL, lease_expires_at = NULL
                        WHERE id = \(e.rowId) AND lease_holder = \(holder) AND status = 'pending'
                        """)
                } else {
                    let next = result.retries[e.rowId] ?? nil
                    let status = next == nil ? "failed" : "pending"
                    try await tx.exec(
                        """
                        UPDATE webhook_outbox SET status = \(status), attempts = attempts + 1,
                          next_attempt_at = COALESCE(\(next), next_attempt_at), last_error = \(error),
                          lease_holder = NULL, lease_expires_at = NULL
                        WHERE id = \(e.rowId) AND lease_holder = \(holder) AND status = 'pending'
                        """)
                }
            }
            let status = result.status.map(Int64.init)
            if result.delivered {
                try await tx.exec(
                    """
                    UPDATE webhook_subscriptions SET last_status = \(status), last_error = NULL, last_attempt_at = \(result.at),
                      last_latency_ms = \(result.latencyMs), consecutive_failures = 0,
                      delivered_events = delivered_events + \(Int64(batch.events.count)) WHERE id = \(subscription)
                    """)
            } else {
                let reason = result.goneReason
                try await tx.exec(
                    """
                    UPDATE webhook_subscriptions SET last_status = \(status), last_error = \(error), last_attempt_at = \(result.at),
                      last_latency_ms = \(result.latencyMs), consecutive_failures = consecutive_failures + 1,
                      failed_attempts = failed_attempts + 1,
                      enabled = CASE WHEN \(result.gone) THEN false ELSE enabled END,
                      disabled_reason = CASE WHEN \(result.gone) THEN \(reason) ELSE disabled_reason END
                    WHERE id = \(subscription)
                    """)
            }
        }
        if result.gone { webhookRoutes.invalidate() }
    }

    /// `pending` also lists the events not yet fanned out to it (``WebhookFanout``), first: they are the newest.
    public func webhookEvents(subscriptionId: Int64, status: String, limit: Int) async throws -> [WebhookOutboxEvent] {
        try await read { tx in
            var out: [WebhookOutboxEvent] = []
            if status == "pending", let row = try await tx.one("SELECT * FROM webhook_subscriptions WHERE id = \(subscriptionId)") {
                out = try await Self.unfannedEvents(tx, subscriptionRow: row, limit: limit)
            }
            guard out.count < limit else { return out }
            return try await out + tx.rows(
                """
                SELECT \(unescaped: Self.outboxColumns) FROM webhook_outbox o LEFT JOIN messages m ON m.id = o.message_id
                WHERE o.subscription_id = \(subscriptionId) AND o.status = \(status) ORDER BY o.id DESC LIMIT \(Int64(limit - out.count))
                """
            ).map(Self.outboxEvent)
        }
    }

    public func replayWebhookEvents(subscriptionId: Int64, now: Int64) async throws -> Int {
        try await write { tx in
            try await tx.rows(
                """
                UPDATE webhook_outbox SET status = 'pending', attempts = 0, next_attempt_at = \(now), created_at = \(now), last_error = NULL,
                  lease_holder = NULL, lease_expires_at = NULL
                WHERE subscription_id = \(subscriptionId) AND status = 'failed' RETURNING 1
                """
            ).count
        }
    }

    public func hasEnabledWebhooks() async throws -> Bool {
        try await !webhookRoutes.routes { try await read { try await PGWebhookOutbox.loadRoutes($0) } }.isEmpty
    }

    /// Pending rows of enabled subscriptions plus, for each, the events not yet fanned out to it.
    public func webhookOutboxDepth(now: Int64) async throws -> (depth: Int64, oldestAgeSeconds: Int64?) {
        try await read { tx in
            var n: Int64 = 0
            var oldest: Int64?
            if let row = try await tx.one(
                """
                SELECT COUNT(*) AS n, MIN(o.created_at) AS oldest FROM webhook_outbox o
                JOIN webhook_subscriptions s ON s.id = o.subscription_id WHERE o.status = 'pending' AND s.enabled
                """)
            {
                n = try row.get("n", Int64.self)
                oldest = try row.get("oldest", Int64?.self)
            }
            for s in try await tx.rows("SELECT * FROM webhook_subscriptions WHERE enabled") {
                let waiting = WebhookFanout.waiting(try await Self.unfannedGroups(tx, subscriptionRow: s), for: try Self.webhook(from: s))
                n += waiting.count
                if let w = waiting.oldestQueuedAt { oldest = min(oldest ?? w, w) }
            }
            return (n, oldest.map { max(0, now - $0) })
        }
    }
}
