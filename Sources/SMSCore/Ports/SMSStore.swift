import Foundation

/// The storage port. Each method is one unit of work (one transaction); the implementation calls
/// the pure state machine (``MessageState``, ``MessageContribution``) inside it, so a message's
/// state and its campaign's rollups always change together. Times are **epoch seconds**.
///
/// Errors: implementations throw their driver's errors for real storage failures (the web layer
/// answers those with 503 so providers retry) and ``StoreError`` for domain conflicts.
public protocol SMSStore: StatsStore, ProfileStore, AudienceSegmentStore, MessageLogStore, PriceTableStore, Sendable {
    // MARK: Providers
    func insertProvider(_ provider: ProviderConfig) async throws
    func provider(id: String) async throws -> ProviderConfig?
    func providers() async throws -> [ProviderConfig]
    /// Replaces a provider's configuration (its `id` names it) when the stored one's
    /// ``ProviderConfig/version`` is `expected` (`nil` counts as 0), writing it with version
    /// `expected + 1`; read, compared and written in one transaction (the row locked), so of two
    /// changes made from the same version one wins and the other is told (optimistic concurrency).
    func updateProvider(_ provider: ProviderConfig, ifVersion expected: Int) async throws -> ProviderUpdate
    /// Deletes a provider no campaign uses, in one transaction with the check.
    func deleteProvider(id: String) async throws -> ProviderDeletion

    // MARK: Profiles
    /// Upserts by `userId`, all rows in one transaction with multi-row writes (never a statement
    /// or transaction per row: a 20,000-row request, BENCHMARKS.md "profiles"). Of rows with the
    /// same `userId` the last wins. An existing profile keeps its opt-out (`optedOut: true` in any
    /// row sets it) unless its user id is in `clearingOptOut`: the request's last `optedOut` given
    /// for that user was `false`, and the profile ends not opted out.
    func upsertProfiles(_ profiles: [Profile], clearingOptOut: Set<String>) async throws
    func profile(userId: String) async throws -> Profile?
    func profileCount() async throws -> Int
    /// Sets a profile's opt-out flag (STOP / START replies). Returns whether the profile exists.
    @discardableResult
    func setOptOut(userId: String, optedOut: Bool) async throws -> Bool

    // MARK: Campaigns
    func insertCampaign(_ campaign: Campaign) async throws
    func campaign(id: String) async throws -> Campaign?
    func campaigns() async throws -> [Campaign]
    /// The newest `limit` campaigns that `archived` admits, newest first (`created_at DESC, id`):
    /// `GET /api/v1/campaigns?limit=&archived=`.
    func campaigns(limit: Int, archived: ArchivedFilter) async throws -> [Campaign]
    func setCampaignStatus(id: String, status: CampaignStatus, publishedAt: Int64?) async throws
    /// The profiles a campaign's audience names (missing user ids are skipped and counted).
    func audienceProfiles(_ audience: Audience) async throws -> (profiles: [Profile], missing: [String])

    // MARK: Messages
    /// Records a campaign's messages (queued, control, or dispatch error) with their short links,
    /// updating the rollups. Idempotent per (campaign, user): a second call skips existing users.
    func insertMessages(_ messages: [NewMessage]) async throws
    /// Queued messages of a campaign, oldest first, at most `limit`. A queued message the provider
    /// already reported on (a receipt before the send was recorded: it was sent) is not handed out again.
    func queuedMessages(campaignId: String, limit: Int) async throws -> [OutboundMessage]
    /// Records dispatch results: the provider's answers committed first (claims cleared, provider
    /// message ids set), then the derived work (state machine, rollups, attribution) in a second
    /// transaction. When the derived work throws, the answers stay recorded and it throws.
    func recordDispatchResults(_ results: [DispatchResult]) async throws
    /// Counts per dispatch status for a campaign's progress.
    func messageCount(campaignId: String, dispatch: DispatchStatus) async throws -> Int

    // MARK: Callbacks
    /// Applies callback items: appends each to the event log (dedup by key, enforced by a unique
    /// constraint), merges it into its message and rollups; items whose meta is unknown are kept
    /// in the pending table. One transaction.
    func applyCallbacks(providerId: String, items: [CallbackItem], receivedAt: Int64) async throws -> CallbackIngestResult
    /// Tries pending (unknown-meta) items again; returns how many matched.
    func rematchPendingCallbacks(now: Int64) async throws -> Int
    /// Stores invalid input whole, with the reason, for an operator to see and replay.
    func recordIngestionErrors(_ errors: [IngestionErrorInput]) async throws
    func ingestionErrors(limit: Int) async throws -> [IngestionError]
    func ingestionError(id: Int64) async throws -> IngestionError?
    /// Applies the re-parsed items of ingestion error `id` (like ``applyCallbacks(providerId:items:receivedAt:)``,
    /// at its original receive time) and sets its `replayedAt` to `at`, in one transaction.
    /// - Throws: ``ReplayError`` when it does not exist or was replayed already.
    func replayIngestionError(id: Int64, providerId: String, items: [CallbackItem], at: Int64) async throws
        -> CallbackIngestResult
    /// Stores the re-read events of ingestion error `id` (source `events`) like
    /// ``ingestConversionEvents(_:receivedAt:)`` (idempotent by `eventId`; at its original receive
    /// time) and sets its `replayedAt` to `at`, in one transaction: replayed at most once.
    /// - Throws: ``ReplayError`` when it does not exist or was replayed already.
    func replayEventIngestionError(id: Int64, events: [ConversionEventInput], at: Int64) async throws -> ConversionIngestResult
    /// Pending (unknown-meta) callbacks received before `receivedBefore` (epoch seconds), oldest
    /// first, at most `limit`: with `now − 24 h` these are the unmatched ones an operator must see.
    func unmatchedCallbacks(receivedBefore: Int64, limit: Int) async throws -> [UnmatchedCallback]

    // MARK: Clicks
    /// Records a hit on a short link and returns its target, or `nil` for an unknown code.
    /// Expired links return the target with `expired == true` and record nothing.
    func recordClick(_ click: ClickInput) async throws -> ShortLinkTarget?
    /// Records several hits in one unit of work (group commit of concurrent redirects); one
    /// answer per input, in order, as ``recordClick(_:)`` would give.
    func recordClicks(_ clicks: [ClickInput]) async throws -> [ShortLinkTarget?]
    /// A campaign's stored redirect hits, newest first, at most `limit`, filtered by kind.
    func clickHits(campaignId: String, filter: ClickHit.Filter, limit: Int) async throws -> [ClickHit]

    // MARK: Conversions
    /// Stores conversion events (idempotent by `eventId`) and updates attribution rollups of
    /// every campaign that sent to their users.
    func ingestConversionEvents(_ events: [ConversionEventInput], receivedAt: Int64) async throws -> ConversionIngestResult

    // Stats are read through ``StatsStore`` (``CampaignStatsQueries`` is the one read path).
}

/// Domain conflicts raised by stores.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case duplicate(String)
    case notFound(String)
    public var description: String {
        switch self {
        case .duplicate(let s): "already exists: \(s)"
        case .notFound(let s): "not found: \(s)"
        }
    }
}

extension SMSStore {
    /// ``upsertProfiles(_:clearingOptOut:)`` clearing no opt-out (a stored one is kept).
    public func upsertProfiles(_ profiles: [Profile]) async throws { try await upsertProfiles(profiles, clearingOptOut: []) }

    /// The newest `limit` campaigns not archived (the default list).
    public func campaigns(limit: Int) async throws -> [Campaign] { try await campaigns(limit: limit, archived: .hidden) }

    /// Default: one ``recordClick(_:)`` per hit (stores without a batched path).
    public func recordClicks(_ clicks: [ClickInput]) async throws -> [ShortLinkTarget?] {
        var out: [ShortLinkTarget?] = []
        for c in clicks { out.append(try await recordClick(c)) }
        return out
    }
}
