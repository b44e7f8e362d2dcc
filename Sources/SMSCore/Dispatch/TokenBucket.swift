import Foundation

/// A token bucket that hands out *reservations*: a caller asks for `n` tokens at time `now` and is
/// told how long to wait before using them. Pure value type; time is passed in (seconds, any
/// monotonic origin), so tests drive it with a fake clock.
///
/// Rule (the reservation form of the classic token bucket, as in Guava's `RateLimiter`):
/// - tokens refill at `rate` per second up to `capacity` (the burst);
/// - `reserve(n, now)` first refills (`tokens = min(capacity, tokens + (now − last) × rate)`), then
///   takes `n` tokens, possibly going below zero; the wait is `max(0, −tokens) / rate` seconds.
///
/// So a request for more than the burst (a batch of 100 at 50 msg/s) is allowed and simply pays
/// the debt in waiting time; over any interval of length `T` at most `capacity + rate × T`
/// tokens are granted (the rate limit holds on average, with at most `capacity` of burst).
public struct TokenBucket: Sendable, Equatable {
    /// Tokens per second (> 0).
    public let rate: Double
    /// Largest number of tokens saved up (the burst), ≥ 1.
    public let capacity: Double
    /// Current tokens; negative while reservations are waiting.
    public private(set) var tokens: Double
    /// Time of the last refill, seconds.
    public private(set) var last: Double

    /// - Parameters:
    ///   - rate: tokens per second, > 0.
    ///   - capacity: burst size; defaults to `max(1, rate)` (one second's worth).
    ///   - now: the start time, seconds; the bucket starts full.
    public init(rate: Double, capacity: Double? = nil, now: Double) {
        precondition(rate > 0 && rate.isFinite, "rate must be a positive number")
        self.rate = rate
        self.capacity = max(1, capacity ?? rate)
        self.tokens = self.capacity
        self.last = now
    }

    /// A bucket in a saved state (a bucket shared by several nodes, read from the database).
    /// - Parameters:
    ///   - tokens: the saved tokens (negative while reservations wait); `last`: its refill time, seconds.
    public init(rate: Double, capacity: Double? = nil, tokens: Double, last: Double) {
        precondition(rate > 0 && rate.isFinite, "rate must be a positive number")
        self.rate = rate
        self.capacity = max(1, capacity ?? rate)
        self.tokens = min(self.capacity, tokens)
        self.last = last
    }

    /// Reserves `n` tokens at `now`.
    /// - Returns: seconds to wait before sending (0 when tokens were available).
    public mutating func reserve(_ n: Int, now: Double) -> Double {
        if now > last {
            tokens = min(capacity, tokens + (now - last) * rate)
            last = now
        }
        tokens -= Double(max(0, n))
        return tokens >= 0 ? 0 : -tokens / rate
    }
}

/// Throttles sends to one provider: `acquire(n)` returns once `n` messages may go out under the
/// provider's messages-per-second limit. The clock and the sleep are injectable (tests use a fake
/// clock that advances when "sleeping").
public actor RateLimiter {
    private var bucket: TokenBucket
    private let now: @Sendable () -> Double
    private let sleep: @Sendable (Double) async throws -> Void

    /// - Parameters:
    ///   - messagesPerSecond: the limit (> 0).
    ///   - burst: tokens saved up; default one second's worth.
    ///   - now: a monotonic clock in seconds.
    ///   - sleep: waits the given seconds.
    public init(
        messagesPerSecond: Double, burst: Double? = nil,
        now: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds,
        sleep: @escaping @Sendable (Double) async throws -> Void = RateLimiter.wait
    ) {
        self.now = now
        self.sleep = sleep
        self.bucket = TokenBucket(rate: messagesPerSecond, capacity: burst, now: now())
    }

    /// Waits until `n` messages may be sent. The reservation is made at once (callers are served in
    /// the order they call), then the wait happens outside the actor's critical section.
    /// - Returns: the seconds waited.
    /// - Throws: `CancellationError` when the task is cancelled while waiting.
    @discardableResult
    public func acquire(_ n: Int) async throws -> Double {
        let wait = bucket.reserve(n, now: now())
        if wait > 0 { try await sleep(wait) }
        return wait
    }

    /// The longest single wait, seconds (one day): a token bucket's wait comes from stored values
    /// (`n / rate`), and a wait too large for a `Duration` traps.
    public static let longestWaitSeconds: Double = 86_400

    /// `seconds` bounded to 0 ... ``longestWaitSeconds`` (NaN: 0).
    public static func boundedWait(_ seconds: Double) -> Double {
        seconds.isNaN ? 0 : min(max(seconds, 0), longestWaitSeconds)
    }

    /// Sleeps ``boundedWait(_:)`` of `seconds`: the one sleep of every rate wait.
    /// - Throws: `CancellationError` when the task is cancelled while waiting.
    @Sendable public static func wait(_ seconds: Double) async throws {
        let bounded = boundedWait(seconds)
        if bounded > 0 { try await Task.sleep(for: .seconds(bounded)) }
    }

    /// A monotonic clock in seconds (`DispatchTime` uptime).
    public static let monotonicSeconds: @Sendable () -> Double = {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}
