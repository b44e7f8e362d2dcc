import Foundation

/// Outbound webhook subscriptions (``WebhookSubscription``, issue 17) in the stores. Each method is
/// one transaction. Times are **epoch seconds**.
public protocol WebhookStore: Sendable {
    /// Stores a new subscription with its `secret` (``WebhookSecret``); the store assigns its id.
    func insertWebhook(_ definition: WebhookSubscription.Definition, secret: String, at: Int64) async throws -> WebhookSubscription
    func webhook(id: Int64) async throws -> WebhookSubscription?
    /// Every subscription, by id.
    func webhooks() async throws -> [WebhookSubscription]
    /// Replaces a subscription's definition and `updatedAt`; enabling it clears its
    /// `disabledReason`. Returns whether it exists.
    func updateWebhook(id: Int64, _ definition: WebhookSubscription.Definition, at: Int64) async throws -> Bool
    /// Deletes a subscription and its undelivered events. Returns whether it existed.
    func deleteWebhook(id: Int64) async throws -> Bool
    /// The subscription's delivery stats; zeros for an unknown id.
    func webhookDeliveryStats(id: Int64) async throws -> WebhookDeliveryStats
}

/// The outbox side of ``WebhookStore``: leasing queued events for delivery (multi-node safe: a
/// leased row is skipped by other nodes until its lease expires), recording the outcome, listing
/// and replaying failed events, and the outbox gauges.
public protocol WebhookOutboxStore: Sendable {
    /// Leases, for up to `subscriptions` enabled subscriptions with due events (pending,
    /// `next_attempt_at <= now`, no live lease), up to `batchSize` oldest due events each, to
    /// `holder` until `now + leaseSeconds`.
    func leaseWebhookEvents(holder: String, now: Int64, leaseSeconds: Int64, batchSize: Int, subscriptions: Int) async throws
        -> [WebhookDeliveryBatch]
    /// Records a delivery request's outcome for the rows of `batch` still leased to `holder`: a 2xx
    /// marks them delivered; otherwise each row gets its retry time from `result.retries` (`nil`:
    /// failed, given up); a 410 also disables the subscription. Updates the subscription's stats.
    func finishWebhookDelivery(_ batch: WebhookDeliveryBatch, holder: String, result: WebhookDeliveryResult) async throws
    /// A subscription's events with `status` (`pending`, `delivered`, `failed`), newest first.
    func webhookEvents(subscriptionId: Int64, status: String, limit: Int) async throws -> [WebhookOutboxEvent]
    /// Queues a subscription's failed events again (attempts from 0, the horizon from `now`).
    /// Returns how many.
    func replayWebhookEvents(subscriptionId: Int64, now: Int64) async throws -> Int
    /// Whether any subscription is enabled, as the outbox writers see it (``WebhookRouteCache``:
    /// no query while the cached list is younger than ``WebhookRouteCache/ttlSeconds``, else one
    /// read). `false`: no event is queued nor deliverable, and the delivery worker skips its pass.
    /// A subscription enabled through another node is seen within ``WebhookRouteCache/ttlSeconds``.
    func hasEnabledWebhooks() async throws -> Bool
    /// Pending events of enabled subscriptions, and the age (seconds) of the oldest (`nil` when none).
    func webhookOutboxDepth(now: Int64) async throws -> (depth: Int64, oldestAgeSeconds: Int64?)
}
