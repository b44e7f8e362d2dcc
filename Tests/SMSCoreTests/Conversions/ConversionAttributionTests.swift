import Testing

@testable import SMSCore

@Suite("Conversion attribution (docs/DOMAIN.md §5)")
struct ConversionAttributionTests {
    let goal = ConversionGoal(event: "purchase", windowMinutes: 60, revenueProperty: "amount")

    func event(_ id: String, _ ts: Int64, _ amount: JSONValue? = nil, _ extra: [String: JSONValue] = [:]) -> ConversionEventFact {
        var p = extra
        if let amount { p["amount"] = amount }
        return ConversionEventFact(eventId: id, ts: ts, properties: p)
    }

    @Test("the window is (sent, sent + window]: an event at the sent second does not count, one at the end does")
    func windowBounds() {
        let atSend = ConversionAttribution.evaluate(goal: goal, sentAt: 1_000, humanClicks: [], events: [event("a", 1_000)])
        let atEnd = ConversionAttribution.evaluate(goal: goal, sentAt: 1_000, humanClicks: [], events: [event("b", 4_600)])
        let after = ConversionAttribution.evaluate(goal: goal, sentAt: 1_000, humanClicks: [], events: [event("c", 4_601)])
        #expect(!atSend.converted)
        #expect(atEnd.converted)
        #expect(!after.converted)
    }

    @Test("PITFALLS.md #16: a conversion in the same second as the click is click-through")
    func sameSecondClickThrough() {
        let r = ConversionAttribution.evaluate(goal: goal, sentAt: 36_000, humanClicks: [36_003], events: [event("e", 36_003, .number(10))])
        #expect(r == UserConversion(converted: true, clickThrough: true, revenueCents: 1_000))
    }

    @Test("a click after the event does not make it click-through")
    func clickAfterEvent() {
        let r = ConversionAttribution.evaluate(goal: goal, sentAt: 1_000, humanClicks: [1_500], events: [event("e", 1_200)])
        #expect(r == UserConversion(converted: true, clickThrough: false, revenueCents: 0))
    }

    @Test("revenue sums qualifying events in cents; decimals and numeric strings", arguments: [
        (JSONValue.number(49.99), Int64(4_999)), (.string("19.5"), 1_950), (.number(0.005), 1), (.string("n/a"), 0),
    ])
    func revenueCents(amount: JSONValue, cents: Int64) {
        let r = ConversionAttribution.evaluate(goal: goal, sentAt: 0, humanClicks: [], events: [event("e", 10, amount)])
        #expect(r.revenueCents == cents)
    }

    @Test("duplicate event ids count once")
    func duplicateEventIds() {
        let r = ConversionAttribution.evaluate(
            goal: goal, sentAt: 0, humanClicks: [], events: [event("e", 10, .number(5)), event("e", 10, .number(5))])
        #expect(r.revenueCents == 500)
    }

    @Test("property filters", arguments: [
        (PropertyFilter(property: "plan", op: .equals, value: .string("pro")), true),
        (PropertyFilter(property: "plan", op: .notEquals, value: .string("pro")), false),
        (PropertyFilter(property: "plan", op: .contains, value: .string("PR")), true),
        (PropertyFilter(property: "amount", op: .greaterThan, value: .number(20)), true),
        (PropertyFilter(property: "amount", op: .lessThan, value: .number(20)), false),
        (PropertyFilter(property: "missing", op: .equals, value: .string("x")), false),
        (PropertyFilter(property: "missing", op: .notEquals, value: .string("x")), true),
    ])
    func filters(filter: PropertyFilter, matches: Bool) {
        let g = ConversionGoal(event: "purchase", windowMinutes: 60, filters: [filter])
        let r = ConversionAttribution.evaluate(
            goal: g, sentAt: 0, humanClicks: [], events: [event("e", 10, .number(25), ["plan": .string("pro")])])
        #expect(r.converted == matches)
    }

    @Test("no sent time → not converted")
    func notSent() {
        #expect(!ConversionAttribution.evaluate(goal: goal, sentAt: nil, humanClicks: [], events: [event("e", 10)]).converted)
    }
}
