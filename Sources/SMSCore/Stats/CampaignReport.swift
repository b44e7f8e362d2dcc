import Foundation

/// Per-link numbers of the Split of Clicks (`docs/DOMAIN.md` §6).
///
/// One row per campaign link (`index` from 0 in body order, `url` its URL) and, when there are
/// some, a last row for the provider-reported clicks on URLs that are none of the campaign's links
/// (`index` -1, `url` `null`, `other` true, `label` ``otherLabel``). JSON:
/// `{"index", "url", "other", "label", "clicks", "uniqueClicks", "share", "botHits"}`.
public struct LinkStats: Sendable, Equatable, Codable {
    /// The label of the "other links" row (dashboard, CSV export, JSON `label`).
    public static let otherLabel = "Other links (reported by the provider)"

    public var index: Int
    /// The campaign link's URL; `nil` for the "other links" row.
    public var url: String?
    public var clicks: Int64
    public var uniqueClicks: Int64
    /// This link's share of all human clicks, percent 0–100.
    public var share: Double
    public var botHits: Int64
    public init(index: Int, url: String?, clicks: Int64, uniqueClicks: Int64, share: Double, botHits: Int64) {
        self.index = index
        self.url = url
        self.clicks = clicks
        self.uniqueClicks = uniqueClicks
        self.share = share
        self.botHits = botHits
    }

    /// True for the row of clicks on URLs that are none of the campaign's links (index -1).
    public var other: Bool { index < 0 }
    /// `Link <n>` (n from 1) or ``otherLabel``.
    public var label: String { other ? Self.otherLabel : "Link \(index + 1)" }

    enum CodingKeys: String, CodingKey { case index, url, other, label, clicks, uniqueClicks, share, botHits }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            index: try c.decode(Int.self, forKey: .index), url: try c.decodeIfPresent(String.self, forKey: .url),
            clicks: try c.decode(Int64.self, forKey: .clicks), uniqueClicks: try c.decode(Int64.self, forKey: .uniqueClicks),
            share: try c.decode(Double.self, forKey: .share), botHits: try c.decode(Int64.self, forKey: .botHits))
    }

    /// Writes `url` as `null` (not left out) on the "other links" row, and `other` and `label`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(url, forKey: .url)
        try c.encode(other, forKey: .other)
        try c.encode(label, forKey: .label)
        try c.encode(clicks, forKey: .clicks)
        try c.encode(uniqueClicks, forKey: .uniqueClicks)
        try c.encode(share, forKey: .share)
        try c.encode(botHits, forKey: .botHits)
    }
}

/// One row of the Errors tab's dispatch errors.
public struct DispatchErrorStat: Sendable, Equatable, Codable {
    public var reason: String
    public var count: Int64
    public init(reason: String, count: Int64) {
        self.reason = reason
        self.count = count
    }
}

/// One row of the Errors tab's delivery errors.
public struct DeliveryErrorStat: Sendable, Equatable, Codable {
    public var code: String
    public var description: String
    public var category: String
    public var count: Int64
    public init(code: String, description: String, category: String, count: Int64) {
        self.code = code
        self.description = description
        self.category = category
        self.count = count
    }
}

/// The body of `GET /api/v1/campaigns/{id}/errors`.
public struct ErrorsReport: Sendable, Equatable, Codable {
    /// Dispatch errors by reason (`docs/DOMAIN.md` §2 list).
    public var dispatch: [DispatchErrorStat]
    /// Delivery errors (failed messages) by code.
    public var delivery: [DeliveryErrorStat]
    public init(dispatch: [DispatchErrorStat], delivery: [DeliveryErrorStat]) {
        self.dispatch = dispatch
        self.delivery = delivery
    }
}

/// Reads the Stats-tab views out of a campaign's rollup totals (pure; `docs/DOMAIN.md` §6).
public enum CampaignReport {
    /// Summary numbers.
    public static func stats(totals: RollupDelta, callbacksEnabled: Bool, control: CampaignStats.ControlBaseline? = nil)
        -> CampaignStats
    {
        CampaignStats(totals: flat(totals), callbacksEnabled: callbacksEnabled, control: control)
    }

    /// The all-time, dimension-less counters of `totals`.
    public static func flat(_ totals: RollupDelta) -> [RollupMetric: Int64] {
        var flat: [RollupMetric: Int64] = [:]
        for (k, v) in totals where k.dim.isEmpty && k.bucket == RollupKey.total { flat[k.metric, default: 0] += v }
        return flat
    }

    /// The cells of all variants added together.
    public static func merged(_ byVariant: [Int: RollupDelta]) -> RollupDelta {
        var all = RollupDelta()
        for delta in byVariant.values { all.add(delta) }
        return all
    }

    /// The variants that sent, or meant to send, at least one message (control-group members
    /// do not make a variant), ascending.
    public static func variants(_ byVariant: [Int: RollupDelta]) -> [Int] {
        byVariant.filter { _, d in (d[RollupKey(.messages)] ?? 0) - (d[RollupKey(.controlGroup)] ?? 0) > 0 }.keys.sorted()
    }

    /// The stats body: all variants, and each variant when there is more than one. Each variant's
    /// lift uses the campaign's whole control group.
    public static func summary(byVariant: [Int: RollupDelta], callbacksEnabled: Bool) -> StatsSummary {
        let all = merged(byVariant)
        let allStats = stats(totals: all, callbacksEnabled: callbacksEnabled)
        let numbers = variants(byVariant)
        guard numbers.count > 1 else { return StatsSummary(all: allStats, variants: []) }
        let control = CampaignStats.ControlBaseline(totals: flat(all))
        return StatsSummary(
            all: allStats,
            variants: numbers.map { n in
                VariantStats(
                    variant: n, stats: stats(totals: byVariant[n] ?? [:], callbacksEnabled: callbacksEnabled, control: control))
            })
    }

    /// Split of clicks: one entry per campaign link (in body order), shares of all human clicks.
    /// Provider-reported clicks whose URL is none of the campaign's links are counted under index
    /// -1 (url `nil`, ``LinkStats/other``), listed last and only when there are some, so the shares
    /// add up to 100.
    public static func links(totals: RollupDelta, urls: [String]) -> [LinkStats] {
        func v(_ m: RollupMetric, _ i: Int) -> Int64 { totals[RollupKey(m, dim: String(i))] ?? 0 }
        var indices = Array(urls.indices)
        if v(.linkClicks, -1) != 0 || v(.linkBotHits, -1) != 0 { indices.append(-1) }
        let all = indices.reduce(Int64(0)) { $0 + v(.linkClicks, $1) }
        return indices.map { i in
            LinkStats(
                index: i, url: i >= 0 ? urls[i] : nil, clicks: v(.linkClicks, i), uniqueClicks: v(.linkUniqueClicks, i),
                share: CampaignStats.percent(v(.linkClicks, i), all), botHits: v(.linkBotHits, i))
        }
    }

    /// Dispatch errors by reason, most frequent first (ties: by reason).
    public static func dispatchErrors(totals: RollupDelta) -> [DispatchErrorStat] {
        totals.compactMap { k, v in
            k.metric == .dispatchErrorsByReason && k.bucket == RollupKey.total && v != 0
                ? DispatchErrorStat(reason: k.dim, count: v) : nil
        }.sorted { ($0.count, $1.reason) > ($1.count, $0.reason) }
    }

    /// Delivery errors by code, most frequent first (ties: by code), with description and
    /// category from ``DeliveryErrorCatalog``.
    /// - Parameters:
    ///   - provider: the campaign's provider dialect (selects the code table).
    ///   - descriptions: the provider's own description per code, as received; used for codes the
    ///     catalog does not know and for generic `900` ("see description").
    public static func deliveryErrors(totals: RollupDelta, provider: ProviderKind?, descriptions: [String: String] = [:])
        -> [DeliveryErrorStat]
    {
        totals.compactMap { k, v -> DeliveryErrorStat? in
            guard k.metric == .failedByCode, k.bucket == RollupKey.total, v != 0 else { return nil }
            let info = DeliveryErrorCatalog.lookup(code: k.dim, provider: provider, description: descriptions[k.dim])
            return DeliveryErrorStat(
                code: k.dim.isEmpty ? "(none)" : k.dim, description: info.description, category: info.category.rawValue,
                count: v)
        }.sorted { ($0.count, $1.code) > ($1.count, $0.code) }
    }
}
