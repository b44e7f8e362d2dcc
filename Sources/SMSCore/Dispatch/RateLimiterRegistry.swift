import Foundation

/// One ``RateLimiter`` per provider, shared by every campaign that sends through it; rebuilt when
/// the provider's `ratePerSecond` changes. The clock and sleep are injectable for tests.
public actor RateLimiterRegistry {
    private var limiters: [String: (rate: Double, limiter: RateLimiter)] = [:]
    private let now: @Sendable () -> Double
    private let sleep: @Sendable (Double) async throws -> Void

    public init(
        now: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds,
        sleep: @escaping @Sendable (Double) async throws -> Void = RateLimiter.wait
    ) {
        self.now = now
        self.sleep = sleep
    }

    /// The limiter of `provider`, or `nil` when it has no (positive, finite) `ratePerSecond`.
    public func limiter(for provider: ProviderConfig) -> RateLimiter? {
        guard let rate = provider.ratePerSecond, rate > 0, rate.isFinite else {
            limiters[provider.id] = nil
            return nil
        }
        if let existing = limiters[provider.id], existing.rate == rate { return existing.limiter }
        let limiter = RateLimiter(messagesPerSecond: rate, now: now, sleep: sleep)
        limiters[provider.id] = (rate, limiter)
        return limiter
    }
}
