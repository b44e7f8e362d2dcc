import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SMSCore
import SMSStoreSQLite
import SMSWeb
import Testing

@Suite("Campaign API: refused drafts, personalisation, schedule, stop, progress")
struct CampaignDispatchAPITests {
    static let token = "admin-token"

    static func withApp(
        _ body: @escaping @Sendable (_ client: any TestClientProtocol, _ store: SQLiteStore) async throws -> Void
    ) async throws {
        let store = try SQLiteStore.inMemory()
        var logger = Logger(label: "test.api")
        logger.logLevel = .critical
        let config = AppConfig(host: "127.0.0.1", port: 0, publicBaseURL: "https://s.example", adminToken: token)
        let app = try await buildApplication(config: config, store: store, gateway: FakeGateway(), runDispatcher: false, logger: logger)
        try await app.test(.router) { client in try await body(client, store) }
    }

    static func post(_ client: any TestClientProtocol, _ path: String, _ json: String) async throws -> (status: HTTPResponse.Status, body: String) {
        try await client.execute(
            uri: path, method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
            body: ByteBuffer(string: json)
        ) { ($0.status, String(buffer: $0.body)) }
    }

    static func get(_ client: any TestClientProtocol, _ path: String) async throws -> (status: HTTPResponse.Status, body: String) {
        try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(token)"]) { ($0.status, String(buffer: $0.body)) }
    }

    static func seed(_ store: SQLiteStore) async throws {
        try await store.insertProvider(ProviderConfig(
            id: "p1", name: "P", url: "http://127.0.0.1:9/sms", bodyTemplate: #"{"to":"$$To","text":"$$Body","sender":"$$Sender"}"#,
            callbackSecret: "s", createdAt: 0))
        try await store.upsertProfiles([
            Profile(userId: "u1", phone: "+4915112345678", phoneValid: true, properties: ["first_name": .string("Ann")]),
            Profile(userId: "u2", phone: "+4915112345679", phoneValid: true, properties: ["city": .string("Köln")]),
        ])
    }

    static let good = #""name":"n","providerId":"p1","audience":{"all":true},"customValues":{"Sender":"ACME"}"#

    @Test("bad drafts are answered 400 naming the problem, and no campaign row is written", arguments: [
        (#"{"name":"n","providerId":"p1","body":"","audience":{"all":true},"customValues":{"Sender":"ACME"}}"#, "body is empty"),
        (#"{"name":"n","providerId":"p1","body":"a https://1.example b https://2.example c https://3.example d https://4.example e https://5.example f https://6.example","audience":{"all":true},"customValues":{"Sender":"ACME"}}"#,
         "body has 6 links; at most 5 can be tracked"),
        (#"{"name":"n","providerId":"nope","body":"b","audience":{"all":true}}"#, "unknown provider 'nope'"),
        (#"{"name":"n","providerId":"p1","body":"b","audience":{"userIds":[]},"customValues":{"Sender":"ACME"}}"#, "audience is empty"),
        (#"{"name":"n","providerId":"p1","body":"b","audience":{"userIds":["ghost"]},"customValues":{"Sender":"ACME"}}"#, "audience is empty: none of the 1 user ids has a profile"),
        (#"{"name":"n","providerId":"p1","body":"Hi {{nickname}}","audience":{"all":true},"customValues":{"Sender":"ACME"}}"#,
         "unknown template placeholder 'nickname': no profile has that field and defaults has no value for it"),
        (#"{"name":"n","providerId":"p1","body":"Hi {{#vip}}","audience":{"all":true},"customValues":{"Sender":"ACME"}}"#, "body is not a valid template"),
        (#"{"name":"n","providerId":"p1","body":"b","audience":{"all":true}}"#, "provider 'p1' sends $$Sender: customValues.Sender is required"),
        (#"{"name":"n","providerId":"p1","body":"b","audience":{"all":true},"customValues":{"Sender":"ACME"},"sendAt":"2025-03-30T02:30","timezone":"Europe/Berlin"}"#,
         "does not exist in Europe"),
        (#"{"name":"n","providerId":"p1","audience":{"all":true},"customValues":{"Sender":"ACME"},"variants":[{"body":"A","percent":70},{"body":"B","percent":20}]}"#,
         "variant percents add up to 90, not 100"),
        (#"{"name":"n","providerId":"p1","audience":{"all":true}}"#, "missing field 'body'"),
    ])
    func refusedDrafts(_ json: String, _ problem: String) async throws {
        try await Self.withApp { client, store in
            try await Self.seed(store)
            let r = try await Self.post(client, "/api/v1/campaigns", json)
            #expect(r.status == .badRequest)
            #expect(r.body.contains(problem), "\(r.body)")
            #expect(try await store.campaigns().isEmpty)
        }
    }

    @Test("an empty database refuses an audience of all profiles")
    func noProfiles() async throws {
        try await Self.withApp { client, store in
            try await store.insertProvider(ProviderConfig(id: "p1", name: "P", url: "http://x.example", bodyTemplate: #"{"to":"$$To","text":"$$Body"}"#, callbackSecret: "s", createdAt: 0))
            let r = try await Self.post(client, "/api/v1/campaigns", #"{"name":"n","providerId":"p1","body":"b","audience":{"all":true}}"#)
            #expect(r.status == .badRequest)
            #expect(r.body.contains("audience is empty: there are no profiles"))
            #expect(try await store.campaigns().isEmpty)
        }
    }

    @Test("a personalised campaign with a default is created, published and shows progress with segments")
    func personalisedCampaign() async throws {
        try await Self.withApp { client, store in
            try await Self.seed(store)
            let r = try await Self.post(
                client, "/api/v1/campaigns",
                #"{"# + Self.good + #","body":"Hi {{first_name}} & welcome 😎 https://shop.example/a?x=1&y=2","defaults":{"first_name":"there"}}"#)
            #expect(r.status == .created)
            let id = try #require(try JSONDecoder().decode([String: JSONValue].self, from: Data(r.body.utf8))["id"]?.stringValue)
            let p = try await Self.post(client, "/api/v1/campaigns/\(id)/publish", "")
            #expect(p.status == .ok)
            let messages = try await store.claimMessages(campaignId: id, limit: 10, attempt: "t", now: 0, cap: nil).messages
            #expect(messages.map(\.body).map { $0.replacingOccurrences(of: #"/l/[0-9A-Za-z]+"#, with: "/l/X", options: .regularExpression) }
                == ["Hi Ann & welcome 😎 https://s.example/l/X", "Hi there & welcome 😎 https://s.example/l/X"])
            #expect(messages.map(\.templateVariables) == [#"{"first_name":"Ann"}"#, #"{"first_name":"there"}"#])
            let view = try await Self.get(client, "/api/v1/campaigns/\(id)")
            #expect(view.body.contains(#""progress":{"controlGroup":0,"deadLetters":0,"dispatchErrors":0,"inFlight":2,"queued":2,"sent":0,"sentSegments":0,"targeted":2}"#), "\(view.body)")
            _ = try await store.recordDispatchResults(messages.map { DispatchResult(messageId: $0.messageId, outcome: .sent(providerMessageId: nil), at: 1) })
            let after = try await Self.get(client, "/api/v1/campaigns/\(id)")
            // Each body: UCS-2 (emoji), ~45 UTF-16 units → 1 segment each.
            #expect(after.body.contains(#""progress":{"controlGroup":0,"deadLetters":0,"dispatchErrors":0,"inFlight":0,"queued":0,"sent":2,"sentSegments":2,"targeted":2}"#), "\(after.body)")
        }
    }

    @Test("schedule then stop: scheduled in the campaign's zone, stop ends it with nothing sent")
    func scheduleAndStop() async throws {
        try await Self.withApp { client, store in
            try await Self.seed(store)
            let r = try await Self.post(client, "/api/v1/campaigns", #"{"# + Self.good + #","body":"b","timezone":"Asia/Kathmandu"}"#)
            let id = try #require(try JSONDecoder().decode([String: JSONValue].self, from: Data(r.body.utf8))["id"]?.stringValue)
            let s = try await Self.post(client, "/api/v1/campaigns/\(id)/schedule", #"{"sendAt":"2099-01-01T09:00"}"#)
            #expect(s.status == .ok)
            let c = try await store.campaign(id: id)
            #expect(c?.status == .scheduled)
            #expect(c?.sendAt == 4_070_920_500)  // 2099-01-01T03:15:00Z (+05:45)
            let bad = try await Self.post(client, "/api/v1/campaigns/\(id)/schedule", #"{"sendAt":"soon"}"#)
            #expect(bad.status == .badRequest)
            let stop = try await Self.post(client, "/api/v1/campaigns/\(id)/stop", "")
            #expect(stop.status == .ok)
            #expect(stop.body.contains(#""summary":{"inFlight":0,"stopped":0}"#))
            #expect(try await store.campaign(id: id)?.status == .stopped)
            let again = try await Self.post(client, "/api/v1/campaigns/\(id)/schedule", #"{"sendAt":"2099-01-01T09:00"}"#)
            #expect(again.status == .conflict)
            #expect(again.body.contains("campaign is stopped; it cannot be scheduled"))
            let publish = try await Self.post(client, "/api/v1/campaigns/\(id)/publish", "")
            #expect(publish.status == .conflict)
        }
    }

    @Test("provider auth secrets are never shown back by the API")
    func providerSecretsMasked() async throws {
        try await Self.withApp { client, _ in
            let r = try await Self.post(
                client, "/api/v1/providers",
                #"{"name":"O","url":"https://api.example/sms","bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\"}","auth":{"type":"oauth2","tokenUrl":"https://api.example/token","clientId":"cid","clientSecret":"TOP-SECRET"},"maxConcurrency":8}"#)
            #expect(r.status == .created)
            #expect(!r.body.contains("TOP-SECRET"))
            #expect(r.body.contains(#""clientSecret":"********""#))
            let list = try await Self.get(client, "/api/v1/providers")
            #expect(!list.body.contains("TOP-SECRET"))
            let bad = try await Self.post(
                client, "/api/v1/providers",
                #"{"name":"O","url":"https://api.example/sms","bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\"}","auth":{"type":"bearer"},"maxConcurrency":0}"#)
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains("invalid provider: maxConcurrency must be an integer from 1 to 64 requests in flight (got 0)"), "\(bad.body)")
        }
    }
}
