import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SMSCore
import SMSStoreSQLite
import Testing

@testable import SMSWeb

@Suite("Redirect GET/HEAD /l/{code} through the router")
struct RedirectRouteTests {
    static let iPhone =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
    static let android =
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.6045.163 Mobile Safari/537.36"

    static func ua(_ value: String) -> HTTPFields { [.userAgent: value] }

    /// PITFALLS.md #10 and its siblings: the Location header is the body's URL byte for byte.
    @Test(arguments: [
        "https://shop.example/p?a=1&b=2",
        "https://shop.example/p?a=1&amp;b=2",  // written that way in the body: kept as written
        "https://shop.example/search?q=[1,2]&sort=-price#reviews",
        "https://example.com/path%20with%2Fescapes?x=%26",
        "https://例え.jp/パス?q=ü&r=ß#frag",
        "http://shop.example:8080/a;b=c/(d)?e=f",
    ])
    func locationIsTheStoredURLByteForByte(url: String) async throws {
        let app = try await ClickTestApp()
        try await app.addProfiles(["u1"])
        let c = try await app.sendCampaign(id: "cmp_loc", body: "Deal \(url) now", users: ["u1"])
        let code = try #require(await app.codes(for: "u1", campaignId: c.id).first)
        try await app.withClient { client in
            try await client.execute(uri: "/l/\(code)", method: .get, headers: Self.ua(Self.iPhone)) { r in
                #expect(r.status == .found)
                let location = try #require(r.headers[.location])
                #expect(Array(location.utf8) == Array(url.utf8))
                #expect(r.headers[.cacheControl] == "no-store")
            }
        }
    }

    /// PITFALLS.md #8: WhatsApp preview GET, a social crawler GET, a HEAD with a browser user agent,
    /// then a phone browser GET → 1 human click, 3 bot hits (kept and shown apart).
    @Test func pitfall8OneClickThreeBotHits() async throws {
        let app = try await ClickTestApp()
        try await app.addProfiles(["u1"])
        let c = try await app.sendCampaign(id: "cmp_p8", body: "See https://shop.example/p?a=1&b=2", users: ["u1"])
        let code = try #require(await app.codes(for: "u1", campaignId: c.id).first)
        try await app.withClient { client in
            for (method, agent) in [
                (HTTPRequest.Method.get, "WhatsApp/2.23.20.0 A"),
                (.get, "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"),
                (.head, Self.iPhone),
                (.get, Self.iPhone),
            ] {
                try await client.execute(uri: "/l/\(code)", method: method, headers: Self.ua(agent)) { r in
                    #expect(r.status == .found)
                    #expect(r.headers[.location] == "https://shop.example/p?a=1&b=2")
                }
            }
            try await client.execute(
                uri: "/api/v1/campaigns/\(c.id)/hits?kind=bots", method: .get, headers: ClickTestApp.auth
            ) { r in
                #expect(r.status == .ok)
                let hits = try JSONDecoder().decode([ClickHit].self, from: Data(buffer: r.body))
                #expect(
                    Set(hits.compactMap(\.botReason)) == [
                        "user agent matches 'WhatsApp' (crawler-user-agents)",
                        "user agent matches 'facebookexternalhit' (crawler-user-agents)", "HEAD request",
                    ])
            }
            try await client.execute(uri: "/api/v1/campaigns/\(c.id)/stats", method: .get, headers: ClickTestApp.auth) { r in
                let json = try JSONDecoder().decode([String: JSONValue].self, from: Data(buffer: r.body))
                #expect(json["clicks"] == .number(1))
                #expect(json["uniqueClicks"] == .number(1))
                #expect(json["botHits"] == .number(3))
                #expect(json["delivered"] == .number(1))
                #expect(json["inferredDelivered"] == .number(1))
            }
        }
        let links = try await app.links(c.id)
        #expect(links.map(\.botHits) == [3])
        #expect(links.map(\.clicks) == [1])
    }

    /// PITFALLS.md #9: a shortener's bot fetches the link a second after the send: a bot hit, not a
    /// click, not delivery, not click-through for a later purchase.
    @Test func pitfall9ShortenerBotIsNotEvidence() async throws {
        let app = try await ClickTestApp()
        try await app.addProfiles(["u1"])
        let goal = ConversionGoal(event: "purchase", windowMinutes: 120)
        let c = try await app.sendCampaign(id: "cmp_p9", body: "https://shop.example/x", users: ["u1"], goal: goal)
        let code = try #require(await app.codes(for: "u1", campaignId: c.id).first)
        try await app.withClient { client in
            try await client.execute(uri: "/l/\(code)", method: .get, headers: Self.ua("bitlybot/3.0 (+http://bit.ly/)")) { r in
                #expect(r.status == .found)
            }
        }
        _ = try await app.store.ingestConversionEvents(
            [ConversionEventInput(eventId: "p1", userId: "u1", name: "purchase", ts: app.sentAt + 120, properties: [:])],
            receivedAt: app.sentAt + 130)
        let s = try await app.stats(c.id)
        #expect((s.sent, s.delivered, s.pending, s.clicks, s.uniqueClicks, s.botHits) == (1, 0, 1, 0, 0, 1))
        #expect((s.convertedUsers, s.clickThroughConversions) == (1, 0))
    }

    /// PITFALLS.md #11: the same person on two devices → clicks 2, unique 1.
    @Test func pitfall11TwoDevicesOneUnique() async throws {
        let app = try await ClickTestApp()
        try await app.addProfiles(["u1", "u2"])
        let c = try await app.sendCampaign(id: "cmp_p11", body: "https://a.example/1 and https://a.example/2", users: ["u1", "u2"])
        let codes = await app.codes(for: "u1", campaignId: c.id)
        #expect(codes.count == 2)
        try await app.withClient { client in
            for agent in [Self.iPhone, Self.android] {
                try await client.execute(uri: "/l/\(codes[0])", method: .get, headers: Self.ua(agent)) { r in #expect(r.status == .found) }
            }
        }
        let s = try await app.stats(c.id)
        #expect((s.clicks, s.uniqueClicks, s.ctr) == (2, 1, 100))  // 1 unique / 1 delivered (inferred)
        let links = try await app.links(c.id)
        #expect(links.map(\.clicks) == [2, 0])
        #expect(links.map(\.uniqueClicks) == [1, 0])
    }

    /// Concurrent hits are committed together (group commit) and each is answered after its own
    /// record: 40 parallel GETs over 4 recipients' links, 8 of them bots → clicks 32, unique 4,
    /// bot hits 8; an unknown code in the same burst still gets its 404.
    @Test func concurrentHitsAreAllRecorded() async throws {
        let app = try await ClickTestApp()
        let users = ["u1", "u2", "u3", "u4"]
        try await app.addProfiles(users)
        let c = try await app.sendCampaign(id: "cmp_burst", body: "https://shop.example/burst", users: users)
        var codes: [String] = []
        for u in users { codes += await app.codes(for: u, campaignId: c.id) }
        let all = codes
        let statuses = try await app.withClient { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<41 {
                    group.addTask {
                        let uri = i == 40 ? "/l/UNKNOWN123" : "/l/\(all[i % all.count])"
                        let agent = i % 5 == 0 ? "WhatsApp/2.23.20.0 A" : Self.iPhone
                        return try await client.execute(uri: uri, method: .get, headers: Self.ua(agent)) { $0.status }
                    }
                }
                var out: [HTTPResponse.Status] = []
                for try await s in group { out.append(s) }
                return out
            }
        }
        #expect(statuses.filter { $0 == .found }.count == 40)
        #expect(statuses.filter { $0 == .notFound }.count == 1)
        let s = try await app.stats(c.id)
        #expect((s.clicks, s.uniqueClicks, s.botHits, s.delivered) == (32, 4, 8, 4))
    }

    /// Unknown, malformed and expired codes answer the friendly 404 page and never redirect.
    @Test(arguments: [
        "/l/AAAAAAAAAA",  // well-formed, unknown
        "/l/abc",  // too short
        "/l/AAAAAAAAAAA",  // too long
        "/l/AAAAAAAA%2F",  // escaped slash
        "/l/..%2F..%2Fadmin",
        "/l/https:%2F%2Fevil.example",
        "/l/%2F%2Fevil.example",
    ])
    func unknownCodesAreAFriendly404(path: String) async throws {
        let app = try await ClickTestApp()
        try await app.withClient { client in
            for method in [HTTPRequest.Method.get, .head] {
                try await client.execute(uri: path, method: method, headers: Self.ua(Self.iPhone)) { r in
                    #expect(r.status == .notFound)
                    #expect(r.headers[.location] == nil)
                    if method == .get {
                        #expect(r.headers[.contentType] == "text/html; charset=utf-8")
                        #expect(r.body.text.contains("<h1>Link not found</h1>"))
                        #expect(r.body.text.contains("This link does not exist."))
                    }
                }
            }
        }
    }

    /// No open redirect: whatever the request carries (query, extra path, encoded URLs), the
    /// only possible Location is the stored URL.
    @Test func requestCannotChooseTheTarget() async throws {
        let app = try await ClickTestApp()
        try await app.addProfiles(["u1"])
        let c = try await app.sendCampaign(id: "cmp_open", body: "https://shop.example/ok", users: ["u1"])
        let code = try #require(await app.codes(for: "u1", campaignId: c.id).first)
        try await app.withClient { client in
            for uri in [
                "/l/\(code)?url=https://evil.example", "/l/\(code)?next=%2F%2Fevil.example&redirect=//evil.example",
            ] {
                try await client.execute(uri: uri, method: .get, headers: Self.ua(Self.iPhone)) { r in
                    #expect(r.status == .found)
                    #expect(r.headers[.location] == "https://shop.example/ok")
                }
            }
            for uri in ["/l/\(code)/https://evil.example", "/l/\(code)/", "/l/\(code)%2F%2Fevil.example", "/l//evil.example"] {
                try await client.execute(uri: uri, method: .get, headers: Self.ua(Self.iPhone)) { r in
                    #expect(r.status != .found, "\(uri)")
                    #expect(r.headers[.location] == nil, "\(uri)")
                }
            }
        }
    }

    @Test func expiredLinkIsAFriendly404AndRecordsNothing() async throws {
        let app = try await ClickTestApp()
        try await app.insertExpiredLink()
        try await app.withClient { client in
            try await client.execute(uri: "/l/EXPIRED001", method: .get, headers: Self.ua(Self.iPhone)) { r in
                #expect(r.status == .notFound)
                #expect(r.headers[.location] == nil)
                #expect(r.body.text.contains("This link has expired."))
            }
        }
        let s = try await app.stats("cmp_exp")
        #expect((s.clicks, s.botHits) == (0, 0))
    }

    /// On a live socket: the stored hash is SHA-256("salt|127.0.0.1"), hex; the raw IP is not stored.
    @Test func liveHitStoresASaltedIPHashNotTheIP() async throws {
        let app = try await ClickTestApp()
        try await app.addProfiles(["u1"])
        let c = try await app.sendCampaign(id: "cmp_ip", body: "https://shop.example/ip", users: ["u1"])
        let code = try #require(await app.codes(for: "u1", campaignId: c.id).first)
        try await app.withClient(.live) { client in
            try await client.execute(uri: "/l/\(code)", method: .get, headers: Self.ua(Self.iPhone)) { r in
                #expect(r.status == .found)
            }
        }
        let hits = try await app.store.clickHits(campaignId: c.id, filter: .all, limit: 10)
        let expected = SHA256.hash(data: Data("salt-1|127.0.0.1".utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(hits.map(\.ipHash) == [expected])
        #expect(hits.map(\.userAgent) == [Self.iPhone])
        #expect(hits.allSatisfy { !($0.ipHash ?? "").contains("127.0.0.1") })
    }

    @Test func hitsListingValidatesItsQuery() async throws {
        let app = try await ClickTestApp()
        try await app.withClient { client in
            try await client.execute(uri: "/api/v1/campaigns/nope/hits", method: .get, headers: ClickTestApp.auth) { r in
                #expect(r.status == .notFound)
            }
            try await app.addProfiles(["u1"])
            _ = try await app.sendCampaign(id: "cmp_q", body: "https://q.example/", users: ["u1"])
            try await client.execute(uri: "/api/v1/campaigns/cmp_q/hits?kind=robots", method: .get, headers: ClickTestApp.auth) { r in
                #expect(r.status == .badRequest)
                #expect(r.body.text.contains("kind must be all, bots or humans (got 'robots')"))
            }
            try await client.execute(uri: "/api/v1/campaigns/cmp_q/hits?limit=0", method: .get, headers: ClickTestApp.auth) { r in
                #expect(r.status == .badRequest)
            }
            try await client.execute(uri: "/api/v1/campaigns/cmp_q/hits", method: .get, headers: [:]) { r in
                #expect(r.status == .unauthorized)
            }
        }
    }
}
