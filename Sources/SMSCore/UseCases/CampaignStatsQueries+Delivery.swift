import Foundation

extension CampaignStatsQueries {
    /// The dashboard's Delivery tab (``CampaignDeliveryOverview``): `/latency` (all variants),
    /// `/breakdown?by=country|provider|carrier` and `/cost`, computed by the routes' own functions
    /// from one read of each kind: the rollup totals, the provider, its price table, and one pass
    /// over the campaign's messages for both the country and the carrier cells (cost grows with the
    /// campaign like `/breakdown?by=country`).
    public func delivery(_ campaign: Campaign) async throws -> CampaignDeliveryOverview {
        async let byVariant = store.rollupTotalsByVariant(campaignId: campaign.id)
        async let provider = store.provider(id: campaign.providerId)
        async let prices = store.priceTable(providerId: campaign.providerId)
        let folded = try await messageTotals(
            campaign, keys: [{ CampaignBreakdown.countryKey(phone: $0.phone) }, CampaignBreakdown.carrierKey(of:)])
        let callbacks = Self.callbacksEnabled(try await provider)
        let all = try await byVariant
        let totals = CampaignReport.merged(all)
        let summary = CampaignReport.summary(byVariant: all, callbacksEnabled: callbacks)
        let table = try await prices
        return CampaignDeliveryOverview(
            latency: DeliveryLatencyReport(totals: totals),
            country: CampaignBreakdown(by: .country, totalsByKey: folded[0], callbacksEnabled: callbacks),
            provider: CampaignBreakdown(by: .provider, totalsByKey: [campaign.providerId: totals], callbacksEnabled: callbacks),
            carrier: CampaignBreakdown(by: .carrier, totalsByKey: folded[1], callbacksEnabled: callbacks),
            cost: table.map { Self.cost(campaign, prices: $0, byCountry: folded[0], stats: summary.all) })
    }
}
