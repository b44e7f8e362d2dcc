import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SMSCore
import SMSStoreSQLite
import SMSWeb

/// A gateway that accepts every message at a fixed time (no network), recording what it got.
actor FixedTimeGateway: SMSGateway {
    let at: Int64
    private(set) var sent: [OutboundMessage] = []
    init(at: Int64) { self.at = at }

    nonisolated func send(_ messages: [OutboundMessage], via provider: ProviderConfig, customValues: [String: String]) async
        -> [DispatchResult]
    {
        await record(messages)
        return messages.map { DispatchResult(messageId: $0.messageId, outcome: .sent(providerMessageId: nil), at: at) }
    }

    private func record(_ m: [OutboundMessage]) { sent += m }
}

/// One app over an in-memory store, driven through the router (or live on loopback).
struct ClickTestApp {
    static let token = "admin-test-token"
    static let secret = "cb-secret"
    static let providerId = "prov"
    static let auth: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]

    let store: SQLiteStore
    let gateway: FixedTimeGateway
    let dispatcher: Dispatcher
    let config: AppConfig

    /// The gateway's accept time (epoch seconds): a minute ago, so that redirect hits (which use the
    /// real clock) come after the send and before the links expire.
    let sentAt: Int64

    init(keywords: OptOutKeywords = OptOutKeywords(), callbacksEnabled: Bool = true) async throws {
        let sentAt = Int64(Date().timeIntervalSince1970) - 60
        self.sentAt = sentAt
        store = try SQLiteStore.inMemory(keywords: keywords)
        gateway = FixedTimeGateway(at: sentAt)
        config = AppConfig(publicBaseURL: "https://sms.example", adminToken: Self.token, ipHashSalt: "salt-1")
        dispatcher = Dispatcher(
            store: store, gateway: gateway, planner: CampaignPlanner(linkBaseURL: config.publicBaseURL),
            now: { sentAt })
        try await store.insertProvider(
            ProviderConfig(
                id: Self.providerId, name: "Test", url: "http://127.0.0.1:9/send", bodyTemplate: #"{"to":"$$To"}"#,
                callbacksEnabled: callbacksEnabled, callbackSecret: Self.secret, createdAt: 0))
    }

    /// Profiles `ids` with valid phones.
    func addProfiles(_ ids: [String]) async throws {
        try await store.upsertProfiles(
            ids.enumerated().map { i, id in Profile(userId: id, phone: "+4915112345\(String(format: "%03d", i))", phoneValid: true) })
    }

    /// Creates, publishes and dispatches a campaign; returns its id.
    @discardableResult
    func sendCampaign(
        id: String, body: String, users: [String], goal: ConversionGoal? = nil, controlPercent: Double = 0
    ) async throws -> (id: String, summary: Dispatcher.PublishSummary) {
        let draft = CampaignDraft(
            name: id, providerId: Self.providerId, body: body, audience: .userIds(users), goal: goal,
            controlGroupPercent: controlPercent)
        try await store.insertCampaign(try draft.validated(id: id, providerExists: true, now: sentAt - 1_000))
        let summary = try await dispatcher.publish(campaignId: id)
        _ = try await dispatcher.runOnce()
        return (id, summary)
    }

    /// The short-link codes the gateway sent to `userId` (in body order).
    /// A completed 2020 campaign `cmp_exp` whose one short link, `EXPIRED001`, expired long ago.
    func insertExpiredLink() async throws {
        try await store.insertCampaign(
            Campaign(
                id: "cmp_exp", name: "old", providerId: Self.providerId, body: "https://old.example/",
                links: ["https://old.example/"], audience: .userIds(["u1"]), timezone: "UTC", goal: nil, status: .completed,
                createdAt: 1_600_000_000))
        try await store.insertMessages([
            NewMessage(
                campaignId: "cmp_exp", userId: "u1", phone: "+4915112345678", meta: "m-exp", body: "x", segments: 1,
                dispatch: .queued, createdAt: 1_600_000_000,
                links: [NewShortLink(code: "EXPIRED001", linkIndex: 0, url: "https://old.example/", expiresAt: 1_600_086_400)])
        ])
    }

    func codes(for userId: String, campaignId: String) async -> [String] {
        let sent = await gateway.sent.filter { $0.userId == userId && $0.campaignId == campaignId }
        return sent.flatMap { m in
            m.body.components(separatedBy: "https://sms.example/l/").dropFirst().map { String($0.prefix(ShortCode.length)) }
        }
    }

    func meta(for userId: String, campaignId: String) async -> String? {
        await gateway.sent.first { $0.userId == userId && $0.campaignId == campaignId }?.meta
    }

    func stats(_ campaignId: String) async throws -> CampaignStats {
        let callbacks = try await store.provider(id: Self.providerId)?.callbacksEnabled ?? false
        return CampaignReport.stats(totals: try await CampaignStatsQueries(store: store).totals(campaignId: campaignId), callbacksEnabled: callbacks)
    }

    func links(_ campaignId: String) async throws -> [LinkStats] {
        let c = try await store.campaign(id: campaignId)!
        return CampaignReport.links(totals: try await CampaignStatsQueries(store: store).totals(campaignId: campaignId), urls: c.links)
    }

    /// Runs `body` with a client on the app's router (`.router`) or on a live loopback server.
    /// With `journal`, redirects go through the click journal (``ClickJournal``).
    func withClient<T: Sendable>(
        _ setup: TestingSetup = .router, journal: ClickJournal? = nil,
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "test.clicks")
        logger.logLevel = .critical
        var cfg = config
        cfg.port = 0
        let router = try await buildRouter(config: cfg, store: store, dispatcher: dispatcher, logger: logger, clickJournal: journal)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        return try await app.test(setup, body)
    }
}

extension ByteBuffer {
    var text: String { String(buffer: self) }
}
