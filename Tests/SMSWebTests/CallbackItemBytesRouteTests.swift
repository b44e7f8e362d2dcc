import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
import SMSWeb
import Testing

/// Issue 12 (found by a new-user test): an invalid item of a well-formed batch is kept as the
/// bytes that arrived, not re-serialised: key order, `1e19`, repeated keys, a UTF-16 form body, a
/// Kannel query string, each exactly as received (`docs/DOMAIN.md` §1 "Text from outside",
/// ``CallbackDialect/storedRaw(_:kind:fields:)``). Each stored error replays to the same outcome.
/// SQLite and PostgreSQL.
@Suite("Ingestion errors: an invalid item of a batch kept as the bytes that arrived")
struct CallbackItemBytesRouteTests {
    static let secret = "s3cret-callback-key"
    static let token = "admin-token"

    /// One request, the bytes its invalid item must be stored as, and the reason.
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var kind: ProviderKind
        var method: HTTPRequest.Method = .post
        /// Query after `secret=…` (GET dialects), already encoded.
        var query: String = ""
        var contentType: String = "application/json"
        var body: [UInt8] = []
        var stored: [UInt8]
        var reason: String
        /// The answer's status: Jasmin is always acknowledged (200), the others 400.
        var status: HTTPResponse.Status = .badRequest
        var description: String { name }
    }

    static let tsRange = EpochTimestamp.rangeText(field: "ts")

    static let cases: [Case] = [
        Case(
            name: "generic: keys in their order, 1e19, a repeated key; the valid neighbours left out",
            kind: .generic,
            body: Array(#"[{"event":"delivered","data":[{"meta":"m1","ts":1700000000}, {"ts":1e19,"meta":"m2","meta":"m3"} ,{"meta":"m4","ts":1700000001}]}]"#.utf8),
            stored: Array(#"[{"event":"delivered","data":[{"ts":1e19,"meta":"m2","meta":"m3"}]}]"#.utf8),
            // A key given twice is refused before anything else (docs/DOMAIN.md §1 "Numbers and keys from outside").
            reason: "meta is given more than once: each key may appear once in an object"),
        Case(
            name: "generic: the group's own members and spacing kept, data before event",
            kind: .generic,
            body: Array(#"[ {"data": [{"meta":"a1","ts":1700000000,"code":"1"},{"meta":"a2"}], "note":"x", "event": "failed"} ]"#.utf8),
            stored: Array(#"[{"data": [{"meta":"a2"}], "note":"x", "event": "failed"}]"#.utf8),
            reason: "missing required fields: ts, code"),
        Case(
            name: "Gupshup: the batch element's bytes",
            kind: .gupshup,
            body: Array(#"[{"externalId":"1","eventType":"SENT","eventTs":1700000000000},{"eventTs":1e19,"externalId":"2","eventType":"DELIVERED","eventType":"SENT"}]"#.utf8),
            stored: Array(#"{"eventTs":1e19,"externalId":"2","eventType":"DELIVERED","eventType":"SENT"}"#.utf8),
            reason: "eventType is given more than once: each key may appear once in an object"),
        Case(
            name: "generic: a byte that is not UTF-8 in one item's meta, the item's bytes with it",
            kind: .generic,
            body: Array(#"[{"event":"delivered","data":[{"meta":"m1","ts":1700000000},{"meta":"m"#.utf8) + [0xFF]
                + Array(#"2","ts":1700000000}]}]"#.utf8),
            stored: Array(#"[{"event":"delivered","data":[{"meta":"m"#.utf8) + [0xFF] + Array(#"2","ts":1700000000}]}]"#.utf8),
            reason: "meta is not valid UTF-8 (byte 0xFF at byte 1 of its value)"),
        Case(
            name: "Gupshup: a byte that is not UTF-8 in one event, the element's bytes with it",
            kind: .gupshup,
            body: Array(#"[{"externalId":"1","eventType":"SENT","eventTs":1700000000000},{"externalId":"2","eventType":"FAILED","cause":"\#u{e9}"#.utf8)
                + [0xC3, 0x28] + Array(#""}]"#.utf8),
            stored: Array(#"{"externalId":"2","eventType":"FAILED","cause":"\#u{e9}"#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8),
            reason: "cause is not valid UTF-8 (byte 0xC3 at byte 2 of its value)"),
        Case(
            name: "Sinch: the body as received",
            kind: .sinch,
            body: Array(#"{"type":"recipient_delivery_report_sms","status":"Delivered","batch_id":"B1","at":"2150-01-01T00:00:00Z","batch_id":"B2"}"#.utf8),
            stored: Array(#"{"type":"recipient_delivery_report_sms","status":"Delivered","batch_id":"B1","at":"2150-01-01T00:00:00Z","batch_id":"B2"}"#.utf8),
            reason: "batch_id is given more than once: each key may appear once in an object"),
        Case(
            name: "Vonage JSON: the body as received",
            kind: .vonage,
            body: Array(#"{"status":"delivered","messageId":"0A1","message-timestamp":1e19}"#.utf8),
            stored: Array(#"{"status":"delivered","messageId":"0A1","message-timestamp":1e19}"#.utf8),
            reason: "message-timestamp must be a date written YYYY-MM-DD HH:MM:SS from 1970-01-01 00:00:00 to 2100-01-01 00:00:00 UTC (got '1e+19')"),
        Case(
            name: "Vonage GET: the query string without the secret",
            kind: .vonage, method: .get, query: "&messageId=0A1&status=delivered&scts=2413451200&msisdn=%2B4915",
            stored: Array("messageId=0A1&status=delivered&scts=2413451200&msisdn=%2B4915".utf8),
            reason: "scts must be a date written YYMMDDhhmm[ss] from 1970-01-01 00:00:00 to 2100-01-01 00:00:00 UTC (got '2413451200')"),
        Case(
            name: "Twilio: a UTF-16 form body stays UTF-16",
            kind: .twilio, contentType: "application/x-www-form-urlencoded",
            body: Array("MessageSid=SM1&MessageStatus=delivered".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] },
            stored: Array("MessageSid=SM1&MessageStatus=delivered".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] },
            reason: "missing required fields: MessageSid, MessageStatus"),
        Case(
            name: "Twilio: a NUL in MessageSid, the form body exactly",
            kind: .twilio, contentType: "application/x-www-form-urlencoded",
            body: Array("MessageStatus=delivered&MessageSid=SM%001&To=%2B1555".utf8),
            stored: Array("MessageStatus=delivered&MessageSid=SM%001&To=%2B1555".utf8),
            reason: CallbackMeta.problem("SM\u{0}1", field: "MessageSid")!),
        Case(
            name: "Plivo: form body",
            kind: .plivo, contentType: "application/x-www-form-urlencoded",
            body: Array("Status=delivered&MessageUUID=u1&DeliveryReportTime=1e19".utf8),
            stored: Array("Status=delivered&MessageUUID=u1&DeliveryReportTime=1e19".utf8),
            reason: "DeliveryReportTime must be a date written YYYY-MM-DD HH:MM:SS from 1970-01-01 00:00:00 to 2100-01-01 00:00:00 UTC (got '1e19')"),
        Case(
            name: "Jasmin: form body (acknowledged all the same)",
            kind: .jasmin, contentType: "application/x-www-form-urlencoded",
            body: Array("id=j1&message_status=LOST&level=2".utf8),
            stored: Array("id=j1&message_status=LOST&level=2".utf8),
            reason: "unknown status 'LOST'", status: .ok),
        Case(
            name: "Kannel GET: the query string as received, the secret taken out",
            kind: .kannel, method: .get, query: "&meta=m%31&type=1&ts=1e19&answer=id%3A1+stat%3ADELIVRD",
            stored: Array("meta=m%31&type=1&ts=1e19&answer=id%3A1+stat%3ADELIVRD".utf8),
            reason: tsRange + " (got '1e19')"),
    ]

    static func withApp(_ kind: StoreKind, _ body: @escaping @Sendable (any TestClientProtocol, TestStore) async throws -> Void) async throws {
        try await StoreRouteApp.with(kind, adminToken: token, secret: secret) { client, t in
            for k in ProviderKind.allCases where k != .generic {
                try await t.store.insertProvider(ProviderConfig(
                    id: k.rawValue, name: k.rawValue, kind: k, url: "http://127.0.0.1:9/sms", bodyTemplate: #"{"to":"$$To"}"#,
                    callbackSecret: secret, createdAt: 0))
            }
            try await body(client, t)
        }
    }

    static func send(_ client: any TestClientProtocol, _ c: Case) async throws -> (HTTPResponse.Status, String) {
        let provider = c.kind == .generic ? "p1" : c.kind.rawValue
        let uri = "/callbacks/\(provider)?secret=\(secret)\(c.query)"
        return try await client.execute(
            uri: uri, method: c.method, headers: c.body.isEmpty ? [:] : [.contentType: c.contentType],
            body: c.body.isEmpty ? nil : ByteBuffer(bytes: c.body)
        ) { r in (r.status, String(buffer: r.body)) }
    }

    /// Every string in a JSON answer, one per line (the text itself when it is not JSON).
    static func strings(_ text: String) -> String {
        func walk(_ v: Any) -> [String] {
            switch v {
            case let s as String: return [s]
            case let a as [Any]: return a.flatMap(walk)
            case let o as [String: Any]: return o.values.flatMap(walk)
            default: return []
            }
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else { return text }
        return walk(json).joined(separator: "\n")
    }

    static func replay(_ client: any TestClientProtocol, id: Int64) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(
            uri: "/api/v1/ingestion-errors/\(id)/replay", method: .post, headers: [.authorization: "Bearer \(token)"]
        ) { r in (r.status, String(buffer: r.body)) }
    }

    /// A replay of error `id` with corrected bytes (`rawBase64`).
    static func replay(_ client: any TestClientProtocol, id: Int64, corrected: [UInt8]) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(
            uri: "/api/v1/ingestion-errors/\(id)/replay", method: .post,
            headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
            body: ByteBuffer(string: #"{"rawBase64":"\#(Data(corrected).base64EncodedString())"}"#)
        ) { r in (r.status, String(buffer: r.body)) }
    }

    @Test("each dialect: the invalid item stored as the exact bytes that arrived; its replay gives the same refusal", arguments: StoreKind.allCases)
    func storedExactly(kind: StoreKind) async throws {
        try await Self.withApp(kind) { client, t in
            for c in Self.cases { try await Self.expectStoredAndReplayed(c, client, t) }
        }
    }

    /// Sends `c`, expects its status, one new ingestion error with `c`'s reason and bytes, and a
    /// replay of it refused with the same reason, nothing applied. Returns the answer's text.
    @discardableResult
    static func expectStoredAndReplayed(_ c: Case, _ client: any TestClientProtocol, _ t: TestStore) async throws -> String {
        let (answer, e) = try await sendAndKept(c, client, t)
        #expect(e.reason == c.reason, "\(c)")
        #expect(e.providerId == (c.kind == .generic ? "p1" : c.kind.rawValue))
        // The stored bytes parse as they did when they arrived: the same reason, nothing applied.
        let (again, replayed) = try await Self.replay(client, id: e.id)
        #expect(again == .unprocessableContent, "\(c): \(replayed)")
        #expect(Self.strings(replayed).contains("still invalid: " + c.reason), "\(c): \(replayed)")
        #expect(try await t.store.ingestionError(id: e.id)?.replayedAt == nil, "\(c)")
        return answer
    }

    /// Sends `c`, expects its status and exactly one new ingestion error holding `c.stored`; returns
    /// the answer's text and that error.
    @discardableResult
    static func sendAndKept(_ c: Case, _ client: any TestClientProtocol, _ t: TestStore) async throws -> (String, IngestionError) {
        let before = try await t.store.ingestionErrors(limit: 1_000).count
        let (status, answer) = try await Self.send(client, c)
        #expect(status == c.status, "\(c): \(answer)")
        let errors = try await t.store.ingestionErrors(limit: 1_000)
        #expect(errors.count == before + 1, "\(c)")
        let e = try #require(errors.first, "\(c)")
        #expect(e.raw == c.stored, "\(c): stored \(RawBytes.escaped(e.raw))")
        return (answer, e)
    }

    @Test("a body sent with the other family's content type is refused and kept as the exact bytes sent (form dialects as JSON, JSON dialects as a form)", arguments: StoreKind.allCases)
    func wrongContentTypeKeepsBytes(kind: StoreKind) async throws {
        try await Self.withApp(kind) { client, t in
            let sent = Array("MessageSid=SM1&MessageStatus=bogus&ts=9".utf8)
            for k in ProviderKind.allCases {
                let fieldsDialect = CallbackDialect.readsFields(k, bodyIsJSON: false) && k != .vonage
                let c = Case(
                    name: "\(k.rawValue) sent as \(fieldsDialect ? "JSON" : "a form")", kind: k,
                    contentType: fieldsDialect ? "application/json" : "application/x-www-form-urlencoded",
                    // A form dialect sent JSON: a 415 naming the type (InputRulesRouteTests); a JSON dialect sent a form: read as JSON, a 400.
                    body: sent, stored: sent, reason: "", status: fieldsDialect ? .unsupportedMediaType : .badRequest)
                try await Self.sendAndKept(c, client, t)
                let (listed, list) = try await client.execute(
                    uri: "/api/v1/ingestion-errors?limit=1", method: .get, headers: [.authorization: "Bearer \(Self.token)"]
                ) { r in (r.status, String(buffer: r.body)) }
                #expect(listed == .ok)
                #expect(list.contains(#""rawBytes":\#(sent.count)"#), "\(c): \(list)")
                #expect(list.contains(#""rawBase64":"\#(Data(sent).base64EncodedString())""#), "\(c): \(list)")
            }
        }
    }

    @Test("a replay of an item stored as its bytes applies it once the mapping accepts it (generic: the valid neighbours are not replayed)", arguments: StoreKind.allCases)
    func correctedReplayAppliesOnlyTheItem(kind: StoreKind) async throws {
        try await Self.withApp(kind) { client, t in
            let now = Int64(Date().timeIntervalSince1970)
            let body = #"[{"event":"delivered","data":[{"meta":"m1","ts":\#(now)},{"meta":"m2","ts":"soon"}]}]"#
            let c = Case(name: "generic", kind: .generic, body: Array(body.utf8), stored: [], reason: "")
            let (status, _) = try await Self.send(client, c)
            #expect(status == .badRequest)
            let e = try #require(try await t.store.ingestionErrors(limit: 1).first)
            #expect(e.raw == Array(#"[{"event":"delivered","data":[{"meta":"m2","ts":"soon"}]}]"#.utf8))
            // m1 is held pending (no such message); the stored item alone, corrected, adds m2 only.
            #expect(try await t.store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 10).map(\.meta) == ["m1"])
            let (ok, answer) = try await Self.replay(
                client, id: e.id, corrected: Array(#"[{"event":"delivered","data":[{"meta":"m2","ts":\#(now)}]}]"#.utf8))
            #expect(ok == .ok, "\(answer)")
            #expect(answer.contains(#""pending":1"#), "\(answer)")
            #expect(Set(try await t.store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 10).map(\.meta)) == ["m1", "m2"])
        }
    }

    @Test("a batch of 3 whose item 2 holds 0xFF: items 1 and 3 ingested, item 2 answered invalid naming the field and the byte, kept as its exact bytes; corrected, its replay ingests it", arguments: StoreKind.allCases)
    func oneBadByteRefusesOneItem(kind: StoreKind) async throws {
        try await Self.withApp(kind) { client, t in
            let now = Int64(Date().timeIntervalSince1970)
            let item2 = Array(#"{"meta":"m2"#.utf8) + [0xFF] + Array(#"","ts":\#(now)}"#.utf8)
            let body = Array(#"[{"event":"delivered","data":[{"meta":"m1","ts":\#(now)},"#.utf8) + item2
                + Array(#",{"meta":"m3","ts":\#(now)}]}]"#.utf8)
            let (status, answer) = try await Self.send(client, Case(name: "3 items", kind: .generic, body: body, stored: [], reason: ""))
            #expect(status == .badRequest)
            #expect(answer.contains(#""invalid_items":[{"group":0,"index":1,"event":"delivered","reason":"meta is not valid UTF-8 (byte 0xFF at byte 2 of its value)","missing_fields":[]}]"#), "\(answer)")
            #expect(answer.contains(#""processed_events":2"#), "\(answer)")
            // Items 1 and 3 are ingested (held for their messages, none sent yet); item 2 is not.
            #expect(Set(try await t.store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 10).map(\.meta)) == ["m1", "m3"])
            let errors = try await t.store.ingestionErrors(limit: 10)
            #expect(errors.count == 1)
            let e = try #require(errors.first)
            let kept = Array(#"[{"event":"delivered","data":["#.utf8) + item2 + Array("]}]".utf8)
            #expect(e.raw == kept, "stored \(RawBytes.escaped(e.raw))")
            #expect(try await t.store.ingestionError(id: e.id)?.raw == kept)
            #expect(e.reason == "meta is not valid UTF-8 (byte 0xFF at byte 2 of its value)")
            // Unchanged, the stored bytes replay to the same refusal; corrected, item 2 is ingested.
            let (again, replayed) = try await Self.replay(client, id: e.id)
            #expect(again == .unprocessableContent, "\(replayed)")
            #expect(Self.strings(replayed).contains("still invalid: meta is not valid UTF-8 (byte 0xFF at byte 2 of its value)"), "\(replayed)")
            let (ok, done) = try await Self.replay(client, id: e.id, corrected: kept.filter { $0 != 0xFF })
            #expect(ok == .ok, "\(done)")
            #expect(Set(try await t.store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 10).map(\.meta)) == ["m1", "m2", "m3"])
            #expect(try await t.store.ingestionError(id: e.id)?.replayedAt != nil)
        }
    }

    @Test("events: an invalid event of a batch is kept as its own bytes (key order, 1e19, a repeated key)", arguments: StoreKind.allCases)
    func eventBytes(kind: StoreKind) async throws {
        try await Self.withApp(kind) { client, t in
            let body = #"[{"eventId":"e1","userId":"u1","name":"purchase","ts":1700000000}, {"ts":1e19,"name":"n","eventId":"e2","userId":"u","userId":"u2"} ]"#
            let (status, answer) = try await client.execute(
                uri: "/api/v1/events", method: .post,
                headers: [.authorization: "Bearer \(Self.token)", .contentType: "application/json"], body: ByteBuffer(string: body)
            ) { r in (r.status, String(buffer: r.body)) }
            #expect(status == .badRequest, "\(answer)")
            #expect(answer.contains(#""stored":1"#), "\(answer)")
            let e = try #require(try await t.store.ingestionErrors(limit: 10).first)
            #expect(e.source == "events")
            #expect(e.raw == Array(#"{"ts":1e19,"name":"n","eventId":"e2","userId":"u","userId":"u2"}"#.utf8))
            #expect(e.reason == "userId is given more than once: each key may appear once in an object")
        }
    }
}
