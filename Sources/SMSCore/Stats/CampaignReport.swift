import Foundation

/// Per-link numbers of the Split of Clicks (`domain.md` §6).
public struct LinkStats: Sendable, Equatable, Codable {
    public var index: Int
    public var url: String
    public var clicks: Int64
    public var uniqueClicks: Int64
    /// This link's share of all human clicks, percent 0–100.
    public var share: Double
    public var botHits: Int64
}

/// One row of the Errors tab's dispatch errors.
public struct DispatchErrorStat: Sendable, Equatable, Codable {
    public var reason: String
    public var count: Int64
}

/// One row of the Errors tab's delivery errors.
public struct DeliveryErrorStat: Sendable, Equatable, Codable {
    public var code: String
    public var description: String
    public var category: String
    public var count: Int64
}

/// Reads the Stats-tab views out of a campaign's rollup totals (pure; `domain.md` §6).
public enum CampaignReport {
    /// Summary numbers.
    public static func stats(totals: RollupDelta, callbacksEnabled: Bool) -> CampaignStats {
        var flat: [RollupMetric: Int64] = [:]
        for (k, v) in totals where k.dim.isEmpty && k.bucket == RollupKey.total { flat[k.metric, default: 0] += v }
        return CampaignStats(totals: flat, callbacksEnabled: callbacksEnabled)
    }

    /// Split of clicks: one entry per campaign link (in body order), shares of all human clicks.
    public static func links(totals: RollupDelta, urls: [String]) -> [LinkStats] {
        func v(_ m: RollupMetric, _ i: Int) -> Int64 { totals[RollupKey(m, dim: String(i))] ?? 0 }
        let all = urls.indices.reduce(Int64(0)) { $0 + v(.linkClicks, $1) }
        return urls.enumerated().map { i, url in
            LinkStats(
                index: i, url: url, clicks: v(.linkClicks, i), uniqueClicks: v(.linkUniqueClicks, i),
                share: CampaignStats.percent(v(.linkClicks, i), all), botHits: v(.linkBotHits, i))
        }
    }

    /// Dispatch errors by reason, most frequent first.
    public static func dispatchErrors(totals: RollupDelta) -> [DispatchErrorStat] {
        totals.compactMap { k, v in
            k.metric == .dispatchErrorsByReason && v != 0 ? DispatchErrorStat(reason: k.dim, count: v) : nil
        }.sorted { ($0.count, $1.reason) > ($1.count, $0.reason) }
    }

    /// Delivery errors by code, most frequent first, with description and category.
    public static func deliveryErrors(totals: RollupDelta, provider: ProviderKind?) -> [DeliveryErrorStat] {
        totals.compactMap { k, v -> DeliveryErrorStat? in
            guard k.metric == .failedByCode, v != 0 else { return nil }
            let info = DeliveryErrorCatalog.lookup(code: k.dim, provider: provider, description: nil)
            return DeliveryErrorStat(
                code: k.dim.isEmpty ? "(none)" : k.dim, description: info.description, category: info.category.rawValue,
                count: v)
        }.sorted { ($0.count, $1.code) > ($1.count, $0.code) }
    }
}
