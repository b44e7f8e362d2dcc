import Testing

@testable import SMSCore

/// The frequency cap's decision (``FrequencyCap``): which of a user's other messages count in the
/// rolling window, and when one more would exceed the cap. `now` is 1,700,086,400; the 24 h window
/// starts at 1,700,000,000.
@Suite("Frequency cap")
struct FrequencyCapTests {
    static let now: Int64 = 1_700_086_400
    static let start: Int64 = 1_700_000_000
    let cap = FrequencyCap(maxMessages: 2)

    @Test func theWindowStartsWindowSecondsBeforeNow() {
        #expect(cap.windowStart(now: Self.now) == Self.start)
        #expect(FrequencyCap(maxMessages: 1, windowSeconds: 3_600).windowStart(now: Self.now) == 1_700_082_800)
    }

    @Test func aSentMessageCountsFromTheWindowStartOn() {
        #expect(cap.counts(.init(dispatch: .sent, dispatchedAt: Self.start), now: Self.now))
        #expect(!cap.counts(.init(dispatch: .sent, dispatchedAt: Self.start - 1), now: Self.now))
        #expect(!cap.counts(.init(dispatch: .sent), now: Self.now))
    }

    @Test func aClaimedMessageCountsWhateverItsTimes() {
        #expect(cap.counts(.init(dispatch: .queued, claimed: true), now: Self.now))
        #expect(!cap.counts(.init(dispatch: .queued), now: Self.now))
    }

    @Test func aQueuedMessageTheProviderReportedOnOrAnsweredCounts() {
        #expect(cap.counts(.init(dispatch: .queued, firstEventAt: Self.start + 5), now: Self.now))
        #expect(!cap.counts(.init(dispatch: .queued, firstEventAt: Self.start - 5), now: Self.now))
        #expect(cap.counts(.init(dispatch: .queued, sentAnswerAt: Self.now), now: Self.now))
        #expect(!cap.counts(.init(dispatch: .queued, sentAnswerAt: Self.start - 1), now: Self.now))
    }

    @Test func aDispatchErrorCountsOnlyWhenTheProviderReportedOnIt() {
        #expect(!cap.counts(.init(dispatch: .dispatchError, dispatchedAt: Self.now - 60), now: Self.now))
        #expect(cap.counts(.init(dispatch: .dispatchError, dispatchedAt: Self.now - 60, firstEventAt: Self.now - 30), now: Self.now))
    }

    @Test func aControlMemberNeverCounts() {
        #expect(!cap.counts(.init(dispatch: .control, claimed: true, dispatchedAt: Self.now, firstEventAt: Self.now), now: Self.now))
    }

    @Test func theCapIsExceededAtMaxMessagesCounted() {
        let one: [FrequencyCap.Prior] = [.init(dispatch: .sent, dispatchedAt: Self.now - 10), .init(dispatch: .sent, dispatchedAt: Self.start - 10)]
        #expect(!cap.isExceeded(by: one, now: Self.now))
        let two = one + [.init(dispatch: .queued, claimed: true)]
        #expect(cap.isExceeded(by: two, now: Self.now))
        #expect(!cap.isExceeded(by: [], now: Self.now))
    }

    /// For any history, exceeded ⇔ at least `maxMessages` messages count (a brute-force count).
    @Test func exceededIsTheCountedNumberAgainstTheCap() {
        var rng = SystemRandomNumberGenerator()
        func time() -> Int64? { Bool.random(using: &rng) ? nil : Self.start + Int64.random(in: -200...200, using: &rng) }
        for _ in 0..<500 {
            let cap = FrequencyCap(maxMessages: Int.random(in: 1...4, using: &rng))
            let priors = (0..<Int.random(in: 0...6, using: &rng)).map { _ in
                FrequencyCap.Prior(
                    dispatch: DispatchStatus.allCases.randomElement(using: &rng)!, claimed: Bool.random(using: &rng),
                    dispatchedAt: time(), firstEventAt: time(), sentAnswerAt: time())
            }
            let counted = priors.filter { p in
                switch p.dispatch {
                case .queued: p.claimed || (p.firstEventAt ?? .min) >= Self.start || (p.sentAnswerAt ?? .min) >= Self.start
                case .sent: (p.dispatchedAt ?? .min) >= Self.start
                case .dispatchError: p.firstEventAt != nil && (p.dispatchedAt ?? .min) >= Self.start
                case .control: false
                }
            }.count
            #expect(cap.isExceeded(by: priors, now: Self.now) == (counted >= cap.maxMessages))
        }
    }
}

/// Which pending callback items a trigger re-matches (``PendingRematch``).
@Suite("Pending callback re-match triggers")
struct PendingRematchTests {
    @Test func thePeriodicPassCoversTheLast24HoursAndCountsMisses() {
        let t = PendingRematch.periodic(now: 1_700_086_400)
        #expect(t.receivedSince == 1_700_000_000)
        #expect(t.countsMisses)
        #expect(t.limit == 5_000)
    }

    @Test func aRecordedMessageOrSendTriesAllItsItemsWithoutCountingMisses() {
        for t in [PendingRematch.metasRecorded(["m1", "m2"]), .providerIdRecorded("SM1")] {
            #expect(t.receivedSince == nil)
            #expect(!t.countsMisses)
            #expect(t.limit == nil)
        }
    }
}
