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

/// Issue 12, finding 4 ("every byte kept"): a refused callback body is kept byte for byte (NUL,
/// UTF-16, invalid UTF-8), shown exactly (`rawBase64`, `raw` text or escape form), and its replay
/// parses those same bytes: the result is the one the callback URL gives for them. SQLite and
/// PostgreSQL.
@Suite("Ingestion errors: every byte kept, shown and replayed")
struct IngestionErrorBytesRouteTests {
    static let token = "admin-token"
    static let secret = "s3cret-callback-key"

    /// `…"meta":"ab<NUL>cd"…`, a UTF-16LE body with its BOM, invalid UTF-8 (a Latin-1 é, a bad pair, 0xFF).
    static let bodies: [(name: String, bytes: [UInt8], utf8: Bool)] = [
        ("NUL", Array(#"[{"event":"delivered","data":[{"meta":"ab"#.utf8) + [0x00] + Array(#"cd","ts":1700000000}]}]"#.utf8), true),
        ("UTF-16", [0xFF, 0xFE] + Array(#"[{"event":"delivered","data":[{"meta":"m1","ts":1700000000}]}]"#.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }, false),
        ("invalid UTF-8", Array(#"[{"event":"delivered","data":[{"meta":"caf"#.utf8) + [0xE9, 0xC3, 0x28, 0xFF] + Array(#"","ts":1700000000}]}]"#.utf8), false),
    ]

    static func withApp(_ kind: StoreKind, _ body: @escaping @Sendable (any TestClientProtocol, TestStore) async throws -> Void) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: Self.secret, body)
    }

    static func post(_ client: any TestClientProtocol, _ uri: String, _ bytes: [UInt8], admin: Bool = false) async throws -> (HTTPResponse.Status, [String: Any]) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if admin { headers[.authorization] = "Bearer \(Self.token)" }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(bytes: bytes)) { r in
            (r.status, (try? JSONSerialization.jsonObject(with: Data(buffer: r.body))) as? [String: Any] ?? ["text": String(buffer: r.body)])
        }
    }

    static func get(_ client: any TestClientProtocol, _ uri: String) async throws -> Any {
        try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(Self.token)"]) { r in
            try JSONSerialization.jsonObject(with: Data(buffer: r.body))
        }
    }

    @Test("each body: stored exactly (rawBase64), raw as text or escape form, rawTruncated false; replay gives the callback URL's own answer", arguments: StoreKind.allCases)
    func storedShownReplayed(kind: StoreKind) async throws {
        try await Self.withApp(kind) { client, t in
            for (name, bytes, utf8) in Self.bodies {
                let (status, answer) = try await Self.post(client, "/callbacks/p1?secret=\(Self.secret)", bytes)
                #expect(status == .badRequest, "\(name): \(answer)")
                // A body that could not be read is named in `message`; a batch whose one item holds a
                // byte that is not UTF-8 names the item (the body is then that item's bytes exactly).
                let details = answer["details"] as? [String: Any]
                let items = details?["invalid_items"] as? [[String: Any]]
                let message = try #require(details?["message"] as? String ?? items?.first?["reason"] as? String, "\(name): \(answer)")
                if name == "invalid UTF-8" {
                    #expect(message == "meta is not valid UTF-8 (byte 0xE9 at byte 3 of its value)")
                }

                let listed = try #require(try await Self.get(client, "/api/v1/ingestion-errors?limit=1") as? [[String: Any]])
                let e = try #require(listed.first)
                #expect(e["reason"] as? String == message, "\(name)")
                #expect(e["rawBase64"] as? String == Data(bytes).base64EncodedString(), "\(name)")
                #expect(e["rawBytes"] as? Int == bytes.count, "\(name)")
                #expect(e["rawTruncated"] as? Bool == false, "\(name)")
                #expect(e["rawUTF8"] as? Bool == utf8, "\(name)")
                #expect(e["raw"] as? String == (utf8 ? String(decoding: bytes, as: UTF8.self) : RawBytes.escaped(bytes)), "\(name)")
                let id = try #require(e["id"] as? Int)
                let one = try #require(try await Self.get(client, "/api/v1/ingestion-errors/\(id)") as? [String: Any])
                #expect(one["rawBase64"] as? String == Data(bytes).base64EncodedString(), "\(name)")
                #expect(try await t.store.ingestionError(id: Int64(id))?.raw == bytes, "\(name)")

                // Replaying the stored bytes parses exactly what the callback URL parsed: the same refusal.
                let (replayStatus, replay) = try await Self.post(client, "/api/v1/ingestion-errors/\(id)/replay", [], admin: true)
                #expect(replayStatus == .unprocessableContent, "\(name)")
                #expect((replay["error"] as? String ?? replay["text"] as? String ?? "\(replay)").contains("still invalid: " + message), "\(name): \(replay)")
            }
            let stored = try await t.store.ingestionErrors(limit: 10)
            #expect(stored.count == Self.bodies.count)
        }
    }

    @Test("a meta holding U+0000 is refused naming the field, never kept pending; the unchanged bytes replay to the same refusal, a corrected rawBase64 applies", arguments: StoreKind.allCases)
    func nulMetaRefusedAndReplayed(kind: StoreKind) async throws {
        try await Self.withApp(kind) { client, t in
            // Valid JSON whose meta holds U+0000 (escaped) and é: no meta SMSStats sent can hold a control character.
            let bytes = Array(#"[{"event":"delivered","data":[{"meta":"ab\u0000cd-é","ts":1700000000}]}]"#.utf8)
            let (status, answer) = try await Self.post(client, "/callbacks/p1?secret=\(Self.secret)", bytes)
            #expect(status == .badRequest, "\(answer)")
            let details = try #require(answer["details"] as? [String: Any], "\(answer)")
            #expect(details["processed_events"] as? Int == 0)
            let reason = "meta contains the control character U+0000 at position 2; meta must be 1 to 256 characters, none of them a control character (U+0000–U+001F, U+007F) or U+FFFD (bytes that were not UTF-8): it is an id handed back unchanged, so it could never match a message"
            let invalid = try #require(details["invalid_items"] as? [[String: Any]])
            #expect(invalid.map { $0["reason"] as? String } == [reason])
            #expect(invalid.map { $0["event"] as? String } == ["delivered"])
            // Nothing held pending (the store would otherwise have had to keep a meta cut or altered at the NUL).
            #expect(try await t.store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 10).isEmpty)
            // The item is kept as the bytes that arrived (its group holds only it, so the whole body):
            // the NUL stays escaped as \u0000, the é as its UTF-8 bytes.
            let e = try #require(try await t.store.ingestionErrors(limit: 10).first)
            #expect(e.reason == reason)
            #expect(e.raw == bytes)
            let (again, againAnswer) = try await Self.post(client, "/api/v1/ingestion-errors/\(e.id)/replay", [], admin: true)
            #expect(again == .unprocessableContent)
            #expect("\(againAnswer)".contains("still invalid: meta contains the control character U+0000 at position 2;"), "\(againAnswer)")
            #expect(try await t.store.ingestionError(id: e.id)?.replayedAt == nil)

            // A correction given as bytes (rawBase64) is replayed as those bytes: held pending (no such message yet).
            let fixed = Array(#"[{"event":"delivered","data":[{"meta":"abcd-é","ts":1700000000}]}]"#.utf8)
            let body = Array(#"{"rawBase64":"\#(Data(fixed).base64EncodedString())"}"#.utf8)
            let (fixedStatus, fixedReplay) = try await Self.post(client, "/api/v1/ingestion-errors/\(e.id)/replay", body, admin: true)
            #expect(fixedStatus == .ok, "\(fixedReplay)")
            #expect(fixedReplay["applied"] as? Int == 0)
            #expect(fixedReplay["pending"] as? Int == 1)
            #expect(try await t.store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 10).map(\.meta) == ["abcd-é"])
            // The stored bytes are the ones received, not the correction.
            #expect(try await t.store.ingestionError(id: e.id)?.raw == e.raw)
            #expect(try await t.store.ingestionError(id: e.id)?.replayedAt != nil)
            // A rawBase64 that is not base64 is a 400 naming the field.
            try await t.store.recordIngestionErrors([
                IngestionErrorInput(source: "callback", providerId: "p1", reason: "x", raw: [0xFF], receivedAt: 1_700_000_000)
            ])
            let second = try #require(try await t.store.ingestionErrors(limit: 1).first?.id)
            let (bad, badAnswer) = try await Self.post(client, "/api/v1/ingestion-errors/\(second)/replay", Array(#"{"rawBase64":"%%"}"#.utf8), admin: true)
            #expect(bad == .badRequest)
            #expect("\(badAnswer)".contains("rawBase64 must be base64"), "\(badAnswer)")
        }
    }

    @Test("a body over the list's 64 KiB cut: the list says rawTruncated true with the whole size, the id shows every byte", arguments: StoreKind.allCases)
    func overTheListCut(kind: StoreKind) async throws {
        try await Self.withApp(kind) { client, t in
            // 70,000 bytes, not JSON: a NUL and 0xFF at both ends, invalid UTF-8 throughout.
            let bytes: [UInt8] = [0x00, 0xFF] + (0..<69_996).map { UInt8(truncatingIfNeeded: $0 % 251) } + [0xFF, 0x00]
            #expect(bytes.count == 70_000)
            let (status, _) = try await Self.post(client, "/callbacks/p1?secret=\(Self.secret)", bytes)
            #expect(status == .badRequest)
            #expect(try await t.store.ingestionErrors(limit: 1).first?.raw == bytes)
            let listed = try #require(try await Self.get(client, "/api/v1/ingestion-errors?limit=1") as? [[String: Any]])
            let e = try #require(listed.first)
            #expect(e["rawTruncated"] as? Bool == true)
            #expect(e["rawBytes"] as? Int == 70_000)
            #expect(e["rawUTF8"] as? Bool == false)
            // Not UTF-8: cut at exactly 65,536 bytes.
            #expect(e["rawBase64"] as? String == Data(bytes.prefix(65_536)).base64EncodedString())
            let id = try #require(e["id"] as? Int)
            let one = try #require(try await Self.get(client, "/api/v1/ingestion-errors/\(id)") as? [String: Any])
            #expect(one["rawTruncated"] as? Bool == false)
            #expect(one["rawBytes"] as? Int == 70_000)
            #expect(one["rawBase64"] as? String == Data(bytes).base64EncodedString())
            #expect(one["raw"] as? String == RawBytes.escaped(bytes))
        }
    }

    @Test("an events body with a NUL and invalid UTF-8 is kept byte for byte", arguments: StoreKind.allCases)
    func eventsBody(kind: StoreKind) async throws {
        try await Self.withApp(kind) { client, t in
            let bytes: [UInt8] = Array(#"[{"eventId":"e"#.utf8) + [0x00, 0xC3, 0x28, 0xFF]
            let (status, _) = try await Self.post(client, "/api/v1/events", bytes, admin: true)
            #expect(status == .badRequest)
            let e = try #require(try await t.store.ingestionErrors(limit: 1).first)
            #expect(e.source == "events")
            #expect(e.raw == bytes)
        }
    }
}
