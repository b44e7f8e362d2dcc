import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// Issue 18: `GET /api/v1/campaigns/{id}/breakdown?by=` through each store.
@Suite("Campaign breakdowns (issue 18)")
struct BreakdownStoreTests {
    static let t = StatsFixture.t
    /// Valid numbers of five regions (libphonenumber), an invalid one, and none.
    static let phones: [(phone: String?, country: String)] = [
        ("+4915123456789", "DE"), ("+16502530000", "US"), ("+12042345678", "CA"), ("+447400123456", "GB"),
        ("+33612345678", "FR"), ("+999123", "unknown"), (nil, "unknown"),
    ]

    /// Property: random campaigns (phones of several regions, two variants, control members,
    /// dispatch errors, receipts of every kind, clicks): every dimension's rows add up to the
    /// campaign's totals, and each country row's sent count is the number of messages the test
    /// dispatched to that region.
    @Test("property: the rows of every dimension add up to the campaign totals", arguments: StoreKind.allCases)
    func rowsSumToTotals(kind: StoreKind) async throws {
        var rng = SplitMix64(seed: 0xB4EA_4D0E)
        for round in 0..<4 {
            let f = try await StatsFixture(kind: kind)
            let count = Int.random(in: 5...40, using: &rng)
            var sentByCountry: [String: Int64] = [:]
            var messages: [NewMessage] = []
            var dispatched: [Int] = []
            for i in 0..<count {
                let (phone, country) = Self.phones[Int.random(in: 0..<Self.phones.count, using: &rng)]
                var m: NewMessage
                switch Int.random(in: 0..<8, using: &rng) {
                case 0: m = StatsFixture.message(i, dispatch: .control)
                case 1: m = StatsFixture.message(i, dispatch: .dispatchError, reason: "opted out")
                default:
                    m = StatsFixture.message(i, variant: Int.random(in: 0...1, using: &rng))
                    if Int.random(in: 0..<5, using: &rng) > 0 {
                        dispatched.append(i)
                        sentByCountry[country, default: 0] += 1
                    }
                }
                m.phone = phone
                messages.append(m)
            }
            try await f.store.insertMessages(messages)
            try await f.dispatch(dispatched)
            for i in dispatched {
                switch Int.random(in: 0..<5, using: &rng) {
                case 0: try await f.callback(.delivered, i, at: Self.t + Int64.random(in: 1...200, using: &rng))
                case 1: try await f.callback(.failed, i, at: Self.t + 5, code: ["30003", "914", nil][Int.random(in: 0...2, using: &rng)])
                case 2: try await f.callback(.submitted, i, at: Self.t + 5)
                case 3: try await f.click(i, link: 0, at: Self.t + 30)
                default: break
                }
            }
            let summary = try await f.queries.summary(f.campaign).all
            let errors = try await f.queries.errors(f.campaign, variant: nil).delivery
            for by in BreakdownDimension.allCases {
                let b = try await f.queries.breakdown(f.campaign, by: by)
                #expect(b.by == by)
                let rows = b.rows
                #expect(rows.reduce(0) { $0 + $1.sent } == summary.sent, "round \(round) \(by): sent")
                #expect(rows.reduce(0) { $0 + $1.delivered } == summary.delivered, "round \(round) \(by): delivered")
                #expect(rows.reduce(0) { $0 + $1.failed } == summary.failed, "round \(round) \(by): failed")
                #expect(rows.reduce(0) { $0 + $1.pending } == summary.pending, "round \(round) \(by): pending")
                #expect(rows.reduce(0) { $0 + $1.uniqueClicks } == summary.uniqueClicks, "round \(round) \(by): unique clicks")
                var codes: [String: Int64] = [:]
                for row in rows { for e in row.errors { codes[e.code, default: 0] += e.count } }
                #expect(codes == Dictionary(uniqueKeysWithValues: errors.map { ($0.code, $0.count) }), "round \(round) \(by): errors")
                for row in rows where row.sent > 0 {
                    #expect(row.deliveryRate == CampaignStats.percent(row.delivered, row.sent))
                }
                #expect(rows.map(\.sent) == rows.map(\.sent).sorted(by: >))
            }
            let byCountry = try await f.queries.breakdown(f.campaign, by: .country).rows
            for (country, sent) in sentByCountry {
                #expect(byCountry.first { $0.key == country }?.sent == sent, "round \(round): \(country)")
            }
            #expect(try await f.queries.breakdown(f.campaign, by: .provider).rows.map(\.key) == ["p1"])
            #expect(try await f.queries.breakdown(f.campaign, by: .carrier).rows.map(\.key) == ["unknown"])
            await f.testStore.close()
        }
    }
}
