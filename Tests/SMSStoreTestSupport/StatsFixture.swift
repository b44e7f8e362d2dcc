import Foundation
import SMSCore

/// A campaign in a fresh store of the given kind (``TestStore``), with helpers to play a history through the store's units of work.
public struct StatsFixture: Sendable {
    public static let t: Int64 = 1_710_000_000
    public static let links = ["https://shop.example/p?a=1&b=2", "https://shop.example/help", "https://shop.example/cart"]

    public let testStore: TestStore
    public var store: any SMSDispatchStore { testStore.store }
    public let campaign: Campaign

    /// - Parameters:
    ///   - callbacks: whether the provider has delivery callbacks configured.
    ///   - goal: the campaign's conversion goal.
    ///   - prepare: runs on the fresh store before the provider and the campaign are inserted.
    public init(
        kind: StoreKind, callbacks: Bool = true, goal: ConversionGoal? = nil, timezone: String = "Europe/Berlin",
        prepare: @Sendable (TestStore) async throws -> Void = { _ in }
    ) async throws {
        testStore = try await TestStore.make(kind)
        try await prepare(testStore)
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
    public static func message(_ i: Int, variant: Int = 0, dispatch: DispatchStatus = .queued, reason: String? = nil) -> NewMessage {
        let links = dispatch == .queued
            ? Self.links.indices.map { NewShortLink(code: "c\(i)x\($0)", linkIndex: $0, url: Self.links[$0], expiresAt: t + 86_400 * 30) }
            : []
        return NewMessage(
            campaignId: "c1", userId: "u\(i)", phone: "+4915112345\(i)", meta: "m\(i)", body: "Hi", segments: 1,
            variant: variant, dispatch: dispatch, dispatchErrorReason: reason, createdAt: t, links: links)
    }

    /// Inserts `count` queued messages and records them all as sent at `t`.
    public func sendMessages(_ count: Int, variant: (Int) -> Int = { _ in 0 }) async throws {
        try await store.insertMessages((0..<count).map { Self.message($0, variant: variant($0)) })
        try await dispatchAll()
    }

    /// Records every queued message as sent at `t`.
    public func dispatchAll() async throws {
        let queued = try await store.queuedMessages(campaignId: "c1", limit: 100_000)
        try await store.recordDispatchResults(queued.map { DispatchResult(messageId: $0.messageId, outcome: .sent(providerMessageId: nil), at: Self.t) })
    }

    /// Records the messages `m<i>` of `indices` as sent at `t`, in one call.
    public func dispatch(_ indices: [Int]) async throws {
        var results: [DispatchResult] = []
        for i in indices {
            guard let id = try await testStore.messageId(meta: "m\(i)") else { throw StoreError.notFound("message m\(i)") }
            results.append(DispatchResult(messageId: id, outcome: .sent(providerMessageId: nil), at: Self.t))
        }
        try await store.recordDispatchResults(results)
    }

    public func callback(_ kind: CallbackEventKind, _ i: Int, at: Int64, code: String? = nil, description: String? = nil) async throws {
        _ = try await store.applyCallbacks(
            providerId: "p1", items: [CallbackItem(kind: kind, meta: "m\(i)", ts: at, code: code, description: description)],
            receivedAt: at + 2)
    }

    public func click(_ i: Int, link: Int, at: Int64, bot: Bool = false) async throws {
        _ = try await store.recordClick(
            ClickInput(code: "c\(i)x\(link)", at: at, userAgent: bot ? "facebookexternalhit/1.1" : "Mozilla/5.0", ipHash: nil,
                       isBot: bot, botReason: bot ? "preview" : nil))
    }

    public var queries: CampaignStatsQueries { CampaignStatsQueries(store: store) }

    /// Marks campaign `id` stopped at `at` (epoch seconds), as a retention test's finished campaign.
    public func stop(_ id: String = "c1", at: Int64 = StatsFixture.t + 2_000) async throws {
        _ = try await store.changeCampaign(id: id) { c, _ in
            var s = c
            s.status = .stopped
            s.stoppedAt = at
            return s
        }
    }

    /// A history touching every kind of record (control, dispatch error, receipts, replies with a
    /// STOP, a provider click, human and bot clicks, conversions; variants 0 and 1), for reconcile,
    /// the CLI and the stats reads.
    public static func busyHistory(_ kind: StoreKind) async throws -> StatsFixture {
        let goal = ConversionGoal(event: "purchase", windowMinutes: 120, revenueProperty: "amount")
        let f = try await StatsFixture(kind: kind, goal: goal)
        try await f.store.insertMessages([message(50, dispatch: .control), message(51, dispatch: .dispatchError, reason: "no phone on profile")])
        try await f.sendMessages(6) { $0 % 2 }
        try await f.callback(.delivered, 0, at: t + 5)
        try await f.callback(.failed, 1, at: t + 5, code: "777", description: "Blocked")
        try await f.callback(.submitted, 2, at: t + 5)
        try await f.callback(.replied, 3, at: t + 500)
        _ = try await f.store.applyCallbacks(
            providerId: "p1", items: [CallbackItem(kind: .replied, meta: "m4", ts: t + 400, incomingText: "STOP")], receivedAt: t + 401)
        _ = try await f.store.applyCallbacks(
            providerId: "p1", items: [CallbackItem(kind: .clicked, meta: "m5", ts: t + 300, url: links[1])], receivedAt: t + 301)
        try await f.click(0, link: 0, at: t + 60)
        try await f.click(0, link: 0, at: t + 70)
        try await f.click(2, link: 2, at: t + 3, bot: true)
        _ = try await f.store.ingestConversionEvents(
            [
                ConversionEventInput(eventId: "e0", userId: "u0", name: "purchase", ts: t + 900, properties: ["amount": .number(30)]),
                ConversionEventInput(eventId: "e50", userId: "u50", name: "purchase", ts: t + 100, properties: ["amount": .number(5)]),
            ], receivedAt: t + 1000)
        return f
    }
}
