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
        let t = try await TestStore.make(kind)
        try await t.store.insertProvider(ProviderConfig(
            id: "p1", name: "P", url: "http://127.0.0.1:9/sms", bodyTemplate: #"{"to":"$$To","text":"$$Body"}"#,
            callbackSecret: Self.secret, createdAt: 0))
        var logger = Logger(label: "test.bytes")
        logger.logLevel = .critical
        let config = AppConfig(host: "127.0.0.1", port: 0, publicBaseURL: "https://s.example", adminToken: Self.token)
        let app = try await buildApplication(config: config, store: t.store, gateway: SilentGateway(), runDispatcher: false, logger: logger)
        try await app.test(.router) { client in try await body(client, t) }
        await t.close()
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
                let message = try #require((answer["details"] as? [String: Any])?["message"] as? String, "\(name): \(answer)")

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

    @Test("a stored body replays byte for byte: a NUL inside a meta, UTF-8 text, is the very callback the URL took (a duplicate)", arguments: StoreKind.allCases)
    func replayIsTheSameBytes(kind: StoreKind) async throws {
        try await Self.withApp(kind) { client, t in
            // Valid JSON whose meta holds U+0000 (escaped) and é: the callback URL holds it for an unknown message.
            let bytes = Array(#"[{"event":"delivered","data":[{"meta":"ab\u0000cd-é","ts":1700000000}]}]"#.utf8)
            let (status, answer) = try await Self.post(client, "/callbacks/p1?secret=\(Self.secret)", bytes)
            #expect(status == .ok, "\(answer)")
            #expect(answer["processed_events"] as? Int == 1)
            // The same bytes kept as an ingestion error (e.g. refused by an older version) and replayed.
            try await t.store.recordIngestionErrors([
                IngestionErrorInput(source: "callback", providerId: "p1", reason: "older refusal", raw: bytes, receivedAt: 1_700_000_000)
            ])
            let id = try #require(try await t.store.ingestionErrors(limit: 1).first?.id)
            let (replayStatus, replay) = try await Self.post(client, "/api/v1/ingestion-errors/\(id)/replay", [], admin: true)
            #expect(replayStatus == .ok, "\(replay)")
            // Exactly the same item (same dedup key: the meta's bytes, event and time): a duplicate, nothing new held.
            #expect(replay["applied"] as? Int == 0)
            #expect(replay["duplicates"] as? Int == 1)
            #expect(replay["pending"] as? Int == 0)
            let unmatched = try await t.store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 10)
            // (PostgreSQL text cannot hold U+0000: its TEXT columns keep U+FFFD there, as for every callback.)
            #expect(unmatched.map(\.meta) == [kind == .postgres ? "ab\u{FFFD}cd-é" : "ab\u{0}cd-é"])
            // A correction given as bytes (rawBase64) is replayed as those bytes.
            try await t.store.recordIngestionErrors([
                IngestionErrorInput(source: "callback", providerId: "p1", reason: "x", raw: [0xFF], receivedAt: 1_700_000_000)
            ])
            let second = try #require(try await t.store.ingestionErrors(limit: 1).first?.id)
            let fixed = Array(#"[{"event":"failed","data":[{"meta":"zz\u0000","ts":1700000001,"code":"914"}]}]"#.utf8)
            let body = Array(#"{"rawBase64":"\#(Data(fixed).base64EncodedString())"}"#.utf8)
            let (fixedStatus, fixedReplay) = try await Self.post(client, "/api/v1/ingestion-errors/\(second)/replay", body, admin: true)
            #expect(fixedStatus == .ok, "\(fixedReplay)")
            #expect(fixedReplay["pending"] as? Int == 1)
            #expect(try await t.store.ingestionError(id: second)?.raw == [0xFF])
        }
    }
}
