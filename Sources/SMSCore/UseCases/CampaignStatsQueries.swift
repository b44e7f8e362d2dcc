import Foundation

/// The body of `GET /api/v1/campaigns/{id}/trend`.
public struct TrendReport: Sendable, Equatable, Codable {
    public var granularity: TrendGranularity
    /// The IANA zone the periods are local to.
    public var timezone: String
    public var callbacksEnabled: Bool
    /// The denominator of each point's `ctr`: `"delivered"` or `"sent"`.
    public var ctrDenominator: String
    public var buckets: [TrendPoint]
    /// Set when the campaign's stored zone is no zone at all (a legacy `GMT+99` or `''`) and the
    /// trend fell back to UTC (``IANAZone/readable(_:)``): `the campaign's stored time zone
    /// 'GMT+99' is no time zone; UTC is used`. Absent otherwise (and when `tz` was given).
    public var zoneNote: String?

    public init(
        granularity: TrendGranularity, timezone: String, callbacksEnabled: Bool, ctrDenominator: String, buckets: [TrendPoint],
        zoneNote: String? = nil
    ) {
        self.granularity = granularity
        self.timezone = timezone
        self.callbacksEnabled = callbacksEnabled
        self.ctrDenominator = ctrDenominator
        self.buckets = buckets
        self.zoneNote = zoneNote
    }
}

/// Bad parameters of a stats query (the web layer answers 400 with ``description``).
public enum StatsQueryError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownVariant(Int, known: [Int])
    case unknownTimeZone(String)

    public var description: String {
        switch self {
        case .unknownVariant(let v, let known):
            "unknown variant \(v); this campaign has variant(s) \(known.map(String.init).joined(separator: ", "))"
        case .unknownTimeZone(let name): TrendBucketerError.unknownTimeZone(name).description
        }
    }
}

/// The Stats tab's read side (`docs/DOMAIN.md` §6): each view is a few rollup reads and a pure
/// computation in ``CampaignReport`` / ``TrendBucketer`` / ``CampaignFunnel``. The ONE read path of
/// stats: the API routes, the dashboard (``overview(_:granularity:)``, the campaign list, the
/// progress view), the CSV export, the CLI and the benchmark all read through it, so they show the
/// same numbers.
public struct CampaignStatsQueries: Sendable {
    public let store: any SMSStore

    public init(store: any SMSStore) {
        self.store = store
    }

    /// Whether the campaign's provider has delivery callbacks configured (switches CTR's
    /// denominator); `false` when the provider is gone.
    public func callbacksEnabled(_ campaign: Campaign) async throws -> Bool {
        Self.callbacksEnabled(try await store.provider(id: campaign.providerId))
    }

    /// Whether callbacks are configured on a campaign's provider (`nil`: the provider is gone).
    static func callbacksEnabled(_ provider: ProviderConfig?) -> Bool { provider?.callbacksEnabled ?? false }

    /// `/stats`: all variants, and each variant when there are several.
    public func summary(_ campaign: Campaign) async throws -> StatsSummary {
        async let totals = store.rollupTotalsByVariant(campaignId: campaign.id)
        async let callbacks = callbacksEnabled(campaign)
        return CampaignReport.summary(byVariant: try await totals, callbacksEnabled: try await callbacks)
    }

    /// `/trend`: Sent, Delivered, Clicked (and clicks, CTR) per local day, ISO week or month, from
    /// the first period with a count to the last, quiet periods as zeros.
    /// - Parameters:
    ///   - timeZone: an IANA zone; `nil` = the campaign's zone, or UTC with a `zoneNote` when the
    ///     stored zone is no zone at all (``IANAZone/readable(_:)``).
    ///   - variant: one variant, or `nil` for all.
    /// - Throws: ``StatsQueryError`` for an unknown zone or variant.
    public func trend(_ campaign: Campaign, granularity: TrendGranularity, timeZone: String?, variant: Int?) async throws
        -> TrendReport
    {
        var zone = timeZone ?? campaign.timezone
        var note: String?
        if timeZone == nil { (zone, note) = IANAZone.readable(campaign.timezone) }
        let bucketer = try Self.bucketer(zone: zone, granularity: granularity)
        if let variant { _ = try await totals(campaign, variant: variant) }
        async let cells = store.rollupBucketCells(campaignId: campaign.id, variant: variant, metrics: TrendBucketer.metrics)
        let callbacks = try await callbacksEnabled(campaign)
        var report = Self.trendReport(bucketer, zone: zone, granularity: granularity, cells: try await cells, callbacksEnabled: callbacks)
        report.zoneNote = note
        return report
    }

    static func bucketer(zone: String, granularity: TrendGranularity) throws(StatsQueryError) -> TrendBucketer {
        do {
            return try TrendBucketer(timeZoneIdentifier: zone, granularity: granularity)
        } catch {
            throw StatsQueryError.unknownTimeZone(zone)
        }
    }

    static func trendReport(
        _ bucketer: TrendBucketer, zone: String, granularity: TrendGranularity, cells: [RollupBucketCell], callbacksEnabled: Bool
    ) -> TrendReport {
        let points = bucketer.filled(bucketer.trend(cells: cells)).map { $0.withCTR(callbacksEnabled: callbacksEnabled) }
        return TrendReport(
            granularity: granularity, timezone: zone, callbacksEnabled: callbacksEnabled,
            ctrDenominator: callbacksEnabled ? "delivered" : "sent", buckets: points)
    }

    /// `/funnel`: Sent → Delivered → Clicked → Converted users.
    public func funnel(_ campaign: Campaign, variant: Int?) async throws -> CampaignFunnel {
        let all = try await store.rollupTotalsByVariant(campaignId: campaign.id)
        let callbacks = try await callbacksEnabled(campaign)
        let totals = try Self.select(all, variant: variant)
        let control = CampaignStats.ControlBaseline(totals: CampaignReport.flat(CampaignReport.merged(all)))
        return CampaignFunnel(stats: CampaignReport.stats(totals: totals, callbacksEnabled: callbacks, control: control))
    }

    /// `/links`: the split of clicks per link.
    public func links(_ campaign: Campaign, variant: Int?) async throws -> [LinkStats] {
        CampaignReport.links(totals: try await totals(campaign, variant: variant), urls: campaign.links)
    }

    /// `/latency` (issue 18): sent → delivered and sent → first click, from the histogram cells of
    /// the all-time totals (``DeliveryLatencyReport``).
    /// - Throws: ``StatsQueryError/unknownVariant(_:known:)``.
    public func latency(_ campaign: Campaign, variant: Int?) async throws -> DeliveryLatencyReport {
        DeliveryLatencyReport(totals: try await totals(campaign, variant: variant))
    }

    /// `/breakdown?by=` (issue 18): the Stats-tab counters per country, provider, variant or carrier
    /// (``CampaignBreakdown``). Variant and provider read the rollups (a few rows); country and
    /// carrier (the message's stored network, ``MessageLogEntry/network``) fold the campaign's
    /// stored messages (``MessageLogStore/messageLog(campaignId:afterId:limit:)``,
    /// pages of ``breakdownPage`` on the index `messages_campaign_log`): its cost grows with the
    /// campaign, about one message-log page read per 1,000 messages (docs/ARCHITECTURE.md
    /// "Stats: reads and the recount"), and its pages are separate reads, so under concurrent
    /// receipts the rows can differ from `/stats` by the messages that changed meanwhile.
    public func breakdown(_ campaign: Campaign, by: BreakdownDimension) async throws -> CampaignBreakdown {
        let callbacks = try await callbacksEnabled(campaign)
        var byKey: [String: RollupDelta] = [:]
        switch by {
        case .variant:
            for (variant, totals) in try await store.rollupTotalsByVariant(campaignId: campaign.id) { byKey[String(variant)] = totals }
        case .provider: byKey[campaign.providerId] = try await totals(campaignId: campaign.id)
        case .carrier: byKey = try await messageTotals(campaign, key: CampaignBreakdown.carrierKey(of:))
        case .country: byKey = try await countryTotals(campaign)
        }
        return CampaignBreakdown(by: by, totalsByKey: byKey, callbacksEnabled: callbacks)
    }

    /// The all-time cells of a campaign's messages per destination country
    /// (``CampaignBreakdown/countryKey(phone:)``), folded from its stored messages in pages of
    /// ``breakdownPage``: the country breakdown's and the cost's one read.
    func countryTotals(_ campaign: Campaign) async throws -> [String: RollupDelta] {
        try await messageTotals(campaign) { CampaignBreakdown.countryKey(phone: $0.phone) }
    }

    /// The all-time cells of a campaign's messages per `key` of each stored message, folded in
    /// pages of ``breakdownPage`` (the country and carrier breakdowns' one read).
    func messageTotals(_ campaign: Campaign, key: @escaping (MessageLogEntry) -> String) async throws -> [String: RollupDelta] {
        try await messageTotals(campaign, keys: [key])[0]
    }

    /// ``messageTotals(_:key:)`` for several keys from one pass over the messages: one map per key.
    func messageTotals(_ campaign: Campaign, keys: [(MessageLogEntry) -> String]) async throws -> [[String: RollupDelta]] {
        var byKey: [[String: RollupDelta]] = Array(repeating: [:], count: keys.count)
        var after: Int64?
        while true {
            let page = try await store.messageLog(campaignId: campaign.id, afterId: after, limit: Self.breakdownPage)
            for entry in page {
                for (i, key) in keys.enumerated() { CampaignBreakdown.add(entry, key: key(entry), to: &byKey[i]) }
            }
            guard page.count == Self.breakdownPage, let last = page.last else { break }
            after = last.id
        }
        return byKey
    }

    /// `/cost` (issue 18): the campaign's sent segments per destination country (the country
    /// breakdown's fold, cell `sent_segments`) priced by its provider's ``PriceTable``
    /// (``CampaignCost``), divided by the Stats tab's delivered, unique clicks and converted users.
    /// Cost like the country breakdown: one message-log page read per 1,000 messages.
    /// - Returns: `nil` when the campaign's provider has no price table.
    public func cost(_ campaign: Campaign) async throws -> CampaignCost? {
        guard let prices = try await store.priceTable(providerId: campaign.providerId) else { return nil }
        let byCountry = try await countryTotals(campaign)
        return Self.cost(campaign, prices: prices, byCountry: byCountry, stats: try await summary(campaign).all)
    }

    /// The cost of a campaign's country cells (``countryTotals(_:)``) by `prices`, divided by its
    /// Stats-tab numbers: `/cost`'s and the Delivery tab's one computation.
    static func cost(_ campaign: Campaign, prices: PriceTable, byCountry: [String: RollupDelta], stats: CampaignStats) -> CampaignCost {
        CampaignCost(
            prices: prices, segmentsByCountry: byCountry.mapValues { $0[RollupKey(.sentSegments)] ?? 0 }, stats: stats,
            goalHasRevenue: campaign.goal?.revenueProperty != nil)
    }

    /// Messages per read of the country breakdown.
    public static let breakdownPage = 1_000

    /// `/errors`: dispatch errors by reason, delivery errors by code.
    public func errors(_ campaign: Campaign, variant: Int?) async throws -> ErrorsReport {
        async let descriptions = store.deliveryErrorDescriptions(campaignId: campaign.id)
        async let provider = store.provider(id: campaign.providerId)
        let totals = try await totals(campaign, variant: variant)
        return Self.errorsReport(totals: totals, provider: try await provider, descriptions: try await descriptions)
    }

    static func errorsReport(totals: RollupDelta, provider: ProviderConfig?, descriptions: [String: String]) -> ErrorsReport {
        ErrorsReport(
            dispatch: CampaignReport.dispatchErrors(totals: totals),
            delivery: CampaignReport.deliveryErrors(totals: totals, provider: provider?.kind, descriptions: descriptions))
    }

    /// The dashboard's campaign page: the summary, the split of clicks, the errors and the trend in
    /// the campaign's zone, all variants — the same values ``summary(_:)``, ``links(_:variant:)``,
    /// ``errors(_:variant:)`` and ``trend(_:granularity:timeZone:variant:)`` answer, from one read
    /// of each kind (totals, trend cells, error descriptions, provider).
    /// A stored zone that is no zone at all is read as UTC, the trend's `zoneNote` saying so
    /// (``IANAZone/readable(_:)``).
    public func overview(_ campaign: Campaign, granularity: TrendGranularity) async throws -> CampaignOverview {
        let (zone, note) = IANAZone.readable(campaign.timezone)
        let bucketer = try Self.bucketer(zone: zone, granularity: granularity)
        async let byVariant = store.rollupTotalsByVariant(campaignId: campaign.id)
        async let cells = store.rollupBucketCells(campaignId: campaign.id, variant: nil, metrics: TrendBucketer.metrics)
        async let descriptions = store.deliveryErrorDescriptions(campaignId: campaign.id)
        async let provider = store.provider(id: campaign.providerId)
        let callbacks = Self.callbacksEnabled(try await provider)
        let totals = CampaignReport.merged(try await byVariant)
        var trend = Self.trendReport(bucketer, zone: zone, granularity: granularity, cells: try await cells, callbacksEnabled: callbacks)
        trend.zoneNote = note
        return CampaignOverview(
            provider: try await provider,
            summary: CampaignReport.summary(byVariant: try await byVariant, callbacksEnabled: callbacks),
            links: CampaignReport.links(totals: totals, urls: campaign.links),
            errors: Self.errorsReport(totals: totals, provider: try await provider, descriptions: try await descriptions),
            trend: trend)
    }

    /// All-time totals of all variants, or of one (a campaign with no messages yet has zeros for
    /// any variant). - Throws: ``StatsQueryError/unknownVariant(_:known:)``.
    public func totals(_ campaign: Campaign, variant: Int?) async throws -> RollupDelta {
        try Self.select(try await store.rollupTotalsByVariant(campaignId: campaign.id), variant: variant)
    }

    /// All-time totals of a campaign by id, all variants added up (`[:]` for an unknown campaign or
    /// one without messages): what ``summary(_:)`` starts from.
    public func totals(campaignId: String) async throws -> RollupDelta {
        CampaignReport.merged(try await store.rollupTotalsByVariant(campaignId: campaignId))
    }

    static func select(_ byVariant: [Int: RollupDelta], variant: Int?) throws -> RollupDelta {
        guard let variant, !byVariant.isEmpty else { return CampaignReport.merged(byVariant) }
        guard let totals = byVariant[variant] else {
            throw StatsQueryError.unknownVariant(variant, known: byVariant.keys.sorted())
        }
        return totals
    }
}
