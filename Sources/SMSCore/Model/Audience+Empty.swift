/// Naming an audience that reaches no profile: the same words when a draft is created
/// (``CampaignDraft``) and when it is published (``PublishError/emptyAudience(_:)``).
extension Audience {
    /// `audience is empty: segment 3 matches no profile (or does not exist)`,
    /// `audience is empty: none of the 2 user ids has a profile`, `audience is empty: there are no
    /// profiles`, `audience is empty` (an empty user id list).
    public var emptyProblem: String {
        switch self {
        case .userIds(let ids) where ids.isEmpty: "audience is empty"
        case .userIds(let ids): "audience is empty: none of the \(ids.count) user ids has a profile"
        case .all: "audience is empty: there are no profiles"
        case .segment(let id): "audience is empty: segment \(id) matches no profile (or does not exist)"
        }
    }
}
