import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// Issue 18, cost: price tables in each store, and `GET /api/v1/campaigns/{id}/cost`'s query.
@Suite("Campaign cost through the stores (issue 18)")
struct CampaignCostStoreTests {
    static let t = StatsFixture.t

    @Test("a price table is stored exactly, replaced, refused for an unknown provider and deleted with its provider", arguments: StoreKind.allCases)
    func priceTableRoundTrip(kind: StoreKind) async throws {
        let f = try await StatsFixture(kind: kind)
        #expect(try await f.store.priceTable(providerId: "p1") == nil)
        let first = PriceTable(currency: "EUR", defaultMicrosPerSegment: 50_000, microsPerSegmentByCountry: ["DE": 70_000, "US": 7_900])
        #expect(try await f.store.setPriceTable(first, providerId: "p1"))
        #expect(try await f.store.priceTable(providerId: "p1") == first)
        let second = PriceTable(currency: "USD", defaultMicrosPerSegment: 1_000_000_000, microsPerSegmentByCountry: [:])
        #expect(try await f.store.setPriceTable(second, providerId: "p1"))
        #expect(try await f.store.priceTable(providerId: "p1") == second)
        #expect(try await f.store.setPriceTable(first, providerId: "nope") == false)
        #expect(try await f.store.priceTable(providerId: "nope") == nil)
        // A provider no campaign uses: deleting it deletes its table; one of the same id starts without.
        let p2 = ProviderConfig(id: "p2", name: "Other", url: "http://127.0.0.1:9/sms", bodyTemplate: "{}", callbackSecret: "s2", createdAt: Self.t)
        try await f.store.insertProvider(p2)
        #expect(try await f.store.setPriceTable(first, providerId: "p2"))
        #expect(try await f.store.deleteProvider(id: "p2") == .deleted)
        try await f.store.insertProvider(p2)
        #expect(try await f.store.priceTable(providerId: "p2") == nil)
        await f.testStore.close()
    }

    /// The breakdown test's phones: five regions (libphonenumber), an invalid number, none.
    static let phones = BreakdownStoreTests.phones

    /// Property: random campaigns (phones of several regions, 1–4 segments, control members,
    /// dispatch errors, messages left queued, receipts, clicks) and random price tables: the cost is
    /// Σ segments × price over the messages this test dispatched, computed here from its own list,
    /// by country and in total; the ratios divide by the Stats tab's numbers.
    @Test("property: cost equals Σ segments × price of the dispatched messages", arguments: StoreKind.allCases)
    func costIsSegmentsTimesPrice(kind: StoreKind) async throws {
        var rng = SplitMix64(seed: 0xC057_5107)
        for round in 0..<4 {
            let f = try await StatsFixture(kind: kind)
            #expect(try await f.queries.cost(f.campaign) == nil)
            var perCountry: [String: Int64] = [:]
            for c in ["DE", "US", "CA", "GB"] where Bool.random(using: &rng) { perCountry[c] = Int64.random(in: 0...1_000_000, using: &rng) }
            let prices = PriceTable(
                currency: "EUR", defaultMicrosPerSegment: Int64.random(in: 0...1_000_000, using: &rng), microsPerSegmentByCountry: perCountry)
            #expect(try await f.store.setPriceTable(prices, providerId: "p1"))
            let count = Int.random(in: 5...40, using: &rng)
            var expectedByCountry: [String: (segments: Int64, micros: Int64)] = [:]
            var messages: [NewMessage] = []
            var dispatched: [Int] = []
            for i in 0..<count {
                let (phone, country) = Self.phones[Int.random(in: 0..<Self.phones.count, using: &rng)]
                var m: NewMessage
                switch Int.random(in: 0..<8, using: &rng) {
                case 0: m = StatsFixture.message(i, dispatch: .control)
                case 1: m = StatsFixture.message(i, dispatch: .dispatchError, reason: "opted out")
                default: m = StatsFixture.message(i)
                }
                m.phone = phone
                m.segments = Int.random(in: 1...4, using: &rng)
                if m.dispatch == .queued, Int.random(in: 0..<5, using: &rng) > 0 {
                    dispatched.append(i)
                    let price = perCountry[country] ?? prices.defaultMicrosPerSegment
                    expectedByCountry[country, default: (0, 0)].segments += Int64(m.segments)
                    expectedByCountry[country, default: (0, 0)].micros += Int64(m.segments) * price
                }
                messages.append(m)
            }
            try await f.store.insertMessages(messages)
            try await f.dispatch(dispatched)
            for i in dispatched {
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: try await f.callback(.delivered, i, at: Self.t + 10)
                case 1: try await f.callback(.failed, i, at: Self.t + 5, code: "30003")
                case 2: try await f.click(i, link: 0, at: Self.t + 30)
                default: break
                }
            }
            let cost = try #require(try await f.queries.cost(f.campaign))
            let expectedTotal = expectedByCountry.values.reduce(Int64(0)) { $0 + $1.micros }
            #expect(cost.totalMicros == expectedTotal, "round \(round)")
            #expect(cost.total == Double(expectedTotal) / 1_000_000, "round \(round)")
            #expect(cost.currency == "EUR")
            #expect(cost.byCountry.count == expectedByCountry.count, "round \(round)")
            for row in cost.byCountry {
                #expect(row.segments == expectedByCountry[row.country]?.segments, "round \(round) \(row.country)")
                #expect(row.costMicros == expectedByCountry[row.country]?.micros, "round \(round) \(row.country)")
            }
            let stats = try await f.queries.summary(f.campaign).all
            #expect(stats.sentSegments == expectedByCountry.values.reduce(Int64(0)) { $0 + $1.segments })
            #expect(cost.perDelivered == CampaignCost.per(expectedTotal, stats.delivered))
            #expect(cost.perClick == CampaignCost.per(expectedTotal, stats.uniqueClicks))
            if stats.delivered > 0 {
                #expect(abs(cost.perDelivered! - Double(expectedTotal) / 1_000_000 / Double(stats.delivered)) <= 0.0000005)
            }
            #expect(cost.perConversion == nil && cost.return == nil)
            await f.testStore.close()
        }
    }
}
