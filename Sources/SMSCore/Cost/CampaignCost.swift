import Foundation

/// The body of `GET /api/v1/campaigns/{id}/cost` (issue 18): what a campaign's sends cost by its
/// provider's ``PriceTable``, by destination country and in total, and per result.
///
/// The rule (one home): a country's cost = its sent segments × the price of a segment there
/// (``PriceTable/microsPerSegment(country:)``), exact in integer micro-units; the total is their
/// sum. Sent segments are the `sent_segments` rollup cells (``MessageContribution``: the segment
/// count of every message that reached the provider: submitted, sent, delivered or failed;
/// queued, held-out and dispatch-error messages cost nothing). A message's country is
/// ``CampaignBreakdown/countryKey(phone:)`` (`"unknown"` without a valid number: the default
/// price). Amounts are major units of ``currency`` (`Double` of the exact micro-unit amount);
/// the `…Micros` fields carry the exact integers.
public struct CampaignCost: Sendable, Equatable, Codable {
    public var currency: String
    /// Σ of the rows' costs, major units.
    public var total: Double
    public var totalMicros: Int64
    /// Countries with sent segments, most costly first (ties: by country).
    public var byCountry: [Row]
    /// total / delivered messages, major units rounded to a micro-unit (half away from zero);
    /// `nil` without a delivered message.
    public var perDelivered: Double?
    /// total / unique clicks (messages with a human click, CTR's numerator), rounded likewise;
    /// `nil` without one.
    public var perClick: Double?
    /// total / converted users (`docs/DOMAIN.md` §5), rounded likewise; `nil` without one.
    public var perConversion: Double?
    /// revenue − total, major units, when the campaign's goal has revenue (a `revenueProperty`),
    /// else `nil`. Decision: a goal's revenue carries no currency, so it is taken in the price
    /// table's currency.
    public var `return`: Double?

    public struct Row: Sendable, Equatable, Codable {
        /// ISO 3166-1 alpha-2, or `"unknown"`.
        public var country: String
        public var segments: Int64
        /// segments × price per segment, major units.
        public var cost: Double
        public var costMicros: Int64
        /// The price applied, major units per segment.
        public var pricePerSegment: Double
    }

    enum CodingKeys: String, CodingKey {
        case currency, total, totalMicros, byCountry, perDelivered, perClick, perConversion, `return`
    }

    /// Every field written; an absent ratio or return is `null`, never left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(currency, forKey: .currency)
        try c.encode(total, forKey: .total)
        try c.encode(totalMicros, forKey: .totalMicros)
        try c.encode(byCountry, forKey: .byCountry)
        try c.encode(perDelivered, forKey: .perDelivered)
        try c.encode(perClick, forKey: .perClick)
        try c.encode(perConversion, forKey: .perConversion)
        try c.encode(`return`, forKey: .return)
    }

    /// Computes the cost.
    /// - Parameters:
    ///   - prices: the campaign's provider's price table.
    ///   - segmentsByCountry: sent segments per country key (countries with 0 are left out).
    ///   - stats: the campaign's Stats-tab numbers (denominators and revenue).
    ///   - goalHasRevenue: whether the campaign's goal names a revenue property.
    public init(prices: PriceTable, segmentsByCountry: [String: Int64], stats: CampaignStats, goalHasRevenue: Bool) {
        currency = prices.currency
        byCountry = segmentsByCountry.filter { $0.value != 0 }.map { country, segments in
            let price = prices.microsPerSegment(country: country)
            let micros = Self.cost(segments: segments, microsPerSegment: price)
            return Row(
                country: country, segments: segments, cost: PriceTable.major(micros: micros), costMicros: micros,
                pricePerSegment: PriceTable.major(micros: price))
        }
        .sorted { ($0.costMicros, $1.country) > ($1.costMicros, $0.country) }
        totalMicros = byCountry.reduce(Int64(0)) { $0.saturatingAdding($1.costMicros) }
        total = PriceTable.major(micros: totalMicros)
        perDelivered = Self.per(totalMicros, stats.delivered)
        perClick = Self.per(totalMicros, stats.uniqueClicks)
        perConversion = Self.per(totalMicros, stats.convertedUsers)
        `return` = goalHasRevenue
            ? PriceTable.major(micros: stats.revenueCents.saturatingMultiplied(by: PriceTable.microsPerMajorUnit / 100).saturatingSubtracting(totalMicros))
            : nil
    }

    /// The total of ``init(prices:segmentsByCountry:stats:goalHasRevenue:)`` from the campaign's
    /// `sent_segments` alone, micro-units, when the table has no per-country price (every segment
    /// then costs the default, whatever its country: `sentSegments × default`); `nil` when it has
    /// one (the country split is needed). The overview's rollup-only path (``OverviewQueries``).
    public static func totalMicros(prices: PriceTable, sentSegments: Int64) -> Int64? {
        guard prices.microsPerSegmentByCountry.isEmpty else { return nil }
        return cost(segments: sentSegments, microsPerSegment: prices.defaultMicrosPerSegment)
    }

    /// `segments × microsPerSegment`, exact (saturating at `Int64.max`, which no bounded price
    /// table reaches: 1,000 major units × 9.2 × 10^9 segments).
    public static func cost(segments: Int64, microsPerSegment: Int64) -> Int64 {
        segments.saturatingMultiplied(by: microsPerSegment)
    }

    /// `micros / count` rounded to a micro-unit, half away from zero, in major units; `nil` for a
    /// count of 0.
    public static func per(_ micros: Int64, _ count: Int64) -> Double? {
        guard count > 0 else { return nil }
        let (q, r) = micros.quotientAndRemainder(dividingBy: count)
        let rounded = r.magnitude * 2 >= count.magnitude ? q + (micros < 0 ? -1 : 1) : q
        return PriceTable.major(micros: rounded)
    }
}
