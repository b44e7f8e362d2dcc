import Foundation

/// Which campaigns a list shows by their ``Campaign/archivedAt`` (`GET /api/v1/campaigns`:
/// default ``hidden``; `?archived=true` ``only``; `?include=archived` ``included``).
public enum ArchivedFilter: Sendable, Equatable {
    /// Campaigns not archived (the default list).
    case hidden
    /// Archived campaigns only.
    case only
    /// Every campaign.
    case included

    /// Whether a campaign passes the filter.
    public func admits(_ campaign: Campaign) -> Bool {
        switch self {
        case .hidden: campaign.archivedAt == nil
        case .only: campaign.archivedAt != nil
        case .included: true
        }
    }
}
