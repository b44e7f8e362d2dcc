import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SMSCore
import SMSStoreSQLite
import SMSWeb
import Testing

/// Builds a router-tested app for dashboard tests and seeds campaigns through the real API.
enum DashboardFixture {
    static let token = "test-token"

    static func app(
        publicBaseURL: String = "https://sms.example.com", password: String? = nil, store: SQLiteStore? = nil
    ) async throws -> (some ApplicationProtocol, SQLiteStore) {
        let store = try store ?? SQLiteStore.inMemory()
        let config = AppConfig(port: 0, publicBaseURL: publicBaseURL, adminToken: token, dashboardPassword: password)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let app = try await buildApplication(config: config, store: store, gateway: AcceptingGateway(), runDispatcher: false, logger: logger)
        return (app, store)
    }

    /// Signs in with the admin token; returns the `Cookie` header value and the page's CSRF token.
    static func signIn(_ client: some TestClientProtocol, secret: String = token) async throws -> (cookie: String, csrf: String) {
        let cookie = try await client.execute(
            uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: "token=\(secret)&next=%2F")
        ) { r -> String in
            #expect(r.status == .seeOther)
            return String((r.headers[.setCookie] ?? "").split(separator: ";")[0])
        }
        let csrf = try await client.execute(uri: "/providers", method: .get, headers: [.cookie: cookie]) { r in
            Self.csrf(in: String(buffer: r.body))
        }
        return (cookie, csrf)
    }

    /// The first `name="csrf" value="…"` of a page.
    static func csrf(in html: String) -> String {
        guard let r = html.range(of: "name=\"csrf\" value=\"") else { return "" }
        return String(html[r.upperBound...].prefix { $0 != "\"" })
    }

    struct P: Decodable { var id: String; var callbackSecret: String }
    struct C: Decodable { var id: String }

    struct Seeded {
        var campaignId: String
        var providerId: String
        var secret: String
        var a: OutboundMessage
        var b: OutboundMessage
    }

    /// A provider (callbacks on or off), 4 profiles (a, b valid; c invalid phone; d none), a
    /// campaign with two links, a goal (`purchase`, 60 min, revenue `amount`), published; a and b
    /// dispatched (sent) unless `dispatch` is false. Returns the two sent messages.
    static func seed(
        _ client: some TestClientProtocol, store: SQLiteStore, name: String = "Spring sale", callbacks: Bool = true,
        goal: Bool = true, dispatch: Bool = true
    ) async throws -> Seeded {
        let provider = try await client.execute(
            uri: "/api/v1/providers", method: .post, headers: auth,
            body: json(#"{"name":"Acme SMS","url":"https://p.example/send","callbacksEnabled":\#(callbacks),"bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\",\"id\":\"$$MessageID\"}"}"#)
        ) { try decode(P.self, $0.body) }
        try await client.execute(
            uri: "/api/v1/profiles", method: .post, headers: auth,
            body: json(#"[{"userId":"a","phone":"+49 151 2345 6789"},{"userId":"b","phone":"+1 212 555 0100"},{"userId":"c","phone":"12"},{"userId":"d"}]"#)
        ) { r in #expect(r.status == .ok) }
        let nameJSON = String(decoding: try JSONEncoder().encode(name), as: UTF8.self)
        let goalJSON = goal ? #","goal":{"event":"purchase","windowMinutes":60,"revenueProperty":"amount"}"# : ""
        let campaign = try await client.execute(
            uri: "/api/v1/campaigns", method: .post, headers: auth,
            body: json(#"{"name":\#(nameJSON),"providerId":"\#(provider.id)","body":"Hi https://shop.example/p?a=1&b=2 and https://shop.example/reviews bye","audience":{"all":true},"timezone":"Europe/Berlin"\#(goalJSON)}"#)
        ) { r in
            #expect(r.status == .created)
            return try decode(C.self, r.body)
        }
        try await client.execute(uri: "/api/v1/campaigns/\(campaign.id)/publish", method: .post, headers: auth) { r in #expect(r.status == .ok) }
        let queued = try await store.queuedMessages(campaignId: campaign.id, limit: 10)
        if dispatch {
            let results = await AcceptingGateway().send(queued, via: try await store.provider(id: provider.id)!, customValues: [:])
            try await store.recordDispatchResults(results)
            // What the dispatch loop (off in router tests) does when nothing is left to send.
            try await store.setCampaignStatus(id: campaign.id, status: .completed, publishedAt: nil)
        }
        return Seeded(
            campaignId: campaign.id, providerId: provider.id, secret: provider.callbackSecret,
            a: queued.first { $0.userId == "a" }!, b: queued.first { $0.userId == "b" }!)
    }

    /// Posts generic callbacks for the seeded provider.
    static func callback(_ client: some TestClientProtocol, _ s: Seeded, _ body: String) async throws {
        try await client.execute(uri: "/callbacks/\(s.providerId)?secret=\(s.secret)", method: .post, body: json(body)) { r in
            #expect(r.status == .ok)
        }
    }

    /// A human click (iPhone Safari) or a bot hit (WhatsApp preview) on link `index` of a message.
    static func click(_ client: some TestClientProtocol, _ m: OutboundMessage, link index: Int, bot: Bool = false) async throws {
        let code = String(m.body.components(separatedBy: "/l/")[index + 1].prefix(10))
        let ua = bot ? "WhatsApp/2.24" : "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Safari/604.1"
        try await client.execute(uri: "/l/\(code)", method: .get, headers: [.userAgent: ua]) { r in #expect(r.status == .found) }
    }

    /// The text of the element carrying `attribute` (e.g. `data-stat="sent"`), tags stripped.
    static func text(_ html: String, _ attribute: String) -> String? {
        guard let r = html.range(of: attribute) else { return nil }
        let rest = html[r.upperBound...]
        guard let open = rest.firstIndex(of: ">") else { return nil }
        let inner = rest[rest.index(after: open)...]
        guard let close = inner.range(of: "</") else { return nil }
        return String(inner[..<close.lowerBound])
    }
}
