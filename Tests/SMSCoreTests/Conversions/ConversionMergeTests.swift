import SMSCore
import Testing

/// `UserConversion.merged`: attribution is a fold, so a new event updates a stored conversion
/// without re-reading the user's earlier events (the store's incremental path).
@Suite("Conversion merge (incremental attribution)")
struct ConversionMergeTests {
    static let goal = ConversionGoal(
        event: "purchase", windowMinutes: 60, revenueProperty: "amount",
        filters: [PropertyFilter(property: "plan", op: .notEquals, value: .string("free"))])

    @Test("merge ORs converted and click-through and adds revenue")
    func mergeValues() {
        let a = UserConversion(converted: true, clickThrough: false, revenueCents: 1_250)
        let b = UserConversion(converted: true, clickThrough: true, revenueCents: 99)
        #expect(a.merged(b) == UserConversion(converted: true, clickThrough: true, revenueCents: 1_349))
        #expect(a.merged(UserConversion()) == a)
        #expect(UserConversion().merged(UserConversion()) == UserConversion())
    }

    @Test("property: evaluating all events equals merging the events one at a time, in any order", arguments: 0..<200)
    func foldEqualsWhole(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 11)
        let sentAt: Int64? = Int.random(in: 0..<10, using: &rng) == 0 ? nil : 10_000
        let clicks: [Int64] = (0..<Int.random(in: 0...2, using: &rng)).map { _ in Int64.random(in: 9_500...14_000, using: &rng) }
        let events = (0..<Int.random(in: 0...8, using: &rng)).map { i in
            ConversionEventFact(
                eventId: "e\(i)", ts: Int64.random(in: 9_900...14_000, using: &rng),
                properties: [
                    "amount": .number(Double(Int.random(in: 0...5_000, using: &rng)) / 100),
                    "plan": .string(Bool.random(using: &rng) ? "free" : "pro"),
                ])
        }
        let whole = ConversionAttribution.evaluate(goal: Self.goal, sentAt: sentAt, humanClicks: clicks, events: events)
        var folded = UserConversion()
        for e in events.shuffled(using: &rng) {
            folded = folded.merged(ConversionAttribution.evaluate(goal: Self.goal, sentAt: sentAt, humanClicks: clicks, events: [e]))
        }
        #expect(folded == whole)
    }
}
