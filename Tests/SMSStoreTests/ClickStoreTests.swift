import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

@Suite("Stores: clicks, provider clicks, bot hits")
struct ClickStoreTests {
    static let t0 = StoreFixture.t0
    static let links = ["https://shop.example/p?a=1&b=2", "https://shop.example/help"]

    @Test(arguments: StoreKind.allCases)
    func humanClickIsInferredDeliveryAndBotHitIsNot(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind: kind, users: ["a", "b"], links: Self.links)
        try await f.dispatch("a", at: Self.t0)
        try await f.dispatch("b", at: Self.t0)
        #expect(try await f.click("a", at: Self.t0 + 1, bot: "user agent matches 'bitlybot' (crawler-user-agents)")?.url == Self.links[0])
        var s = try await f.stats()
        #expect((s.botHits, s.clicks, s.uniqueClicks, s.delivered, s.inferredDelivered) == (1, 0, 0, 0, 0))
        #expect(try await f.click("b", link: 1, at: Self.t0 + 30)?.url == Self.links[1])
        s = try await f.stats()
        #expect((s.botHits, s.clicks, s.uniqueClicks, s.delivered, s.inferredDelivered, s.pending) == (1, 1, 1, 1, 1, 1))
        let hits = try await f.store.clickHits(campaignId: f.campaign.id, filter: .bots, limit: 10)
        #expect(hits.map(\.botReason) == ["user agent matches 'bitlybot' (crawler-user-agents)"])
        #expect(try await f.store.clickHits(campaignId: f.campaign.id, filter: .humans, limit: 10).map(\.linkIndex) == [1])
        #expect(try await f.store.clickHits(campaignId: f.campaign.id, filter: .all, limit: 10).count == 2)
    }

    /// PITFALLS.md #11 at the store: one person, two devices → clicks 2, unique 1 (message and link).
    @Test(arguments: StoreKind.allCases)
    func twoClicksOnOneLinkAreOneUnique(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind: kind, users: ["a"], links: Self.links)
        try await f.dispatch("a", at: Self.t0)
        _ = try await f.click("a", at: Self.t0 + 10, ua: "Mozilla/5.0 (iPhone)")
        _ = try await f.click("a", at: Self.t0 + 20, ua: "Mozilla/5.0 (Windows NT 10.0)")
        let s = try await f.stats()
        #expect((s.clicks, s.uniqueClicks) == (2, 1))
        let l = try await f.links()
        #expect(l.map(\.clicks) == [2, 0])
        #expect(l.map(\.uniqueClicks) == [1, 0])
        #expect(l.map(\.share) == [100, 0])
    }

    /// The redirect's journal applies hits in batches: a batch counts exactly like the same hits
    /// one by one (first human hit on a link is its unique, bots are not clicks, unknown and
    /// expired codes record nothing), also when several hits of one batch land on one link.
    @Test(arguments: StoreKind.allCases)
    func aBatchOfHitsCountsLikeTheHitsOneByOne(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind: kind, users: ["a", "b"], links: Self.links)
        try await f.dispatch("a", at: Self.t0)
        try await f.dispatch("b", at: Self.t0)
        func hit(_ user: String, _ link: Int, _ dt: Int64, bot: Bool = false) -> ClickInput {
            ClickInput(
                code: f.code(user, link: link), at: Self.t0 + dt, userAgent: "Mozilla/5.0 (iPhone)", ipHash: nil, isBot: bot,
                botReason: bot ? "HEAD request" : nil)
        }
        let targets = try await f.store.recordClicks([
            hit("a", 0, 10), hit("a", 0, 20), hit("a", 1, 25, bot: true), hit("a", 1, 30), hit("b", 0, 40),
            ClickInput(code: "Zzzzzzzzzz", at: Self.t0 + 41, userAgent: nil, ipHash: nil, isBot: false, botReason: nil),
            hit("b", 0, 30 * 86_400 + 1), hit("b", 0, 50),
        ])
        #expect(targets.map { $0?.url } == [Self.links[0], Self.links[0], Self.links[1], Self.links[1], Self.links[0], nil, Self.links[0], Self.links[0]])
        #expect(targets.map { $0?.expired } == [false, false, false, false, false, nil, true, false])
        var s = try await f.stats()
        #expect((s.clicks, s.uniqueClicks, s.botHits, s.delivered, s.inferredDelivered) == (5, 2, 1, 2, 2))
        var l = try await f.links()
        #expect(l.map(\.clicks) == [4, 1])
        #expect(l.map(\.uniqueClicks) == [2, 1])
        // A later batch on a link already clicked adds no unique.
        _ = try await f.store.recordClicks([hit("a", 0, 60), hit("b", 1, 70, bot: true)])
        s = try await f.stats()
        #expect((s.clicks, s.uniqueClicks, s.botHits) == (6, 2, 2))
        l = try await f.links()
        #expect(l.map(\.clicks) == [5, 1])
        #expect(l.map(\.uniqueClicks) == [2, 1])
        #expect(try await f.store.clickHits(campaignId: f.campaign.id, filter: .all, limit: 20).count == 8)
    }

    @Test(arguments: StoreKind.allCases)
    func unknownAndExpiredCodes(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind: kind, users: ["a"], links: Self.links)
        #expect(try await f.store.recordClick(ClickInput(code: "Zzzzzzzzzz", at: Self.t0, userAgent: nil, ipHash: nil, isBot: false, botReason: nil)) == nil)
        let expired = try await f.click("a", at: Self.t0 + 30 * 86_400 + 1)
        #expect(expired == ShortLinkTarget(url: Self.links[0], expired: true))
        let s = try await f.stats()
        #expect((s.clicks, s.botHits) == (0, 0))  // an expired hit records nothing
    }

    /// Provider-reported `clicked` counts like ours: per link URL, unique per (message, link),
    /// evidence of delivery. The URL may be the original or our short link the provider saw.
    @Test(arguments: StoreKind.allCases)
    func providerClicksCountPerLinkURL(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind: kind, users: ["a", "b"], links: Self.links)
        try await f.dispatch("a", at: Self.t0)
        try await f.dispatch("b", at: Self.t0)
        let r = try await f.callback(
            [
                CallbackItem(kind: .clicked, meta: f.meta("a"), ts: Self.t0 + 50, url: Self.links[0]),
                CallbackItem(kind: .clicked, meta: f.meta("a"), ts: Self.t0 + 50, url: Self.links[0]),  // exact resend
                CallbackItem(kind: .clicked, meta: f.meta("a"), ts: Self.t0 + 70, url: Self.links[0]),  // second click
                CallbackItem(
                    kind: .clicked, meta: f.meta("b"), ts: Self.t0 + 80, url: "https://sms.example/l/\(f.code("b", link: 1))",
                    shortURL: "https://prov.example/x1"),
                CallbackItem(kind: .clicked, meta: f.meta("b"), ts: Self.t0 + 90, url: "https://elsewhere.example/"),
            ], receivedAt: Self.t0 + 100)
        #expect(r == CallbackIngestResult(applied: 4, duplicates: 1, pending: 0))
        let s = try await f.stats()
        #expect((s.clicks, s.uniqueClicks, s.delivered, s.inferredDelivered) == (4, 2, 2, 2))
        let l = try await f.links()
        // The unknown URL is listed last as "other links" (url nil, other) so the shares add up to 100 %;
        // it has no unique count (no short link of ours to tie it to).
        #expect(l.map(\.clicks) == [2, 1, 1])
        #expect(l.map(\.uniqueClicks) == [1, 1, 0])
        #expect(l.map(\.url) == [Self.links[0], Self.links[1], nil])
        #expect(l.map(\.other) == [false, false, true])
        #expect(l.map(\.label) == ["Link 1", "Link 2", "Other links (reported by the provider)"])
        #expect(l.map(\.share).reduce(0, +) == 100)
        // Our redirect on the same (message, link) is not a second unique.
        _ = try await f.click("a", at: Self.t0 + 200)
        let after = try await f.links()
        #expect(after.map(\.clicks) == [3, 1, 1])
        #expect(after.map(\.uniqueClicks) == [1, 1, 0])
    }

    /// PITFALLS.md #16: click 10:00:03, delivered stamped 10:00:05, purchase in the click's second, in
    /// every arrival order → delivered, clicked, converted, click-through.
    @Test(arguments: StoreKind.allCases)
    func pitfall16EveryOrderGivesDeliveredClickedConverted(kind: StoreKind) async throws {
        let goal = ConversionGoal(event: "purchase", windowMinutes: 60, revenueProperty: "value")
        let orders = [[0, 1, 2, 3], [3, 2, 1, 0], [2, 3, 0, 1], [1, 0, 3, 2], [3, 0, 2, 1], [2, 1, 3, 0], [1, 3, 0, 2], [0, 3, 1, 2]]
        for order in orders {
            let f = try await StoreFixture(kind: kind, users: ["a"], goal: goal)
            let steps: [@Sendable () async throws -> Void] = [
                { try await f.dispatch("a", at: Self.t0) },
                { _ = try await f.click("a", at: Self.t0 + 3) },
                {
                    _ = try await f.callback(
                        [CallbackItem(kind: .delivered, meta: f.meta("a"), ts: Self.t0 + 5)], receivedAt: Self.t0 + 9)
                },
                {
                    _ = try await f.store.ingestConversionEvents(
                        [ConversionEventInput(eventId: "e1", userId: "a", name: "purchase", ts: Self.t0 + 3, properties: ["value": .number(42.5)])],
                        receivedAt: Self.t0 + 9)
                },
            ]
            for i in order { try await steps[i]() }
            let s = try await f.stats()
            #expect((s.sent, s.delivered, s.inferredDelivered, s.uniqueClicks) == (1, 1, 0, 1), "order \(order)")
            #expect((s.convertedUsers, s.clickThroughConversions, s.revenueCents) == (1, 1, 4_250), "order \(order)")
        }
    }
}
