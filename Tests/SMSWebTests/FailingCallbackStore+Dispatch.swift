import Foundation
import SMSCore

/// The dispatch queue of ``FailingCallbackStore`` works: it forwards to the real store (the
/// application's dispatcher needs an ``SMSDispatchStore``).
extension FailingCallbackStore: SMSDispatchStore {
    private var queue: any SMSDispatchStore {
        guard let store = base as? any SMSDispatchStore else { preconditionFailure("the base store must be an SMSDispatchStore") }
        return store
    }
    /// The base store's engine; the journal, when the base has one, goes through this wrapper
    /// (``FailingCallbackStore`` is a ``ClickJournalStore`` forwarding to it).
    var capabilities: StoreCapabilities {
        StoreCapabilities(
            engine: queue.capabilities.engine, clickJournal: queue.capabilities.clickJournal == nil ? nil : self,
            localFile: queue.capabilities.localFile)
    }
    func claimMessages(campaignId: String, limit: Int, attempt: String, now: Int64, cap: FrequencyCap?) async throws -> ClaimResult {
        try await queue.claimMessages(campaignId: campaignId, limit: limit, attempt: attempt, now: now, cap: cap)
    }
    func recordAndClaim(_ steps: [DispatchStep], campaignId: String, now: Int64, cap: FrequencyCap?) async throws -> [ClaimResult] {
        try await queue.recordAndClaim(steps, campaignId: campaignId, now: now, cap: cap)
    }
    func releaseClaims() async throws -> Int { try await queue.releaseClaims() }
    func renewLeases(holder: String, expiresAt: Int64) async throws -> Int {
        try await queue.renewLeases(holder: holder, expiresAt: expiresAt)
    }
    func exclusively<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T? {
        try await queue.exclusively(name, body)
    }
    func reserveRate(providerId: String, ratePerSecond: Double, burst: Double, messages: Int) async throws -> Double? {
        try await queue.reserveRate(providerId: providerId, ratePerSecond: ratePerSecond, burst: burst, messages: messages)
    }
    func releaseClaims(attempt: String) async throws -> Int { try await queue.releaseClaims(attempt: attempt) }
    func recoverClaims(policy: DeadLetterPolicy, now: Int64, predecessorsOf node: NodeIdentity?) async throws -> ClaimRecovery {
        try await queue.recoverClaims(policy: policy, now: now, predecessorsOf: node)
    }
    func retryRecordedAnswers(policy: DeadLetterPolicy, now: Int64) async throws -> AnswerRetry {
        try await queue.retryRecordedAnswers(policy: policy, now: now)
    }
    func deadLetters(campaignId: String, limit: Int) async throws -> [DeadLetter] {
        try await queue.deadLetters(campaignId: campaignId, limit: limit)
    }
    func deadLetterCount(campaignId: String) async throws -> Int { try await queue.deadLetterCount(campaignId: campaignId) }
    func claimedCount(campaignId: String) async throws -> Int { try await queue.claimedCount(campaignId: campaignId) }
    func stopCampaign(id: String, now: Int64) async throws -> StopSummary { try await queue.stopCampaign(id: id, now: now) }
    func completeCampaignIfDone(id: String) async throws -> Bool { try await queue.completeCampaignIfDone(id: id) }
    func transitionCampaign(id: String, from: Set<CampaignStatus>, to: CampaignStatus, publishedAt: Int64?) async throws -> Bool {
        try await queue.transitionCampaign(id: id, from: from, to: to, publishedAt: publishedAt)
    }
    func scheduleCampaign(id: String, sendAt: Int64) async throws { try await queue.scheduleCampaign(id: id, sendAt: sendAt) }
    func profilePropertyPaths() async throws -> Set<String> { try await queue.profilePropertyPaths() }
    func changeCampaign(id: String, _ change: @Sendable (Campaign, _ hasMessages: Bool) throws -> Campaign) async throws -> Campaign {
        try await queue.changeCampaign(id: id, change)
    }
    func purgeRawHistory(campaignId: String, now: Int64, batchSize: Int, dryRun: Bool) async throws -> RawPurgeCounts {
        try await queue.purgeRawHistory(campaignId: campaignId, now: now, batchSize: batchSize, dryRun: dryRun)
    }
    func rawPurgeLateCampaigns() async throws -> Set<String> { try await queue.rawPurgeLateCampaigns() }
    func deleteCampaign(id: String, _ check: @Sendable (Campaign, _ hasMessages: Bool) throws -> Void) async throws {
        try await queue.deleteCampaign(id: id, check)
    }
    func audienceSize(_ audience: Audience) async throws -> Int { try await queue.audienceSize(audience) }
    func setting(key: String, insertingIfAbsent candidate: String) async throws -> String {
        try await queue.setting(key: key, insertingIfAbsent: candidate)
    }
    func insertLoginLink(tokenHash: String, next: String, now: Int64, expiresAt: Int64, capacity: Int) async throws {
        try await queue.insertLoginLink(tokenHash: tokenHash, next: next, now: now, expiresAt: expiresAt, capacity: capacity)
    }
    func redeemLoginLink(tokenHash: String, now: Int64) async throws -> String? {
        try await queue.redeemLoginLink(tokenHash: tokenHash, now: now)
    }
    func missingMigrations() async throws -> [String] { try await queue.missingMigrations() }
    func recordSignatureNonce(_ nonce: SignatureReplay.Nonce, now: Int64) async throws -> Bool {
        try await queue.recordSignatureNonce(nonce, now: now)
    }
    func releaseSignatureNonce(_ nonce: SignatureReplay.Nonce) async throws { try await queue.releaseSignatureNonce(nonce) }
    func sweepSignatureNonces(now: Int64) async throws -> Int { try await queue.sweepSignatureNonces(now: now) }
}

/// Webhook subscriptions and the outbox forward to the real store.
extension FailingCallbackStore {
    private var hooks: any SMSDispatchStore {
        guard let store = base as? any SMSDispatchStore else { preconditionFailure("the base store must be an SMSDispatchStore") }
        return store
    }
    func insertWebhook(_ definition: WebhookSubscription.Definition, secret: String, at: Int64) async throws -> WebhookSubscription {
        try await hooks.insertWebhook(definition, secret: secret, at: at)
    }
    func webhook(id: Int64) async throws -> WebhookSubscription? { try await hooks.webhook(id: id) }
    func webhooks() async throws -> [WebhookSubscription] { try await hooks.webhooks() }
    func updateWebhook(id: Int64, _ definition: WebhookSubscription.Definition, at: Int64) async throws -> Bool {
        try await hooks.updateWebhook(id: id, definition, at: at)
    }
    func deleteWebhook(id: Int64) async throws -> Bool { try await hooks.deleteWebhook(id: id) }
    func webhookDeliveryStats(id: Int64) async throws -> WebhookDeliveryStats { try await hooks.webhookDeliveryStats(id: id) }
    func leaseWebhookEvents(holder: String, now: Int64, leaseSeconds: Int64, batchSize: Int, subscriptions: Int) async throws
        -> [WebhookDeliveryBatch]
    {
        try await hooks.leaseWebhookEvents(holder: holder, now: now, leaseSeconds: leaseSeconds, batchSize: batchSize, subscriptions: subscriptions)
    }
    func finishWebhookDelivery(_ batch: WebhookDeliveryBatch, holder: String, result: WebhookDeliveryResult) async throws {
        try await hooks.finishWebhookDelivery(batch, holder: holder, result: result)
    }
    func webhookEvents(subscriptionId: Int64, status: String, limit: Int) async throws -> [WebhookOutboxEvent] {
        try await hooks.webhookEvents(subscriptionId: subscriptionId, status: status, limit: limit)
    }
    func replayWebhookEvents(subscriptionId: Int64, now: Int64) async throws -> Int {
        try await hooks.replayWebhookEvents(subscriptionId: subscriptionId, now: now)
    }
    func hasEnabledWebhooks() async throws -> Bool { try await hooks.hasEnabledWebhooks() }
    func webhookOutboxDepth(now: Int64) async throws -> (depth: Int64, oldestAgeSeconds: Int64?) { try await hooks.webhookOutboxDepth(now: now) }
}
