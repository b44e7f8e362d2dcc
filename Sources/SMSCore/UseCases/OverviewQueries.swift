import Foundation

/// Bad `ids` of a comparison (a 400 with ``description``, naming `ids`).
public struct CompareIdsError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

/// The reads across campaigns (issue 18): the overview of a period (``CampaignsOverview``), the
/// breakdown across campaigns, and the comparison of 2–5 campaigns (``CampaignComparison``).
/// Built on the Stats tab's one read path (``CampaignStatsQueries``), so each campaign's numbers
/// are the ones its own routes answer.
///
/// Cost of a read: per campaign, one read of its quarter-hour cells (whether it is active, and its
/// trend) and, when active, one of its all-time cells: O(campaigns × buckets), independent of the
/// number of messages (PITFALLS.md #20). Two parts read messages, as their per-campaign routes do:
/// the country breakdown (``CampaignStatsQueries/breakdown(_:by:)``), and the cost of a campaign
/// whose price table has per-country prices (``CampaignStatsQueries/cost(_:)``); a table with only
/// a default is priced from the `sent_segments` rollup (``CampaignCost/totalMicros(prices:sentSegments:)``).
public struct OverviewQueries: Sendable {
    public let store: any SMSStore

    public init(store: any SMSStore) {
        self.store = store
    }

    var stats: CampaignStatsQueries { CampaignStatsQueries(store: store) }

    /// A campaign active in the period, its provider's CTR rule and its quarter-hour cells.
    struct Active {
        var campaign: Campaign
        var callbacksEnabled: Bool
        var cells: [RollupBucketCell]
    }

    /// The campaigns active in `period` (``CampaignsOverview/isActive(cells:in:)``), oldest first
    /// (ties: by id).
    func active(_ period: OverviewPeriod) async throws -> [Active] {
        let providers = Dictionary(try await store.providers().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [Active] = []
        let campaigns = try await store.campaigns().sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        for c in campaigns {
            let cells = try await store.rollupBucketCells(campaignId: c.id, variant: nil, metrics: CampaignsOverview.activityMetrics)
            guard CampaignsOverview.isActive(cells: cells, in: period) else { continue }
            out.append(
                Active(campaign: c, callbacksEnabled: CampaignStatsQueries.callbacksEnabled(providers[c.providerId]), cells: cells))
        }
        return out
    }

    /// `GET /api/v1/overview`: the campaigns active in `period`.
    /// - Parameter minSent: the fewest sent messages of a ranked campaign (``InputLimits/overviewMinSent``).
    public func overview(_ period: OverviewPeriod, minSent: Int64) async throws -> CampaignsOverview {
        let bucketer = try CampaignStatsQueries.bucketer(zone: period.timezone, granularity: .day)
        var prices: [String: PriceTable?] = [:]
        var inputs: [CampaignsOverview.Input] = []
        for a in try await active(period) {
            let byVariant = try await store.rollupTotalsByVariant(campaignId: a.campaign.id)
            let summary = CampaignReport.summary(byVariant: byVariant, callbacksEnabled: a.callbacksEnabled)
            let days = bucketer.trend(cells: a.cells.filter { period.contains(bucket: $0.bucket) })
            if prices[a.campaign.providerId] == nil { prices[a.campaign.providerId] = .some(try await store.priceTable(providerId: a.campaign.providerId)) }
            var cost: CampaignsOverview.Cost?
            if let table = prices[a.campaign.providerId] ?? nil {
                if let micros = CampaignCost.totalMicros(prices: table, sentSegments: summary.all.sentSegments) {
                    cost = CampaignsOverview.Cost(currency: table.currency, totalMicros: micros)
                } else if let full = try await stats.cost(a.campaign) {
                    cost = CampaignsOverview.Cost(currency: full.currency, totalMicros: full.totalMicros)
                }
            }
            inputs.append(
                CampaignsOverview.Input(
                    campaign: a.campaign, callbacksEnabled: a.callbacksEnabled, stats: summary.all,
                    totals: CampaignReport.merged(byVariant), days: days, cost: cost))
        }
        return CampaignsOverview(period: period, minSent: minSent, inputs: inputs)
    }

    /// `GET /api/v1/breakdown?by=`: the per-campaign breakdowns of the campaigns active in
    /// `period`, merged (``CampaignBreakdown/init(by:merging:)``).
    public func breakdown(by: BreakdownDimension, period: OverviewPeriod) async throws -> CampaignBreakdown {
        var parts: [CampaignBreakdown.Part] = []
        for a in try await active(period) {
            parts.append(CampaignBreakdown.Part(breakdown: try await stats.breakdown(a.campaign, by: by), callbacksEnabled: a.callbacksEnabled))
        }
        return CampaignBreakdown(by: by, merging: parts)
    }

    /// The ids of `?ids=`: comma-separated, ``InputLimits/compareCampaigns`` of them, none empty,
    /// none twice. - Throws: ``CompareIdsError``.
    public static func compareIds(_ text: String?) throws(CompareIdsError) -> [String] {
        let range = InputLimits.compareCampaigns
        let form = "ids must be \(InputRange.format(range.minimum)) to \(InputRange.format(range.maximum)) campaign ids separated by commas"
        guard let text else { throw CompareIdsError(description: "\(form) (ids is required)") }
        let ids = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard range.contains(Int64(ids.count)) else { throw CompareIdsError(description: "\(form) (got \(ids.count))") }
        guard !ids.contains(where: \.isEmpty) else { throw CompareIdsError(description: "\(form) (got an empty id in '\(InputEcho.text(text))')") }
        var seen = Set<String>()
        for id in ids where !seen.insert(id).inserted {
            throw CompareIdsError(description: "\(form), each once (got '\(InputEcho.text(id))' twice)")
        }
        return ids
    }

    /// `GET /api/v1/compare?ids=`: the campaigns side by side, in the order given.
    /// - Throws: ``CompareIdsError`` naming the unknown ids.
    public func compare(ids: [String]) async throws -> CampaignComparison {
        var campaigns: [Campaign] = []
        var unknown: [String] = []
        for id in ids {
            if let c = try await store.campaign(id: id) { campaigns.append(c) } else { unknown.append(id) }
        }
        guard unknown.isEmpty else {
            throw CompareIdsError(description: "ids names unknown campaign(s): \(unknown.map { "'\(InputEcho.text($0))'" }.joined(separator: ", "))")
        }
        var entries: [CampaignComparison.Entry] = []
        for c in campaigns {
            entries.append(
                CampaignComparison.Entry(
                    campaign: c, stats: try await stats.summary(c).all, latency: try await stats.latency(c, variant: nil),
                    cost: try await stats.cost(c)))
        }
        return CampaignComparison(campaigns: entries)
    }
}
