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
        (.major, .string("99999999999999999999.99"), "properties.amount must be a number from -10000000000 to 10000000000 major units (got '99999999999999999999.99')"),
        (.major, .string("1" + String(repeating: "0", count: 200)), "properties.amount must be a number from -10000000000 to 10000000000 major units (got '1" + String(repeating: "0", count: 63) + "…')"),
        (.major, .string("-10000000000.01"), "properties.amount must be a number from -10000000000 to 10000000000 major units (got '-10000000000.01')"),
        (.minor, .number(1_000_000_000_001), "properties.amount must be a number from -1000000000000 to 1000000000000 cents (got 1000000000001)"),
    ])
    func revenueOutOfRange(unit: ConversionGoal.RevenueUnit, value: JSONValue, message: String) {
        let goal = ConversionGoal(event: "purchase", windowMinutes: 60, revenueProperty: "amount", revenueUnit: unit)
        #expect(goal.revenueProblem(properties: ["amount": value]) == message)
        #expect(goal.revenueCents(properties: ["amount": value]) == 0)
    }

    /// Issue 12 (a new user's findings): more fraction digits than the goal's unit allows is a
    /// problem naming the property and the precision, never rounded without notice; an exponent
    /// written as text is not revenue (the one rule for numeric text, without an exponent).
    @Test("precision: major takes whole cents, minor whole cents only; text must be a plain decimal", arguments: [
        (ConversionGoal.RevenueUnit.major, JSONValue.string("5.555"), "properties.amount must have at most 2 fraction digits (cents) for revenueUnit major (got '5.555')", Int64(556)),
        (.major, .number(5.555), "properties.amount must have at most 2 fraction digits (cents) for revenueUnit major (got 5.555)", 556),
        (.major, .number(0.001), "properties.amount must have at most 2 fraction digits (cents) for revenueUnit major (got 0.001)", 0),
        (.major, .string("5.55" + String(repeating: "0", count: 45) + "1"),
         "properties.amount must have at most 2 fraction digits (cents) for revenueUnit major (got '5.55" + String(repeating: "0", count: 45) + "1')", 555),
        (.major, .number(5e-324), "properties.amount must have at most 2 fraction digits (cents) for revenueUnit major (got 5e-324)", 0),
        (.minor, .number(49.5), "properties.amount must be a whole number of minor units (cents) for revenueUnit minor (got 49.5)", 0),
        (.minor, .string("49.5"), "properties.amount must be a whole number of minor units (cents) for revenueUnit minor (got '49.5')", 0),
    ])
    func revenuePrecision(unit: ConversionGoal.RevenueUnit, value: JSONValue, message: String, storedCents: Int64) {
        let goal = ConversionGoal(event: "purchase", windowMinutes: 60, revenueProperty: "amount", revenueUnit: unit)
        #expect(goal.revenueProblem(properties: ["amount": value]) == message)
        // An event stored before its goal existed is read as stored (major rounded, minor 0).
        #expect(goal.revenueCents(properties: ["amount": value]) == storedCents)
    }

    @Test("amounts the unit's precision holds are no problem", arguments: [
        (ConversionGoal.RevenueUnit.major, JSONValue.string("5.55"), Int64(555)), (.major, .string("5.500"), 550), (.major, .number(49.99), 4_999),
        (.major, .string("-0.01"), -1), (.minor, .string("4999"), 4_999), (.minor, .number(4_999), 4_999), (.minor, .string("4999.00"), 4_999),
        (.major, .null, 0), (.minor, .null, 0),
    ])
    func revenueWithinPrecision(unit: ConversionGoal.RevenueUnit, value: JSONValue, cents: Int64) {
        let goal = ConversionGoal(event: "purchase", windowMinutes: 60, revenueProperty: "amount", revenueUnit: unit)
        #expect(goal.revenueProblem(properties: ["amount": value]) == nil)
        #expect(goal.revenueCents(properties: ["amount": value]) == cents)
    }

    @Test("property: a major amount with k fraction digits is a problem exactly when it is not whole cents")
    func precisionProperty() {
        let goal = ConversionGoal(event: "purchase", windowMinutes: 60, revenueProperty: "amount")
        var state: UInt64 = 42
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let whole = Int(state >> 40) % 1_000_000
            let digits = Int(state >> 20) % 5
            var fraction = ""
            for i in 0..<digits { fraction += String(Int((state >> UInt64(i * 4)) & 0xF) % 10) }
            let text = digits == 0 ? String(whole) : "\(whole).\(fraction)"
            let exactCents = fraction.dropFirst(min(2, fraction.count)).allSatisfy { $0 == "0" }
            let problem = goal.revenueProblem(properties: ["amount": .string(text)])
            #expect((problem == nil) == exactCents, "\(text)")
            if exactCents {
                let cents = Int64(whole) * 100 + Int64(String((fraction + "00").prefix(2)))!
                #expect(goal.revenueCents(properties: ["amount": .string(text)]) == cents, "\(text)")
            }
        }
    }

    @Test("revenue at the edges of its range counts in full")
    func revenueEdges() {
        let major = ConversionGoal(event: "p", windowMinutes: 60, revenueProperty: "amount")
        #expect(major.revenueProblem(properties: ["amount": .number(10_000_000_000)]) == nil)
        #expect(major.revenueCents(properties: ["amount": .number(10_000_000_000)]) == 1_000_000_000_000)
        #expect(major.revenueCents(properties: ["amount": .string("-10000000000")]) == -1_000_000_000_000)
        let minor = ConversionGoal(event: "p", windowMinutes: 60, revenueProperty: "amount", revenueUnit: .minor)
        #expect(minor.revenueCents(properties: ["amount": .number(1_000_000_000_000)]) == 1_000_000_000_000)
        #expect(minor.revenueProblem(properties: ["amount": .string("not a number")])
            == #"properties.amount must be an amount: a whole number or plain integer text such as 4999 or "4999", from -1000000000000 to 1000000000000 cents (got 'not a number')"#)
    }

    /// Issue 12 (one rule for revenue): a revenue property that is present but not an amount is a
    /// problem naming the property and the allowed form, like an over-precise one; never counted
    /// as a conversion with no revenue. Absent and `null` are no revenue.
    @Test("a revenue that is not an amount (text that is not a plain decimal, a boolean, an array) names the property and the form", arguments: [
        (ConversionGoal.RevenueUnit.major, JSONValue.string(" 5"), "' 5'"), (.major, .string("NaN"), "'NaN'"), (.major, .string("1e3"), "'1e3'"),
        (.major, .string("1E3"), "'1E3'"), (.major, .string("1.5e2"), "'1.5e2'"), (.major, .string("5."), "'5.'"), (.major, .string(""), "''"),
        (.major, .string("+7"), "'+7'"), (.major, .string("0x10"), "'0x10'"), (.major, .string("inf"), "'inf'"), (.major, .bool(true), "true"),
        (.major, .array([.number(5)]), "an array"), (.major, .object(["v": .number(5)]), "an object"),
        (.minor, .string("1e3"), "'1e3'"), (.minor, .string(" 4999"), "' 4999'"), (.minor, .bool(false), "false"),
    ])
    func revenueNotAnAmount(unit: ConversionGoal.RevenueUnit, value: JSONValue, shown: String) {
        let goal = ConversionGoal(event: "purchase", windowMinutes: 60, revenueProperty: "amount", revenueUnit: unit)
        let expected = unit == .major
            ? #"properties.amount must be an amount: a number or a plain decimal text such as 49.99 or "49.99", from -10000000000 to 10000000000 major units with at most 2 fraction digits (got "# + shown + ")"
            : #"properties.amount must be an amount: a whole number or plain integer text such as 4999 or "4999", from -1000000000000 to 1000000000000 cents (got "# + shown + ")"
        #expect(goal.revenueProblem(properties: ["amount": value]) == expected)
        #expect(goal.revenueProblem(properties: ["other": value]) == nil)
        // Stored before the goal existed: read as no revenue.
        #expect(goal.revenueCents(properties: ["amount": value]) == 0)
    }

    @Test("a revenue number is echoed as written when the literal is known")
    func revenueLiteralEcho() {
        let goal = ConversionGoal(event: "purchase", windowMinutes: 60, revenueProperty: "amount")
        #expect(goal.revenueProblem(properties: ["amount": .number(1e300)]) { $0 == "amount" ? "1e300" : nil }
            == "properties.amount must be a number from -10000000000 to 10000000000 major units (got '1e300')")
    }
}
