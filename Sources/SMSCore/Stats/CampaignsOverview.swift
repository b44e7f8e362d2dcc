import Foundation

/// The body of `GET /api/v1/overview?from=&to=&tz=&minSent=` (issue 18): every campaign active in
/// an ``OverviewPeriod`` at a glance. Rules (`docs/DOMAIN.md` §6 "Overview across campaigns"):
///
/// - **Active**: a campaign with a message sent, delivered, failed or clicked in the period (a
///   non-zero quarter-hour rollup cell of `sent`, `delivered`, `failed`, `unique_clicks` or
///   `clicks` in `[start, end)`).
/// - **Totals** and **rows** are each campaign's all-time `/stats` numbers (``CampaignStats``), so
///   the totals are the sums of the per-campaign `/stats` of the active campaigns. Rates are
///   recomputed from the sums: `deliveryRate = Σ delivered / Σ sent × 100`; `ctr = Σ unique clicks
///   / Σ each campaign's CTR denominator × 100` (delivered with callbacks, else sent:
///   ``ctrDenominatorCount``), so campaigns without callbacks count as their own CTR does.
/// - **Trend**: one point per local day of the period, Σ over the active campaigns of the day's
///   sent, delivered, clicked (first human clicks) and clicks; `ctr` by the same mixed denominator.
/// - **Cost**: Σ of each campaign's `/cost` total per currency (campaigns whose provider has no
///   price table have no cost and are left out).
/// - **Rankings**: best and worst delivery rate (campaigns whose provider has delivery callbacks:
///   without them Delivered is not tracked) and CTR, among campaigns with at least `minSent` sent
///   messages; ties go to the campaign with more sent, then the smaller id.
/// - **Top errors**: failed messages by delivery error code over the active campaigns, most first,
///   at most ``topErrorCount``.
public struct CampaignsOverview: Sendable, Equatable, Codable {
    public var from: String
    public var to: String
    public var timezone: String
    public var minSent: Int64
    public var totals: Totals
    /// One entry per currency, by currency code.
    public var cost: [CurrencyCost]
    public var trend: [TrendPoint]
    public var rankings: Rankings
    public var topErrors: [CampaignBreakdown.ErrorCount]
    /// The active campaigns, most sent first (ties: by id).
    public var campaigns: [Row]

    /// Error codes in ``topErrors``.
    public static let topErrorCount = 10

    /// The sums over the active campaigns (counts are messages; rates percent 0–100; revenue in
    /// cents and major units, the goals' own unit, added as they are).
    public struct Totals: Sendable, Equatable, Codable {
        public var campaigns: Int
        public var sent: Int64
        public var delivered: Int64
        public var failed: Int64
        public var pending: Int64
        public var deliveryRate: Double
        public var uniqueClicks: Int64
        public var clicks: Int64
        /// Σ each campaign's CTR denominator (delivered with callbacks, else sent).
        public var ctrDenominatorCount: Int64
        public var ctr: Double
        public var convertedUsers: Int64
        public var revenueCents: Int64
        public var revenue: Double
    }

    /// The cost of the active campaigns in one currency.
    public struct CurrencyCost: Sendable, Equatable, Codable {
        public var currency: String
        /// Major units.
        public var total: Double
        public var totalMicros: Int64
        /// Campaigns priced in this currency.
        public var campaigns: Int
    }

    /// One campaign's cost (its `/cost` total).
    public struct Cost: Sendable, Equatable, Codable {
        public var currency: String
        public var total: Double
        public var totalMicros: Int64
        public init(currency: String, totalMicros: Int64) {
            self.currency = currency
            self.totalMicros = totalMicros
            total = PriceTable.major(micros: totalMicros)
        }
    }

    /// One active campaign: its `/stats` numbers (all variants) and cost.
    public struct Row: Sendable, Equatable, Codable {
        public var id: String
        public var name: String
        public var status: String
        public var providerId: String
        public var callbacksEnabled: Bool
        /// Messages sent in the period (the trend's share of this campaign).
        public var periodSent: Int64
        public var sent: Int64
        public var delivered: Int64
        public var failed: Int64
        public var pending: Int64
        public var deliveryRate: Double
        public var uniqueClicks: Int64
        public var ctr: Double
        public var ctrDenominator: String
        public var convertedUsers: Int64
        public var revenueCents: Int64
        public var revenue: Double
        /// `null` when the provider has no price table.
        public var cost: Cost?

        enum CodingKeys: String, CodingKey {
            case id, name, status, providerId, callbacksEnabled, periodSent, sent, delivered, failed, pending, deliveryRate
            case uniqueClicks, ctr, ctrDenominator, convertedUsers, revenueCents, revenue, cost
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(name, forKey: .name)
            try c.encode(status, forKey: .status)
            try c.encode(providerId, forKey: .providerId)
            try c.encode(callbacksEnabled, forKey: .callbacksEnabled)
            try c.encode(periodSent, forKey: .periodSent)
            try c.encode(sent, forKey: .sent)
            try c.encode(delivered, forKey: .delivered)
            try c.encode(failed, forKey: .failed)
            try c.encode(pending, forKey: .pending)
            try c.encode(deliveryRate, forKey: .deliveryRate)
            try c.encode(uniqueClicks, forKey: .uniqueClicks)
            try c.encode(ctr, forKey: .ctr)
            try c.encode(ctrDenominator, forKey: .ctrDenominator)
            try c.encode(convertedUsers, forKey: .convertedUsers)
            try c.encode(revenueCents, forKey: .revenueCents)
            try c.encode(revenue, forKey: .revenue)
            try c.encode(cost, forKey: .cost)
        }
    }

    /// A ranked campaign: its id, name, the rate (percent 0–100) and its sent count.
    public struct Ranked: Sendable, Equatable, Codable {
        public var id: String
        public var name: String
        public var value: Double
        public var sent: Int64
    }

    /// The best and the worst of one rate; the same campaign when only one is ranked.
    public struct Extremes: Sendable, Equatable, Codable {
        public var best: Ranked
        public var worst: Ranked
    }

    /// `null` where no campaign qualifies.
    public struct Rankings: Sendable, Equatable, Codable {
        public var deliveryRate: Extremes?
        public var ctr: Extremes?

        enum CodingKeys: String, CodingKey { case deliveryRate, ctr }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(deliveryRate, forKey: .deliveryRate)
            try c.encode(ctr, forKey: .ctr)
        }
    }

    /// What the overview needs of one active campaign.
    public struct Input: Sendable {
        public var campaign: Campaign
        public var callbacksEnabled: Bool
        /// The campaign's `/stats` (all variants).
        public var stats: CampaignStats
        /// All-time cells, all variants (the error codes).
        public var totals: RollupDelta
        /// The campaign's points per local day of the period (days without a count left out).
        public var days: [TrendPoint]
        public var cost: Cost?

        public init(campaign: Campaign, callbacksEnabled: Bool, stats: CampaignStats, totals: RollupDelta, days: [TrendPoint], cost: Cost?) {
            self.campaign = campaign
            self.callbacksEnabled = callbacksEnabled
            self.stats = stats
            self.totals = totals
            self.days = days
            self.cost = cost
        }
    }

    /// Whether a campaign's quarter-hour cells (``TrendBucketer/metrics`` and `failed`) show
    /// activity in the period.
    public static func isActive(cells: [RollupBucketCell], in period: OverviewPeriod) -> Bool {
        cells.contains { $0.value != 0 && period.contains(bucket: $0.bucket) && activityMetrics.contains($0.metric) }
    }

    /// The quarter-hour metrics that make a campaign active (and that its trend reads).
    public static let activityMetrics: [RollupMetric] = TrendBucketer.metrics + [.failed]

    /// The overview of the active campaigns `inputs` (see the type's rules).
    public init(period: OverviewPeriod, minSent: Int64, inputs: [Input]) {
        from = period.from
        to = period.to
        timezone = period.timezone
        self.minSent = minSent
        var t = Totals(
            campaigns: inputs.count, sent: 0, delivered: 0, failed: 0, pending: 0, deliveryRate: 0, uniqueClicks: 0, clicks: 0,
            ctrDenominatorCount: 0, ctr: 0, convertedUsers: 0, revenueCents: 0, revenue: 0)
        var costs: [String: CurrencyCost] = [:]
        var codes: [String: Int64] = [:]
        var byDay: [String: (point: TrendPoint, denominator: Int64)] = [:]
        var rows: [Row] = []
        for input in inputs {
            let s = input.stats
            t.sent += s.sent
            t.delivered += s.delivered
            t.failed += s.failed
            t.pending += s.pending
            t.uniqueClicks += s.uniqueClicks
            t.clicks += s.clicks
            t.ctrDenominatorCount += CampaignStats.ctrDenominator(delivered: s.delivered, sent: s.sent, callbacksEnabled: input.callbacksEnabled)
            t.convertedUsers += s.convertedUsers
            t.revenueCents += s.revenueCents
            if let cost = input.cost {
                var c = costs[cost.currency] ?? CurrencyCost(currency: cost.currency, total: 0, totalMicros: 0, campaigns: 0)
                c.totalMicros = c.totalMicros.saturatingAdding(cost.totalMicros)
                c.total = PriceTable.major(micros: c.totalMicros)
                c.campaigns += 1
                costs[cost.currency] = c
            }
            for e in CampaignReport.deliveryErrors(totals: input.totals, provider: nil) { codes[e.code, default: 0] += e.count }
            var periodSent: Int64 = 0
            for p in input.days {
                var day = byDay[p.start] ?? (point: TrendPoint(start: p.start), denominator: 0)
                day.point.sent += p.sent
                day.point.delivered += p.delivered
                day.point.clicked += p.clicked
                day.point.clicks += p.clicks
                day.denominator += CampaignStats.ctrDenominator(delivered: p.delivered, sent: p.sent, callbacksEnabled: input.callbacksEnabled)
                byDay[p.start] = day
                periodSent += p.sent
            }
            rows.append(
                Row(
                    id: input.campaign.id, name: input.campaign.name, status: input.campaign.status.rawValue,
                    providerId: input.campaign.providerId, callbacksEnabled: input.callbacksEnabled, periodSent: periodSent, sent: s.sent,
                    delivered: s.delivered, failed: s.failed, pending: s.pending, deliveryRate: s.deliveryRate, uniqueClicks: s.uniqueClicks,
                    ctr: s.ctr, ctrDenominator: s.ctrDenominator, convertedUsers: s.convertedUsers, revenueCents: s.revenueCents,
                    revenue: s.revenue, cost: input.cost))
        }
        t.deliveryRate = CampaignStats.percent(t.delivered, t.sent)
        t.ctr = CampaignStats.percent(t.uniqueClicks, t.ctrDenominatorCount)
        t.revenue = Double(t.revenueCents) / 100
        totals = t
        cost = costs.values.sorted { $0.currency < $1.currency }
        trend = period.days.map { label in
            guard let day = byDay[label] else { return TrendPoint(start: label) }
            var p = day.point
            p.ctr = CampaignStats.percent(p.clicked, day.denominator)
            return p
        }
        topErrors = codes.map { CampaignBreakdown.ErrorCount(code: $0.key, count: $0.value) }
            .sorted { ($0.count, $1.code) > ($1.count, $0.code) }
            .prefix(Self.topErrorCount).map { $0 }
        campaigns = rows.sorted { ($0.sent, $1.id) > ($1.sent, $0.id) }
        let ranked = rows.filter { $0.sent >= minSent }
        rankings = Rankings(
            deliveryRate: Self.extremes(ranked.filter(\.callbacksEnabled), \.deliveryRate),
            ctr: Self.extremes(ranked, \.ctr))
    }

    /// The best (highest) and the worst (lowest) of `rows` by `rate`; ties: more sent, then the
    /// smaller id. `nil` for no row.
    static func extremes(_ rows: [Row], _ rate: KeyPath<Row, Double>) -> Extremes? {
        func ranked(_ r: Row) -> Ranked { Ranked(id: r.id, name: r.name, value: r[keyPath: rate], sent: r.sent) }
        func tieBreak(_ a: Row, _ b: Row) -> Bool { a.sent != b.sent ? a.sent > b.sent : a.id < b.id }
        let best = rows.min { a, b in a[keyPath: rate] != b[keyPath: rate] ? a[keyPath: rate] > b[keyPath: rate] : tieBreak(a, b) }
        let worst = rows.min { a, b in a[keyPath: rate] != b[keyPath: rate] ? a[keyPath: rate] < b[keyPath: rate] : tieBreak(a, b) }
        guard let best, let worst else { return nil }
        return Extremes(best: ranked(best), worst: ranked(worst))
    }
}
