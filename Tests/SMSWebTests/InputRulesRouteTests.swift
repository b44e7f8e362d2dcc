import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Issue 12, a new user's remaining findings: a form or query field given twice in a callback is an
/// invalid item naming it (not first-value-wins), a form dialect's multipart body is a 415 naming
/// the accepted type, every JSON body skips one leading UTF-8 byte order mark, a body of white
/// space only says it holds no JSON value, and the profiles upsert counts distinct profiles.
/// SQLite and PostgreSQL.
@Suite("Input rules: repeated callback fields, multipart callbacks, BOM and blank JSON bodies, upserted")
struct InputRulesRouteTests {
    typealias B = CallbackItemBytesRouteTests
    typealias Case = CallbackItemBytesRouteTests.Case
    typealias M = ProviderManagementRouteTests

    static func twice(_ name: String, _ n: Int = 2) -> String {
        "the callback field '\(name)' appears \(n) times: each field may be given once"
    }

    static let form = "application/x-www-form-urlencoded"

    /// A field named twice, in each form/query dialect, as a form body or a query.
    static let repeated: [Case] = [
        Case(
            name: "Kannel GET: type=16&type=1", kind: .kannel, method: .get, query: "&meta=m1&type=16&type=1&ts=1700000000",
            stored: Array("meta=m1&type=16&type=1&ts=1700000000".utf8), reason: twice("type")),
        Case(
            name: "Kannel form body: type twice", kind: .kannel, contentType: form, body: Array("meta=m1&type=1&type=16".utf8),
            stored: Array("meta=m1&type=1&type=16".utf8), reason: twice("type")),
        Case(
            name: "Twilio: MessageStatus twice", kind: .twilio, contentType: form,
            body: Array("MessageSid=SM1&MessageStatus=delivered&MessageStatus=failed".utf8),
            stored: Array("MessageSid=SM1&MessageStatus=delivered&MessageStatus=failed".utf8), reason: twice("MessageStatus")),
        Case(
            name: "Twilio: MessageSid in the form and in the query", kind: .twilio, query: "&MessageSid=SM9", contentType: form,
            body: Array("MessageSid=SM1&MessageStatus=delivered".utf8),
            stored: Array("MessageSid=SM1&MessageStatus=delivered&MessageSid=SM9".utf8), reason: twice("MessageSid")),
        Case(
            name: "Plivo: Status three times", kind: .plivo, contentType: form,
            body: Array("MessageUUID=u1&Status=delivered&Status=failed&Status=sent".utf8),
            stored: Array("MessageUUID=u1&Status=delivered&Status=failed&Status=sent".utf8), reason: twice("Status", 3)),
        Case(
            name: "Plivo GET: Status twice", kind: .plivo, method: .get, query: "&MessageUUID=u1&Status=delivered&Status=failed",
            stored: Array("MessageUUID=u1&Status=delivered&Status=failed".utf8), reason: twice("Status")),
        Case(
            name: "Jasmin: id twice (acknowledged all the same)", kind: .jasmin, contentType: form,
            body: Array("id=j1&message_status=DELIVRD&id=j2".utf8), stored: Array("id=j1&message_status=DELIVRD&id=j2".utf8),
            reason: twice("id"), status: .ok),
        Case(
            name: "Vonage GET: status twice, percent-encoded name", kind: .vonage, method: .get,
            query: "&messageId=0A1&status=delivered&st%61tus=failed",
            stored: Array("messageId=0A1&status=delivered&st%61tus=failed".utf8), reason: twice("status")),
        Case(
            name: "Kannel: two fields repeated, each named in order", kind: .kannel, method: .get, query: "&type=1&meta=a&type=2&meta=b",
            stored: Array("type=1&meta=a&type=2&meta=b".utf8), reason: twice("type") + "; " + twice("meta")),
    ]

    @Test("FormFields.repeatedNames: names compared after decoding, counts, first-appearance order")
    func repeatedNames() {
        let names = FormFields.repeatedNames(FormFields.pairs("b=1&a=1&b=2&%61=3&c&b"))
        #expect(names.map(\.name) == ["b", "a"])
        #expect(names.map(\.count) == [3, 2])
        #expect(FormFields.repeatedNames(FormFields.pairs("a=1&b=1&&c=")).isEmpty)
    }

    @Test("every form/query dialect: a field given twice is one invalid item naming it; the parse of the same fields once applies")
    func dialects() throws {
        for c in Self.repeated {
            let text = c.stored
            let result = try CallbackDialect.parse(kind: c.kind, body: Data(), fieldText: text, bodyIsJSON: false, maxItems: 100, now: nil)
            #expect(result.items.isEmpty, "\(c)")
            #expect(result.invalid.map(\.reason) == [c.reason], "\(c)")
            // The stored bytes replay to the same refusal.
            let again = try CallbackDialect.reparse(text, kind: c.kind, bodyKind: .fields)
            #expect(again.invalid.map(\.reason) == [c.reason], "\(c)")
        }
        let once = try CallbackDialect.parse(
            kind: .kannel, body: Data(), fieldText: Array("meta=m1&type=1&ts=1700000000".utf8), bodyIsJSON: false, maxItems: 100, now: nil)
        #expect(once.items.map(\.kind) == [.delivered] && once.invalid.isEmpty)
    }

    @Test("a field given twice: 400 naming it, kept as received, the replay refuses it again; nothing applied", arguments: StoreKind.allCases)
    func repeatedFieldRoute(kind: StoreKind) async throws {
        try await B.withApp(kind) { client, t in
            for c in Self.repeated {
                let answer = try await B.expectStoredAndReplayed(c, client, t)
                if c.status == .badRequest { #expect(B.strings(answer).contains(c.reason), "\(c): \(answer)") }
            }
            #expect(try await t.store.unmatchedCallbacks(receivedBefore: .max, limit: 10).isEmpty)
        }
    }

    @Test("a multipart/form-data callback is a 415 naming the content type and the accepted one, kept as received", arguments: StoreKind.allCases)
    func multipart(kind: StoreKind) async throws {
        let body = Array("--XyZ\r\nContent-Disposition: form-data; name=\"MessageSid\"\r\n\r\nSM1\r\n--XyZ--\r\n".utf8)
        try await B.withApp(kind) { client, t in
            for k in ProviderKind.allCases {
                let accepted = switch k {
                case .generic, .sinch, .gupshup: "application/json"
                case .vonage: "application/json or application/x-www-form-urlencoded (or a GET with the fields in the query)"
                case .twilio, .plivo, .jasmin, .kannel: "application/x-www-form-urlencoded (or a GET with the fields in the query)"
                }
                let message = "Content-Type multipart/form-data; boundary=XyZ is not accepted by the callbacks of a \(k.rawValue) provider; send \(accepted)"
                let c = Case(name: k.rawValue, kind: k, contentType: "multipart/form-data; boundary=XyZ", body: body, stored: body, reason: message)
                let (status, answer) = try await B.send(client, c)
                #expect(status == .unsupportedMediaType, "\(k): \(answer)")
                #expect(M.message(answer) == message, "\(k): \(answer)")
                let e = try #require(try await t.store.ingestionErrors(limit: 1).first)
                #expect(e.reason == message && e.raw == body, "\(k): \(e.reason)")
                #expect(e.providerId == (k == .generic ? "p1" : k.rawValue))
            }
        }
    }

    @Test("a form dialect's callback sent as application/json is a 415 naming the content type and the accepted one, kept as received; JSON dialects still read it", arguments: StoreKind.allCases)
    func jsonToFormDialect(kind: StoreKind) async throws {
        try await B.withApp(kind) { client, t in
            for (k, type) in [(ProviderKind.twilio, "application/json"), (.plivo, "Application/JSON; charset=utf-8"), (.jasmin, "application/vnd.api+json"), (.kannel, "application/json")] {
                // A form body sent with the wrong type (what the tester sent), and a JSON body.
                for text in ["MessageSid=SM1&MessageStatus=delivered", #"{"MessageSid":"SM1","MessageStatus":"delivered"}"#] {
                    let body = Array(text.utf8)
                    let message = "Content-Type \(type) is not accepted by the callbacks of a \(k.rawValue) provider; send application/x-www-form-urlencoded (or a GET with the fields in the query)"
                    let c = Case(name: k.rawValue, kind: k, contentType: type, body: body, stored: body, reason: message)
                    let (status, answer) = try await B.send(client, c)
                    #expect(status == .unsupportedMediaType, "\(k) \(text): \(answer)")
                    #expect(M.message(answer) == message, "\(k): \(answer)")
                    let e = try #require(try await t.store.ingestionErrors(limit: 1).first)
                    #expect(e.reason == message && e.raw == body, "\(k): \(e.reason)")
                    #expect(e.providerId == k.rawValue)
                }
            }
            #expect(try await t.store.ingestionErrors(limit: 100).count == 8)
            // Vonage reads JSON and forms: its JSON body with application/json is no 415.
            let vonage = Case(
                name: "vonage", kind: .vonage, contentType: "application/json", body: Array(#"{"messageId":"0A1","status":"delivered"}"#.utf8),
                stored: [], reason: "")
            let (status, answer) = try await B.send(client, vonage)
            #expect(status != .unsupportedMediaType, "\(answer)")
        }
    }

    static let bom = ByteOrderMark.utf8

    static func post(_ client: any TestClientProtocol, _ uri: String, _ body: [UInt8]) async throws -> (status: HTTPResponse.Status, text: String) {
        try await client.execute(
            uri: uri, method: .post, headers: [.authorization: "Bearer \(M.token)", .contentType: "application/json"], body: ByteBuffer(bytes: body)
        ) { ($0.status, String(buffer: $0.body)) }
    }

    @Test("every admin JSON body and the events route skip one leading UTF-8 BOM; a second is refused naming its byte", arguments: StoreKind.allCases)
    func byteOrderMark(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let profiles = try await Self.post(client, "/api/v1/profiles", Self.bom + Array(#"[{"userId":"u1","phone":"+4915112345678"}]"#.utf8))
            #expect(profiles.status == .ok, "\(profiles.text)")
            #expect(try await t.store.profile(userId: "u1")?.phone == "+4915112345678")
            let provider = try await Self.post(
                client, "/api/v1/providers", Self.bom + Array(#"{"name":"P2","url":"http://127.0.0.1:9/send","bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\"}"}"#.utf8))
            #expect(provider.status == .created, "\(provider.text)")
            let campaign = try await Self.post(
                client, "/api/v1/campaigns",
                Self.bom + Array(#"{"name":"n","providerId":"p1","body":"Hi","audience":{"all":true},"goal":{"event":"purchase","windowMinutes":60}}"#.utf8))
            #expect(campaign.status == .created, "\(campaign.text)")
            let segment = try await Self.post(client, "/api/v1/segments", Self.bom + Array(#"{"name":"s","rules":[]}"#.utf8))
            #expect(segment.status == .created, "\(segment.text)")
            // Events: the element byte ranges count from the body's first byte (the BOM's), so an
            // invalid event is kept as exactly its own bytes.
            let now = Int64(Date().timeIntervalSince1970)
            let events = Self.bom + Array(#"[{"eventId":"e1","userId":"u1","name":"purchase","ts":\#(now)},{"eventId":"e2","userId":"u1","name":"purchase","ts":"soon"}]"#.utf8)
            let answer = try await Self.post(client, "/api/v1/events", events)
            #expect(answer.status == .badRequest, "\(answer.text)")
            #expect(answer.text.contains(#""stored":1"#), "\(answer.text)")
            let kept = try #require(try await t.store.ingestionErrors(limit: 1).first)
            #expect(kept.raw == Array(#"{"eventId":"e2","userId":"u1","name":"purchase","ts":"soon"}"#.utf8), "\(RawBytes.escaped(kept.raw))")
            // Only one BOM is skipped; the offset of the second counts the first.
            let twice = try await Self.post(client, "/api/v1/segments", Self.bom + Self.bom + Array(#"{"name":"s","rules":[]}"#.utf8))
            #expect(twice.status == .badRequest)
            #expect(M.message(twice.text) == "invalid segment: body is not valid JSON: unexpected character '0xEF', expected a value at byte 3", "\(twice.text)")
            let broken = try await Self.post(client, "/api/v1/events", Self.bom + Array("[{".utf8))
            #expect(M.message(broken.text) == "body is not valid JSON: unexpected end of input, expected a member name string at byte 5")
        }
    }

    @Test("a body of white space only says it holds no JSON value (19 MB on events, 3 bytes on a campaign), an empty one that it is empty", arguments: StoreKind.allCases)
    func blankBodies(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let spaces = try await Self.post(client, "/api/v1/events", [UInt8](repeating: 0x20, count: 19_000_000))
            #expect(spaces.status == .badRequest)
            #expect(M.message(spaces.text)
                == "body is not valid JSON: the body holds no JSON value, only 19000000 bytes of white space: expected a JSON value")
            let mixed = try await Self.post(client, "/api/v1/campaigns", Array(" \t\r\n".utf8))
            #expect(M.message(mixed.text)
                == "invalid campaign: body is not valid JSON: the body holds no JSON value, only 4 bytes of white space: expected a JSON value")
            let bomOnly = try await Self.post(client, "/api/v1/campaigns", Self.bom)
            #expect(M.message(bomOnly.text) == "invalid campaign: body is not valid JSON: the body is empty: expected a JSON value")
            // A no-break space is no JSON white space: the reader names its byte.
            let nbsp = try await Self.post(client, "/api/v1/campaigns", Array("\u{A0}".utf8))
            #expect(M.message(nbsp.text) == "invalid campaign: body is not valid JSON: unexpected character '0xC2', expected a value at byte 0", "\(nbsp.text)")
            let events = try await t.store.ingestionErrors(limit: 10)
            #expect(events.count == 1 && events.first?.raw.count == 19_000_000)
        }
    }

    @Test("profiles upsert: 'upserted' counts distinct profiles; a user id given twice counts once and the later one is stored", arguments: StoreKind.allCases)
    func upsertedDistinct(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let json = try await Self.post(
                client, "/api/v1/profiles",
                Array(#"[{"userId":"d1","name":"first"},{"userId":"d2"},{"userId":"d1","name":"later"},{"userId":"d1","name":"last"}]"#.utf8))
            #expect(json.status == .ok, "\(json.text)")
            let report = try M.object(json.text)
            #expect(report["upserted"] as? Int == 2)
            #expect(try await t.store.profile(userId: "d1")?.name == "last")
            let csv = try await client.execute(
                uri: "/api/v1/profiles/import", method: .post, headers: [.authorization: "Bearer \(M.token)", .contentType: "text/csv"],
                body: ByteBuffer(string: "userId,name\nc1,a\nc1,b\nc2,x\n")
            ) { ($0.status, String(buffer: $0.body)) }
            #expect(csv.0 == .ok, "\(csv.1)")
            #expect(try M.object(csv.1)["upserted"] as? Int == 2)
            #expect(try await t.store.profile(userId: "c1")?.name == "b")
        }
    }

    @Test("after a 413 that closes the connection, the rest of the upload gets no second (400) answer: the 413 is the only response on the wire")
    func onlyThe413() async throws {
        let app = try await ClickTestApp()
        try await app.withClient(.live) { client in
            let port = try #require(client.port)
            // Declared over the 16,000-byte limit, and the client sends every declared byte.
            for (line, declared, sent) in [
                ("POST /api/v1/dashboard/login-links", 20_000, 20_000), ("POST /api/v1/dashboard/login-links", 40_000, 30_000),
                ("POST /api/v1/providers", 1_000_100, 200_000),
            ] {
                let head = "\(line) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(ClickTestApp.token)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(declared)\r\n\r\n"
                let exchange = try await RawHTTP.exchangeOnOwnThread(port: port, head: head, bodyBytes: sent, timeoutSeconds: 10)
                #expect(exchange.closedByServer, "\(line)")
                if !exchange.response.isEmpty {
                    #expect(exchange.response.hasPrefix("HTTP/1.1 413"), "\(line): \(exchange.response.prefix(200))")
                    #expect(exchange.response.components(separatedBy: "HTTP/1.1 ").count == 2, "\(line): \(exchange.response)")
                    #expect(!exchange.response.contains("HTTP/1.1 400"), "\(line): \(exchange.response)")
                }
            }
        }
    }

    @Test("the boolean query flags share one reader (QueryParameter.bool): the same 400 naming the flag, the value echoed at most 64 characters", arguments: StoreKind.allCases)
    func booleanFlags(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await t.store.upsertProfiles([Profile(userId: "u1", phone: "+4915112345678", phoneValid: true)])
            let created = try await M.call(client, .post, "/api/v1/campaigns", #"{"name":"n","providerId":"p1","body":"Hi","audience":{"all":true}}"#)
            let id = try #require(try M.object(created.text)["id"] as? String)
            let long = String(repeating: "y", count: 70)
            for (uri, message) in [
                ("/api/v1/campaigns?archived=yes", "archived must be true or false (got 'yes')"),
                ("/api/v1/profiles?optedOut=\(long)", "optedOut must be true or false (got '\(String(repeating: "y", count: 64))…')"),
                ("/api/v1/campaigns/\(id)/messages?clicked=1", "clicked must be true or false (got '1')"),
                ("/api/v1/campaigns/\(id)/messages?unmask=TRUE", "unmask must be true or false (got 'TRUE')"),
                ("/api/v1/campaigns?archived=true&archived=false", "query parameter 'archived' is given 2 times; give it once"),
            ] {
                let r = try await M.call(client, .get, uri)
                #expect(r.status == .badRequest, "\(uri): \(r.text)")
                #expect(M.message(r.text) == message, "\(uri)")
            }
            for uri in ["/api/v1/campaigns?archived=false", "/api/v1/profiles?optedOut=true", "/api/v1/campaigns/\(id)/messages?clicked=false&unmask=true"] {
                #expect(try await M.call(client, .get, uri).status == .ok, "\(uri)")
            }
        }
    }
}
