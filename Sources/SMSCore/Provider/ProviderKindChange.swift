import Foundation

/// When a provider's ``ProviderKind`` may change (`PATCH /api/v1/providers/{id}` and the
/// dashboard's edit form, issue 15).
///
/// The kind decides how the provider's callbacks are read (``CallbackDialect``) and how its
/// message ids are normalised (``ProviderMessageId/normalize(_:kind:)``), so receipts of messages
/// sent under one kind are matched by the rules of that kind. A change of kind (to another kind,
/// or to `generic` by `"kind": null`, a JSON merge patch removing the member) is therefore refused
/// while a campaign that is `scheduled`, `sending` or `paused` (a paused campaign resumes with the
/// same provider) uses the provider: its receipts would stop matching, or its sends would change
/// request shape mid-campaign. Decision: `completed` and `stopped` campaigns do not hold the kind
/// (their late receipts are then read by the new kind's rules: the operator's choice), nor do
/// drafts (they send nothing yet).
public enum ProviderKindChange {
    /// The campaign statuses that hold a provider's kind fixed.
    public static let holdingStatuses: Set<CampaignStatus> = [.scheduled, .sending, .paused]

    /// The campaigns that keep `current`'s kind from becoming `updated`'s, oldest first; empty
    /// when the kind does not change or no campaign holds it.
    /// - Parameter campaigns: every stored campaign (any provider).
    public static func blockingCampaigns(current: ProviderConfig, updated: ProviderConfig, campaigns: [Campaign]) -> [CampaignReference] {
        guard current.kind != updated.kind else { return [] }
        return campaigns
            .filter { $0.providerId == current.id && holdingStatuses.contains($0.status) }
            .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
            .map { CampaignReference(id: $0.id, name: $0.name) }
    }

    /// The 409 message: `provider 'p1' is used by 2 campaign(s) scheduled, sending or paused:
    /// c1 (Spring sale), c2 (Reminder); its kind (generic → twilio) decides how their receipts
    /// are read: finish or stop them first`.
    public static func refusal(current: ProviderConfig, updated: ProviderConfig, blocking: [CampaignReference]) -> String {
        "provider '\(current.id)' is used by \(blocking.count) campaign(s) scheduled, sending or paused: "
            + blocking.map { "\($0.id) (\($0.name))" }.joined(separator: ", ")
            + "; its kind (\(current.kind.rawValue) → \(updated.kind.rawValue)) decides how their receipts are read: finish or stop them first"
    }
}
