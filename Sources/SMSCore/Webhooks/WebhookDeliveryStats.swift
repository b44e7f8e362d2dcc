import Foundation

/// How a subscription's deliveries go (issue 17), as `GET /api/v1/webhooks/{id}` shows them.
/// Times are **epoch seconds**; latency in **milliseconds**.
public struct WebhookDeliveryStats: Sendable, Equatable, Codable {
    /// The HTTP status of the last delivery request; `nil` before the first, or when it got no
    /// answer (then ``lastError`` says why).
    public var lastStatus: Int?
    public var lastError: String?
    public var lastAttemptAt: Int64?
    public var lastLatencyMs: Int64?
    /// Failed requests in a row since the last success.
    public var consecutiveFailures: Int64
    /// Failed requests since the subscription was created.
    public var failedAttempts: Int64
    /// Events delivered (acknowledged with a 2xx).
    public var deliveredEvents: Int64
    /// Events waiting to be delivered (the subscription's queue depth).
    public var queueDepth: Int64
    /// Events given up after the retry horizon (``WebhookRetryPolicy``), listed and replayable.
    public var failedEvents: Int64

    public init(
        lastStatus: Int? = nil, lastError: String? = nil, lastAttemptAt: Int64? = nil, lastLatencyMs: Int64? = nil,
        consecutiveFailures: Int64 = 0, failedAttempts: Int64 = 0, deliveredEvents: Int64 = 0, queueDepth: Int64 = 0,
        failedEvents: Int64 = 0
    ) {
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.lastAttemptAt = lastAttemptAt
        self.lastLatencyMs = lastLatencyMs
        self.consecutiveFailures = consecutiveFailures
        self.failedAttempts = failedAttempts
        self.deliveredEvents = deliveredEvents
        self.queueDepth = queueDepth
        self.failedEvents = failedEvents
    }
}
