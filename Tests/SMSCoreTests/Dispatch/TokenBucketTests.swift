import Foundation
import Testing

@testable import SMSCore

/// A clock that only moves when told to (or when the limiter "sleeps").
final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var t: Double
    private(set) var sleeps: [Double] = []
    init(_ start: Double = 1_000) { t = start }
    var now: Double {
        lock.lock()
        defer { lock.unlock() }
        return t
    }
    func advance(_ seconds: Double) {
        lock.lock()
        t += seconds
        lock.unlock()
    }
    func sleep(_ seconds: Double) {
        lock.lock()
        sleeps.append(seconds)
        t += seconds
        lock.unlock()
    }
}

@Suite("Token bucket and rate limiter")
struct TokenBucketTests {
    @Test("a full bucket grants its capacity at once, then one token per 1/rate seconds")
    func reservations() {
        var bucket = TokenBucket(rate: 10, now: 0)  // capacity 10
        #expect(bucket.reserve(10, now: 0) == 0)
        #expect(bucket.reserve(1, now: 0) == 0.1)  // 1 token of debt at 10/s
        #expect(bucket.reserve(1, now: 0) == 0.2)
        // 0.5 s later, 5 tokens came back: debt 2 − 5 → 3 tokens, none to wait for.
        #expect(bucket.reserve(3, now: 0.5) == 0)
        #expect(bucket.tokens == 0)
    }

    @Test("a request larger than the burst is granted and pays its debt in waiting time")
    func batchLargerThanBurst() {
        var bucket = TokenBucket(rate: 50, now: 0)  // capacity 50
        #expect(bucket.reserve(100, now: 0) == 1.0)  // 50 now, 50 more take 1 s
        #expect(bucket.reserve(100, now: 1.0) == 2.0)  // debt 0 at t=1, then 100 more → 2 s
    }

    @Test("idle time refills at most up to the capacity")
    func refillCapped() {
        var bucket = TokenBucket(rate: 5, capacity: 20, now: 0)
        _ = bucket.reserve(20, now: 0)
        #expect(bucket.reserve(0, now: 1_000) == 0)
        #expect(bucket.tokens == 20)
    }

    @Test("property: over any run, messages granted by time T never exceed capacity + rate × T")
    func neverExceedsRate() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let rate = Double(Int.random(in: 1...500, using: &rng))
            let capacity = Double(Int.random(in: 1...200, using: &rng))
            var bucket = TokenBucket(rate: rate, capacity: capacity, now: 0)
            var clock = 0.0
            var sendTimes: [(Double, Int)] = []
            for _ in 0..<100 {
                clock += Double.random(in: 0...0.05, using: &rng)
                let n = Int.random(in: 1...150, using: &rng)
                let wait = bucket.reserve(n, now: clock)
                sendTimes.append((clock + wait, n))
            }
            // Brute-force recount: for each send time T, everything sent by T fits the budget.
            for (t, _) in sendTimes {
                let sentBy = sendTimes.filter { $0.0 <= t + 1e-9 }.reduce(0) { $0 + $1.1 }
                #expect(Double(sentBy) <= capacity + rate * t + 1e-6)
            }
        }
    }

    @Test("the limiter sleeps what the bucket says, on the injected clock")
    func limiterSleeps() async throws {
        let clock = FakeClock(0)
        let limiter = RateLimiter(messagesPerSecond: 100, now: { clock.now }, sleep: { clock.sleep($0) })
        var waits: [Double] = []
        for _ in 0..<5 { waits.append(try await limiter.acquire(100)) }
        #expect(waits == [0, 1, 1, 1, 1])
        #expect(clock.now == 4)  // 500 messages at 100/s with a 100 burst: 4 s
    }

    @Test("the registry gives one limiter per provider and drops it when the rate is removed")
    func registry() async {
        let registry = RateLimiterRegistry()
        var p = ProviderConfig(id: "p", name: "P", url: "http://x", bodyTemplate: "", callbackSecret: "s", ratePerSecond: 5, createdAt: 0)
        let a = await registry.limiter(for: p)
        let b = await registry.limiter(for: p)
        #expect(a != nil && a === b)
        p.ratePerSecond = 6
        let c = await registry.limiter(for: p)
        #expect(c !== a)
        p.ratePerSecond = nil
        #expect(await registry.limiter(for: p) == nil)
    }

    /// Every rate wait is bounded before it becomes a `Duration`: a provider's rate near 0 (4.9e-324
    /// msg/s was accepted once) made `n / rate` infinite and trapped the dispatcher at each restart.
    @Test func rateWaitsAreBoundedToADay() {
        #expect(RateLimiter.boundedWait(1 / 4.9e-324) == 86_400)
        #expect(RateLimiter.boundedWait(.infinity) == 86_400)
        #expect(RateLimiter.boundedWait(.nan) == 0)
        #expect(RateLimiter.boundedWait(-3) == 0)
        #expect(RateLimiter.boundedWait(0.25) == 0.25)
        #expect(InputLimits.ratePerSecond.contains(4.9e-324) == false)
        #expect(InputLimits.ratePerSecond.contains(0.001) == true)
    }
}
