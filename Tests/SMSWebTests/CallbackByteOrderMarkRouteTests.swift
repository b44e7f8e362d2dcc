import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
import SMSWeb
import Testing

/// Issue 12 (a new user's finding): a JSON callback body starting with a UTF-8 byte order mark
/// (EF BB BF, as .NET and Windows tools write it) was refused whole. RFC 8259 §8.1 lets a parser
/// ignore it: one leading BOM is skipped (``ByteOrderMark``, by the JSON reader of every body), and what
/// is kept of a refused body is still the body as received. SQLite and PostgreSQL.
@Suite("Callbacks: a leading UTF-8 byte order mark is skipped, raw bytes kept")
struct CallbackByteOrderMarkRouteTests {
    typealias M = ProviderManagementRouteTests
    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    static func post(_ client: any TestClientProtocol, _ body: [UInt8]) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(
            uri: "/callbacks/p1?secret=\(M.secret)", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body)
        ) { ($0.status, String(buffer: $0.body)) }
    }

    @Test("each JSON dialect reads a body with one leading BOM exactly as without it")
    func dialects() throws {
        let bodies: [(ProviderKind, String)] = [
            (.generic, #"[{"event":"delivered","data":[{"meta":"m1","ts":1700000000},{"meta":"m2"}]}]"#),
            (.gupshup, #"[{"externalId":"1","eventType":"DELIVERED","eventTs":1700000000000}]"#),
            (.sinch, #"{"at":"2024-06-07T14:03:26.536Z","batch_id":"B1","code":402,"recipient":"447700900003","status":"Failed","client_reference":"meta-7","type":"recipient_delivery_report_sms"}"#),
            (.vonage, #"{"msisdn":"447700900000","messageId":"0C0000002EEBDA56","status":"delivered","err-code":"0","client-ref":"meta-42","message-timestamp":"2017-05-02 11:24:03"}"#),
        ]
        for (kind, text) in bodies {
            let plain = try CallbackDialect.parse(kind: kind, body: Data(text.utf8), fields: [:], bodyIsJSON: true, maxItems: 100)
            let marked = try CallbackDialect.parse(kind: kind, body: Data(Self.bom + Array(text.utf8)), fields: [:], bodyIsJSON: true, maxItems: 100)
            #expect(marked == plain, "\(kind)")
            #expect(plain.items.count == 1, "\(kind): \(plain)")
        }
        // Only one is skipped: a second is not JSON.
        #expect(throws: CallbackParseError.self) {
            try CallbackDialect.parse(kind: .generic, body: Data(Self.bom + Self.bom + Array("[]".utf8)), fields: [:], bodyIsJSON: true, maxItems: 100)
        }
    }

    @Test("a generic batch with a BOM is applied; its invalid item and a refused BOM body are kept as received", arguments: StoreKind.allCases)
    func route(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let ok = try await Self.post(client, Self.bom + Array(#"[{"event":"delivered","data":[{"meta":"m1","ts":1700000000}]}]"#.utf8))
            #expect(ok.0 == .ok, "\(ok.1)")
            #expect(try await t.store.unmatchedCallbacks(receivedBefore: .max, limit: 10).map(\.meta) == ["m1"])
            #expect(try await t.store.ingestionErrors(limit: 10).isEmpty)

            let partly = try await Self.post(client, Self.bom + Array(#"[{"event":"delivered","data":[{"meta":"m2","ts":1700000000},{"meta":"m3"}]}]"#.utf8))
            #expect(partly.0 == .badRequest)
            #expect(try await t.store.unmatchedCallbacks(receivedBefore: .max, limit: 10).map(\.meta).sorted() == ["m1", "m2"])
            let item = try await t.store.ingestionErrors(limit: 10)
            #expect(item.map(\.raw) == [Array(#"[{"event":"delivered","data":[{"meta":"m3"}]}]"#.utf8)])
            #expect(item.map(\.reason) == ["missing required fields: ts"])

            let broken = Self.bom + Array(#"[{"event":"delivered","data":["#.utf8)
            #expect(try await Self.post(client, broken).0 == .badRequest)
            let kept = try await t.store.ingestionErrors(limit: 10)
            #expect(kept.count == 2)
            #expect(kept.contains { $0.raw == broken })
        }
    }
}
