import Testing

@testable import SMSCore

@Suite("Message state (docs/DOMAIN.md §4)")
struct MessageStateTests {
    let sent = MessageState(dispatch: .sent, dispatchedAt: 1_000)

    func applying(_ facts: [MessageFact], to start: MessageState? = nil) -> MessageState {
        var s = start ?? sent
        for f in facts { s.apply(f) }
        return s
    }

    static func receipt(_ kind: CallbackEventKind, _ at: Int64, _ code: String? = nil) -> MessageFact {
        .receipt(kind: kind, at: at, code: code, description: nil)
    }

    @Test("precedence: delivered > failed > submitted > sent > dispatch error > queued")
    func precedenceLadder() {
        #expect(MessageState().outcome == .queued)
        #expect(MessageState(dispatch: .dispatchError, dispatchErrorReason: "timeout").outcome == .dispatchError)
        #expect(sent.outcome == .sent)
        #expect(applying([Self.receipt(.submitted, 1_001)]).outcome == .submitted)
        #expect(applying([Self.receipt(.submitted, 1_001), Self.receipt(.failed, 1_002, "914")]).outcome == .failed)
        #expect(applying([Self.receipt(.failed, 1_002, "914"), Self.receipt(.delivered, 1_003)]).outcome == .delivered)
        #expect(MessageOutcome.allCases.filter { $0 != .control }.map(\.rank) == [0, 1, 2, 3, 4, 5])
    }

    @Test("PITFALLS.md #3: a late submitted never regresses delivered, and the trend does not move")
    func lateSubmittedNeverRegressesDelivered() {
        let delivered = applying([Self.receipt(.delivered, 1_010)])
        let late = applying([Self.receipt(.submitted, 1_040)], to: delivered)
        #expect(late.outcome == .delivered)
        #expect(late.deliveredTime == 1_010)
        #expect(MessageContribution.delta(from: delivered, to: late, segments: 1).isEmpty)
    }

    @Test("PITFALLS.md #2: parts of one message, delivered then failed 914 → one delivered message")
    func multipartDeliveredThenFailedStaysDelivered() {
        let s = applying([Self.receipt(.delivered, 1_010), Self.receipt(.failed, 1_011, "914")])
        #expect(s.outcome == .delivered)
        let c = MessageContribution.of(s, segments: 3)
        #expect(c[RollupKey(.sent)] == 1)
        #expect(c[RollupKey(.delivered)] == 1)
        #expect(c[RollupKey(.failed)] == nil)
        #expect(c[RollupKey(.sentSegments)] == 3)
    }

    @Test("PITFALLS.md #4: failed 30003 then failed without a code → the Errors tab shows 30003 once")
    func failureWithCodeBeatsFailureWithout() {
        let a = applying([Self.receipt(.failed, 1_010, "30003"), Self.receipt(.failed, 1_020, nil)])
        let b = applying([Self.receipt(.failed, 1_020, nil), Self.receipt(.failed, 1_010, "30003")])
        #expect(a == b)
        #expect(a.failure?.code == "30003")
        #expect(MessageContribution.of(a, segments: 1)[RollupKey(.failedByCode, dim: "30003")] == 1)
        #expect(MessageContribution.of(a, segments: 1)[RollupKey(.failedByCode, dim: "")] == nil)
    }

    @Test("PITFALLS.md #5: the same delivered three times → Delivered = 1")
    func tripleDeliveredCountsOnce() {
        let once = applying([Self.receipt(.delivered, 1_010)])
        let thrice = applying([Self.receipt(.delivered, 1_010), Self.receipt(.delivered, 1_010), Self.receipt(.delivered, 1_010)])
        #expect(once == thrice)
        #expect(MessageContribution.of(thrice, segments: 1)[RollupKey(.delivered)] == 1)
    }

    @Test("PITFALLS.md #6: dispatch answered 429, later delivered → Sent and Delivered once, no dispatch error")
    func deliveredAfterDispatchErrorCountsAsSent() {
        var s = MessageState()
        s.apply(.dispatchFailed(reason: "provider HTTP error 429", at: 1_000))
        let before = MessageContribution.of(s, segments: 1)
        #expect(before[RollupKey(.dispatchErrors)] == 1)
        s.apply(Self.receipt(.delivered, 1_030))
        let after = MessageContribution.of(s, segments: 1)
        #expect(s.outcome == .delivered)
        #expect(after[RollupKey(.sent)] == 1)
        #expect(after[RollupKey(.delivered)] == 1)
        #expect(after[RollupKey(.dispatchErrors)] == nil)
        #expect(after[RollupKey(.dispatchErrorsByReason, dim: "provider HTTP error 429")] == nil)
        #expect(s.sentAt == 1_000)
    }

    @Test("PITFALLS.md #1: a receipt before the send is recorded still counts once the send is")
    func receiptBeforeDispatchRecorded() {
        var s = MessageState()
        s.apply(Self.receipt(.delivered, 1_005))
        #expect(s.outcome == .delivered)
        #expect(s.sentAt == 1_005)
        s.apply(.dispatched(at: 1_000))
        #expect(s.outcome == .delivered)
        #expect(s.sentAt == 1_000)
        #expect(MessageContribution.of(s, segments: 1)[RollupKey(.sent)] == 1)
    }

    @Test("PITFALLS.md #7: a human click with no receipt is an inferred delivery")
    func clickWithoutReceiptIsInferredDelivery() {
        let s = applying([.humanClick(at: 1_100)])
        #expect(s.outcome == .delivered)
        #expect(s.isInferredDelivered)
        let c = MessageContribution.of(s, segments: 1)
        #expect(c[RollupKey(.delivered)] == 1)
        #expect(c[RollupKey(.inferredDelivered)] == 1)
        #expect(c[RollupKey(.uniqueClicks)] == 1)
        #expect(c[RollupKey(.pending)] == nil)
        // A later real receipt replaces the inference: still delivered once, no longer inferred.
        let r = applying([Self.receipt(.delivered, 1_050)], to: s)
        #expect(MessageContribution.of(r, segments: 1)[RollupKey(.inferredDelivered)] == nil)
        #expect(r.deliveredTime == 1_050)
    }

    @Test("a control-group member never becomes sent")
    func controlStaysControl() {
        var s = MessageState(dispatch: .control, dispatchedAt: 1_000)
        s.apply(.dispatched(at: 1_001))
        s.apply(.dispatchFailed(reason: "timeout", at: 1_001))
        #expect(s.outcome == .control)
        #expect(MessageContribution.of(s, segments: 0) == [RollupKey(.messages): 1, RollupKey(.controlGroup): 1])
    }

    @Test("trend cells land in the quarter-hour buckets of sent, delivered and first click")
    func trendBuckets() {
        let s = applying([Self.receipt(.delivered, 1_700_000_950), .humanClick(at: 1_700_001_900)],
                         to: MessageState(dispatch: .sent, dispatchedAt: 1_700_000_000))
        let c = MessageContribution.of(s, segments: 1)
        #expect(c[RollupKey(.sent, bucket: 1_888_888)] == 1)  // 1_700_000_000 / 900
        #expect(c[RollupKey(.delivered, bucket: 1_888_889)] == 1)  // 1_700_000_950 / 900
        #expect(c[RollupKey(.uniqueClicks, bucket: 1_888_891)] == 1)  // 1_700_001_900 / 900 = 1_888_891.0
    }

    @Test("property: any arrival order of the same facts gives the same state, and the deltas sum to it",
          arguments: 0..<200)
    func orderIndependence(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed) &+ 1)
        var facts: [MessageFact] = []
        let n = Int.random(in: 1...9, using: &rng)
        for _ in 0..<n {
            let at = Int64.random(in: 990...1_100, using: &rng)
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: facts.append(.dispatched(at: at))
            case 1: facts.append(.dispatchFailed(reason: ["timeout", "provider HTTP error 503"].randomElement(using: &rng)!, at: at))
            case 2: facts.append(Self.receipt(.submitted, at))
            case 3: facts.append(Self.receipt(.delivered, at))
            case 4: facts.append(Self.receipt(.failed, at, [nil, "914", "30003"].randomElement(using: &rng)!))
            case 5: facts.append(.humanClick(at: at))
            case 6: facts.append(.seen(at: at))
            default: facts.append(facts.last ?? .humanClick(at: at))  // a duplicate
            }
        }
        var reference: MessageState?
        for _ in 0..<6 {
            var s = MessageState()
            var sum = RollupDelta()
            sum.add(MessageContribution.delta(from: nil, to: s, segments: 2))
            for f in facts.shuffled(using: &rng) {
                let old = s
                s.apply(f)
                sum.add(MessageContribution.delta(from: old, to: s, segments: 2))
            }
            #expect(sum == MessageContribution.of(s, segments: 2))
            if let reference { #expect(s == reference) } else { reference = s }
        }
    }
}

