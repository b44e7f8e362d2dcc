import Foundation

/// Publishes campaigns and dispatches their queued messages through the provider.
///
/// ## Sending
/// Per sending campaign, `provider.concurrencyLimit` workers run at once; each repeats: **claim**
/// one request's worth of messages (`provider.messagesPerRequest`: the batch size, else 1) in one
/// transaction, wait for the provider's rate limiter (`ratePerSecond`, messages per second, token
/// bucket shared by all campaigns of the provider), hand them to the gateway; the results are
/// recorded in the same transaction as the worker's next claim, and the steps of workers that
/// arrive together share one transaction (``SMSDispatchStore/recordAndClaim(_:campaignId:now:cap:)``). The frequency
/// cap is checked in the claim, i.e. at send time.
///
/// ## Delivery guarantee
/// A message is recorded queued at publish; it is claimed (committed, its provider calls counted)
/// before its provider call, and the provider's answer is committed on its own right after it
/// came, before any derived work (state machine, rollups, attribution). A crash leaves the claimed
/// messages in an unknown state: the first ``runOnce()`` of a new dispatcher queues them again
/// (at-least-once for those); everything else is exactly once. The window is therefore at most
/// `concurrencyLimit × messagesPerRequest` messages per provider (see ``SMSDispatchStore``).
/// A message whose sending or recording keeps failing — even by killing the process — is
/// dead-lettered instead of tried forever, and a campaign that keeps dead-lettering is paused
/// (``DeadLetterPolicy``): a crash never becomes a send loop.
/// One dispatcher per database: a second one would release the first one's claims.
///
/// ## Drain
/// Once ``drain`` is started (SIGTERM), a pass publishes nothing and starts no campaign, and each
/// worker records its in-flight request's answers and claims no more; ``releaseHeldClaims()`` then
/// queues again whatever this dispatcher still holds (none after an orderly stop; the claims of
/// requests cut off by the drain deadline otherwise: the at-least-once window).
public struct Dispatcher: Sendable {
    public let store: any SMSDispatchStore
    public let gateway: any SMSGateway
    public let planner: CampaignPlanner
    /// Kept for compatibility; the claim size is the provider's `messagesPerRequest`.
    public var chunkSize: Int
    /// The clock, epoch seconds.
    public var now: @Sendable () -> Int64
    /// The frequency cap (`nil` = off, the default).
    public var frequencyCap: FrequencyCap?
    /// Per-provider rate limiters.
    public let limiters: RateLimiterRegistry
    /// Told about planned messages, provider answers and capped messages (metrics); `nil` = none.
    public var observer: (any DispatchObserver)?
    /// When a message is taken out of the loop and a campaign paused.
    public var deadLetterPolicy: DeadLetterPolicy
    /// The server's drain switch: once started, no new claim and no publish (see "Drain").
    public let drain: NodeDrain
    let recovery: Recovery
    let held: HeldClaims

    public init(
        store: any SMSDispatchStore, gateway: any SMSGateway, planner: CampaignPlanner, chunkSize: Int = 500,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }, frequencyCap: FrequencyCap? = nil,
        limiters: RateLimiterRegistry = RateLimiterRegistry(), observer: (any DispatchObserver)? = nil,
        deadLetterPolicy: DeadLetterPolicy = .standard, drain: NodeDrain = NodeDrain()
    ) {
        self.store = store
        self.gateway = gateway
        self.planner = planner
        self.chunkSize = chunkSize
        self.now = now
        self.frequencyCap = frequencyCap
        self.limiters = limiters
        self.observer = observer
        self.deadLetterPolicy = deadLetterPolicy
        self.drain = drain
        self.recovery = Recovery()
        self.held = HeldClaims()
    }

    /// Claims this dispatcher holds and has not recorded (in flight, or cut off).
    public var heldClaimCount: Int { held.count }

    /// Queues again every claim this dispatcher still holds (``SMSDispatchStore/releaseClaims(attempt:)``),
    /// for another server to send. Call only once no worker runs (after the pass ended or was
    /// cancelled): a claim whose provider call was in flight may then be sent twice.
    /// - Returns: how many messages were queued again.
    /// - Throws: the store's errors (the claims not yet released stay held, for a later call).
    @discardableResult
    public func releaseHeldClaims() async throws -> Int {
        var released = 0
        var left = held.takeAll()
        do {
            while let attempt = left.first {
                released += try await store.releaseClaims(attempt: attempt)
                left.remove(attempt)
            }
        } catch {
            for attempt in left { held.insert(attempt) }
            throw error
        }
        return released
    }

    /// Whether this dispatcher has already released the claims left by an earlier process.
    actor Recovery {
        private(set) var done = false
        private(set) var result = ClaimRecovery(released: 0, deadLettered: 0)
        private var reported = false
        func markDone(_ r: ClaimRecovery) {
            done = true
            result = r
        }
        func takeReport() -> ClaimRecovery? {
            guard done, !reported else { return nil }
            reported = true
            return result
        }
    }

    /// What start-up recovery did, once (for a log line after the first pass).
    public func takeRecoveryReport() async -> ClaimRecovery? { await recovery.takeReport() }

    /// Messages this dispatcher found claimed at start-up and queued again (the at-least-once
    /// window of the crash it recovered from); `nil` before the first ``runOnce()``.
    public func recoveredClaims() async -> Int? {
        await recovery.done ? await recovery.result.released : nil
    }

    /// What publishing did.
    public struct PublishSummary: Sendable, Equatable, Codable {
        public var queued: Int
        public var control: Int
        public var dispatchErrors: Int
        public var missingUserIds: [String]
    }

    /// Queues again the claims an earlier process left (their provider calls had an unknown
    /// outcome), once per dispatcher; ``runOnce()`` calls it first. A claim that already had
    /// ``DeadLetterPolicy/maxSendAttempts`` provider calls is dead-lettered instead.
    /// - Returns: what it did, `nil` when this dispatcher already did it.
    @discardableResult
    public func recoverClaims() async throws -> ClaimRecovery? {
        guard await !recovery.done else { return nil }
        let result = try await store.recoverClaims(policy: deadLetterPolicy, now: now())
        if result.deadLettered > 0 { observer?.deadLettered(result.deadLettered) }
        await recovery.markDone(result)
        return result
    }

    /// Finishes recorded provider answers whose derived work is still to do (a crash or an error
    /// came between), dead-lettering those that used their attempts; ``runOnce()`` calls it first.
    @discardableResult
    public func retryRecordedAnswers() async throws -> AnswerRetry {
        let result = try await store.retryRecordedAnswers(policy: deadLetterPolicy, now: now())
        if result.deadLettered > 0 { observer?.deadLettered(result.deadLettered) }
        return result
    }

    /// Plans and records the campaign's messages and marks it sending. Idempotent per (campaign,
    /// user): publishing again after a crash mid-publish adds only the missing messages.
    /// - Throws: ``StoreError/notFound(_:)`` for an unknown campaign, ``PublishError`` when it is
    ///   neither a draft nor scheduled.
    public func publish(campaignId: String) async throws -> PublishSummary {
        guard let campaign = try await store.campaign(id: campaignId) else {
            throw StoreError.notFound("campaign \(campaignId)")
        }
        guard campaign.status == .draft || campaign.status == .scheduled else {
            throw PublishError.notDraft(campaign.status)
        }
        let t = now()
        let (profiles, missing) = try await store.audienceProfiles(campaign.audience)
        let messages = planner.plan(campaign: campaign, profiles: profiles, now: t)
        try await store.insertMessages(messages)
        observer?.published(messages)
        let moved = try await store.transitionCampaign(
            id: campaignId, from: [.draft, .scheduled], to: .sending, publishedAt: t)
        if !moved, let current = try await store.campaign(id: campaignId), current.status == .stopped {
            // Stopped while planning: the messages just recorded are stopped too.
            _ = try await store.stopCampaign(id: campaignId, now: t)
        }
        return PublishSummary(
            queued: messages.filter { $0.dispatch == .queued }.count,
            control: messages.filter { $0.dispatch == .control }.count,
            dispatchErrors: messages.filter { $0.dispatch == .dispatchError }.count,
            missingUserIds: missing)
    }

    /// One pass: (first pass only) queue again the claims a crashed process left; publish scheduled
    /// campaigns whose `sendAt` has come; dispatch every queued message of every sending campaign;
    /// mark a campaign completed when it has none left.
    /// - Returns: messages handed to providers.
    public func runOnce() async throws -> Int {
        try await runPass().handled
    }

    /// What one pass did: messages handed to providers, and the recorded answers it finished.
    public struct PassReport: Sendable, Equatable {
        public var handled: Int
        public var answers: AnswerRetry
    }

    /// ``runOnce()`` with what it did to recorded answers (for the service's log).
    public func runPass() async throws -> PassReport {
        _ = try await recoverClaims()
        let answers = try await retryRecordedAnswers()
        let t = now()
        for campaign in try await store.campaigns() where campaign.status == .scheduled && (campaign.sendAt ?? t) <= t {
            if drain.isDraining { break }
            _ = try await publish(campaignId: campaign.id)
        }
        var handled = 0
        for campaign in try await store.campaigns() where campaign.status == .sending {
            if drain.isDraining { break }
            guard let provider = try await store.provider(id: campaign.providerId) else { continue }
            handled += try await dispatch(campaign: campaign, provider: provider)
            _ = try await store.completeCampaignIfDone(id: campaign.id)
        }
        return PassReport(handled: handled, answers: answers)
    }

    /// Sends every queued message of one campaign with the provider's concurrency and rate limits.
    /// - Returns: messages handed to the provider.
    func dispatch(campaign: Campaign, provider: ProviderConfig) async throws -> Int {
        var values = campaign.customValues ?? [:]
        values["CampaignID"] = campaign.id
        if let templateId = campaign.templateId { values["TemplateID"] = templateId }
        let custom = values
        let perRequest = provider.messagesPerRequest
        let limiter = await limiters.limiter(for: provider)
        let cap = frequencyCap
        let store = self.store
        let gateway = self.gateway
        let batcher = StepBatcher(store: store, campaignId: campaign.id, cap: cap, now: now)
        let observer = self.observer
        let drain = self.drain
        let held = self.held
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<provider.concurrencyLimit {
                group.addTask {
                    var sent = 0
                    var n = 0
                    // The previous request's results, recorded in the same transaction as the next claim.
                    var pending: [DispatchResult] = []
                    var pendingAttempt = ""
                    while true {
                        n += 1
                        let attempt = "\(ShortCode.generate())-\(worker)-\(n)"
                        let claim: ClaimResult
                        do {
                            let stop = Task.isCancelled || drain.isDraining
                            claim = try await batcher.submit(
                                DispatchStep(results: pending, limit: stop ? 0 : perRequest, attempt: attempt))
                        } catch {
                            // Unknown outcome for the store: queue them again (at-least-once) and stop.
                            if !pending.isEmpty, (try? await store.releaseClaims(attempt: pendingAttempt)) != nil {
                                held.remove(pendingAttempt)
                            }
                            throw error
                        }
                        if !pending.isEmpty { held.remove(pendingAttempt) }
                        pending = []
                        if claim.capped > 0 { observer?.capped(claim.capped) }
                        if claim.messages.isEmpty { break }
                        held.insert(attempt)
                        CrashHook.reach(.send)
                        // Waiting for the rate limiter while claimed is safe: a crash here resends
                        // messages that were never sent.
                        if let limiter { try await limiter.acquire(claim.messages.count) }
                        pending = await gateway.send(claim.messages, via: provider, customValues: custom)
                        // Cut off (the drain deadline): the request's outcome is unknown, and the
                        // gateway reports the cancelled call as a failure. Record nothing; the claim
                        // stays held and is queued again (``releaseHeldClaims()``): at-least-once.
                        if Task.isCancelled { throw CancellationError() }
                        CrashHook.reach(.answer)
                        observer?.handedOff(pending)
                        pendingAttempt = attempt
                        sent += claim.messages.count
                    }
                    return sent
                }
            }
            var total = 0
            for try await n in group { total += n }
            return total
        }
    }
}

/// Why a campaign cannot be published.
public enum PublishError: Error, Equatable, Sendable, CustomStringConvertible {
    case notDraft(CampaignStatus)
    public var description: String {
        switch self {
        case .notDraft(let s): "campaign is \(s.rawValue); only a draft or scheduled campaign can be published"
        }
    }
}
