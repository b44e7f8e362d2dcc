import Foundation

/// What the dashboard's Delivery tab shows (issue 18), each part the body of one API route:
/// ``latency`` is `/latency`, ``country`` / ``provider`` / ``carrier`` are `/breakdown?by=…`, ``cost``
/// is `/cost` (`nil` when the provider has no price table). Built by
/// ``CampaignStatsQueries/delivery(_:)`` from one read of each kind (the campaign's messages are
/// folded once for country, carrier and cost), with the same functions as the routes.
public struct CampaignDeliveryOverview: Sendable, Equatable {
    public var latency: DeliveryLatencyReport
    public var country: CampaignBreakdown
    public var provider: CampaignBreakdown
    public var carrier: CampaignBreakdown
    public var cost: CampaignCost?

    public init(
        latency: DeliveryLatencyReport, country: CampaignBreakdown, provider: CampaignBreakdown, carrier: CampaignBreakdown,
        cost: CampaignCost?
    ) {
        self.latency = latency
        self.country = country
        self.provider = provider
        self.carrier = carrier
        self.cost = cost
    }
}
