import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SMSCore
import SMSStoreTestSupport
import SMSWeb
import Testing

/// Issue 12, the new-user findings on JSON bodies and lists: one body rule for every JSON route
/// (``JSONBody``: UTF-8 only, strict RFC 8259), a number literal beyond `Double` named with its
/// field and range, and `GET /api/v1/campaigns?limit=` by the rule of every list.
@Suite("JSON bodies: one rule for every route; out-of-range literals named; campaigns ?limit=")
struct JSONBodyRouteTests {
    typealias App = ClickTestApp
    static func message(_ r: TestResponse) -> String { InputRangeRouteTests.message(r) }

    @Test("a literal beyond Double (1e309, -1e309) is a 400 naming the field and its range, not 'malformed JSON'", arguments: [
        ("/api/v1/campaigns", #"{"name":"n","providerId":"p","audience":{"all":true},"variants":[{"body":"a","percent":1e309}]}"#,
         "invalid campaign: variants[0].percent must be a number from 0.01 to 100 percent (got '1e309')"),
        ("/api/v1/campaigns", #"{"name":"n","providerId":"p","audience":{"all":true},"variants":[{"body":"a","percent":50},{"body":"b","percent":-1e309}]}"#,
         "invalid campaign: variants[1].percent must be a number from 0.01 to 100 percent (got '-1e309')"),
        ("/api/v1/campaigns", #"{"name":"n","providerId":"p","audience":{"all":true},"body":"b","goal":{"event":"e","windowMinutes":1E400}}"#,
         "invalid campaign: goal.windowMinutes must be an integer from 1 to 5256000 minutes (got '1E400')"),
        ("/api/v1/providers", #"{"name":"P","url":"http://127.0.0.1:9/send","bodyTemplate":"{}","ratePerSecond":1e309}"#,
         "invalid provider: ratePerSecond must be a number from 0.001 to 10000 messages per second (got '1e309')"),
        // `0e3` is valid JSON that Foundation's decoder refuses: read by the strict reader, it is 0.
        ("/api/v1/providers", #"{"name":"P","url":"http://127.0.0.1:9/send","bodyTemplate":"{}","ratePerSecond":0e3}"#,
         "invalid provider: ratePerSecond must be a number from 0.001 to 10000 messages per second (got 0)"),
        // A field without a range is refused all the same; a key the route does not take is refused as such.
        ("/api/v1/campaigns", #"{"name":"n","providerId":"p","audience":{"all":true},"body":"b","defaults":{"a":"x"},"goal":{"event":"e","windowMinutes":60,"filters":[{"property":"p","op":"equals","value":-2e999}]}}"#,
         "invalid campaign: goal.filters[0].value is beyond the range of a number, ±1.8e308 (got '-2e999')"),
        ("/api/v1/campaigns", #"{"name":"n","providerId":"p","audience":{"all":true},"body":"b","extra":[1,-2e999]}"#,
         "invalid campaign: unknown field 'extra': the fields are audience, body, controlGroupPercent, customValues, defaults, goal, name, providerId, sendAt, templateId, timezone, variants"),
    ])
    func outOfRangeLiteral(path: String, body: String, expected: String) async throws {
        let app = try await App()
        try await app.withClient { client in
            try await client.execute(uri: path, method: .post, headers: App.auth, body: ByteBuffer(string: body)) { r in
                #expect(r.status == .badRequest)
                #expect(Self.message(r) == expected)
            }
        }
    }

    /// A campaign body in UTF-16 was accepted (Foundation's JSONDecoder guesses encodings) while
    /// the events and callback routes refused it: now every JSON route reads by ``JSONBody``.
    @Test("a UTF-16 or Latin-1 body is refused on every JSON route with the same words")
    func onlyUTF8() async throws {
        let app = try await App()
        try await app.addProfiles(["u1"])
        let campaign = #"{"name":"n","providerId":"\#(App.providerId)","body":"b","audience":{"userIds":["u1"]}}"#
        let utf16NoBOM: [UInt8] = campaign.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let utf16: [UInt8] = [0xFF, 0xFE] + utf16NoBOM
        let latin1: [UInt8] = Array(#"[{"userId":"u9","phone":"+4915112345999","name":"Jos"#.utf8) + [0xE9] + Array(#""}]"#.utf8)
        try await app.withClient { client in
            let cases: [(String, [UInt8], String, String)] = [
                ("/api/v1/campaigns", utf16, "campaign", "the body is not valid UTF-8"),
                ("/api/v1/campaigns", utf16NoBOM, "campaign", "unexpected character '0x00', expected a member name string at byte 1"),
                ("/api/v1/profiles", latin1, "profiles (expected a JSON array of {userId, phone, name?, properties?, region?, optedOut?})", "the body is not valid UTF-8"),
            ]
            for (path, bytes, what, problem) in cases {
                try await client.execute(uri: path, method: .post, headers: App.auth, body: ByteBuffer(bytes: bytes)) { r in
                    #expect(r.status == .badRequest, "\(path)")
                    #expect(Self.message(r) == "invalid \(what): body is not valid JSON: \(problem)")
                }
            }
            // The same campaign in UTF-8 is created; the events route words a UTF-16 body the same way.
            try await client.execute(uri: "/api/v1/campaigns", method: .post, headers: App.auth, body: ByteBuffer(string: campaign)) { r in
                #expect(r.status == .created)
            }
            try await client.execute(
                uri: "/api/v1/events", method: .post, headers: App.auth,
                body: ByteBuffer(bytes: [UInt8]([0xFF, 0xFE]) + "[]".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
            ) { r in
                #expect(r.status == .badRequest)
                #expect(Self.message(r) == "body is not valid JSON: the body is not valid UTF-8")
            }
        }
        #expect(try await app.store.campaigns().count == 1)
        #expect(try await app.store.profile(userId: "u9") == nil)
    }

    @Test("GET /api/v1/campaigns takes ?limit= by the rule of every list, newest first", arguments: StoreKind.allCases)
    func campaignsLimit(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        _ = try await f.provider()
        for (i, id) in ["c1", "c2", "c3"].enumerated() { try await f.campaign(id, users: ["u1"], createdAt: Int64(100 + i)) }
        var logger = Logger(label: "test.api")
        logger.logLevel = .critical
        let config = AppConfig(host: "127.0.0.1", port: 0, publicBaseURL: "https://s.example", adminToken: "t")
        let app = try await buildApplication(config: config, store: f.store, gateway: FakeGateway(), runDispatcher: false, logger: logger)
        try await app.test(.router) { client in
            let auth: HTTPFields = [.authorization: "Bearer t"]
            func ids(_ query: String) async throws -> [String] {
                try await client.execute(uri: "/api/v1/campaigns" + query, method: .get, headers: auth) { r in
                    #expect(r.status == .ok, "\(query)")
                    return ((try? JSONSerialization.jsonObject(with: Data(buffer: r.body))) as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                }
            }
            #expect(try await ids("") == ["c3", "c2", "c1"])
            #expect(try await ids("?limit=2") == ["c3", "c2"])
            #expect(try await ids("?limit=1") == ["c3"])
            #expect(try await ids("?limit=1000") == ["c3", "c2", "c1"])
            for (query, shown) in [("0", "0"), ("1001", "1001"), ("-5", "-5"), ("+5", "+5"), ("%205", " 5"), ("5%20", "5 "), ("abc", "abc"), ("-0", "-0")] {
                try await client.execute(uri: "/api/v1/campaigns?limit=" + query, method: .get, headers: auth) { r in
                    #expect(r.status == .badRequest, "\(query)")
                    #expect(Self.message(r) == "limit must be an integer from 1 to 1000 (got '\(shown)')")
                }
            }
            // The other lists answer the same words for the same text.
            try await client.execute(uri: "/api/v1/ingestion-errors?limit=+5", method: .get, headers: auth) { r in
                #expect(r.status == .badRequest)
                #expect(Self.message(r) == "limit must be an integer from 1 to 1000 (got '+5')")
            }
            // A 20-digit id, 0 and a sign are refused naming the range (issue 12: "not ASCII digits").
            for (path, shown) in [("+1", "+1"), ("99999999999999999999", "99999999999999999999"), ("0", "0")] {
                try await client.execute(uri: "/api/v1/ingestion-errors/" + path, method: .get, headers: auth) { r in
                    #expect(r.status == .badRequest)
                    #expect(Self.message(r) == "the ingestion error id must be an integer from 1 to 9223372036854775807, ASCII digits only (got '\(shown)')")
                }
            }
            try await client.execute(uri: "/api/v1/ingestion-errors/9223372036854775807", method: .get, headers: auth) { r in
                #expect(r.status == .notFound)
            }
        }
    }
}
