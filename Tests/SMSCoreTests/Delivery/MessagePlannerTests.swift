import Foundation
import SMSCore
import Testing

/// The pure per-message planner (``MessagePlanner``) and history replay (``MessageHistory``): the
/// exact rollup change, state, failure description, opt-out change, conversion refresh and replay
/// need of each kind of fact. `t` is a quarter-hour boundary (bucket 1,900,000), so `t … t + 899`
/// share one trend bucket.
@Suite("Message planner")
struct MessagePlannerTests {
    static let t: Int64 = 1_710_000_000
    static let b: Int64 = 1_900_000

    static func key(_ m: RollupMetric, dim: String = "", bucket: Int64 = RollupKey.total) -> RollupKey {
        RollupKey(m, dim: dim, bucket: bucket)
    }

    static let sent = MessageState(dispatch: .sent, dispatchedAt: t)
    static let delivered = MessageState(dispatch: .sent, dispatchedAt: t, deliveredAt: t + 30, firstEventAt: t + 30)

    @Test func aDeliveredReceiptMovesPendingToDelivered() {
        let p = MessagePlanner.plan(Self.sent, segments: 2, fact: .receipt(kind: .delivered, at: Self.t + 60, code: nil, description: nil))
        #expect(p.new.deliveredAt == Self.t + 60)
        #expect(p.delta == [
            Self.key(.pending): -1, Self.key(.delivered): 1, Self.key(.delivered, bucket: Self.b): 1,
            Self.key(.deliveryLatency, dim: "60"): 1,  // 60 s after the send: the bucket (59, 60]
        ])
        #expect(p.eventCells.isEmpty)
        #expect(!p.refreshesConversion && !p.replaysHistory && p.optOutIntent == nil && p.failureDescription == nil)
    }

    @Test func aFailedReceiptKeepsTheTrimmedDescription() {
        let p = MessagePlanner.plan(
            Self.sent, segments: 1, fact: .receipt(kind: .failed, at: Self.t + 90, code: "30003", description: " Unreachable "))
        #expect(p.delta == [
            Self.key(.pending): -1, Self.key(.failed): 1, Self.key(.failed, bucket: Self.b): 1,
            Self.key(.failedByCode, dim: "30003"): 1,
        ])
        #expect(p.failureDescription?.code == "30003")
        #expect(p.failureDescription?.description == "Unreachable")
        let noCode = MessagePlanner.plan(Self.sent, segments: 1, fact: .receipt(kind: .failed, at: Self.t, code: nil, description: "x"))
        #expect(noCode.failureDescription == nil)
        #expect(noCode.delta[Self.key(.failedByCode, dim: "")] == 1)
    }

    @Test func aDuplicateReceiptChangesNothing() {
        let p = MessagePlanner.plan(Self.delivered, segments: 1, fact: .receipt(kind: .delivered, at: Self.t + 30, code: nil, description: nil))
        #expect(!p.changesState)
        #expect(p.delta.isEmpty)
    }

    @Test func theFirstHumanClickOnALinkCountsUniqueAndRefreshesTheConversion() {
        let p = MessagePlanner.plan(Self.delivered, segments: 1, fact: .humanClick(linkIndex: 1, at: Self.t + 120, firstOnLink: true))
        #expect(p.delta == [
            Self.key(.clicks): 1, Self.key(.clicks, bucket: Self.b): 1, Self.key(.linkClicks, dim: "1"): 1,
            Self.key(.linkUniqueClicks, dim: "1"): 1, Self.key(.uniqueClicks): 1, Self.key(.uniqueClicks, bucket: Self.b): 1,
            Self.key(.firstClickLatency, dim: "120"): 1,  // first click 120 s after the send
        ])
        #expect(p.new.firstHumanClickAt == Self.t + 120)
        #expect(p.refreshesConversion)
        // A later click on the same link: total and per link only, no state change.
        let again = MessagePlanner.plan(p.new, segments: 1, fact: .humanClick(linkIndex: 1, at: Self.t + 500, firstOnLink: false))
        #expect(again.delta == [Self.key(.clicks): 1, Self.key(.clicks, bucket: Self.b): 1, Self.key(.linkClicks, dim: "1"): 1])
        #expect(!again.changesState && !again.refreshesConversion)
    }

    @Test func aHumanClickWithoutAReceiptIsInferredDelivery() {
        let p = MessagePlanner.plan(Self.sent, segments: 3, fact: .humanClick(linkIndex: 0, at: Self.t + 10, firstOnLink: true))
        #expect(p.delta == [
            Self.key(.clicks): 1, Self.key(.clicks, bucket: Self.b): 1, Self.key(.linkClicks, dim: "0"): 1,
            Self.key(.linkUniqueClicks, dim: "0"): 1, Self.key(.pending): -1, Self.key(.delivered): 1,
            Self.key(.delivered, bucket: Self.b): 1, Self.key(.inferredDelivered): 1, Self.key(.uniqueClicks): 1,
            Self.key(.uniqueClicks, bucket: Self.b): 1,
            // No delivery latency (no receipt), the first click 10 s after the send.
            Self.key(.firstClickLatency, dim: "10"): 1,
        ])
    }

    @Test func aBotHitIsCountedApartAndChangesNoState() {
        let p = MessagePlanner.plan(Self.sent, segments: 1, fact: .botHit(linkIndex: 0))
        #expect(p.delta == [Self.key(.botHits): 1, Self.key(.linkBotHits, dim: "0"): 1])
        #expect(!p.changesState)
    }

    @Test func anOptOutCountsOncePerMessageAndAsksForTheFlag() {
        let first = MessagePlanner.plan(Self.sent, segments: 1, fact: .reply(at: Self.t + 300, intent: .optOut, firstOptOut: true))
        #expect(first.delta == [Self.key(.replies): 1, Self.key(.replies, bucket: Self.b): 1, Self.key(.optOuts): 1])
        #expect(first.optOutIntent == .optOut)
        #expect(first.new.firstEventAt == Self.t + 300)  // seen, still pending
        let repeated = MessagePlanner.plan(first.new, segments: 1, fact: .reply(at: Self.t + 400, intent: .optOut, firstOptOut: false))
        #expect(repeated.delta == [Self.key(.replies): 1, Self.key(.replies, bucket: Self.b): 1])
        let plain = MessagePlanner.plan(Self.sent, segments: 1, fact: .reply(at: Self.t + 400, intent: nil, firstOptOut: true))
        #expect(plain.optOutIntent == nil)
        #expect(plain.delta == [Self.key(.replies): 1, Self.key(.replies, bucket: Self.b): 1])
    }

    @Test func theLatestKeywordWinsAndATieGoesToTheOptOut() {
        #expect(OptOutKeywords.latest([]) == nil)
        #expect(OptOutKeywords.latest([(10, .optOut), (20, .optIn)]) == .optIn)
        #expect(OptOutKeywords.latest([(20, .optIn), (10, .optOut)]) == .optIn)
        #expect(OptOutKeywords.latest([(20, .optIn), (20, .optOut)]) == .optOut)
        #expect(OptOutKeywords.latest([(20, .optOut), (20, .optIn)]) == .optOut)
    }

    @Test func aDispatchResultCountsTheSendAndStartsTheConversionWindow() {
        let queued = MessageState()
        let p = MessagePlanner.plan(queued, segments: 2, fact: .dispatched(at: Self.t))
        #expect(p.delta == [
            Self.key(.queued): -1, Self.key(.sent): 1, Self.key(.sent, bucket: Self.b): 1, Self.key(.sentSegments): 2,
            Self.key(.pending): 1,
        ])
        #expect(p.refreshesConversion && p.conversionWindowStart == Self.t)
        #expect(!p.replaysHistory)
        let failed = MessagePlanner.plan(queued, segments: 2, fact: .dispatchFailed(reason: "opted_out", at: Self.t))
        #expect(failed.delta == [
            Self.key(.queued): -1, Self.key(.dispatchErrors): 1, Self.key(.dispatchErrorsByReason, dim: "opted_out"): 1,
        ])
        #expect(!failed.refreshesConversion)
    }

    @Test func theConversionWindowStartsAtTheSendOrForControlAtPublish() {
        #expect(MessageState(dispatch: .control, dispatchedAt: Self.t).conversionWindowStart == Self.t)
        #expect(Self.sent.conversionWindowStart == Self.t)
        #expect(MessageState(firstEventAt: Self.t + 5).conversionWindowStart == Self.t + 5)  // a receipt says it was sent
        #expect(MessageState().conversionWindowStart == nil)
    }

    /// A receipt and a reply logged before the dispatcher recorded the send were timed against the
    /// upper bound only (their `ts` long before the send was accepted); once the send time is known,
    /// the plan asks for a replay, which re-times both to their receive times and moves the reply's
    /// trend cell.
    @Test func aSendTimeUnderEarlierEventsReplaysTheHistory() {
        let early = Self.t - 9_000  // bucket 1_899_990
        var logged = MessageState()
        logged.apply(.receipt(kind: .delivered, at: early, code: nil, description: nil))
        logged.apply(.seen(at: early))
        let plan = MessagePlanner.plan(logged, segments: 1, fact: .dispatched(at: Self.t))
        #expect(plan.replaysHistory)
        let input = RecountInput(
            segments: 1, dispatch: plan.new.dispatch, dispatchedAt: plan.new.dispatchedAt,
            dispatchErrorReason: plan.new.dispatchErrorReason,
            events: [
                LoggedEvent(kind: .delivered, at: early, ts: early, receivedAt: Self.t + 100),
                LoggedEvent(kind: .replied, at: early, code: "optOut", ts: early, receivedAt: Self.t + 200),
            ])
        let replay = MessageHistory.replay(input, retime: true)
        #expect(replay.retimed.map(\.index) == [0, 1])
        #expect(replay.retimed.map(\.at) == [Self.t + 100, Self.t + 200])
        #expect(replay.movedCells == [Self.key(.replies, bucket: 1_899_990): -1, Self.key(.replies, bucket: Self.b): 1])
        #expect(replay.state == MessageState(dispatch: .sent, dispatchedAt: Self.t, deliveredAt: Self.t + 100, firstEventAt: Self.t + 100))
        let done = plan.replayed(replay)
        #expect(!done.replaysHistory)
        #expect(done.new == replay.state)
        // The delivered cell moves from the early bucket to the send's; the message is now sent.
        #expect(done.delta == [
            Self.key(.replies, bucket: 1_899_990): -1, Self.key(.replies, bucket: Self.b): 1,
            Self.key(.sent, bucket: 1_899_990): -1, Self.key(.sent, bucket: Self.b): 1,
            Self.key(.delivered, bucket: 1_899_990): -1, Self.key(.delivered, bucket: Self.b): 1,
            // Delivered before the send (latency < 0: bucket 0) becomes 100 s after it: the bucket (90, 105].
            Self.key(.deliveryLatency, dim: "0"): -1, Self.key(.deliveryLatency, dim: "105"): 1,
        ])
        // Without re-timing, the logged times stand and nothing moves.
        let kept = MessageHistory.replay(input)
        #expect(kept.retimed.isEmpty && kept.movedCells.isEmpty)
        #expect(kept.cells == [Self.key(.replies): 1, Self.key(.replies, bucket: 1_899_990): 1, Self.key(.optOuts): 1])
    }

    /// The recount is the planner folded over the history: the sum of the plans' deltas of facts
    /// applied one by one, plus the first state's contribution, equals ``RollupRecount``'s delta.
    @Test func theRecountIsThePlansSummed() {
        var rng = SplitMix64(seed: 0x91A2)
        for _ in 0..<200 {
            var events: [LoggedEvent] = []
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                let at = Self.t + Int64.random(in: 0...3_000, using: &rng)
                switch Int.random(in: 0..<5, using: &rng) {
                case 0: events.append(LoggedEvent(kind: .submitted, at: at))
                case 1: events.append(LoggedEvent(kind: .delivered, at: at))
                case 2: events.append(LoggedEvent(kind: .failed, at: at, code: ["1", "2", nil][Int.random(in: 0..<3, using: &rng)], description: "d"))
                case 3: events.append(LoggedEvent(kind: .replied, at: at, code: Bool.random(using: &rng) ? "optOut" : nil))
                default: events.append(LoggedEvent(kind: .clicked, at: at, url: "https://a.example/1"))
                }
            }
            let clicks = (0..<Int.random(in: 0...3, using: &rng)).map { _ in
                LoggedClick(linkIndex: Int.random(in: 0...1, using: &rng), at: Self.t + Int64.random(in: 0...3_000, using: &rng),
                            isBot: Int.random(in: 0..<3, using: &rng) == 0)
            }
            let base = MessageState(dispatch: .sent, dispatchedAt: Self.t)
            let input = RecountInput(
                segments: 2, dispatch: base.dispatch, dispatchedAt: base.dispatchedAt, dispatchErrorReason: nil,
                events: events, clicks: clicks, shortLinkIndices: [0, 1])
            let recount = RollupRecount.recount(input, links: ["https://a.example/1"], goal: nil)
            var state = base
            var sum = MessageContribution.of(base, segments: 2)
            var optedOut = false
            var linkClicks: [Int: Int] = [:]
            for e in events {
                let fact: MessagePlanner.Fact
                switch e.kind {
                case .replied:
                    fact = .reply(at: e.at, intent: e.code == "optOut" ? .optOut : nil, firstOptOut: !optedOut)
                    if e.code == "optOut" { optedOut = true }
                case .clicked:
                    fact = .humanClick(linkIndex: 0, at: e.at, firstOnLink: linkClicks[0, default: 0] == 0)
                    linkClicks[0, default: 0] += 1
                default: fact = .receipt(kind: e.kind, at: e.at, code: e.code, description: e.description)
                }
                let p = MessagePlanner.plan(state, segments: 2, fact: fact)
                sum.add(p.delta)
                state = p.new
            }
            for c in clicks {
                let p: MessagePlan
                if c.isBot {
                    p = MessagePlanner.plan(state, segments: 2, fact: .botHit(linkIndex: c.linkIndex))
                } else {
                    p = MessagePlanner.plan(
                        state, segments: 2, fact: .humanClick(linkIndex: c.linkIndex, at: c.at, firstOnLink: linkClicks[c.linkIndex, default: 0] == 0))
                    linkClicks[c.linkIndex, default: 0] += 1
                }
                sum.add(p.delta)
                state = p.new
            }
            #expect(state == recount.state)
            #expect(sum == recount.delta)
        }
    }
}
