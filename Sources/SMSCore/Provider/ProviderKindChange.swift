import Foundation

/// When a provider's ``ProviderKind`` may change (`PATCH /api/v1/providers/{id}` and the
/// dashboard's edit form, issue 15).
///
/// The kind decides how the provider's callbacks are read (``CallbackDialect``) and how its
/// message ids are normalised (``ProviderMessageId/normalize(_:kind:)``), so receipts of messages
/// sent under one kind are matched by the rules of that kind. A change of kind (to another kind,
/// or to `generic` by `"kind": null`, a JSON merge patch removing the member) is therefore refused
/// while a campaign that is `scheduled`, `sending` or `paused` (a paused campaign resumes with the
/// same provider) uses the provider, and while one that finished (`completed` or `stopped`) is
/// still inside its receipt window: its receipts would stop matching, or its sends would change
/// request shape mid-campaign.
///
/// The receipt window (decision, issue 15): ``receiptWindowSeconds`` = 24 h after the campaign
/// finished (``RawRetention/finishedAt(_:)``), the time the engine already gives a receipt that
/// arrives before its message is found (pending callbacks are re-matched for
/// ``UnmatchedCallback/retryWindowSeconds``) and the shortest raw retention a server runs with
/// (``RawRetention/serveDays``, 1 day). Receipts later than that are rare (a carrier's retries
/// end with the message's validity period) and are then read by the new kind's rules: the
/// operator's choice. Drafts hold nothing (they send nothing yet).
public enum ProviderKindChange {
    /// The campaign statuses that hold a provider's kind fixed whatever their age.
    public static let holdingStatuses: Set<CampaignStatus> = [.scheduled, .sending, .paused]

    /// How long after it finished a campaign still holds the kind: 86,400 s (24 h, ``UnmatchedCallback/retryWindowSeconds``).
    public static let receiptWindowSeconds: Int64 = UnmatchedCallback.retryWindowSeconds

    /// Whether `campaign` holds its provider's kind at `now` (epoch seconds): scheduled, sending
    /// or paused, or finished less than ``receiptWindowSeconds`` ago.
    public static func holds(_ campaign: Campaign, now: Int64) -> Bool {
        if holdingStatuses.contains(campaign.status) { return true }
        guard let finished = RawRetention.finishedAt(campaign) else { return false }
        return now < finished + receiptWindowSeconds
    }

    /// The campaigns that keep `current`'s kind from becoming `updated`'s at `now` (epoch
    /// seconds, ``holds(_:now:)``), oldest first; empty when the kind does not change or no
    /// campaign holds it.
    /// - Parameter campaigns: every stored campaign (any provider).
    public static func blockingCampaigns(current: ProviderConfig, updated: ProviderConfig, campaigns: [Campaign], now: Int64) -> [CampaignReference] {
        guard current.kind != updated.kind else { return [] }
        return campaigns
            .filter { $0.providerId == current.id && holds($0, now: now) }
            .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
            .map { CampaignReference(id: $0.id, name: $0.name) }
    }

    /// The 409 message: `provider 'p1' is used by 2 campaign(s) scheduled, sending, paused or
    /// finished less than 24 h ago: c1 (Spring sale), c2 (Reminder); its kind (generic → twilio)
    /// decides how their receipts are read: finish or stop them and wait 24 h after they finished`.
    public static func refusal(current: ProviderConfig, updated: ProviderConfig, blocking: [CampaignReference]) -> String {
        let hours = receiptWindowSeconds / 3_600
        return "provider '\(current.id)' is used by \(blocking.count) campaign(s) scheduled, sending, paused or finished less than \(hours) h ago: "
            + blocking.map { "\($0.id) (\($0.name))" }.joined(separator: ", ")
            + "; its kind (\(current.kind.rawValue) → \(updated.kind.rawValue)) decides how their receipts are read: "
            + "finish or stop them and wait \(hours) h after they finished"
    }
}
