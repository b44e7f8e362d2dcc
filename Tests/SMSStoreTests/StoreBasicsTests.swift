import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

@Suite("Stores: units of work (SQLite and PostgreSQL)")
struct StoreBasicsTests {
    func setUp(_ store: any SMSDispatchStore, users: [String] = ["u1"]) async throws -> Campaign {
        try await store.insertProvider(
            ProviderConfig(id: "p1", name: "p", url: "https://p.example", bodyTemplate: "$$To $$Body", callbackSecret: "s", createdAt: 0))
        try await store.upsertProfiles(users.map { Profile(userId: $0, phone: "+4915112345678", phoneValid: true) })
        let c = Campaign(
            id: "c1", name: "c", providerId: "p1", body: "hi https://x.example/a", links: ["https://x.example/a"],
            audience: .all, timezone: "UTC", goal: ConversionGoal(event: "buy", windowMinutes: 60), createdAt: 0)
        try await store.insertCampaign(c)
        return c
    }

    /// ``setUp(_:users:)`` plus message `m1` to `u1` (short link `AAAAAAAAAA`) recorded as sent at 1,000.
    func setUpSentMessage(_ store: any SMSDispatchStore) async throws {
        _ = try await setUp(store)
        try await store.insertMessages([message("u1", meta: "m1", code: "AAAAAAAAAA")])
        let msg = try await store.queuedMessages(campaignId: "c1", limit: 1)[0]
        try await store.recordDispatchResults([DispatchResult(messageId: msg.messageId, outcome: .sent(providerMessageId: nil), at: 1_000)])
    }

    func message(_ user: String, meta: String, code: String) -> NewMessage {
        NewMessage(
            campaignId: "c1", userId: user, phone: "+4915112345678", meta: meta, body: "hi https://s.example/l/\(code)",
            segments: 1, dispatch: .queued, createdAt: 1_000,
            links: [NewShortLink(code: code, linkIndex: 0, url: "https://x.example/a", expiresAt: 99_999_999_999)])
    }

    func stats(_ store: any SMSDispatchStore) async throws -> CampaignStats {
        CampaignReport.stats(totals: try await CampaignStatsQueries(store: store).totals(campaignId: "c1"), callbacksEnabled: true)
    }

    @Test("PITFALLS.md #1: a receipt that arrives before the message is recorded is held and then counted once", arguments: StoreKind.allCases)
    func receiptBeforeMessage(kind: StoreKind) async throws {
        let testStore = try await TestStore.make(kind)
        let store = testStore.store
        _ = try await setUp(store)
        let early = try await store.applyCallbacks(
            providerId: "p1", items: [CallbackItem(kind: .delivered, meta: "m1", ts: 1_001)], receivedAt: 1_001)
        #expect(early == CallbackIngestResult(applied: 0, duplicates: 0, pending: 1))
        try await store.insertMessages([message("u1", meta: "m1", code: "AAAAAAAAAA")])
        var s = try await stats(store)
        #expect(s.sent == 1)
        #expect(s.delivered == 1)
        #expect(s.queued == 0)
        // The provider reported on it, so it was sent: the dispatcher must not hand it out again
        // (after a crash between the provider's 2xx and our commit).
        #expect(try await store.queuedMessages(campaignId: "c1", limit: 1).isEmpty)
        s = try await stats(store)
        #expect(s.delivered == 1)
        // The held item is gone: a rematch finds nothing more.
        #expect(try await store.rematchPendingCallbacks(now: 1_002) == 0)
    }

    @Test("exact duplicates are dropped by the event log's unique key; the counters move once", arguments: StoreKind.allCases)
    func duplicateCallbacks(kind: StoreKind) async throws {
        let testStore = try await TestStore.make(kind)
        let store = testStore.store
        try await setUpSentMessage(store)
        let item = CallbackItem(kind: .delivered, meta: "m1", ts: 1_010)
        let r = try await store.applyCallbacks(providerId: "p1", items: [item, item, item], receivedAt: 1_011)
        #expect(r == CallbackIngestResult(applied: 1, duplicates: 2, pending: 0))
        let s = try await stats(store)
        #expect(s.sent == 1)
        #expect(s.delivered == 1)
        #expect(s.pending == 0)
    }

    @Test("a bot hit is stored but is no click and no delivery evidence; a human click is both", arguments: StoreKind.allCases)
    func clicks(kind: StoreKind) async throws {
        let testStore = try await TestStore.make(kind)
        let store = testStore.store
        try await setUpSentMessage(store)
        let bot = try await store.recordClick(
            ClickInput(code: "AAAAAAAAAA", at: 1_001, userAgent: "WhatsApp/2", ipHash: nil, isBot: true, botReason: "ua"))
        #expect(bot == ShortLinkTarget(url: "https://x.example/a", expired: false))
        var s = try await stats(store)
        #expect(s.botHits == 1)
        #expect(s.clicks == 0)
        #expect(s.delivered == 0)
        for t in [1_002, 1_003] as [Int64] {
            _ = try await store.recordClick(ClickInput(code: "AAAAAAAAAA", at: t, userAgent: "Mozilla", ipHash: nil, isBot: false, botReason: nil))
        }
        s = try await stats(store)
        #expect(s.clicks == 2)
        #expect(s.uniqueClicks == 1)
        #expect(s.delivered == 1)
        #expect(s.inferredDelivered == 1)
        let links = CampaignReport.links(totals: try await CampaignStatsQueries(store: store).totals(campaignId: "c1"), urls: ["https://x.example/a"])
        #expect(links.map(\.clicks) == [2])
        #expect(links.map(\.uniqueClicks) == [1])
        #expect(links.map(\.botHits) == [1])
        #expect(try await store.recordClick(ClickInput(code: "ZZZZZZZZZZ", at: 1, userAgent: nil, ipHash: nil, isBot: false, botReason: nil)) == nil)
    }

    @Test("a conversion that arrives before the click is upgraded to click-through when the click lands", arguments: StoreKind.allCases)
    func lateClickUpgradesConversion(kind: StoreKind) async throws {
        let testStore = try await TestStore.make(kind)
        let store = testStore.store
        try await setUpSentMessage(store)
        _ = try await store.ingestConversionEvents(
            [ConversionEventInput(eventId: "e1", userId: "u1", name: "buy", ts: 1_100, properties: [:])], receivedAt: 1_200)
        var s = try await stats(store)
        #expect(s.convertedUsers == 1)
        #expect(s.clickThroughConversions == 0)
        _ = try await store.recordClick(ClickInput(code: "AAAAAAAAAA", at: 1_050, userAgent: "Mozilla", ipHash: nil, isBot: false, botReason: nil))
        s = try await stats(store)
        #expect(s.convertedUsers == 1)
        #expect(s.clickThroughConversions == 1)
    }
}
