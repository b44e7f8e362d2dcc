import Foundation

/// Everything the dashboard's campaign page shows, read by ``CampaignStatsQueries/overview(_:granularity:)``:
/// the same values as the API's `/stats`, `/links`, `/errors` and `/trend` (all variants, the
/// campaign's zone).
public struct CampaignOverview: Sendable, Equatable {
    /// The campaign's provider, `nil` when it is gone.
    public var provider: ProviderConfig?
    /// `/stats`: all variants, and each variant when there are several.
    public var summary: StatsSummary
    /// `/links`: the split of clicks.
    public var links: [LinkStats]
    /// `/errors`: dispatch errors by reason, delivery errors by code.
    public var errors: ErrorsReport
    /// `/trend` in the campaign's zone at the page's granularity.
    public var trend: TrendReport

    public init(provider: ProviderConfig?, summary: StatsSummary, links: [LinkStats], errors: ErrorsReport, trend: TrendReport) {
        self.provider = provider
        self.summary = summary
        self.links = links
        self.errors = errors
        self.trend = trend
    }
}
