import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
import SMSWeb
import Testing

/// Issue 12, a new-user tester's findings on the admin routes: every refusal names the field and its
/// allowed range or values. A key given twice (providers kept the first, events the last), a
/// property value that underflows to 0 ("should be a JSON object"), a variant of `5e-324` percent,
/// Foundation's `Cannot initialize Operator from invalid String value eq`, an echoed 5,000-character
/// `tz`, `controlGroupPercent: -0` echoed as `-0`, fractional-second `sendAt` forms handled
/// differently, a 413 on the login-links route. SQLite and PostgreSQL.
@Suite("Admin JSON bodies: repeated keys, underflow, variant minimum, enum names, echoes, sendAt fractions")
struct JSONAdminRulesRouteTests {
    static let token = "admin-token"
    static let auth: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]

    static func post(_ client: any TestClientProtocol, _ uri: String, _ body: String) async throws -> (HTTPResponse.Status, String, [String: Any]) {
        try await client.execute(uri: uri, method: .post, headers: auth, body: ByteBuffer(string: body)) { r in
            let json = (try? JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any]) ?? [:]
            return (r.status, ((json["error"] as? [String: Any])?["message"] as? String) ?? String(buffer: r.body), json)
        }
    }

    static func with(_ kind: StoreKind, _ body: @escaping @Sendable (any TestClientProtocol, TestStore) async throws -> Void) async throws {
        try await StoreRouteApp.with(kind, adminToken: token, secret: "s") { client, t in
            try await t.store.upsertProfiles([Profile(userId: "u1", phone: "+4915112345000", phoneValid: true)])
            try await body(client, t)
        }
    }

    static func campaign(_ extra: String) -> String {
        #"{"name":"n","providerId":"p1","body":"b","audience":{"userIds":["u1"]}"# + extra + "}"
    }

    @Test("each refusal names the field and its range or values", arguments: StoreKind.allCases)
    func refusals(kind: StoreKind) async throws {
        let cases: [(String, String, String)] = [
            ("/api/v1/campaigns", Self.campaign(#","controlGroupPercent":10,"controlGroupPercent":1e19"#),
             "invalid campaign: controlGroupPercent is given more than once: each key may appear once in an object"),
            ("/api/v1/campaigns", Self.campaign(#","goal":{"event":"buy","windowMinutes":60,"windowMinutes":61}"#),
             "invalid campaign: goal.windowMinutes is given more than once: each key may appear once in an object"),
            ("/api/v1/providers", #"{"name":"A","name":"B","url":"http://127.0.0.1:9/send","bodyTemplate":"{}"}"#,
             "invalid provider: name is given more than once: each key may appear once in an object"),
            ("/api/v1/profiles", #"[{"userId":"u2","properties":{"score":1e-400}}]"#,
             "invalid profiles (expected a JSON array of {userId, phone, name?, properties?, region?, optedOut?}): [0].properties.score must be 0 or a number from 4.9e-324 to 1.8e308 in magnitude: a nonzero number closer to 0 would be read as 0 (got '1e-400')"),
            ("/api/v1/campaigns", #"{"name":"n","providerId":"p1","audience":{"userIds":["u1"]},"variants":[{"body":"a","percent":5e-324},{"body":"b","percent":100}]}"#,
             "invalid campaign: variants[0].percent must be a number from 0.01 to 100 percent (got 5e-324)"),
            ("/api/v1/campaigns", Self.campaign(#","goal":{"event":"buy","windowMinutes":60,"filters":[{"property":"plan","op":"eq","value":"x"}]}"#),
             "invalid campaign: goal.filters[0].op must be one of equals, notEquals, contains, greaterThan, lessThan (got 'eq')"),
            ("/api/v1/campaigns", Self.campaign(#","goal":{"event":"buy","windowMinutes":60,"revenueUnit":"cents"}"#),
             "invalid campaign: goal.revenueUnit must be one of major, minor (got 'cents')"),
            ("/api/v1/providers", #"{"name":"A","kind":"smpp","url":"http://127.0.0.1:9/send","bodyTemplate":"{}"}"#,
             "invalid provider: kind must be one of generic, twilio, vonage, plivo, sinch, gupshup, kannel, jasmin (got 'smpp')"),
            ("/api/v1/campaigns", Self.campaign(#","timezone":""# + String(repeating: "Z", count: 5_000) + #"""#),
             "invalid campaign: unknown time zone '" + String(repeating: "Z", count: 64) + "…' (use an IANA name)"),
            ("/api/v1/campaigns", Self.campaign(#","sendAt":"2036-12-07T10:00:00.1234567890Z""#),
             "invalid campaign: sendAt '2036-12-07T10:00:00.1234567890Z' is not an ISO 8601 date-time (use 2025-03-30T09:00:00 in the campaign's time zone, or add Z or an offset; a fraction of a second, 1 to 9 digits, is dropped)"),
        ]
        try await Self.with(kind) { client, t in
            for (uri, body, expected) in cases {
                let (status, message, _) = try await Self.post(client, uri, body)
                #expect(status == .badRequest, "\(body.prefix(80))")
                #expect(message == expected)
            }
            #expect(try await t.store.campaigns().isEmpty)
            #expect(try await t.store.profile(userId: "u2") == nil)
        }
    }

    @Test("controlGroupPercent -0 is stored and echoed as 0; variant percents 0.01 and 99.99 are stored and read back as given", arguments: StoreKind.allCases)
    func storedAsGiven(kind: StoreKind) async throws {
        try await Self.with(kind) { client, t in
            var (status, _, json) = try await Self.post(client, "/api/v1/campaigns", Self.campaign(#","controlGroupPercent":-0"#))
            #expect(status == .created)
            #expect(json["controlGroupPercent"] as? Double == 0)
            let id = try #require(json["id"] as? String)
            #expect(try await t.store.campaign(id: id)?.controlGroupPercent.sign == .plus)
            try await client.execute(uri: "/api/v1/campaigns/\(id)", method: .get, headers: Self.auth) { r in
                #expect(String(buffer: r.body).contains(#""controlGroupPercent":0"#), "\(String(buffer: r.body))")
                #expect(!String(buffer: r.body).contains(#""controlGroupPercent":-0"#))
            }
            (status, _, json) = try await Self.post(
                client, "/api/v1/campaigns",
                #"{"name":"v","providerId":"p1","audience":{"userIds":["u1"]},"variants":[{"body":"a","percent":0.01},{"body":"b","percent":99.99}]}"#)
            #expect(status == .created)
            let variants = try #require(json["variants"] as? [[String: Any]])
            #expect(variants.map { $0["percent"] as? Double } == [0.01, 99.99])
            let stored = try await t.store.campaign(id: try #require(json["id"] as? String))
            #expect(stored?.variants?.map(\.percent) == [0.01, 99.99])
        }
    }

    @Test("sendAt: a fraction of a second (1 to 9 digits) is dropped in every text form, with Z, an offset or wall time", arguments: StoreKind.allCases)
    func sendAtFractions(kind: StoreKind) async throws {
        // 2036-12-07T10:00:00Z = 2112256800 (far enough ahead to stay in the future).
        let cases: [(String, Int64)] = [
            ("2036-12-07T10:00:00Z", 2_112_256_800), ("2036-12-07T10:00:00.5Z", 2_112_256_800),
            ("2036-12-07T10:00:00.123456789Z", 2_112_256_800), ("2036-12-07T10:00:00.999+02:00", 2_112_249_600),
            ("2036-12-07T11:00:00.7", 2_112_256_800),  // wall time in Europe/Berlin (UTC+1 in December)
            ("2036-12-07 11:00:00.25", 2_112_256_800),
        ]
        try await Self.with(kind) { client, t in
            for (text, expected) in cases {
                let (status, message, json) = try await Self.post(
                    client, "/api/v1/campaigns", Self.campaign(#","timezone":"Europe/Berlin","sendAt":"\#(text)""#))
                #expect(status == .created, "\(text): \(message)")
                #expect((json["sendAt"] as? NSNumber)?.int64Value == expected, "\(text)")
                let id = try #require(json["id"] as? String)
                #expect(try await t.store.campaign(id: id)?.sendAt == expected, "\(text)")
            }
        }
    }

    @Test("a login-links body over 16,000 bytes is a 413 with a JSON body naming the limit")
    func loginLinksTooLarge() async throws {
        try await Self.with(.sqlite) { client, _ in
            try await client.execute(
                uri: "/api/v1/dashboard/login-links", method: .post, headers: Self.auth,
                body: ByteBuffer(repeating: UInt8(ascii: " "), count: 16_001)
            ) { r in
                #expect(r.status == .contentTooLarge)
                #expect(r.headers[.contentType]?.hasPrefix("application/json") == true)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: [String: String]]
                #expect(json?["error"]?["message"] == "login link body over 16000 bytes (Content-Length: 16001); nothing of it was read")
            }
        }
    }

    @Test("the same over a real connection: the client reads the 413's JSON body, then the server closes")
    func loginLinksTooLargeLive() async throws {
        let app = try await ClickTestApp()
        try await app.withClient(.live) { client in
            try await client.execute(
                uri: "/api/v1/dashboard/login-links", method: .post, headers: ClickTestApp.auth,
                body: ByteBuffer(repeating: UInt8(ascii: " "), count: 16_001)
            ) { r in
                #expect(r.status == .contentTooLarge)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: [String: String]]
                #expect(json?["error"]?["message"] == "login link body over 16000 bytes (Content-Length: 16001); nothing of it was read")
            }
        }
    }
}
