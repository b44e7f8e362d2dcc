import Foundation
import Testing

@testable import SMSCore

@Suite("Attribution and revenue never trap on extreme numbers")
struct ConversionOverflowTests {
    @Test("a stored window of Int.max minutes (accepted before the range existed) saturates: the event converts, no trap")
    func hugeWindowSaturates() {
        for minutes in [Int.max, 200_000_000_000_000_000, 153_722_867_280_912_930] {
            let goal = ConversionGoal(event: "purchase", windowMinutes: minutes, revenueProperty: "amount")
            let result = ConversionAttribution.evaluate(
                goal: goal, sentAt: 1_700_000_000, humanClicks: [Int64.min, 1_700_000_005],
                events: [ConversionEventFact(eventId: "e1", ts: 1_700_000_010, properties: ["amount": .number(5)])])
            #expect(result == UserConversion(converted: true, clickThrough: true, revenueCents: 500))
        }
    }

    @Test("revenue sums saturate instead of trapping")
    func revenueSumSaturates() {
        let a = UserConversion(converted: true, revenueCents: .max)
        #expect(a.merged(UserConversion(converted: true, revenueCents: 1)).revenueCents == .max)
        #expect(UserConversion(revenueCents: .min).merged(UserConversion(revenueCents: -1)).revenueCents == .min)
    }

    @Test("revenue beyond the unit's range is a problem naming the property; at the edge it counts", arguments: [
        (ConversionGoal.RevenueUnit.major, JSONValue.number(1e300), "properties.amount must be a number from -10000000000 to 10000000000 major units (got 1e+300)"),
        (.major, .string("99999999999999999999.99"), "properties.amount must be a number from -10000000000 to 10000000000 major units (got 1e+20)"),
        (.minor, .number(1_000_000_000_001), "properties.amount must be a number from -1000000000000 to 1000000000000 cents (got 1000000000001)"),
    ])
    func revenueOutOfRange(unit: ConversionGoal.RevenueUnit, value: JSONValue, message: String) {
        let goal = ConversionGoal(event: "purchase", windowMinutes: 60, revenueProperty: "amount", revenueUnit: unit)
        #expect(goal.revenueProblem(properties: ["amount": value]) == message)
        #expect(goal.revenueCents(properties: ["amount": value]) == 0)
    }

    @Test("revenue at the edges of its range counts in full")
    func revenueEdges() {
        let major = ConversionGoal(event: "p", windowMinutes: 60, revenueProperty: "amount")
        #expect(major.revenueProblem(properties: ["amount": .number(10_000_000_000)]) == nil)
        #expect(major.revenueCents(properties: ["amount": .number(10_000_000_000)]) == 1_000_000_000_000)
        #expect(major.revenueCents(properties: ["amount": .string("-10000000000")]) == -1_000_000_000_000)
        let minor = ConversionGoal(event: "p", windowMinutes: 60, revenueProperty: "amount", revenueUnit: .minor)
        #expect(minor.revenueCents(properties: ["amount": .number(1_000_000_000_000)]) == 1_000_000_000_000)
        #expect(minor.revenueProblem(properties: ["amount": .string("not a number")]) == nil)
    }
}
