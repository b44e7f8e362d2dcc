import Foundation
import SMSCore
import Testing

/// The pure recount behind `smsstats reconcile`, and the drift comparison.
@Suite("Rollup recount and drift")
struct RollupRecountTests {
    static let t: Int64 = 1_710_000_000
    static let links = ["https://a.example/1", "https://b.example/2"]

    static func cell(_ d: RollupDelta, _ m: RollupMetric, dim: String = "", at: Int64? = nil) -> Int64 {
        d[RollupKey(m, dim: dim, bucket: at.map(RollupKey.bucket(of:)) ?? RollupKey.total)] ?? 0
    }

    @Test func recountsEveryCellOfAMessage() {
        let input = RecountInput(
            variant: 1, segments: 2, dispatch: .sent, dispatchedAt: Self.t, dispatchErrorReason: nil,
            events: [
                LoggedEvent(kind: .failed, at: Self.t + 20, code: "914", description: "  retries exhausted "),
                LoggedEvent(kind: .delivered, at: Self.t + 30),
                LoggedEvent(kind: .clicked, at: Self.t + 50, url: "https://b.example/2"),
                LoggedEvent(kind: .clicked, at: Self.t + 55, url: "https://elsewhere.example/"),
                LoggedEvent(kind: .replied, at: Self.t + 900, code: "optOut"),
                LoggedEvent(kind: .replied, at: Self.t + 950, code: "optOut"),
            ],
            clicks: [
                LoggedClick(linkIndex: 0, at: Self.t + 40, isBot: false),
                LoggedClick(linkIndex: 0, at: Self.t + 45, isBot: false),
                LoggedClick(linkIndex: 0, at: Self.t + 2, isBot: true),
            ],
            shortLinkIndices: [0, 1])
        let r = RollupRecount.recount(input, links: Self.links, goal: nil)
        let d = r.delta
        #expect(r.state.outcome == .delivered)
        #expect(r.state.failure?.code == "914")  // history kept, not an error
        #expect(Self.cell(d, .sent) == 1)
        #expect(Self.cell(d, .sent, at: Self.t) == 1)
        #expect(Self.cell(d, .sentSegments) == 2)
        #expect(Self.cell(d, .delivered) == 1)
        #expect(Self.cell(d, .delivered, at: Self.t + 30) == 1)
        #expect(Self.cell(d, .inferredDelivered) == 0)
        #expect(Self.cell(d, .failed) == 0)
        #expect(Self.cell(d, .failedByCode, dim: "914") == 0)
        #expect(Self.cell(d, .clicks) == 4)
        #expect(Self.cell(d, .uniqueClicks) == 1)
        #expect(Self.cell(d, .uniqueClicks, at: Self.t + 40) == 1)
        #expect(Self.cell(d, .linkClicks, dim: "0") == 2)
        #expect(Self.cell(d, .linkClicks, dim: "1") == 1)
        #expect(Self.cell(d, .linkClicks, dim: "-1") == 1)
        #expect(Self.cell(d, .linkUniqueClicks, dim: "0") == 1)
        #expect(Self.cell(d, .linkUniqueClicks, dim: "1") == 1)
        #expect(Self.cell(d, .linkUniqueClicks, dim: "-1") == 0)
        #expect(Self.cell(d, .botHits) == 1)
        #expect(Self.cell(d, .linkBotHits, dim: "0") == 1)
        #expect(Self.cell(d, .replies) == 2)
        #expect(Self.cell(d, .optOuts) == 1)
        #expect(r.humanClicksByLink == [0: 2, 1: 1])
        #expect(r.failureDescriptions == ["914": "retries exhausted"])
    }

    @Test func recountAttributesConversionsLikeTheIncrementalPath() {
        let goal = ConversionGoal(event: "purchase", windowMinutes: 60, revenueProperty: "amount")
        let events = [
            ConversionEventFact(eventId: "a", ts: Self.t + 100, properties: ["amount": .number(12.5)]),
            ConversionEventFact(eventId: "b", ts: Self.t + 4_000, properties: ["amount": .number(99)]),  // after the window
        ]
        let clicked = RecountInput(
            segments: 1, dispatch: .sent, dispatchedAt: Self.t, dispatchErrorReason: nil,
            clicks: [LoggedClick(linkIndex: 0, at: Self.t + 50, isBot: false)], shortLinkIndices: [0], conversionEvents: events)
        let r = RollupRecount.recount(clicked, links: Self.links, goal: goal)
        #expect(r.conversion == UserConversion(converted: true, clickThrough: true, revenueCents: 1_250))
        #expect(Self.cell(r.delta, .convertedUsers) == 1)
        #expect(Self.cell(r.delta, .clickThroughUsers) == 1)
        #expect(Self.cell(r.delta, .revenueCents) == 1_250)
        let control = RecountInput(
            segments: 0, dispatch: .control, dispatchedAt: Self.t, dispatchErrorReason: nil, conversionEvents: events)
        let c = RollupRecount.recount(control, links: Self.links, goal: goal)
        #expect(Self.cell(c.delta, .controlConvertedUsers) == 1)
        #expect(Self.cell(c.delta, .controlRevenueCents) == 1_250)
        #expect(Self.cell(c.delta, .convertedUsers) == 0)
        #expect(Self.cell(c.delta, .controlGroup) == 1)
    }

    @Test func recountEqualsTheIncrementalStateMachineForEveryOrder() {
        // The same facts in every order give the same state; the recount agrees with it.
        let events = [
            LoggedEvent(kind: .submitted, at: Self.t + 3),
            LoggedEvent(kind: .failed, at: Self.t + 9, code: nil),
            LoggedEvent(kind: .failed, at: Self.t + 8, code: "30003"),
        ]
        var expected: MessageState?
        for order in [[0, 1, 2], [2, 1, 0], [1, 0, 2], [1, 2, 0]] {
            let input = RecountInput(
                segments: 1, dispatch: .sent, dispatchedAt: Self.t, dispatchErrorReason: nil, events: order.map { events[$0] })
            let r = RollupRecount.recount(input, links: [], goal: nil)
            #expect(r.state.failure?.code == "30003")  // PITFALLS.md #4
            #expect(Self.cell(r.delta, .failedByCode, dim: "30003") == 1)
            #expect(Self.cell(r.delta, .failed, at: Self.t + 8) == 1)
            if let expected { #expect(r.state == expected) }
            expected = r.state
        }
    }

    @Test func describedFailureNeedsACodeAndADescriptionAndKeepsTheSmallest() {
        #expect(RollupRecount.describedFailure(code: nil, description: "x") == nil)
        #expect(RollupRecount.describedFailure(code: " ", description: "x") == nil)
        #expect(RollupRecount.describedFailure(code: "777", description: "   ") == nil)
        #expect(RollupRecount.describedFailure(code: "777", description: " Busy\n")! == ("777", "Busy"))
        #expect(RollupRecount.smaller("b", "a") == "a")
        #expect(RollupRecount.smaller(nil, "b") == "b")
        // UTF-8 byte order, like SQLite's MIN: "Z" (0x5A) < "a" (0x61) < "é" (0xC3 0xA9).
        #expect(RollupRecount.smaller("é", "a") == "a")
        #expect(RollupRecount.smaller("a", "Z") == "Z")
    }

    @Test func driftListsDifferingCellsAndSumsThemPerMetric() {
        let stored: [Int: RollupDelta] = [
            0: [RollupKey(.sent): 10, RollupKey(.sent, bucket: 5): 10, RollupKey(.failedByCode, dim: "914"): 2],
            1: [RollupKey(.sent): 4],
        ]
        let expected: [Int: RollupDelta] = [
            0: [RollupKey(.sent): 12, RollupKey(.sent, bucket: 5): 12, RollupKey(.failedByCode, dim: "914"): 2],
            1: [RollupKey(.sent): 4, RollupKey(.delivered): 1],
        ]
        let drifts = RollupComparison.drifts(stored: stored, expected: expected)
        #expect(
            drifts == [
                RollupCellDrift(variant: 0, metric: .sent, dim: "", bucket: -1, stored: 10, expected: 12),
                RollupCellDrift(variant: 0, metric: .sent, dim: "", bucket: 5, stored: 10, expected: 12),
                RollupCellDrift(variant: 1, metric: .delivered, dim: "", bucket: -1, stored: 0, expected: 1),
            ])
        #expect(
            RollupComparison.byMetric(drifts, stored: stored, expected: expected) == [
                MetricDrift(metric: .sent, stored: 14, expected: 16, cells: 2),
                MetricDrift(metric: .delivered, stored: 0, expected: 1, cells: 1),
            ])
        #expect(RollupComparison.drifts(stored: expected, expected: expected).isEmpty)
    }
}
