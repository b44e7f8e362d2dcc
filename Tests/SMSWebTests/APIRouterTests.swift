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

/// A gateway that accepts everything (router tests never reach a provider).
struct AcceptingGateway: SMSGateway {
    func send(_ messages: [OutboundMessage], via provider: ProviderConfig, customValues: [String: String]) async -> [DispatchResult] {
        let now = Int64(Date().timeIntervalSince1970)
        return messages.map { DispatchResult(messageId: $0.messageId, outcome: .sent(providerMessageId: nil), at: now) }
    }
}

/// Builds a router-tested application on an in-memory store.
func makeTestApp(store: SQLiteStore? = nil) async throws -> (some ApplicationProtocol, SQLiteStore, AppConfig) {
    let store = try store ?? SQLiteStore.inMemory()
    let config = AppConfig(port: 0, publicBaseURL: "https://sms.example.com", adminToken: "test-token")
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let app = try await buildApplication(config: config, store: store, gateway: AcceptingGateway(), runDispatcher: false, logger: logger)
    return (app, store, config)
}

let auth: HTTPFields = [.authorization: "Bearer test-token", .contentType: "application/json"]

func json(_ s: String) -> ByteBuffer { ByteBuffer(string: s) }

func decode<T: Decodable>(_ t: T.Type, _ b: ByteBuffer) throws -> T { try JSONDecoder().decode(t, from: Data(buffer: b)) }

@Suite("API routes")
struct APIRouterTests {
    @Test("admin routes answer 401 without or with a wrong token")
    func adminRoutesNeedTheToken() async throws {
        let (app, _, _) = try await makeTestApp()
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/campaigns", method: .get) { r in #expect(r.status == .unauthorized) }
            try await client.execute(uri: "/api/v1/campaigns", method: .get, headers: [.authorization: "Bearer nope"]) { r in
                #expect(r.status == .unauthorized)
            }
            try await client.execute(uri: "/api/v1/campaigns", method: .get, headers: auth) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/health", method: .get) { r in #expect(r.status == .ok) }
        }
    }

    @Test("a provider without $$To is refused with the reason; a good one gets a callback URL and secret")
    func providerValidation() async throws {
        let (app, _, _) = try await makeTestApp()
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/api/v1/providers", method: .post, headers: auth,
                body: json(#"{"name":"p","url":"https://p.example/send","bodyTemplate":"{\"text\":\"$$Body\"}"}"#)
            ) { r in
                #expect(r.status == .badRequest)
                #expect(String(buffer: r.body).contains("$$To"))
            }
            try await client.execute(
                uri: "/api/v1/providers", method: .post, headers: auth,
                body: json(#"{"name":"p","url":"ftp://p.example","bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\"}"}"#)
            ) { r in
                #expect(r.status == .badRequest)
                #expect(String(buffer: r.body).contains("url must be an absolute http(s) URL"))
            }
            try await client.execute(
                uri: "/api/v1/providers", method: .post, headers: auth,
                body: json(#"{"name":"p","url":"https://p.example/send","bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\",\"id\":\"$$MessageID\"}"}"#)
            ) { r in
                #expect(r.status == .created)
                struct P: Decodable { var id: String; var callbackUrl: String; var callbackSecret: String }
                let p = try decode(P.self, r.body)
                #expect(p.callbackUrl == "https://sms.example.com/callbacks/\(p.id)?secret=\(p.callbackSecret)")
                #expect(p.callbackSecret.count == 30)
            }
        }
    }

    @Test("the whole loop through the router: profiles, campaign, publish, callbacks, redirect, events, stats")
    func wholeLoop() async throws {
        let (app, store, _) = try await makeTestApp()
        try await app.test(.router) { client in
            struct P: Decodable { var id: String; var callbackSecret: String }
            let provider = try await client.execute(
                uri: "/api/v1/providers", method: .post, headers: auth,
                body: json(#"{"name":"p","url":"https://p.example/send","bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\",\"id\":\"$$MessageID\"}"}"#)
            ) { try decode(P.self, $0.body) }
            try await client.execute(
                uri: "/api/v1/profiles", method: .post, headers: auth,
                body: json(#"[{"userId":"a","phone":"+49 151 2345 6789"},{"userId":"b","phone":"+1 212 555 0100"},{"userId":"c","phone":"12"},{"userId":"d"}]"#)
            ) { r in
                #expect(r.status == .ok)
                struct Report: Decodable { var upserted: Int; var warnings: [W]; struct W: Decodable { var userId: String?; var problem: String } }
                let report = try decode(Report.self, r.body)
                #expect(report.upserted == 4)
                #expect(report.warnings.map(\.userId) == ["c", "d"])
            }
            struct C: Decodable { var id: String; var links: [String] }
            let campaign = try await client.execute(
                uri: "/api/v1/campaigns", method: .post, headers: auth,
                body: json(#"{"name":"Sale","providerId":"\#(provider.id)","body":"Hi https://shop.example/p?a=1&b=2 bye","audience":{"all":true},"timezone":"Europe/Berlin","goal":{"event":"purchase","windowMinutes":60,"revenueProperty":"amount"}}"#)
            ) { r in
                #expect(r.status == .created)
                return try decode(C.self, r.body)
            }
            #expect(campaign.links == ["https://shop.example/p?a=1&b=2"])
            try await client.execute(uri: "/api/v1/campaigns/\(campaign.id)/publish", method: .post, headers: auth) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).contains(#""dispatchErrors":2"#))
            }
            // Dispatch by hand (the loop is off in router tests).
            let queued = try await store.queuedMessages(campaignId: campaign.id, limit: 10)
            #expect(queued.count == 2)
            let results = await AcceptingGateway().send(queued, via: try await store.provider(id: provider.id)!, customValues: [:])
            try await store.recordDispatchResults(results)
            let a = queued.first { $0.userId == "a" }!
            let b = queued.first { $0.userId == "b" }!
            // a: delivered twice (duplicate) and clicked; b: failed 914.
            let now = Int64(Date().timeIntervalSince1970)
            let cb = #"[{"event":"delivered","data":[{"meta":"\#(a.meta)","ts":\#(now)}]},{"event":"delivered","data":[{"meta":"\#(a.meta)","ts":\#(now)}]},{"event":"failed","data":[{"meta":"\#(b.meta)","ts":\#(now),"code":"914"}]}]"#
            try await client.execute(uri: "/callbacks/\(provider.id)?secret=\(provider.callbackSecret)", method: .post, body: json(cb)) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).hasPrefix(#"{"status":"success","message":"Callback processed successfully","data":{"processed_events":3,"#))
            }
            try await client.execute(uri: "/callbacks/\(provider.id)?secret=wrong", method: .post, body: json(cb)) { r in
                #expect(r.status == .unauthorized)
            }
            let code = String(a.body.split(separator: "/l/")[1].prefix(10))
            try await client.execute(uri: "/l/\(code)", method: .get, headers: [.userAgent: "Mozilla/5.0 (iPhone) Safari/604.1"]) { r in
                #expect(r.status == .found)
                #expect(r.headers[.location] == "https://shop.example/p?a=1&b=2")
            }
            try await client.execute(uri: "/l/\(code)", method: .get, headers: [.userAgent: "WhatsApp/2.24"]) { r in
                #expect(r.status == .found)
            }
            try await client.execute(uri: "/l/AAAAAAAAAA", method: .get) { r in #expect(r.status == .notFound) }
            // The purchase comes a second after the click, read from the clock after the click was
            // answered (`now + 1` fell before the click on a loaded machine: no click-through).
            let purchaseTime = Int64(Date().timeIntervalSince1970) + 1
            try await client.execute(
                uri: "/api/v1/events", method: .post, headers: auth,
                body: json(#"[{"eventId":"e1","userId":"a","name":"purchase","ts":\#(purchaseTime),"properties":{"amount":12.5}},{"eventId":"e1","userId":"a","name":"purchase","ts":\#(purchaseTime),"properties":{"amount":12.5}}]"#)
            ) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body) == #"{"duplicates":1,"invalid":[],"stored":1}"#)
            }
            try await client.execute(uri: "/api/v1/campaigns/\(campaign.id)/stats", method: .get, headers: auth) { r in
                let s = try decode(CampaignStats.self, r.body)
                #expect(s.sent == 2)
                #expect(s.delivered == 1)
                #expect(s.failed == 1)
                #expect(s.pending == 0)
                #expect(s.dispatchErrors == 2)
                #expect(s.clicks == 1)
                #expect(s.uniqueClicks == 1)
                #expect(s.botHits == 1)
                #expect(s.ctr == 100)
                #expect(s.deliveryRate == 50)
                #expect(s.convertedUsers == 1)
                #expect(s.clickThroughConversions == 1)
                #expect(s.revenueCents == 1_250)
                #expect(s.convertedPercent == 50)
            }
        }
    }

    @Test("bad campaign input is refused with every problem named and nothing is created")
    func badCampaign() async throws {
        let (app, store, _) = try await makeTestApp()
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/api/v1/campaigns", method: .post, headers: auth,
                body: json(#"{"name":"x","providerId":"nope","body":"","audience":{"userIds":[]}}"#)
            ) { r in
                #expect(r.status == .badRequest)
                let text = String(buffer: r.body)
                #expect(text.contains("body is empty"))
                #expect(text.contains("unknown provider 'nope'"))
                #expect(text.contains("audience is empty"))
            }
            try await client.execute(uri: "/api/v1/campaigns", method: .post, headers: auth, body: json("{not json")) { r in
                #expect(r.status == .badRequest)
            }
        }
        #expect(try await store.campaigns().isEmpty)
    }

    @Test("the OpenAPI document lists every route")
    func openAPI() async throws {
        let (app, _, _) = try await makeTestApp()
        try await app.test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { r in
                #expect(r.status == .ok)
                let doc = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any]
                let paths = (doc?["paths"] as? [String: Any]).map { Set($0.keys) } ?? []
                for p in ["/api/v1/providers", "/api/v1/profiles", "/api/v1/profiles/import", "/api/v1/campaigns",
                          "/api/v1/campaigns/{id}/publish", "/api/v1/campaigns/{id}", "/api/v1/campaigns/{id}/stats",
                          "/api/v1/events", "/callbacks/{providerId}", "/l/{code}", "/health", "/ready", "/metrics"] {
                    #expect(paths.contains(p), "\(p) missing")
                }
            }
        }
    }
}
