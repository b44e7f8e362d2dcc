import Foundation

/// Why a campaign cannot be published (``Dispatcher/publish(campaignId:dueAt:)``); the API and
/// the dashboard answer 409 with ``description``.
public enum PublishError: Error, Equatable, Sendable, CustomStringConvertible {
    case notDraft(CampaignStatus)
    /// Another request or node is publishing it right now.
    case inProgress
    /// The scheduler's publish: the campaign is no longer scheduled and due (it was unscheduled,
    /// rescheduled or published since the scheduler listed it).
    case notDue(CampaignStatus)
    /// The API's publish of a campaign scheduled for later (`sendAt`, epoch seconds, after `now`):
    /// it keeps its schedule; to send now, unschedule it, then publish.
    case scheduled(sendAt: Int64, now: Int64)
    /// The API's publish of an audience that matches no profile now: nothing is published.
    case emptyAudience(Audience)

    public var description: String {
        switch self {
        case .notDue(let s): "campaign is \(s.rawValue) and not due; the scheduler leaves it"
        case .notDraft(let s): "campaign is \(s.rawValue); only a draft or scheduled campaign can be published"
        case .inProgress: "campaign is being published by another request or server right now"
        case .scheduled(let sendAt, let now):
            "campaign is scheduled for \(Self.utc(sendAt)) (in \(sendAt - now) s) and is sent then; to send it now, "
                + "unschedule it (POST /api/v1/campaigns/{id}/unschedule) and publish it"
        case .emptyAudience(let audience): audience.emptyProblem + "; nothing was published"
        }
    }

    /// `2026-12-07T10:43:00Z`.
    static func utc(_ t: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(t)))
    }
}
