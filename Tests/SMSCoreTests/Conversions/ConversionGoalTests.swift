import Foundation
import Testing

@testable import SMSCore

@Suite("Conversion goal: filters and revenue")
struct ConversionGoalTests {
    static let props: [String: JSONValue] = [
        "plan": .string("Gold"), "amount": .number(120), "qty": .string("3"), "gift": .bool(true),
        "sku": .string("SHOE-RED-42"),
    ]

    @Test(arguments: [
        (PropertyFilter(property: "plan", op: .equals, value: .string("Gold")), true),
        (PropertyFilter(property: "plan", op: .equals, value: .string("gold")), false),  // equals is exact
        (PropertyFilter(property: "amount", op: .equals, value: .string("120")), true),  // numeric text = number
        (PropertyFilter(property: "amount", op: .equals, value: .number(120.0)), true),
        (PropertyFilter(property: "gift", op: .equals, value: .string("true")), true),
        (PropertyFilter(property: "missing", op: .equals, value: .string("x")), false),
        (PropertyFilter(property: "plan", op: .notEquals, value: .string("Silver")), true),
        (PropertyFilter(property: "plan", op: .notEquals, value: .string("Gold")), false),
        (PropertyFilter(property: "missing", op: .notEquals, value: .string("Gold")), true),  // absent ≠ Gold
        (PropertyFilter(property: "sku", op: .contains, value: .string("red")), true),  // case-insensitive
        (PropertyFilter(property: "sku", op: .contains, value: .string("BLUE")), false),
        (PropertyFilter(property: "missing", op: .contains, value: .string("a")), false),
        (PropertyFilter(property: "amount", op: .greaterThan, value: .number(100)), true),
        (PropertyFilter(property: "amount", op: .greaterThan, value: .number(120)), false),  // strict
        (PropertyFilter(property: "qty", op: .greaterThan, value: .number(2)), true),  // numeric string
        (PropertyFilter(property: "plan", op: .greaterThan, value: .number(2)), false),  // not a number
        (PropertyFilter(property: "amount", op: .lessThan, value: .number(120.5)), true),
        (PropertyFilter(property: "amount", op: .lessThan, value: .number(120)), false),
        (PropertyFilter(property: "missing", op: .lessThan, value: .number(1)), false),
    ])
    func filterOperators(filter: PropertyFilter, expected: Bool) {
        #expect(filter.matches(Self.props[filter.property]) == expected)
    }

    @Test func allFiltersMustPass() {
        let goal = ConversionGoal(
            event: "purchase", windowMinutes: 60,
            filters: [
                PropertyFilter(property: "plan", op: .equals, value: .string("Gold")),
                PropertyFilter(property: "amount", op: .greaterThan, value: .number(100)),
            ])
        #expect(goal.matches(properties: Self.props))
        var cheaper = Self.props
        cheaper["amount"] = .number(99)
        #expect(!goal.matches(properties: cheaper))
    }

    /// Decision: `major` (default) is a decimal in major units, rounded half away from zero to cents
    /// with decimal arithmetic; `minor` is an integer count of cents.
    @Test(arguments: [
        (ConversionGoal.RevenueUnit.major, JSONValue.number(49.99), Int64(4_999)),
        (.major, .string("49.99"), 4_999),
        (.major, .string(" 12 "), 0),  // not a plain number (DecimalText): white space is not trimmed
        (.major, .string("+7"), 0),
        (.major, .string("1e3"), 0),  // an exponent is not a plain decimal (issue 12): not revenue
        (.major, .number(1.005), 101),  // binary 1.005 × 100 = 100.4999…; decimal gives 100.5 → 101
        (.major, .number(-1.005), -101),
        (.major, .number(2.675), 268),
        (.major, .number(0.125), 13),
        (.major, .number(0.001), 0),
        (.major, .string("abc"), 0),
        (.major, .bool(true), 0),
        (.major, .string("nan"), 0),
        (.minor, .number(4_999), 4_999),
        (.minor, .string("4999"), 4_999),
        (.minor, .number(49.5), 0),  // a fraction of a cent is not minor units
        (.minor, .number(-250), -250),
    ])
    func revenueUnits(unit: ConversionGoal.RevenueUnit, value: JSONValue, cents: Int64) {
        let goal = ConversionGoal(event: "purchase", windowMinutes: 60, revenueProperty: "value", revenueUnit: unit)
        #expect(goal.revenueCents(properties: ["value": value]) == cents)
    }

    @Test func noRevenuePropertyOrMissingValueIsZero() {
        #expect(ConversionGoal(event: "p", windowMinutes: 1).revenueCents(properties: ["value": .number(5)]) == 0)
        #expect(ConversionGoal(event: "p", windowMinutes: 1, revenueProperty: "value").revenueCents(properties: [:]) == 0)
    }

    @Test func goalDecodesRevenueUnitAndDefaultsToMajor() throws {
        let json = #"{"event":"purchase","windowMinutes":1440,"revenueProperty":"total_cents","revenueUnit":"minor","filters":[{"property":"plan","op":"equals","value":"Gold"}]}"#
        let goal = try JSONDecoder().decode(ConversionGoal.self, from: Data(json.utf8))
        #expect(goal.revenueUnit == .minor)
        #expect(goal.filters == [PropertyFilter(property: "plan", op: .equals, value: .string("Gold"))])
        let plain = try JSONDecoder().decode(ConversionGoal.self, from: Data(#"{"event":"purchase","windowMinutes":5}"#.utf8))
        #expect(plain.revenueUnit == .major)
        #expect(plain.filters == [])
    }

    @Test func filterProblemsNameEachBadFilter() {
        let goal = ConversionGoal(
            event: "purchase", windowMinutes: 60,
            filters: [
                PropertyFilter(property: "amount", op: .greaterThan, value: .string("lots")),
                PropertyFilter(property: "sku", op: .contains, value: .number(4)),
                PropertyFilter(property: "", op: .equals, value: .string("x")),
                PropertyFilter(property: "plan", op: .equals, value: .array([])),
                PropertyFilter(property: "amount", op: .lessThan, value: .string("10")),
            ])
        #expect(
            goal.filterProblems() == [
                "goal.filters[0]: greaterThan needs a number value",
                "goal.filters[1]: contains needs a string value",
                "goal.filters[2].property is empty",
                "goal.filters[3]: equals needs a string, number or boolean value",
            ])
    }
}
