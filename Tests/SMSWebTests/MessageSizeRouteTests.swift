import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
import Testing

/// The size cap of one message through the API, on both stores (`docs/DOMAIN.md §2 "Message size"`):
/// a campaign whose body renders over the cap for the audience's first profile is a 400 naming the
/// body and the cap; at publish, a recipient whose message is over it gets a dispatch error with the
/// reason while the others are queued, and the publish stops early rather than render megabytes.
@Suite("Message size cap: API")
struct MessageSizeRouteTests {
    static let token = "admin-token"
    static let cap = "at most 255 segments (39015 GSM-7 septets or 17085 UCS-2 units)"
    static let nested =
        "Hi " + String(repeating: "{{#properties.items}}", count: 5) + "{{.}} " + String(repeating: "{{/properties.items}}", count: 5)

    static func call(_ client: some TestClientProtocol, _ uri: String, _ body: String? = nil) async throws -> (HTTPResponse.Status, Any?) {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        if body != nil { headers[.contentType] = "application/json" }
        return try await client.execute(
            uri: uri, method: body == nil ? .get : .post, headers: headers, body: body.map { ByteBuffer(string: $0) }
        ) { ($0.status, try? JSONSerialization.jsonObject(with: Data(buffer: $0.body))) }
    }

    static func campaign(_ body: String, users: [String]) throws -> String {
        let object: [String: Any] = ["name": "n", "providerId": "p1", "body": body, "audience": ["userIds": users]]
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test("create refuses a body over the cap for the first profile; publish fails only the recipient over it", arguments: StoreKind.allCases)
    func createAndPublish(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: "s") { client, _ in
            let items = (0..<30).map { "\"item \($0)\"" }.joined(separator: ",")
            let profiles = #"[{"userId":"big","phone":"+14155552671","properties":{"items":[\#(items)]}},"#
                + #"{"userId":"small","phone":"+4915123456789","properties":{"items":["a","b"]}}]"#
            #expect(try await Self.call(client, "/api/v1/profiles", profiles).0 == .ok)

            let refused = try await Self.call(client, "/api/v1/campaigns", try Self.campaign(Self.nested, users: ["big", "small"]))
            #expect(refused.0 == .badRequest)
            #expect(((refused.1 as? [String: Any])?["error"] as? [String: Any])?["message"] as? String
                == "invalid campaign: body for user 'big': message too long: rendering stopped after 200000 bytes of work "
                + "(sections repeat over arrays); \(Self.cap)")
            let literal = try await Self.call(client, "/api/v1/campaigns", try Self.campaign(String(repeating: "a", count: 39_016), users: ["small"]))
            #expect(literal.0 == .badRequest)
            #expect(((literal.1 as? [String: Any])?["error"] as? [String: Any])?["message"] as? String
                == "invalid campaign: body: message too long: 256 segments (39016 GSM-7 septets); \(Self.cap)")

            // The first profile renders within the cap: created; at publish "big" is a dispatch error.
            let created = try await Self.call(client, "/api/v1/campaigns", try Self.campaign(Self.nested, users: ["small", "big"]))
            #expect(created.0 == .created)
            let id = try #require((created.1 as? [String: Any])?["id"] as? String)
            let started = ContinuousClock.now
            let published = try await Self.call(client, "/api/v1/campaigns/\(id)/publish", "")
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(published.0 == .ok)
            let summary = published.1 as? [String: Any]
            #expect(summary?["queued"] as? Int == 1)
            #expect(summary?["dispatchErrors"] as? Int == 1)
            let errors = try await Self.call(client, "/api/v1/campaigns/\(id)/errors")
            let dispatch = (errors.1 as? [String: Any])?["dispatch"] as? [[String: Any]]
            #expect(dispatch?.map { $0["reason"] as? String } == [
                "message too long: rendering stopped after 200000 bytes of work (sections repeat over arrays); \(Self.cap)"
            ])
            #expect(dispatch?.map { $0["count"] as? Int } == [1])
        }
    }

    @Test("issue 12: a recipient whose message renders empty is a dispatch error, never sent", arguments: StoreKind.allCases)
    func emptyAfterRendering(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: "s") { client, _ in
            let profiles = #"[{"userId":"vip","phone":"+14155552671","properties":{"vip":true}},"#
                + #"{"userId":"plain","phone":"+4915123456789","properties":{"vip":false}}]"#
            #expect(try await Self.call(client, "/api/v1/profiles", profiles).0 == .ok)
            let created = try await Self.call(
                client, "/api/v1/campaigns", try Self.campaign("{{#properties.vip}}hi{{/properties.vip}}", users: ["vip", "plain"]))
            #expect(created.0 == .created)
            let id = try #require((created.1 as? [String: Any])?["id"] as? String)
            let published = try await Self.call(client, "/api/v1/campaigns/\(id)/publish", "")
            #expect(published.0 == .ok)
            #expect((published.1 as? [String: Any])?["queued"] as? Int == 1)
            #expect((published.1 as? [String: Any])?["dispatchErrors"] as? Int == 1)
            let errors = try await Self.call(client, "/api/v1/campaigns/\(id)/errors")
            let dispatch = (errors.1 as? [String: Any])?["dispatch"] as? [[String: Any]]
            #expect(dispatch?.map { $0["reason"] as? String } == ["message empty after rendering"])
            #expect(dispatch?.map { $0["count"] as? Int } == [1])
        }
    }
}
