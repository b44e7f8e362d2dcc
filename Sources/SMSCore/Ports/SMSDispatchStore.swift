import Foundation

/// The storage the dispatcher needs beyond ``SMSStore``: claiming messages for a provider call,
/// recovering after a crash, the frequency cap, stopping and completing campaigns. Each method is
/// one transaction. Times are **epoch seconds**.
///
/// ## Crash safety (at-least-once window)
/// A message goes `queued` → *claimed* (`queued` with an attempt id, the claiming node's lease
/// (``ClaimLease``) and `dispatch_attempts` + 1, committed **before** the provider call) → *answered* (the provider's answer committed on its
/// own right after it came) → `sent` / dispatch error (the derived work, in a later transaction).
/// A message that keeps failing is dead-lettered (``DeadLetterPolicy``). A claim
/// whose lease expired (its node died: ``LeasePolicy``; found by ``recoverClaims(policy:now:)`` on
/// any node) means "the provider may or may not have received it": it is queued again and resent.
/// So the at-least-once window is exactly the dead node's unexpired claims: at most
/// `concurrency × messagesPerRequest` per provider and node (the requests in flight); every other
/// message is sent exactly once. A live node's claims are never queued again. The generic provider protocol has no
/// idempotency key, so no smaller window is possible without losing messages.
///
/// It is also a ``SettingsStore`` (the server's stored IP-hash salt, ``IPHashSalt``), a
/// ``LoginLinkStore`` (the dashboard's one-time sign-in links, valid on every server), a
/// ``SignatureNonceStore`` (signed callbacks accepted once on any server) and a
/// ``SchemaStatusStore`` (the readiness probe); its ``NodeCoordination`` serves several nodes.
public protocol SMSDispatchStore: SMSStore, SettingsStore, LoginLinkStore, SignatureNonceStore, SchemaStatusStore, NodeCoordination,
    WebhookStore, WebhookOutboxStore
{
    /// What this store offers beyond this protocol (the click journal, …), declared by the store.
    var capabilities: StoreCapabilities { get }
    /// Claims up to `limit` queued, unclaimed messages of a campaign, oldest first, marking them with
    /// `attempt`. With a frequency cap, a message whose user already has `cap.maxMessages` messages
    /// sent (dispatched at or after `now − cap.windowSeconds`) or claimed, across all campaigns,
    /// becomes a dispatch error "frequency cap exceeded" instead (state machine + rollups), and the
    /// claim looks further.
    func claimMessages(campaignId: String, limit: Int, attempt: String, now: Int64, cap: FrequencyCap?) async throws
        -> ClaimResult
    /// For each step in order: ``SMSStore/recordDispatchResults(_:)`` for its `results`, then
    /// ``claimMessages(campaignId:limit:attempt:now:cap:)`` with its `limit` and `attempt` (the
    /// dispatch workers of a campaign record their answers and claim their next requests together:
    /// fewer transactions, the same at-least-once window). The answers of all steps are committed
    /// first, in a transaction of their own; the derived work and the claims follow in a second one.
    /// When the derived work throws, the answers stay recorded (with the error, for
    /// ``retryRecordedAnswers(policy:now:)``) and the claims are made without it. A step naming a
    /// provider (``DispatchStep/providerId``) gets its stored version read after the claims, in
    /// the same transaction (``ClaimResult/providerVersion``).
    /// - Returns: one claim per step, in order.
    func recordAndClaim(_ steps: [DispatchStep], campaignId: String, now: Int64, cap: FrequencyCap?) async throws
        -> [ClaimResult]
    /// Queues every claimed message again, whatever its attempts and lease (tools and tests of one
    /// process; never at start-up, which would re-send a live node's claims). - Returns: how many.
    func releaseClaims() async throws -> Int
    /// The claims of dead nodes: every claim whose lease has expired at `now`
    /// (``LeasePolicy/isExpired(expiresAt:now:)``; a claim without a lease is expired) and whose
    /// `dispatch_attempts` reached ``DeadLetterPolicy/maxSendAttempts`` is dead-lettered
    /// (``DeadLetterReason/repeatedCrashDuringDispatch(attempts:)``, counting towards the campaign's
    /// pause rule); the other expired ones are queued again (sent again: the at-least-once window).
    /// Claims whose lease runs are left alone, except, with `predecessorsOf` (a node restarted under
    /// a pinned id), the claims of that node's earlier processes (``NodeIdentity/isPredecessor(_:)``:
    /// holder starting with ``NodeIdentity/holderPrefix``, not its own), which count as expired.
    /// One transaction; safe on several nodes at once.
    func recoverClaims(policy: DeadLetterPolicy, now: Int64, predecessorsOf node: NodeIdentity?) async throws -> ClaimRecovery
    /// Recorded provider answers whose derived work (state machine, rollups, attribution, receipts
    /// held for them) is still to do — a crash or an error came between — each in its own
    /// transactions: its attempt counted and committed first, then the derived work; one that has
    /// used ``DeadLetterPolicy/maxRecordAttempts`` is dead-lettered instead. Never sends anything.
    func retryRecordedAnswers(policy: DeadLetterPolicy, now: Int64) async throws -> AnswerRetry
    /// A campaign's dead-lettered messages, oldest first, at most `limit`.
    func deadLetters(campaignId: String, limit: Int) async throws -> [DeadLetter]
    /// How many messages of a campaign are dead-lettered.
    func deadLetterCount(campaignId: String) async throws -> Int
    /// Queues the messages of one claim again (their result could not be recorded). - Returns: how many.
    func releaseClaims(attempt: String) async throws -> Int
    /// Messages claimed and not yet recorded (in flight), for a campaign.
    func claimedCount(campaignId: String) async throws -> Int
    /// Stops a campaign: status `stopped` and every queued or claimed message a dispatch error
    /// "campaign stopped" (a claimed one whose provider answer arrives later still becomes Sent,
    /// by the state machine). Idempotent for a stopped campaign.
    /// - Throws: ``StoreError/notFound(_:)``; ``CampaignTransitionError`` when it is completed.
    func stopCampaign(id: String, now: Int64) async throws -> StopSummary
    /// Marks a sending campaign `completed` when it has no queued or claimed message left.
    /// - Returns: whether it did.
    func completeCampaignIfDone(id: String) async throws -> Bool
    /// Moves a campaign from `from` to `to` (setting `publishedAt` when given) only if its status is
    /// one of `from`. - Returns: whether it moved.
    func transitionCampaign(id: String, from: Set<CampaignStatus>, to: CampaignStatus, publishedAt: Int64?) async throws
        -> Bool
    /// Schedules a draft (or reschedules a scheduled) campaign at `sendAt`.
    /// - Throws: ``StoreError/notFound(_:)``; ``CampaignTransitionError`` for any other status.
    func scheduleCampaign(id: String, sendAt: Int64) async throws
    /// Reads the campaign with its row locked, hands it to `change` (a rule of
    /// `Campaign+Management`, e.g. ``Campaign/archived(at:)``) with whether messages of it exist,
    /// and saves what it returns, in one transaction.
    /// - Returns: the saved campaign.
    /// - Throws: ``StoreError/notFound(_:)``; what `change` throws (nothing is written).
    func changeCampaign(id: String, _ change: @Sendable (Campaign, _ hasMessages: Bool) throws -> Campaign) async throws -> Campaign
    /// Deletes a campaign's row when `check` (``Campaign/checkDeletable(hasMessages:)``) allows it,
    /// in one transaction with its row locked. Only a campaign without messages passes, so there
    /// is nothing else of it to delete.
    /// - Throws: ``StoreError/notFound(_:)``; what `check` throws (nothing is deleted).
    func deleteCampaign(id: String, _ check: @Sendable (Campaign, _ hasMessages: Bool) throws -> Void) async throws
    /// Removes (or, `dryRun`, counts) the raw history of a campaign (``RawRetention``: its receipt
    /// log rows, redirect hits, and messages' phone numbers, texts and template variables), at most
    /// `batchSize` rows per transaction, then records ``Campaign/rawPurgedAt`` (not when dry;
    /// ``RawRetention/markedPurged(_:at:)``: the first purge's time is kept when a later pass
    /// removes late arrivals). Before the first batch (not when dry) the campaign's retention mark
    /// is set clean (``rawPurgeLateCampaigns()``): a row written from then on marks it late again.
    /// Rollups, message states and every stat are untouched.
    /// - Throws: ``StoreError/notFound(_:)``.
    func purgeRawHistory(campaignId: String, now: Int64, batchSize: Int, dryRun: Bool) async throws -> RawPurgeCounts
    /// The campaigns whose raw history was purged and that received raw rows since their last
    /// purge (a receipt log row or a redirect hit, marked as it is written, whatever path writes
    /// it: ``RawRetention`` "Late arrivals"); a purged campaign not listed holds no raw rows.
    func rawPurgeLateCampaigns() async throws -> Set<String>
    /// Every property key path through objects present in at least one profile, keys joined by
    /// `.` (`{"city":"B","address":{"zip":"1"}}` gives `city`, `address`, `address.zip`; arrays
    /// are not entered): the template placeholder check (``ProfileFields``).
    func profilePropertyPaths() async throws -> Set<String>
    /// How many existing profiles an audience reaches.
    func audienceSize(_ audience: Audience) async throws -> Int
}

extension SMSDispatchStore {
    /// ``recoverClaims(policy:now:predecessorsOf:)`` for expired leases only.
    public func recoverClaims(policy: DeadLetterPolicy, now: Int64) async throws -> ClaimRecovery {
        try await recoverClaims(policy: policy, now: now, predecessorsOf: nil)
    }
}

/// One dispatch worker's step: the results of its last request, and its next claim.
public struct DispatchStep: Sendable, Equatable {
    public var results: [DispatchResult]
    public var limit: Int
    public var attempt: String
    /// The lease the claim is made with (the claiming node and its expiry); `nil` = none (expired at once).
    public var lease: ClaimLease?
    /// The provider's limit on requests in flight across all nodes; `nil` = none.
    public var inFlight: InFlightLimit?
    /// The provider whose configuration version the claim reports (``ClaimResult/providerVersion``),
    /// read in the claim's transaction after the claim; `nil` = none read.
    public var providerId: String?
    public init(
        results: [DispatchResult], limit: Int, attempt: String, lease: ClaimLease? = nil, inFlight: InFlightLimit? = nil,
        providerId: String? = nil
    ) {
        self.results = results
        self.limit = limit
        self.attempt = attempt
        self.lease = lease
        self.inFlight = inFlight
        self.providerId = providerId
    }
}

/// At most `maxRequests` requests of a provider in flight across all nodes (its `maxConcurrency`):
/// a request in flight is a claim (one attempt id) under a running lease, of a sending campaign of
/// the provider. The store counts them, serialised per provider, before it claims.
public struct InFlightLimit: Sendable, Equatable {
    public var providerId: String
    public var maxRequests: Int
    public init(providerId: String, maxRequests: Int) {
        self.providerId = providerId
        self.maxRequests = maxRequests
    }
}

/// What a claim took.
public struct ClaimResult: Sendable, Equatable {
    /// The claimed messages, oldest first.
    public var messages: [OutboundMessage]
    /// Messages turned into "frequency cap exceeded" dispatch errors by this claim.
    public var capped: Int
    /// Nothing was claimed because the provider's requests in flight across all nodes are at its
    /// ``InFlightLimit`` (try again shortly; messages may be left).
    public var busy: Bool
    /// The stored ``ProviderConfig/version`` (`nil` in the JSON = 0) of the step's
    /// ``DispatchStep/providerId``, read in the claim's transaction after the claim, so a provider
    /// change committed before the claim is seen by it; `nil` when the step named no provider or
    /// the provider no longer exists. The dispatcher re-reads the provider when it grew.
    public var providerVersion: Int?
    public init(messages: [OutboundMessage], capped: Int, busy: Bool = false, providerVersion: Int? = nil) {
        self.messages = messages
        self.capped = capped
        self.busy = busy
        self.providerVersion = providerVersion
    }
}

/// What stopping a campaign did.
public struct StopSummary: Sendable, Equatable, Codable {
    /// Queued messages that became "campaign stopped" dispatch errors.
    public var stopped: Int
    /// Of those, messages whose provider call was in flight (they may still end up Sent).
    public var inFlight: Int
    public init(stopped: Int, inFlight: Int) {
        self.stopped = stopped
        self.inFlight = inFlight
    }
}

/// A lifecycle step that the campaign's status does not allow.
public struct CampaignTransitionError: Error, Equatable, Sendable, CustomStringConvertible {
    public var status: CampaignStatus
    public var action: String
    public init(status: CampaignStatus, action: String) {
        self.status = status
        self.action = action
    }
    public var description: String { "campaign is \(status.rawValue); it cannot be \(action)" }
}
