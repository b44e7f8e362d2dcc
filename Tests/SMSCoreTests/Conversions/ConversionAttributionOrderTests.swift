import Foundation
import Testing

@testable import SMSCore

@Suite("Conversion attribution: window, click-through, order (docs/DOMAIN.md §5)")
struct ConversionAttributionOrderTests {
    static let sent: Int64 = 1_700_000_000
    static let goal = ConversionGoal(event: "purchase", windowMinutes: 60, revenueProperty: "value")

    static func event(_ id: String, _ ts: Int64, value: Double = 10) -> ConversionEventFact {
        ConversionEventFact(eventId: id, ts: ts, properties: ["value": .number(value)])
    }

    @Test(arguments: [
        (Int64(0), false),  // same second as the send: the window is (sent, sent + window]
        (1, true),
        (3_600, true),  // the window's last second
        (3_601, false),
        (-30, false),
    ])
    func windowBounds(offset: Int64, converted: Bool) {
        let r = ConversionAttribution.evaluate(
            goal: Self.goal, sentAt: Self.sent, humanClicks: [], events: [Self.event("e", Self.sent + offset)])
        #expect(r.converted == converted)
        #expect(r.revenueCents == (converted ? 1_000 : 0))
        #expect(r.clickThrough == false)
    }

    @Test func clickInTheSameSecondAsTheEventIsClickThrough() {
        let r = ConversionAttribution.evaluate(
            goal: Self.goal, sentAt: Self.sent, humanClicks: [Self.sent + 3], events: [Self.event("e", Self.sent + 3)])
        #expect(r == UserConversion(converted: true, clickThrough: true, revenueCents: 1_000))
    }

    @Test func clickAfterTheEventIsInfluencedOnly() {
        let r = ConversionAttribution.evaluate(
            goal: Self.goal, sentAt: Self.sent, humanClicks: [Self.sent + 100], events: [Self.event("e", Self.sent + 99)])
        #expect(r == UserConversion(converted: true, clickThrough: false, revenueCents: 1_000))
    }

    @Test func revenueSumsDistinctQualifyingEventsOnly() {
        let goal = ConversionGoal(
            event: "purchase", windowMinutes: 60, revenueProperty: "value",
            filters: [PropertyFilter(property: "value", op: .greaterThan, value: .number(5))])
        let events = [
            Self.event("a", Self.sent + 10, value: 19.99),
            Self.event("a", Self.sent + 10, value: 19.99),  // same id twice: once
            Self.event("b", Self.sent + 20, value: 5.01),
            Self.event("c", Self.sent + 30, value: 4.99),  // filtered out
            Self.event("d", Self.sent + 4_000, value: 100),  // outside the window
        ]
        let r = ConversionAttribution.evaluate(goal: goal, sentAt: Self.sent, humanClicks: [], events: events)
        #expect(r == UserConversion(converted: true, clickThrough: false, revenueCents: 2_500))
    }

    @Test func notSentMeansNotConverted() {
        let r = ConversionAttribution.evaluate(
            goal: Self.goal, sentAt: nil, humanClicks: [Self.sent], events: [Self.event("e", Self.sent + 5)])
        #expect(r == UserConversion())
    }

    @Test func resultIgnoresTheOrderOfEventsAndClicks() {
        let events = [Self.event("a", Self.sent + 50, value: 1), Self.event("b", Self.sent + 10, value: 2), Self.event("c", Self.sent + 70, value: 4)]
        let clicks: [Int64] = [Self.sent + 60, Self.sent + 5_000]
        let expected = ConversionAttribution.evaluate(goal: Self.goal, sentAt: Self.sent, humanClicks: clicks, events: events)
        #expect(expected == UserConversion(converted: true, clickThrough: true, revenueCents: 700))
        for perm in [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
            let r = ConversionAttribution.evaluate(
                goal: Self.goal, sentAt: Self.sent, humanClicks: clicks.reversed(), events: perm.map { events[$0] })
            #expect(r == expected)
        }
    }

    @Test func contributionSplitsTargetAndControl() {
        let c = UserConversion(converted: true, clickThrough: true, revenueCents: 1_250)
        #expect(c.contribution(control: false) == [
            RollupKey(.convertedUsers): 1, RollupKey(.clickThroughUsers): 1, RollupKey(.revenueCents): 1_250,
        ])
        #expect(c.contribution(control: true) == [RollupKey(.controlConvertedUsers): 1, RollupKey(.controlRevenueCents): 1_250])
        #expect(UserConversion(converted: false, clickThrough: false, revenueCents: 0).contribution(control: false) == [:])
    }

    /// PITFALLS.md #16 in the state machine: click 10:00:03, delivered stamped 10:00:05, in either order
    /// → delivered (by receipt, not inferred) and clicked.
    @Test func pitfall16ClickBeforeDeliveredStampIsDeliveredAndClicked() {
        let t0: Int64 = 1_710_064_800  // 2024-03-10T10:00:00Z
        let facts: [MessageFact] = [
            .dispatched(at: t0), .humanClick(at: t0 + 3),
            .receipt(kind: .delivered, at: t0 + 5, code: nil, description: nil),
        ]
        for order in [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
            var s = MessageState()
            for i in order { s.apply(facts[i]) }
            #expect(s.outcome == .delivered)
            #expect(s.isInferredDelivered == false)
            #expect(s.deliveredTime == t0 + 5)
            #expect(s.firstHumanClickAt == t0 + 3)
            #expect(s.sentAt == t0)
        }
    }
}
