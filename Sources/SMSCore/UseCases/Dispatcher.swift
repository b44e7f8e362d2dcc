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
/// A message is recorded queued at publish; it is claimed (committed with this node's lease, its
/// provider calls counted) before its provider call, and the provider's answer is committed on its
/// own right after it came, before any derived work (state machine, rollups, attribution). A crash
/// leaves the claimed messages in an unknown state: once their lease has expired (``LeasePolicy``)
/// the next ``recoverClaims()`` on any node queues them again (at-least-once for those);
/// everything else is exactly once. The window is therefore the dead node's unexpired claims, at
/// most `concurrencyLimit × messagesPerRequest` messages per provider (see ``SMSDispatchStore``).
/// A message whose sending or recording keeps failing — even by killing the process — is
/// dead-lettered instead of tried forever, and a campaign that keeps dead-lettering is paused
/// (``DeadLetterPolicy``): a crash never becomes a send loop.
///
/// ## Drain
/// Once ``drain`` is started (SIGTERM), a pass publishes nothing and starts no campaign, and each
/// worker records its in-flight request's answers and claims no more; ``releaseHeldClaims()`` then
/// queues again whatever this dispatcher still holds (none after an orderly stop; the claims of
/// requests cut off by the drain deadline otherwise: the at-least-once window).
///
/// ## Several nodes
/// Any number of dispatchers (one per `serve`, each its own ``NodeIdentity``) may run on one
/// database: claims never overlap (the store's claim skips locked and claimed rows), a live
/// node's claims are never queued again (``renewLeases()`` keeps them leased), and the singleton
/// work — publishing a scheduled campaign, re-queuing expired claims, finishing recorded answers —
/// runs on one node at a time (``NodeCoordination/exclusively(_:_:)``). All nodes dispatch the
/// messages of a sending campaign together; the provider's `ratePerSecond` is one bucket shared by
/// all of them where the store has one (``NodeCoordination/reserveRate(providerId:ratePerSecond:burst:messages:)``),
/// and its `maxConcurrency` bounds the requests in flight of all nodes together (``InFlightLimit``).
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
    /// This node (the holder of its claims' leases).
    public let node: NodeIdentity
    /// How long a claim's lease runs, and how often it is renewed.
    public var leasePolicy: LeasePolicy
    let recovery: Recovery
    let held: HeldClaims

    public init(
        store: any SMSDispatchStore, gateway: any SMSGateway, planner: CampaignPlanner, chunkSize: Int = 500,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }, frequencyCap: FrequencyCap? = nil,
        limiters: RateLimiterRegistry = RateLimiterRegistry(), observer: (any DispatchObserver)? = nil,
        deadLetterPolicy: DeadLetterPolicy = .standard, drain: NodeDrain = NodeDrain(), node: NodeIdentity = NodeIdentity(),
        leasePolicy: LeasePolicy = .standard
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
        self.node = node
        self.leasePolicy = leasePolicy
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

    /// What this dispatcher's recoveries of expired claims did: in total, and since the last report.
    actor Recovery {
        private(set) var done = false
        private(set) var total = ClaimRecovery(released: 0, deadLettered: 0)
        private var unreported: ClaimRecovery?
        func add(_ r: ClaimRecovery) {
            let first = !done
            done = true
            total.released += r.released
            total.deadLettered += r.deadLettered
            if first || r.released + r.deadLettered > 0 {
                unreported = ClaimRecovery(
                    released: (unreported?.released ?? 0) + r.released, deadLettered: (unreported?.deadLettered ?? 0) + r.deadLettered)
            }
        }
        func takeReport() -> ClaimRecovery? {
            defer { unreported = nil }
            return unreported
        }
    }

    /// What the recoveries of expired claims did since the last call (for a log line), `nil` when
    /// none re-queued or dead-lettered anything since (the first one is reported even when empty).
    public func takeRecoveryReport() async -> ClaimRecovery? { await recovery.takeReport() }

    /// Messages this dispatcher found claimed under an expired lease and queued again (the
    /// at-least-once window of the dead nodes it recovered from), in total; `nil` before its first
    /// recovery.
    public func recoveredClaims() async -> Int? {
        await recovery.done ? await recovery.total.released : nil
    }

    /// What publishing did.
    public struct PublishSummary: Sendable, Equatable, Codable {
        public var queued: Int
        public var control: Int
        public var dispatchErrors: Int
        public var missingUserIds: [String]
    }

    /// Queues again the claims whose lease has expired (their node died; their provider calls had
    /// an unknown outcome) — and, the first time, those of this node's earlier processes when its id
    /// is pinned (they are dead: this process is that node now) — on one node at a time; ``runOnce()`` calls it first, and the lease
    /// service every renew interval. A claim that already had ``DeadLetterPolicy/maxSendAttempts``
    /// provider calls is dead-lettered instead. Never touches a live node's claims.
    /// - Returns: what it did, `nil` when another node or task was doing it.
    @discardableResult
    public func recoverClaims() async throws -> ClaimRecovery? {
        let store = self.store
        let policy = deadLetterPolicy
        let t = now()
        // The first recovery of a node restarted under its pinned id also takes its predecessors' claims.
        let restarted = await recovery.done || !node.pinned ? nil : node
        guard
            let result = try await store.exclusively(
                "claims-recovery", { try await store.recoverClaims(policy: policy, now: t, predecessorsOf: restarted) })
        else { return nil }
        if result.deadLettered > 0 { observer?.deadLettered(result.deadLettered) }
        await recovery.add(result)
        return result
    }

    /// Renews the lease of every claim this node holds (``LeasePolicy/renewIntervalSeconds``).
    /// - Returns: how many claims.
    @discardableResult
    public func renewLeases() async throws -> Int {
        try await store.renewLeases(holder: node.holder, expiresAt: leasePolicy.expiry(now: now()))
    }

    /// Finishes recorded provider answers whose derived work is still to do (a crash or an error
    /// came between), dead-lettering those that used their attempts; ``runOnce()`` calls it first.
    /// One node at a time (nothing when another is doing it).
    @discardableResult
    public func retryRecordedAnswers() async throws -> AnswerRetry {
        let store = self.store
        let policy = deadLetterPolicy
        let t = now()
        let result =
            try await store.exclusively("recorded-answers", { try await store.retryRecordedAnswers(policy: policy, now: t) })
            ?? AnswerRetry()
        if result.deadLettered > 0 { observer?.deadLettered(result.deadLettered) }
        return result
    }

    /// Plans and records the campaign's messages and marks it sending. Idempotent per (campaign,
    /// user): publishing again after a crash mid-publish adds only the missing messages. One node
    /// or request at a time per campaign (``NodeCoordination/exclusively(_:_:)``), so a campaign is
    /// published once whatever the number of nodes.
    /// The audience is resolved here, at publish: the API's publish of a draft freezes it now; a
    /// scheduled campaign's is resolved when the scheduler publishes it at `sendAt`.
    /// - Throws: ``StoreError/notFound(_:)`` for an unknown campaign, ``PublishError`` when it is
    ///   neither a draft nor scheduled, or is being published elsewhere right now; for the API's
    ///   publish also ``PublishError/scheduled(sendAt:now:)`` (scheduled for later: it keeps its
    ///   schedule) and ``PublishError/emptyAudience(_:)`` (nothing published).
    /// - Parameter dueAt: the scheduler's clock (epoch seconds): publish only a campaign that is
    ///   still `scheduled` with `sendAt` at or before it, as read inside the lock (it may have been
    ///   taken back to draft, ``whileNotPublishing(campaignId:_:)``, since the scheduler listed it);
    ///   an audience of nobody then publishes 0 messages and the campaign completes.
    ///   `nil` (the API's publish): a draft, or a scheduled campaign whose `sendAt` has come.
    public func publish(campaignId: String, dueAt: Int64? = nil) async throws -> PublishSummary {
        let me = self
        guard let summary = try await store.exclusively(Self.publishLock(campaignId), { try await me.publishAlone(campaignId: campaignId, dueAt: dueAt) })
        else { throw PublishError.inProgress }
        return summary
    }

    /// The name of a campaign's publish lock (``NodeCoordination/exclusively(_:_:)``).
    static func publishLock(_ campaignId: String) -> String { "publish:" + campaignId }

    /// Runs `body` holding the campaign's publish lock, so that no publish of it (an API request's,
    /// or the scheduler's on any node) runs meanwhile: editing, deleting or unscheduling a draft or
    /// scheduled campaign goes through here, and the publish that comes after sees the result.
    /// - Throws: ``PublishError/inProgress`` when it is being published now; what `body` throws.
    public func whileNotPublishing<T: Sendable>(campaignId: String, _ body: @Sendable () async throws -> T) async throws -> T {
        guard let result = try await store.exclusively(Self.publishLock(campaignId), body) else { throw PublishError.inProgress }
        return result
    }

    /// ``publish(campaignId:dueAt:)`` inside its lock.
    func publishAlone(campaignId: String, dueAt: Int64?) async throws -> PublishSummary {
        guard let campaign = try await store.campaign(id: campaignId) else {
            throw StoreError.notFound("campaign \(campaignId)")
        }
        if let dueAt {
            guard campaign.status == .scheduled, (campaign.sendAt ?? dueAt) <= dueAt else { throw PublishError.notDue(campaign.status) }
        }
        guard campaign.status == .draft || campaign.status == .scheduled else {
            throw PublishError.notDraft(campaign.status)
        }
        let t = now()
        if dueAt == nil, campaign.status == .scheduled, let sendAt = campaign.sendAt, sendAt > t {
            throw PublishError.scheduled(sendAt: sendAt, now: t)
        }
        let (profiles, missing) = try await store.audienceProfiles(campaign.audience)
        // The API's publish refuses an audience of nobody; the scheduler's goes ahead (0 messages).
        if dueAt == nil, profiles.isEmpty { throw PublishError.emptyAudience(campaign.audience) }
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

    /// One pass: queue again the claims whose lease expired (a dead node's); publish scheduled
    /// campaigns whose `sendAt` has come; dispatch every queued message of every sending campaign
    /// whose provider is not disabled (``ProviderConfig/disabled``); mark a campaign completed
    /// when it has none left.
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
            do {
                _ = try await publish(campaignId: campaign.id, dueAt: t)
            } catch is PublishError {
                // Another node published it (or is publishing it) since the list was read.
            }
        }
        var handled = 0
        for campaign in try await store.campaigns() where campaign.status == .sending {
            if drain.isDraining { break }
            // A disabled provider's messages stay queued and its campaign `sending` until it is enabled.
            guard let provider = try await store.provider(id: campaign.providerId), provider.disabled != true else { continue }
            handled += try await dispatch(campaign: campaign, provider: provider)
            _ = try await store.completeCampaignIfDone(id: campaign.id)
        }
        return PassReport(handled: handled, answers: answers)
    }

    /// Sends every queued message of one campaign with the provider's concurrency and rate limits.
    ///
    /// The provider is re-read when it changes (a PATCH, a rotation, disable): each claim reports
    /// the provider's stored version, read in the claim's transaction (``ClaimResult/providerVersion``),
    /// and a worker that sees a version newer than the one it holds reads the provider again before
    /// it sends. So every message claimed after a provider change has committed goes out with the
    /// new URL, headers, credentials, template, batch size and rate, on every node; messages
    /// claimed before it go with the settings they were claimed under. A provider disabled
    /// meanwhile gets nothing more: the worker gives its claim back (queued again) and stops. The
    /// number of workers (`concurrencyLimit`) is the one at the start of the pass; a lower
    /// `maxConcurrency` holds at once through ``InFlightLimit``, a higher one from the next pass.
    /// - Returns: messages handed to the provider.
    func dispatch(campaign: Campaign, provider: ProviderConfig) async throws -> Int {
        var values = campaign.customValues ?? [:]
        values["CampaignID"] = campaign.id
        if let templateId = campaign.templateId { values["TemplateID"] = templateId }
        let custom = values
        let cap = frequencyCap
        let store = self.store
        let gateway = self.gateway
        let batcher = StepBatcher(store: store, campaignId: campaign.id, cap: cap, now: now)
        let observer = self.observer
        let drain = self.drain
        let held = self.held
        let node = self.node
        let leasePolicy = self.leasePolicy
        let clock = self.now
        let limiters = self.limiters
        let live = LiveProvider(provider)
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
                        var provider = live.current
                        let claim: ClaimResult
                        do {
                            let stop = Task.isCancelled || drain.isDraining || provider.disabled == true
                            claim = try await batcher.submit(
                                DispatchStep(
                                    results: pending, limit: stop ? 0 : provider.messagesPerRequest, attempt: attempt,
                                    lease: ClaimLease(holder: node.holder, expiresAt: leasePolicy.expiry(now: clock())),
                                    inFlight: InFlightLimit(providerId: provider.id, maxRequests: provider.concurrencyLimit),
                                    providerId: provider.id))
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
                        if !claim.messages.isEmpty { held.insert(attempt) }
                        // The provider changed since this worker read it: read it again (every
                        // worker then shares the newest read).
                        if let version = claim.providerVersion, version > (provider.version ?? 0) {
                            do {
                                if let changed = try await store.provider(id: provider.id) { live.offer(changed) }
                            } catch {
                                if !claim.messages.isEmpty, (try? await store.releaseClaims(attempt: attempt)) != nil { held.remove(attempt) }
                                throw error
                            }
                            provider = live.current
                        }
                        if provider.disabled == true {
                            // Disabled meanwhile: give the claim back; its messages stay queued.
                            if !claim.messages.isEmpty, (try? await store.releaseClaims(attempt: attempt)) != nil { held.remove(attempt) }
                            break
                        }
                        if claim.messages.isEmpty {
                            // Other nodes' requests fill the provider's concurrency: wait for a free one.
                            if claim.busy, !Task.isCancelled, !drain.isDraining {
                                try await Task.sleep(for: .milliseconds(50))
                                continue
                            }
                            break
                        }
                        CrashHook.reach(.send)
                        // Waiting for the rate limiter while claimed is safe: a crash here resends
                        // messages that were never sent. The provider's bucket shared by all nodes
                        // where the store has one, else this process's. An error or a cancellation
                        // here gives the claim back (nothing was sent): a live node would otherwise
                        // renew it for ever, and it would count against the provider's concurrency.
                        do {
                            let rate = provider.ratePerSecond.flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
                            let burst = max(1, Double(provider.messagesPerRequest))
                            if let rate, let wait = try await store.reserveRate(
                                providerId: provider.id, ratePerSecond: rate, burst: burst, messages: claim.messages.count)
                            {
                                if wait > 0 { try await RateLimiter.wait(wait) }
                            } else if let limiter = await limiters.limiter(for: provider) {
                                try await limiter.acquire(claim.messages.count)
                            }
                        } catch {
                            if (try? await store.releaseClaims(attempt: attempt)) != nil { held.remove(attempt) }
                            throw error
                        }
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
