import Foundation
import SMSCore

/// Forwards to a real store, except that writing callbacks fails like a database that is gone
/// (disk full, I/O error): the web layer must answer 503 so the provider retries.
struct FailingCallbackStore: SMSStore {
    struct DiskIOError: Error, CustomStringConvertible {
        var description: String { "SQLite error 10: disk I/O error" }
    }

    let base: any SMSStore
    /// When set and on, click writes and link reads fail too (the redirect tests).
    var clicks: ClickFailureSwitch? = nil

    func applyCallbacks(providerId: String, items: [CallbackItem], receivedAt: Int64) async throws -> CallbackIngestResult {
        throw DiskIOError()
    }
    func recordIngestionErrors(_ errors: [IngestionErrorInput]) async throws { throw DiskIOError() }

    func insertProvider(_ provider: ProviderConfig) async throws { try await base.insertProvider(provider) }
    func provider(id: String) async throws -> ProviderConfig? { try await base.provider(id: id) }
    func providers() async throws -> [ProviderConfig] { try await base.providers() }
    func updateProvider(_ provider: ProviderConfig, ifVersion expected: Int) async throws -> ProviderUpdate {
        try await base.updateProvider(provider, ifVersion: expected)
    }
    func deleteProvider(id: String) async throws -> ProviderDeletion { try await base.deleteProvider(id: id) }
    func priceTable(providerId: String) async throws -> PriceTable? { try await base.priceTable(providerId: providerId) }
    func setPriceTable(_ prices: PriceTable, providerId: String) async throws -> Bool {
        try await base.setPriceTable(prices, providerId: providerId)
    }
    func upsertProfiles(_ profiles: [Profile], clearingOptOut: Set<String>) async throws {
        try await base.upsertProfiles(profiles, clearingOptOut: clearingOptOut)
    }
    func profile(userId: String) async throws -> Profile? { try await base.profile(userId: userId) }
    func profileCount() async throws -> Int { try await base.profileCount() }
    func messageLog(campaignId: String, afterId: Int64?, limit: Int) async throws -> [MessageLogEntry] {
        try await base.messageLog(campaignId: campaignId, afterId: afterId, limit: limit)
    }
    func messageLog(lookup: MessageLogLookup, beforeId: Int64?, limit: Int) async throws -> [MessageLogEntry] {
        try await base.messageLog(lookup: lookup, beforeId: beforeId, limit: limit)
    }
    func messageLogEntry(meta: String) async throws -> (entry: MessageLogEntry, events: [MessageLogEvent])? {
        try await base.messageLogEntry(meta: meta)
    }
    func messageLogEntries(messageIds: [Int64]) async throws -> [MessageLogEntry] { try await base.messageLogEntries(messageIds: messageIds) }
    func profiles(afterUserId: String?, limit: Int) async throws -> [Profile] { try await base.profiles(afterUserId: afterUserId, limit: limit) }
    func profiles(search: ProfileSearch, afterUserId: String?, limit: Int) async throws -> [Profile] {
        try await base.profiles(search: search, afterUserId: afterUserId, limit: limit)
    }
    func updateProfile(userId: String, _ change: @escaping @Sendable (Profile) throws -> Profile) async throws -> Profile? { try await base.updateProfile(userId: userId, change) }
    func messages(userId: String, limit: Int) async throws -> [ProfileMessage] { try await base.messages(userId: userId, limit: limit) }
    func eraseProfile(_ erasure: ProfileErasure) async throws -> ErasureOutcome { try await base.eraseProfile(erasure) }
    func insertSegment(_ definition: AudienceSegment.Definition, at: Int64) async throws -> AudienceSegment {
        try await base.insertSegment(definition, at: at)
    }
    func segment(id: Int64) async throws -> AudienceSegment? { try await base.segment(id: id) }
    func segments() async throws -> [AudienceSegment] { try await base.segments() }
    func updateSegment(id: Int64, _ definition: AudienceSegment.Definition, at: Int64) async throws -> Bool {
        try await base.updateSegment(id: id, definition, at: at)
    }
    func deleteSegment(id: Int64) async throws -> Bool { try await base.deleteSegment(id: id) }
    func setOptOut(userId: String, optedOut: Bool) async throws -> Bool { try await base.setOptOut(userId: userId, optedOut: optedOut) }
    func insertCampaign(_ campaign: Campaign) async throws { try await base.insertCampaign(campaign) }
    func campaign(id: String) async throws -> Campaign? { try await base.campaign(id: id) }
    func campaigns() async throws -> [Campaign] { try await base.campaigns() }
    func campaigns(limit: Int, archived: ArchivedFilter) async throws -> [Campaign] {
        try await base.campaigns(limit: limit, archived: archived)
    }
    func setCampaignStatus(id: String, status: CampaignStatus, publishedAt: Int64?) async throws {
        try await base.setCampaignStatus(id: id, status: status, publishedAt: publishedAt)
    }
    func audienceProfiles(_ audience: Audience) async throws -> (profiles: [Profile], missing: [String]) {
        try await base.audienceProfiles(audience)
    }
    func insertMessages(_ messages: [NewMessage]) async throws { try await base.insertMessages(messages) }
    func queuedMessages(campaignId: String, limit: Int) async throws -> [OutboundMessage] {
        try await base.queuedMessages(campaignId: campaignId, limit: limit)
    }
    func recordDispatchResults(_ results: [DispatchResult]) async throws { try await base.recordDispatchResults(results) }
    func messageCount(campaignId: String, dispatch: DispatchStatus) async throws -> Int {
        try await base.messageCount(campaignId: campaignId, dispatch: dispatch)
    }
    func rematchPendingCallbacks(now: Int64) async throws -> Int { try await base.rematchPendingCallbacks(now: now) }
    func ingestionErrors(limit: Int) async throws -> [IngestionError] { try await base.ingestionErrors(limit: limit) }
    func ingestionError(id: Int64) async throws -> IngestionError? { try await base.ingestionError(id: id) }
    func replayIngestionError(id: Int64, providerId: String, items: [CallbackItem], at: Int64) async throws -> CallbackIngestResult {
        try await base.replayIngestionError(id: id, providerId: providerId, items: items, at: at)
    }
    func replayEventIngestionError(id: Int64, events: [ConversionEventInput], at: Int64) async throws -> ConversionIngestResult {
        try await base.replayEventIngestionError(id: id, events: events, at: at)
    }
    func unmatchedCallbacks(receivedBefore: Int64, limit: Int) async throws -> [UnmatchedCallback] {
        try await base.unmatchedCallbacks(receivedBefore: receivedBefore, limit: limit)
    }
    func recordClick(_ click: ClickInput) async throws -> ShortLinkTarget? {
        try clicks?.check()
        return try await base.recordClick(click)
    }
    func recordClicks(_ clicks: [ClickInput]) async throws -> [ShortLinkTarget?] {
        try self.clicks?.check()
        return try await base.recordClicks(clicks)
    }
    func clickHits(campaignId: String, filter: ClickHit.Filter, limit: Int) async throws -> [ClickHit] {
        try await base.clickHits(campaignId: campaignId, filter: filter, limit: limit)
    }
    func ingestConversionEvents(_ events: [ConversionEventInput], receivedAt: Int64) async throws -> ConversionIngestResult {
        try await base.ingestConversionEvents(events, receivedAt: receivedAt)
    }
    func rollupTotalsByVariant(campaignId: String) async throws -> [Int: RollupDelta] {
        try await base.rollupTotalsByVariant(campaignId: campaignId)
    }
    func rollupBucketCells(campaignId: String, variant: Int?, metrics: [RollupMetric]) async throws -> [RollupBucketCell] {
        try await base.rollupBucketCells(campaignId: campaignId, variant: variant, metrics: metrics)
    }
    func deliveryErrorDescriptions(campaignId: String) async throws -> [String: String] {
        try await base.deliveryErrorDescriptions(campaignId: campaignId)
    }
    func reconcile(campaignId: String, repair: Bool) async throws -> ReconcileReport {
        try await base.reconcile(campaignId: campaignId, repair: repair)
    }
}
