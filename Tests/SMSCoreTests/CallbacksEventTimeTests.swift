import Testing
import SMSCore

/// Event time choice (`docs/DOMAIN.md` §4 "Event time").
@Suite("Event time")
struct CallbacksEventTimeTests {
    @Test("provider ts is used inside [sent − 300 s, received + 300 s], else the received time", arguments: [
        // (providerTs, sentAt, receivedAt, expected)
        (nil, 1_000, 2_000, 2_000),
        (1_500, 1_000, 2_000, 1_500),
        (700, 1_000, 2_000, 700),  // lower bound inclusive
        (699, 1_000, 2_000, 2_000),  // one second too early
        (2_300, 1_000, 2_000, 2_300),  // upper bound inclusive
        (2_301, 1_000, 2_000, 2_000),  // one second too late
        (5, nil, 2_000, 5),  // no send time: only the upper bound applies
        (2_300, nil, 2_000, 2_300),
        (2_301, nil, 2_000, 2_000),
        (0, 1_700_000_000, 1_700_000_060, 1_700_000_060),  // zero ts is implausible
        (Int64.max, nil, Int64.max - 10, Int64.max),  // upper bound saturates
        (Int64.min, Int64.min + 10, 0, Int64.min),  // lower bound saturates
    ] as [(Int64?, Int64?, Int64, Int64)])
    func effectiveTime(providerTs: Int64?, sentAt: Int64?, receivedAt: Int64, expected: Int64) {
        #expect(EventTime.effective(providerTs: providerTs, sentAt: sentAt, receivedAt: receivedAt) == expected)
    }

    @Test("the tolerance is five minutes")
    func tolerance() {
        #expect(EventTime.toleranceSeconds == 300)
    }
}
