import Foundation

/// One queued webhook event for one subscription (a `webhook_outbox` row, issue 17). Times are
/// **epoch seconds**.
public struct WebhookOutboxEvent: Sendable, Equatable {
    /// The outbox row (one per event and subscription).
    public var rowId: Int64
    /// Unique per event; the same for every subscription and every attempt (`webhook-id`).
    public var eventId: String
    public var type: WebhookEventType
    public var campaignId: String?
    public var messageId: Int64?
    /// The message's meta, when the event is about a message that still exists.
    public var meta: String?
    /// The message's state version at the event (``WebhookEventRule``; greater = later).
    public var version: Int64
    public var occurredAt: Int64
    /// Extra data of the event as JSON text (`{}` for message events).
    public var payload: String
    /// Delivery attempts made so far.
    public var attempts: Int
    /// `pending`, `delivered` or `failed`.
    public var status: String
    public var lastError: String?
    /// When it was queued (or replayed): the retry horizon counts from here.
    public var queuedAt: Int64
    public var deliveredAt: Int64?

    public init(
        rowId: Int64, eventId: String, type: WebhookEventType, campaignId: String?, messageId: Int64?, meta: String?, version: Int64,
        occurredAt: Int64, payload: String, attempts: Int, status: String, lastError: String?, queuedAt: Int64, deliveredAt: Int64?
    ) {
        self.rowId = rowId
        self.eventId = eventId
        self.type = type
        self.campaignId = campaignId
        self.messageId = messageId
        self.meta = meta
        self.version = version
        self.occurredAt = occurredAt
        self.payload = payload
        self.attempts = attempts
        self.status = status
        self.lastError = lastError
        self.queuedAt = queuedAt
        self.deliveredAt = deliveredAt
    }
}

/// Events of one subscription leased for one delivery request.
public struct WebhookDeliveryBatch: Sendable {
    /// With its secret (the request is signed with it).
    public var subscription: WebhookSubscription
    /// Oldest first, at most the batch size.
    public var events: [WebhookOutboxEvent]
    public init(subscription: WebhookSubscription, events: [WebhookOutboxEvent]) {
        self.subscription = subscription
        self.events = events
    }
}

/// What a delivery request came to, as the store records it.
public struct WebhookDeliveryResult: Sendable {
    /// The HTTP status, `nil` when no answer came (then `error` says why).
    public var status: Int?
    public var error: String?
    public var latencyMs: Int64
    public var at: Int64
    /// For a failure: each row's next attempt time, or `nil` to give it up (``WebhookRetryPolicy``).
    public var retries: [Int64: Int64?]

    public init(status: Int?, error: String?, latencyMs: Int64, at: Int64, retries: [Int64: Int64?] = [:]) {
        self.status = status
        self.error = error
        self.latencyMs = latencyMs
        self.at = at
        self.retries = retries
    }

    /// A 2xx: delivered.
    public var delivered: Bool { status.map { (200..<300).contains($0) } ?? false }
    /// A 410: the receiver is gone; the subscription is disabled (its events stay queued).
    public var gone: Bool { status == 410 }
}

extension WebhookDeliveryResult {
    /// What a failed request leaves as the events' and the subscription's `lastError`.
    public var errorText: String { error ?? "HTTP \(status.map(String.init) ?? "?")" }

    /// The `disabledReason` a 410 leaves.
    public var goneReason: String {
        "the receiver answered 410 Gone at \(WebhookPayload.rfc3339(at)); PATCH enabled=true to resume"
    }
}
