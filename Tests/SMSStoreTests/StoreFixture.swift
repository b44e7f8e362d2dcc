import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// A campaign recorded in a fresh store of the given kind (``TestStore``) with deterministic short codes and metas:
/// code of (user index i, link j) = `codePrefix` (one letter) + 7 digits of i + 2 digits of j, meta = `"m-" + userId`.
struct StoreFixture {
    static let t0: Int64 = 1_710_064_800  // 2024-03-10T10:00:00Z, the publish time
    static let providerId = "prov"

    let testStore: TestStore
    var store: any SMSDispatchStore { testStore.store }
    let campaign: Campaign
    let messages: [NewMessage]

    init(
        kind: StoreKind, campaignId: String = "cmp_1", users: [String], links: [String] = ["https://shop.example/p?a=1&b=2"],
        goal: ConversionGoal? = nil, controlPercent: Double = 0, keywords: OptOutKeywords = OptOutKeywords(),
        store: TestStore? = nil, insert: Bool = true, profiles: Bool = true, codePrefix: String = "K"
    ) async throws {
        let testStore: TestStore
        if let store { testStore = store } else { testStore = try await TestStore.make(kind, keywords: keywords) }
        self.testStore = testStore
        let store = testStore.store
        if try await store.provider(id: Self.providerId) == nil {
            try await store.insertProvider(
                ProviderConfig(
                    id: Self.providerId, name: "P", url: "http://127.0.0.1:9/", bodyTemplate: "{}", callbackSecret: "s",
                    createdAt: 0))
        }
        let body = "Sale! " + links.joined(separator: " and ")
        let draft = CampaignDraft(
            name: campaignId, providerId: Self.providerId, body: body, audience: .userIds(users), goal: goal,
            controlGroupPercent: controlPercent)
        campaign = try draft.validated(id: campaignId, providerExists: true, now: Self.t0 - 60)
        try await store.insertCampaign(campaign)
        let profileList = users.map { Profile(userId: $0, phone: "+4915112345678", phoneValid: true) }
        var planned = profileList
        if profiles {
            try await store.upsertProfiles(profileList)
            planned = try await store.audienceProfiles(.userIds(users)).profiles  // opt-outs as stored
        }
        var counter = 0
        var codes: [String] = []
        for (i, _) in users.enumerated() {
            for j in links.indices { codes.append(codePrefix + String(format: "%07d%02d", i, j)) }
        }
        messages = CampaignPlanner(linkBaseURL: "https://sms.example", linkLifetime: 30 * 86_400).plan(
            campaign: campaign, profiles: planned, now: Self.t0,
            makeCode: {
                defer { counter += 1 }
                return codes[counter]
            },
            makeMeta: { "" })
            .map { m in
                var m = m
                m.meta = "\(campaignId)-m-\(m.userId)"
                return m
            }
        if insert { try await self.insert() }
    }

    /// Records the messages.
    func insert() async throws {
        try await store.insertMessages(messages)
    }

    func message(_ userId: String) -> NewMessage { messages.first { $0.userId == userId }! }
    func meta(_ userId: String) -> String { message(userId).meta }
    func code(_ userId: String, link: Int = 0) -> String { message(userId).links.first { $0.linkIndex == link }!.code }

    /// The stored id of the user's message.
    func messageId(_ userId: String) async throws -> Int64 {
        try #require(try await testStore.messageId(meta: meta(userId)))
    }

    func stats(callbacksEnabled: Bool = true) async throws -> CampaignStats {
        CampaignReport.stats(totals: try await CampaignStatsQueries(store: store).totals(campaignId: campaign.id), callbacksEnabled: callbacksEnabled)
    }

    func links() async throws -> [LinkStats] {
        CampaignReport.links(totals: try await CampaignStatsQueries(store: store).totals(campaignId: campaign.id), urls: campaign.links)
    }

    func dispatch(_ userId: String, at: Int64, ok: Bool = true) async throws {
        try await store.recordDispatchResults([
            DispatchResult(
                messageId: try await messageId(userId),
                outcome: ok ? .sent(providerMessageId: nil) : .failed(reason: "provider HTTP error 500"), at: at)
        ])
    }

    func click(_ userId: String, link: Int = 0, at: Int64, bot: String? = nil, ua: String = "Mozilla/5.0 (iPhone)") async throws
        -> ShortLinkTarget?
    {
        try await store.recordClick(
            ClickInput(code: code(userId, link: link), at: at, userAgent: ua, ipHash: "h", isBot: bot != nil, botReason: bot))
    }

    func callback(_ items: [CallbackItem], receivedAt: Int64) async throws -> CallbackIngestResult {
        try await store.applyCallbacks(providerId: Self.providerId, items: items, receivedAt: receivedAt)
    }
}

