import Foundation

/// How ``HTTPProviderGateway`` retries a provider request (`docs/DOMAIN.md` §2: "5xx, 429, timeout:
/// exponential backoff, bounded").
///
/// Retried: 5xx, 429, timeouts and connection errors. Not retried: 2xx (done), 401/403 (auth),
/// other 4xx. After `maxAttempts` attempts in total the last failure becomes the dispatch error.
///
/// Delay after failed attempt `n` (1-based), with `random` in [0, 1):
/// - with a `Retry-After` (429/503 answer, seconds): `min(retryAfter, retryAfterCap)`, no jitter
///   (the provider said when);
/// - else "full jitter": `random × min(maxDelay, baseDelay × 2^(n−1))`, truncated to whole
///   nanoseconds. Defaults: base 0.2 s, cap 5 s → ceilings 0.2, 0.4, 0.8, 1.6, 3.2, 5, 5, … s.
public struct RetryPolicy: Sendable {
    /// Attempts in total, the first one included (at least 1).
    public var maxAttempts: Int
    /// Ceiling of the first retry's delay.
    public var baseDelay: Duration
    /// Largest ceiling of a backoff delay.
    public var maxDelay: Duration
    /// Largest wait a provider's `Retry-After` can impose.
    public var retryAfterCap: Duration
    /// Sleeps between attempts; tests inject a recorder that returns at once.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// Source of jitter in [0, 1).
    public var random: @Sendable () -> Double

    /// - Parameters:
    ///   - maxAttempts: attempts in total (values below 1 count as 1).
    ///   - baseDelay: ceiling of the first backoff delay.
    ///   - maxDelay: largest backoff ceiling.
    ///   - retryAfterCap: largest honoured `Retry-After`.
    ///   - sleep: how to wait; defaults to `Task.sleep(for:)`.
    ///   - random: jitter source in [0, 1); defaults to the system generator.
    public init(
        maxAttempts: Int = 4,
        baseDelay: Duration = .milliseconds(200),
        maxDelay: Duration = .seconds(5),
        retryAfterCap: Duration = .seconds(30),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.retryAfterCap = retryAfterCap
        self.sleep = sleep
        self.random = random
    }

    /// 4 attempts, base 0.2 s, cap 5 s, `Retry-After` capped at 30 s.
    public static var `default`: RetryPolicy { RetryPolicy() }

    /// The wait before the next attempt, after attempt `n` failed.
    ///
    /// - Parameters:
    ///   - n: the 1-based number of the attempt that just failed.
    ///   - retryAfter: the provider's `Retry-After`, if it sent one.
    ///   - random: jitter in [0, 1) (clamped).
    /// - Returns: `min(retryAfter, retryAfterCap)` when `retryAfter` is given, else
    ///   `random × min(maxDelay, baseDelay × 2^(n−1))`.
    public func delay(afterAttempt n: Int, retryAfter: Duration?, random: Double) -> Duration {
        if let retryAfter {
            return max(.zero, min(retryAfter, retryAfterCap))
        }
        let base = Self.nanoseconds(baseDelay)
        let cap = Self.nanoseconds(maxDelay)
        let exponent = max(0, n - 1)
        // base × 2^exponent, saturating at the cap (no overflow for large n).
        var ceiling = base
        for _ in 0..<min(exponent, 62) where ceiling < cap {
            ceiling = ceiling > cap / 2 ? cap : ceiling * 2
        }
        ceiling = min(ceiling, cap)
        let r = Swift.min(Swift.max(random, 0), 1)
        return .nanoseconds(Int64((Double(ceiling) * r).rounded(.down)))
    }

    static func nanoseconds(_ d: Duration) -> Int64 {
        let c = d.components
        return c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000
    }
}
