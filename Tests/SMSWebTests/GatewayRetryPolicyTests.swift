import SMSGatewayHTTP
import Testing

@Suite("Retry policy delays")
struct GatewayRetryPolicyTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var attempt: Int
        var retryAfter: Duration?
        var random: Double
        var expected: Duration
        var testDescription: String { "after \(attempt), retryAfter \(String(describing: retryAfter)), r \(random)" }
    }

    @Test(arguments: [
        // Full jitter: random × min(5 s, 0.2 s × 2^(n−1)).
        Case(attempt: 1, retryAfter: nil, random: 0.5, expected: .milliseconds(100)),
        Case(attempt: 1, retryAfter: nil, random: 0, expected: .zero),
        Case(attempt: 2, retryAfter: nil, random: 0.5, expected: .milliseconds(200)),
        Case(attempt: 3, retryAfter: nil, random: 0.25, expected: .milliseconds(200)),
        Case(attempt: 4, retryAfter: nil, random: 0.5, expected: .milliseconds(800)),
        Case(attempt: 5, retryAfter: nil, random: 0.5, expected: .milliseconds(1600)),
        Case(attempt: 6, retryAfter: nil, random: 0.5, expected: .milliseconds(2500)),
        Case(attempt: 100, retryAfter: nil, random: 0.5, expected: .milliseconds(2500)),
        Case(attempt: 2, retryAfter: nil, random: 0.75, expected: .milliseconds(300)),
        // Retry-After wins, without jitter, capped at 30 s.
        Case(attempt: 1, retryAfter: .seconds(3), random: 0.5, expected: .seconds(3)),
        Case(attempt: 1, retryAfter: .seconds(120), random: 0.5, expected: .seconds(30)),
        Case(attempt: 3, retryAfter: .zero, random: 0.9, expected: .zero),
    ])
    func defaultPolicyDelays(_ c: Case) {
        #expect(RetryPolicy.default.delay(afterAttempt: c.attempt, retryAfter: c.retryAfter, random: c.random) == c.expected)
    }

    @Test func defaultsAreFourAttemptsBase200msCap5s() {
        let policy = RetryPolicy.default
        #expect(policy.maxAttempts == 4)
        #expect(policy.baseDelay == .milliseconds(200))
        #expect(policy.maxDelay == .seconds(5))
        #expect(policy.retryAfterCap == .seconds(30))
    }

    @Test func customPolicyUsesItsOwnBaseAndCap() {
        let policy = RetryPolicy(maxAttempts: 0, baseDelay: .seconds(1), maxDelay: .seconds(3), retryAfterCap: .seconds(2))
        #expect(policy.maxAttempts == 1)
        #expect(policy.delay(afterAttempt: 2, retryAfter: nil, random: 0.5) == .seconds(1))
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, random: 0.5) == .milliseconds(1500))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(10), random: 0.5) == .seconds(2))
    }
}
