import Foundation

/// When a webhook event whose delivery failed is tried again (issue 17): exponential backoff with
/// jitter, for up to ``horizonSeconds`` after the event was queued; after that it is kept as
/// failed (listed, replayable). Times are **epoch seconds**.
///
/// The delay before attempt `n + 1` (after `n` failed attempts) is `min(base · 2^(n−1), cap)`,
/// of which a random half is dropped ("equal jitter": between half and all of it), so receivers
/// coming back are not hit by every sender at the same second.
public struct WebhookRetryPolicy: Sendable, Equatable {
    /// The first delay, seconds.
    public var baseSeconds: Double
    /// The longest delay, seconds.
    public var capSeconds: Double
    /// How long an event is retried after it was queued, seconds (24 h).
    public var horizonSeconds: Int64

    public init(baseSeconds: Double = 5, capSeconds: Double = 3_600, horizonSeconds: Int64 = 86_400) {
        self.baseSeconds = baseSeconds
        self.capSeconds = capSeconds
        self.horizonSeconds = horizonSeconds
    }

    /// The time of the next attempt after `attempts` failed ones (≥ 1), or `nil` when the event
    /// (queued at `queuedAt`) is to be given up: the next attempt would fall after the horizon.
    /// `unit`: a number in [0, 1) (random in production; fixed in tests).
    public func nextAttempt(afterFailed attempts: Int, queuedAt: Int64, now: Int64, unit: Double) -> Int64? {
        let delay = delaySeconds(afterFailed: attempts, unit: unit)
        let at = now + Int64(delay.rounded(.up))
        return at > queuedAt + horizonSeconds ? nil : at
    }

    /// The jittered delay after `attempts` failed attempts, seconds: in `[d/2, d]` with
    /// `d = min(base · 2^(attempts−1), cap)`.
    public func delaySeconds(afterFailed attempts: Int, unit: Double) -> Double {
        let exponent = Double(max(0, min(attempts - 1, 60)))
        let full = min(baseSeconds * pow(2, exponent), capSeconds)
        return full / 2 + full / 2 * min(max(unit, 0), 1)
    }
}
