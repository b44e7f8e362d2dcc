import Foundation
import SMSCore
import SMSStoreTestSupport

/// A campaign in a fresh store of the given kind (``TestStore``), with helpers to play a history through the store's units of work.
struct StatsFixture {
    static let t: Int64 = 1_710_000_000
    static let links = ["https://shop.example/p?a=1&b=2", "https://shop.example/help", "https://shop.example/cart"]

    let testStore: TestStore
    var store: any SMSDispatchStore { testStore.store }
    let campaign: Campaign

    /// - Parameters:
    ///   - callbacks: whether the provider has delivery callbacks configured.
    ///   - goal: the campaign's conversion goal.
    init(kind: StoreKind, callbacks: Bool = true, goal: ConversionGoal? = nil, timezone: String = "Europe/Berlin") async throws {
        testStore = try await TestStore.make(kind)
        let store = testStore.store
        try await store.insertProvider(
            ProviderConfig(
                id: "p1", name: "Generic", url: "http://127.0.0.1:9/sms", bodyTemplate: #"{"to":"$$To"}"#,
                callbacksEnabled: callbacks, callbackSecret: "s", createdAt: Self.t - 100))
        campaign = Campaign(
            id: "c1", name: "Spring", providerId: "p1", body: "Hi " + Self.links.joined(separator: " "), links: Self.links,
            audience: .all, timezone: timezone, goal: goal, createdAt: Self.t - 50)
        try await store.insertCampaign(campaign)
    }

    /// A queued message for user `u<i>` with meta `m<i>` and short links `c<i>x<link>`.
    static func message(_ i: Int, variant: Int = 0, dispatch: DispatchStatus = .queued, reason: String? = nil) -> NewMessage {
        let links = dispatch == .queued
            ? Self.links.indices.map { NewShortLink(code: "c\(i)x\($0)", linkIndex: $0, url: Self.links[$0], expiresAt: t + 86_400 * 30) }
            : []
        return NewMessage(
            campaignId: "c1", userId: "u\(i)", phone: "+4915112345\(i)", meta: "m\(i)", body: "Hi", segments: 1,
            variant: variant, dispatch: dispatch, dispatchErrorReason: reason, createdAt: t, links: links)
    }

    /// Inserts `count` queued messages and records them all as sent at `t`.
    func sendMessages(_ count: Int, variant: (Int) -> Int = { _ in 0 }) async throws {
        try await store.insertMessages((0..<count).map { Self.message($0, variant: variant($0)) })
        try await dispatchAll()
    }

    /// Records every queued message as sent at `t`.
    func dispatchAll() async throws {
        let queued = try await store.queuedMessages(campaignId: "c1", limit: 100_000)
        try await store.recordDispatchResults(queued.map { DispatchResult(messageId: $0.messageId, outcome: .sent(providerMessageId: nil), at: Self.t) })
    }

    func callback(_ kind: CallbackEventKind, _ i: Int, at: Int64, code: String? = nil, description: String? = nil) async throws {
        _ = try await store.applyCallbacks(
            providerId: "p1", items: [CallbackItem(kind: kind, meta: "m\(i)", ts: at, code: code, description: description)],
            receivedAt: at + 2)
    }

    func click(_ i: Int, link: Int, at: Int64, bot: Bool = false) async throws {
        _ = try await store.recordClick(
            ClickInput(code: "c\(i)x\(link)", at: at, userAgent: bot ? "facebookexternalhit/1.1" : "Mozilla/5.0", ipHash: nil,
                       isBot: bot, botReason: bot ? "preview" : nil))
    }

    var queries: CampaignStatsQueries { CampaignStatsQueries(store: store) }
}
