import Foundation
import Testing

@testable import SMSCore

/// Issue 18, cost: the price table's API form (exact micro-units, ranges) and a campaign's cost
/// (segments × price per country, the ratios, the return).
@Suite("Campaign cost (issue 18)")
struct CampaignCostTests {
    static func table(_ json: String) throws -> PriceTable {
        try JSONDecoder().decode(PriceTable.self, from: Data(json.utf8))
    }

    @Test func theIssuesBodyIsStoredAsMicroUnitsAndShownBackTheSame() throws {
        let t = try Self.table(#"{"currency": "EUR", "defaultPerSegment": 0.05, "perCountry": {"DE": 0.07, "US": 0.0079}}"#)
        #expect(t == PriceTable(currency: "EUR", defaultMicrosPerSegment: 50_000, microsPerSegmentByCountry: ["DE": 70_000, "US": 7_900]))
        #expect(t.microsPerSegment(country: "DE") == 70_000)
        #expect(t.microsPerSegment(country: "FR") == 50_000)
        #expect(t.microsPerSegment(country: "unknown") == 50_000)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(t), as: UTF8.self)
            == #"{"currency":"EUR","defaultPerSegment":0.05,"perCountry":{"DE":0.07,"US":0.0079}}"#)
        // Without perCountry: the default only.
        #expect(try Self.table(#"{"currency":"JPY","defaultPerSegment":3}"#).microsPerSegmentByCountry.isEmpty)
        #expect(try Self.table(#"{"currency":"USD","defaultPerSegment":1000,"perCountry":{"GB":0.000001}}"#)
            == PriceTable(currency: "USD", defaultMicrosPerSegment: 1_000_000_000, microsPerSegmentByCountry: ["GB": 1]))
    }

    @Test(arguments: [
        (#"{"currency":"EUR","defaultPerSegment":0.0000001}"#,
         "defaultPerSegment must be a number from 0 to 1000 major units per segment with at most 6 fraction digits (got 1e-07)"),
        (#"{"currency":"EUR","defaultPerSegment":-0.05}"#,
         "defaultPerSegment must be a number from 0 to 1000 major units per segment with at most 6 fraction digits (got -0.05)"),
        (#"{"currency":"EUR","defaultPerSegment":0.05,"perCountry":{"DE":1000.5}}"#,
         "perCountry.DE must be a number from 0 to 1000 major units per segment with at most 6 fraction digits (got 1000.5)"),
    ])
    func pricesOutsideTheRangeAreRefusedNamingTheField(json: String, message: String) throws {
        #expect(throws: InputRangeError.self) { try Self.table(json) }
        do {
            _ = try Self.table(json)
        } catch let error as InputRangeError {
            #expect(error.message == message)
        }
    }

    @Test(arguments: [
        (#"{"currency":"eur","defaultPerSegment":0.05}"#, "currency must be an ISO 4217 code of three capital letters such as EUR (got 'eur')"),
        (#"{"currency":"EURO","defaultPerSegment":0.05}"#, "currency must be an ISO 4217 code of three capital letters such as EUR (got 'EURO')"),
        (#"{"currency":"EUR","defaultPerSegment":0.05,"perCountry":{"de":0.07}}"#,
         "perCountry keys must be ISO 3166-1 alpha-2 regions in capitals such as DE (got 'de')"),
        (#"{"currency":"EUR","defaultPerSegment":0.05,"perCountry":{"XX":0.07}}"#,
         "perCountry keys must be ISO 3166-1 alpha-2 regions in capitals such as DE (got 'XX')"),
    ])
    func aBadCurrencyOrCountryIsRefused(json: String, message: String) throws {
        #expect(throws: PriceTableError(description: message)) { try Self.table(json) }
    }

    /// Property: every amount of at most 6 fraction digits from 0 to 1,000, written as decimal
    /// text, is stored as exactly its micro-units (no floating-point drift).
    @Test func everyDecimalPriceIsExactlyItsMicroUnits() throws {
        var rng = SplitMix64(seed: 0xC057)
        for _ in 0..<20_000 {
            let micros = Int64.random(in: 0...1_000_000_000, using: &rng)
            let fraction = String(micros % 1_000_000)
            let text = "\(micros / 1_000_000).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
            let t = try Self.table(#"{"currency":"EUR","defaultPerSegment":\#(text)}"#)
            #expect(t.defaultMicrosPerSegment == micros, "\(text)")
            #expect(PriceTable.major(micros: micros) == Double(text), "\(text)")
        }
    }

    static func stats(_ values: [RollupMetric: Int64]) -> CampaignStats {
        CampaignStats(totals: values, callbacksEnabled: true)
    }

    /// DE 1,200 segments at 0.07, US 333 at 0.0079, FR 10 and 7 of unknown country at the default 0.05.
    @Test func aCampaignsCostByCountryWithItsRatiosAndReturn() {
        let prices = PriceTable(currency: "EUR", defaultMicrosPerSegment: 50_000, microsPerSegmentByCountry: ["DE": 70_000, "US": 7_900])
        let segments: [String: Int64] = ["DE": 1_200, "US": 333, "FR": 10, "unknown": 7, "GB": 0]
        let stats = Self.stats([.delivered: 1_000, .uniqueClicks: 3, .convertedUsers: 0, .revenueCents: 12_345])
        let cost = CampaignCost(prices: prices, segmentsByCountry: segments, stats: stats, goalHasRevenue: true)
        #expect(cost.currency == "EUR")
        #expect(cost.byCountry.map(\.country) == ["DE", "US", "FR", "unknown"])
        #expect(cost.byCountry.map(\.segments) == [1_200, 333, 10, 7])
        #expect(cost.byCountry.map(\.costMicros) == [84_000_000, 2_630_700, 500_000, 350_000])
        #expect(cost.byCountry.map(\.cost) == [84, 2.6307, 0.5, 0.35])
        #expect(cost.byCountry.map(\.pricePerSegment) == [0.07, 0.0079, 0.05, 0.05])
        #expect(cost.totalMicros == 87_480_700 && cost.total == 87.4807)
        // 87,480,700 / 1,000 = 87,480.7 micro-units → 87,481.
        #expect(cost.perDelivered == 0.087481)
        // 87,480,700 / 3 = 29,160,233.3 → 29,160,233.
        #expect(cost.perClick == 29.160233)
        #expect(cost.perConversion == nil)
        // 123.45 − 87.4807.
        #expect(cost.return == 35.9693)
        let noRevenue = CampaignCost(prices: prices, segmentsByCountry: segments, stats: stats, goalHasRevenue: false)
        #expect(noRevenue.return == nil)
    }

    @Test func ratiosRoundHalfAwayFromZeroToAMicroUnit() {
        #expect(CampaignCost.per(5, 2) == 0.000003)
        #expect(CampaignCost.per(4, 3) == 0.000001)
        #expect(CampaignCost.per(5, 3) == 0.000002)
        #expect(CampaignCost.per(-5, 2) == -0.000003)
        #expect(CampaignCost.per(700_000, 8) == 0.0875)
        #expect(CampaignCost.per(1, 0) == nil)
    }

    @Test func absentRatiosAreNullInJSON() throws {
        let cost = CampaignCost(
            prices: PriceTable(currency: "EUR", defaultMicrosPerSegment: 50_000), segmentsByCountry: [:], stats: Self.stats([:]),
            goalHasRevenue: false)
        let json = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(cost)) as? [String: Any])
        #expect(json.keys.sorted() == ["byCountry", "currency", "perClick", "perConversion", "perDelivered", "return", "total", "totalMicros"])
        #expect(json["return"] is NSNull && json["perDelivered"] is NSNull)
        #expect((json["total"] as? NSNumber)?.doubleValue == 0)
    }

    /// Property: over random segment counts and price tables the total equals Σ segments × price
    /// computed here independently, and the rows add up to it.
    @Test func theTotalIsTheSumOfSegmentsTimesPrice() {
        var rng = SplitMix64(seed: 0xC0_57_2)
        let countries = ["DE", "US", "FR", "GB", "unknown"]
        for _ in 0..<500 {
            var perCountry: [String: Int64] = [:]
            for c in countries.dropLast() where Bool.random(using: &rng) { perCountry[c] = Int64.random(in: 0...2_000_000, using: &rng) }
            let prices = PriceTable(currency: "EUR", defaultMicrosPerSegment: Int64.random(in: 0...2_000_000, using: &rng), microsPerSegmentByCountry: perCountry)
            var segments: [String: Int64] = [:]
            for c in countries where Bool.random(using: &rng) { segments[c] = Int64.random(in: 0...100_000, using: &rng) }
            var expected: Int64 = 0
            for (c, n) in segments { expected += n * (perCountry[c] ?? prices.defaultMicrosPerSegment) }
            let cost = CampaignCost(prices: prices, segmentsByCountry: segments, stats: Self.stats([:]), goalHasRevenue: false)
            #expect(cost.totalMicros == expected)
            #expect(cost.byCountry.reduce(0) { $0 + $1.costMicros } == expected)
            #expect(Set(cost.byCountry.map(\.country)) == Set(segments.filter { $0.value > 0 }.keys))
        }
    }
}
