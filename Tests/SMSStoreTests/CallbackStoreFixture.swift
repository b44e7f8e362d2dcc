import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// A fresh store of the given kind (``TestStore``) with one provider (`p1`) and one campaign (`c1`, links `https://a.example/x`
/// and `https://b.example/y`), plus helpers to record messages, dispatch results and callbacks.
/// Times are epoch seconds around ``t0`` (2023-11-14T22:13:20Z).
struct CallbackStoreFixture {
    static let t0: Int64 = 1_700_000_000
    let testStore: TestStore
    var store: any SMSDispatchStore { testStore.store }
    let providerId = "p1"
    let campaignId = "c1"

    static func make(kind storeKind: StoreKind, provider kind: ProviderKind = .generic, callbacksEnabled: Bool = true)
        async throws -> CallbackStoreFixture
    {
        let testStore = try await TestStore.make(storeKind)
        let store = testStore.store
        let fixture = CallbackStoreFixture(testStore: testStore)
        try await store.insertProvider(
            ProviderConfig(
                id: "p1", name: "P", kind: kind, url: "http://127.0.0.1:9/send", bodyTemplate: #"{"to":"$$To"}"#,
                callbacksEnabled: callbacksEnabled, callbackSecret: "s3cret", createdAt: t0))
        try await store.insertCampaign(
            Campaign(
                id: "c1", name: "C", providerId: "p1", body: "Hi https://a.example/x https://b.example/y",
                links: ["https://a.example/x", "https://b.example/y"], audience: .all, timezone: "UTC", goal: nil,
                status: .sending, createdAt: t0))
        return fixture
    }

    /// Records queued messages with these metas (users `u-<meta>`), created at `t0`.
    func insert(_ metas: [String], segments: Int = 1) async throws {
        try await store.insertMessages(
            metas.map {
                NewMessage(
                    campaignId: campaignId, userId: "u-" + $0, phone: "+4915123456789", meta: $0, body: "Hi",
                    segments: segments, dispatch: .queued, createdAt: Self.t0,
                    links: [
                        NewShortLink(code: "a" + $0, linkIndex: 0, url: "https://a.example/x", expiresAt: Self.t0 + 86_400),
                        NewShortLink(code: "b" + $0, linkIndex: 1, url: "https://b.example/y", expiresAt: Self.t0 + 86_400),
                    ])
            })
    }

    func messageId(_ meta: String) async throws -> Int64 {
        try #require(try await testStore.messageId(meta: meta))
    }

    /// The provider accepted `meta` at `at`, answering with `providerMessageId`.
    func sent(_ meta: String, at: Int64 = t0 + 1, providerMessageId: String? = nil) async throws {
        try await store.recordDispatchResults([
            DispatchResult(messageId: try await messageId(meta), outcome: .sent(providerMessageId: providerMessageId), at: at)
        ])
    }

    /// The dispatch of `meta` ended in an error.
    func dispatchFailed(_ meta: String, reason: String, at: Int64 = t0 + 1) async throws {
        try await store.recordDispatchResults([
            DispatchResult(messageId: try await messageId(meta), outcome: .failed(reason: reason), at: at)
        ])
    }

    @discardableResult
    func callback(_ items: [CallbackItem], receivedAt: Int64 = t0 + 60) async throws -> CallbackIngestResult {
        try await store.applyCallbacks(providerId: providerId, items: items, receivedAt: receivedAt)
    }

    func click(_ code: String, at: Int64, bot: Bool = false) async throws {
        _ = try await store.recordClick(
            ClickInput(code: code, at: at, userAgent: bot ? "facebookexternalhit/1.1" : "Mozilla/5.0 (iPhone)",
                       ipHash: nil, isBot: bot, botReason: bot ? "preview" : nil))
    }

    func stats() async throws -> CampaignStats {
        CampaignReport.stats(totals: try await CampaignStatsQueries(store: store).totals(campaignId: campaignId), callbacksEnabled: true)
    }

    func totals() async throws -> RollupDelta { try await CampaignStatsQueries(store: store).totals(campaignId: campaignId) }

    /// A rollup total cell (0 when absent).
    func total(_ metric: RollupMetric, dim: String = "") async throws -> Int64 {
        try await totals()[RollupKey(metric, dim: dim)] ?? 0
    }

    /// The outcome of `meta` by the state machine.
    func outcome(_ meta: String) async throws -> MessageOutcome {
        try await state(meta).outcome
    }

    func state(_ meta: String) async throws -> MessageState {
        try #require(try await testStore.messageState(meta: meta))
    }

    func pendingCount() async throws -> Int {
        try await testStore.count("pending_callbacks")
    }

    func eventCount() async throws -> Int {
        try await testStore.count("message_events")
    }
}

extension CallbackItem {
    static func delivered(_ meta: String, ts: Int64?, providerMessageId: String? = nil, part: Int? = nil) -> CallbackItem {
        CallbackItem(kind: .delivered, meta: meta, ts: ts, providerMessageId: providerMessageId, part: part)
    }

    static func failed(_ meta: String, ts: Int64?, code: String?, description: String? = nil) -> CallbackItem {
        CallbackItem(kind: .failed, meta: meta, ts: ts, code: code, description: description)
    }

    static func submitted(_ meta: String, ts: Int64?, providerStatus: String? = nil) -> CallbackItem {
        CallbackItem(kind: .submitted, meta: meta, ts: ts, providerStatus: providerStatus)
    }
}
