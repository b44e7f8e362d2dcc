import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
import SMSWeb
import Testing

/// Issue 12 (found by a new-user test: Twilio took a NUL in `MessageSid`, Kannel took `ts=1e19` and
/// a meta that was not UTF-8): one rule per field for every dialect. The same bad values go through
/// the generic contract and all 7 dialects (Vonage both as JSON and as a GET): each is an invalid
/// item whose reason is the one core check's (``CallbackMeta`` for a meta or provider message id,
/// ``EpochTimestamp`` for an event time) naming the dialect's field and its allowed range, kept as an
/// ingestion error, answered 400 (Jasmin: its `ACK/Jasmin`, so it does not resend), and nothing is
/// stored as a receipt; a form or query field that is not UTF-8 is refused naming it before any
/// field rule reads it. SQLite and PostgreSQL.
@Suite("Callback fields: one rule for a meta and an event time in every dialect")
struct CallbackFieldRulesRouteTests {
    enum Encoding { case json, form, query }
    enum TimeKind { case epoch, date(String, valid: String) }

    /// A dialect's request with one id field and one time field to fill.
    struct Dialect: Sendable, CustomStringConvertible {
        var name: String
        var kind: ProviderKind
        var encoding: Encoding
        var idField: String
        var timeField: String?
        var time: TimeKind = .epoch
        /// The other fields, in the dialect's encoding: `#ID#` and `#TS#` are replaced.
        var template: String
        var description: String { name }
    }

    static let dialects: [Dialect] = [
        Dialect(name: "generic", kind: .generic, encoding: .json, idField: "meta", timeField: "ts",
                template: #"[{"event":"delivered","data":[{"meta":#ID#,"ts":#TS#}]}]"#),
        Dialect(name: "gupshup", kind: .gupshup, encoding: .json, idField: "externalId", timeField: "eventTs",
                template: #"[{"externalId":#ID#,"eventType":"DELIVERED","eventTs":#TS#}]"#),
        Dialect(name: "sinch", kind: .sinch, encoding: .json, idField: "batch_id", timeField: "at",
                time: .date("YYYY-MM-DDTHH:MM:SS with a zone (ISO 8601)", valid: "2024-01-01T00:00:00Z"),
                template: #"{"type":"recipient_delivery_report_sms","status":"Delivered","batch_id":#ID#,"at":#TS#}"#),
        Dialect(name: "vonage JSON", kind: .vonage, encoding: .json, idField: "messageId", timeField: "message-timestamp",
                time: .date("YYYY-MM-DD HH:MM:SS", valid: "2024-01-01 00:00:00"),
                template: #"{"messageId":#ID#,"status":"delivered","message-timestamp":#TS#}"#),
        Dialect(name: "vonage GET", kind: .vonage, encoding: .query, idField: "client-ref", timeField: "message-timestamp",
                time: .date("YYYY-MM-DD HH:MM:SS", valid: "2024-01-01 00:00:00"),
                template: "messageId=0A1&client-ref=#ID#&status=delivered&message-timestamp=#TS#"),
        Dialect(name: "twilio", kind: .twilio, encoding: .form, idField: "MessageSid", timeField: nil,
                template: "MessageSid=#ID#&MessageStatus=delivered"),
        Dialect(name: "plivo", kind: .plivo, encoding: .form, idField: "MessageUUID", timeField: "DeliveryReportTime",
                time: .date("YYYY-MM-DD HH:MM:SS", valid: "2024-01-01 00:00:00"),
                template: "MessageUUID=#ID#&Status=delivered&DeliveryReportTime=#TS#"),
        Dialect(name: "jasmin", kind: .jasmin, encoding: .form, idField: "id", timeField: "donedate",
                time: .date("YYMMDDhhmm[ss]", valid: "2401010000"),
                template: "id=#ID#&message_status=DELIVRD&level=2&donedate=#TS#"),
        Dialect(name: "kannel", kind: .kannel, encoding: .query, idField: "meta", timeField: "ts",
                template: "meta=#ID#&type=1&fid=F1&ts=#TS#"),
        Dialect(name: "kannel fid", kind: .kannel, encoding: .query, idField: "fid", timeField: nil,
                template: "meta=m1&type=1&fid=#ID#"),
    ]

    /// Bad ids as bytes (a form or query percent-encodes them; JSON writes them as a string).
    static let badIds: [(name: String, bytes: [UInt8])] = [
        ("NUL", Array("ab".utf8) + [0x00] + Array("cd".utf8)),
        ("ESC", Array("ab".utf8) + [0x1B]),
        ("DEL", Array("ab".utf8) + [0x7F]),
        ("LF inside", Array("a".utf8) + [0x0A] + Array("b".utf8)),
        ("invalid UTF-8", Array("a".utf8) + [0xFF, 0xFE]),
        ("257 characters", Array(repeating: UInt8(ascii: "a"), count: 257)),
    ]
    static let badTimes = ["1e19", "-1", "1e309", "9.2e18", "2150-01-01 00:00:00"]

    static func percentEncoded(_ bytes: [UInt8]) -> String {
        bytes.map { b in
            let c = Character(Unicode.Scalar(b))
            return b < 0x80 && (c.isLetter || c.isNumber || "-._~".contains(c)) ? String(c) : String(format: "%%%02X", b)
        }.joined()
    }

    /// A JSON string literal of `bytes` (controls escaped; other bytes as they are, so invalid UTF-8 stays invalid).
    static func jsonString(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for b in bytes {
            if b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { out += Array(String(format: "\\u%04x", b).utf8) } else { out.append(b) }
        }
        return out + [UInt8(ascii: "\"")]
    }

    /// The request bytes for `d` with `id` and a time token (already in the dialect's encoding).
    static func request(_ d: Dialect, id: [UInt8], time: [UInt8]) -> (method: HTTPRequest.Method, query: String, body: [UInt8]) {
        let parts = d.template.components(separatedBy: "#ID#")
        var out = Array(parts[0].utf8) + id
        let rest = parts[1].components(separatedBy: "#TS#")
        out += Array(rest[0].utf8)
        if rest.count > 1 { out += time + Array(rest[1].utf8) }
        switch d.encoding {
        case .json, .form: return (.post, "", out)
        case .query: return (.get, "&" + String(decoding: out, as: UTF8.self), [])
        }
    }

    static func encodedId(_ d: Dialect, _ bytes: [UInt8]) -> [UInt8] {
        d.encoding == .json ? jsonString(bytes) : Array(percentEncoded(bytes).utf8)
    }

    static func encodedTime(_ d: Dialect, _ text: String) -> [UInt8] {
        switch (d.encoding, d.time) {
        case (.json, .epoch):
            // A JSON number where it is one; 1e309 is beyond a double, sent as a numeric string (as a
            // bare number it is refused as beyond a double: see the test below).
            return Double(text).map { $0.isFinite } == true ? Array(text.utf8) : jsonString(Array(text.utf8))
        case (.json, .date): return jsonString(Array(text.utf8))
        default: return Array(percentEncoded(Array(text.utf8)).utf8)
        }
    }

    static func validTime(_ d: Dialect) -> [UInt8] {
        switch d.time {
        case .epoch: return encodedTime(d, "1700000000")
        case .date(_, let valid): return encodedTime(d, valid)
        }
    }

    /// The reason the core gives for `text` in `d`'s time field (the one function every dialect calls).
    static func timeReason(_ d: Dialect, _ text: String) -> String? {
        guard let field = d.timeField else { return nil }
        switch d.time {
        case .epoch:
            guard case .failure(let p) = EpochTimestamp.seconds(text: text, field: field) else { return nil }
            return p.message
        case .date(let format, _):
            guard case .failure(let p) = EpochTimestamp.seconds(date: nil, text: text, format: format, field: field) else { return nil }
            return p.message
        }
    }

    static func send(_ client: any TestClientProtocol, _ d: Dialect, _ r: (method: HTTPRequest.Method, query: String, body: [UInt8]))
        async throws -> (HTTPResponse.Status, String)
    {
        let provider = d.kind == .generic ? "p1" : d.kind.rawValue
        let contentType = d.encoding == .json ? "application/json" : "application/x-www-form-urlencoded"
        return try await client.execute(
            uri: "/callbacks/\(provider)?secret=\(CallbackItemBytesRouteTests.secret)\(r.query)", method: r.method,
            headers: r.body.isEmpty ? [:] : [.contentType: contentType], body: r.body.isEmpty ? nil : ByteBuffer(bytes: r.body)
        ) { res in (res.status, String(buffer: res.body)) }
    }

    /// Sends and checks: the answer, one ingestion error with `reason`, nothing kept as a receipt.
    static func expectRefused(
        _ client: any TestClientProtocol, _ t: TestStore, _ d: Dialect, _ r: (method: HTTPRequest.Method, query: String, body: [UInt8]),
        reason: String, _ label: String
    ) async throws {
        let before = try await t.store.ingestionErrors(limit: 1_000).count
        let (status, answer) = try await send(client, d, r)
        if d.kind == .jasmin {
            #expect(status == .ok && answer == JasminCallback.acknowledgement, "\(label): \(answer)")
        } else {
            #expect(status == .badRequest, "\(label): \(answer)")
        }
        let errors = try await t.store.ingestionErrors(limit: 1_000)
        #expect(errors.count == before + 1, "\(label)")
        #expect(errors.first?.reason == reason, "\(label): \(errors.first?.reason ?? "none")")
        #expect(try await t.store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 10).isEmpty, "\(label): stored as a receipt")
    }

    @Test("a bad meta or provider message id: the same reason from CallbackMeta in every dialect, naming its field and range", arguments: StoreKind.allCases)
    func ids(kind: StoreKind) async throws {
        try await CallbackItemBytesRouteTests.withApp(kind) { client, t in
            for d in Self.dialects {
                for (name, bytes) in Self.badIds {
                    let r = Self.request(d, id: Self.encodedId(d, bytes), time: Self.validTime(d))
                    let reason: String
                    if d.kind == .generic || d.kind == .gupshup, String(validating: bytes, as: UTF8.self) == nil {
                        // A batch's items are found on the bytes first: the item is refused naming the
                        // field and its first bad byte (0xFF after `a`).
                        reason = "\(d.idField) is not valid UTF-8 (byte 0xFF at byte 1 of its value)"
                    } else if d.encoding == .json, String(validating: bytes, as: UTF8.self) == nil {
                        // JSON text must be UTF-8 (RFC 8259 §8.1): a report of one object is refused whole.
                        reason = CallbackParseError.invalidUTF8.description
                    } else if String(validating: bytes, as: UTF8.self) == nil {
                        // A form or query field that is not UTF-8 is refused naming it, never read with U+FFFD.
                        reason = "the callback field '\(d.idField)' is not valid UTF-8 (byte 0xFF at byte 1 of its value)"
                    } else {
                        reason = try #require(CallbackMeta.problem(String(decoding: bytes, as: UTF8.self), field: d.idField))
                        #expect(reason.contains("\(d.idField) must be 1 to 256 characters, none of them a control character (U+0000–U+001F, U+007F) or U+FFFD"))
                    }
                    try await Self.expectRefused(client, t, d, r, reason: reason, "\(d) \(name)")
                }
            }
        }
    }

    @Test("a bad event time: the same range from EpochTimestamp in every dialect that carries one, naming its field", arguments: StoreKind.allCases)
    func times(kind: StoreKind) async throws {
        try await CallbackItemBytesRouteTests.withApp(kind) { client, t in
            for d in Self.dialects where d.timeField != nil {
                for text in Self.badTimes {
                    let r = Self.request(d, id: Self.encodedId(d, Array("m1".utf8)), time: Self.encodedTime(d, text))
                    let reason = try #require(Self.timeReason(d, text), "\(d) \(text)")
                    #expect(reason.hasPrefix("\(d.timeField!) must be "), "\(reason)")
                    #expect(
                        reason.contains("epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000")
                            || reason.contains("from 1970-01-01 00:00:00 to 2100-01-01 00:00:00 UTC"), "\(reason)")
                    try await Self.expectRefused(client, t, d, r, reason: reason, "\(d) \(text)")
                }
            }
        }
    }

    @Test("the exact words: ts=1e19 on Kannel is the generic contract's refusal; a NUL in Twilio's MessageSid the meta rule", arguments: StoreKind.allCases)
    func exactWords(kind: StoreKind) async throws {
        try await CallbackItemBytesRouteTests.withApp(kind) { client, t in
            let kannel = Self.dialects.first { $0.name == "kannel" }!
            try await Self.expectRefused(
                client, t, kannel, (.get, "&meta=m1&type=1&ts=1e19", []),
                reason: "ts must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000 (got '1e19')",
                "kannel 1e19")
            let generic = Self.dialects.first { $0.name == "generic" }!
            try await Self.expectRefused(
                client, t, generic, (.post, "", Array(#"[{"event":"delivered","data":[{"meta":"m1","ts":1e19}]}]"#.utf8)),
                reason: "ts must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000 (got '1e19')",
                "generic 1e19")
            let twilio = Self.dialects.first { $0.name == "twilio" }!
            try await Self.expectRefused(
                client, t, twilio, (.post, "", Array("MessageSid=SM%001&MessageStatus=delivered".utf8)),
                reason: "MessageSid contains the control character U+0000 at position 2; MessageSid must be 1 to 256 characters, none of them a control character (U+0000–U+001F, U+007F) or U+FFFD (bytes that were not UTF-8): it is an id handed back unchanged, so it could never match a message",
                "twilio NUL")
            try await Self.expectRefused(
                client, t, kannel, (.get, "&meta=m%FF1&type=1", []),
                reason: "the callback field 'meta' is not valid UTF-8 (byte 0xFF at byte 1 of its value)", "kannel invalid UTF-8 meta")
            // 1e309 as a bare JSON number is beyond a double: a value error of ts (docs/DOMAIN.md §1
            // "Numbers and keys from outside"), not of the body.
            try await Self.expectRefused(
                client, t, generic, (.post, "", Array(#"[{"event":"delivered","data":[{"meta":"m1","ts":1e309}]}]"#.utf8)),
                reason: "ts must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000 (got '1e309')",
                "generic bare 1e309")
        }
    }
}
