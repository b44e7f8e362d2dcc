import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SMSCore
import SMSStoreTestSupport
import Testing

@testable import SMSWeb

/// Two servers (two applications, each with its own connection to one database) as behind a load
/// balancer: a provider's signed callback (Sinch: HMAC-SHA256 of body, nonce and timestamp, the
/// formula the SDK check of `NativeSignatureRouteTests` verifies) is accepted once by the cluster,
/// not once per server, because its nonce is recorded in the database (``SignatureNonceStore``).
@Suite("Cluster: a signed callback is accepted once by any server (SQLite and PostgreSQL)")
struct NativeSignatureReplayClusterTests {
    static let base = "https://sms.example.com"
    static let secret = "cluster-callback-secret"
    static let key = "sinch-callback-hmac-secret-0123456789"

    static func app(_ store: any SMSDispatchStore) async throws -> some ApplicationProtocol {
        let config = AppConfig(port: 0, publicBaseURL: base, adminToken: "test-token")
        var logger = Logger(label: "test.cluster.signatures")
        logger.logLevel = .critical
        return try await buildApplication(config: config, store: store, gateway: AcceptingGateway(), runDispatcher: false, logger: logger)
    }

    /// Provider `p1` (Sinch, signing key ``key``), campaign `c1` and message `m1`, sent.
    static func setUp(_ t: TestStore) async throws {
        let now = Int64(Date().timeIntervalSince1970)
        try await t.store.insertProvider(
            ProviderConfig(
                id: "p1", name: "Sinch", kind: .sinch, url: "http://127.0.0.1:9/send", bodyTemplate: #"{"to":"$$To"}"#,
                callbackSecret: secret, createdAt: now, webhookSigningKey: key))
        try await t.store.insertCampaign(
            Campaign(
                id: "c1", name: "C", providerId: "p1", body: "Hi", links: [], audience: .all, timezone: "UTC", goal: nil,
                status: .sending, createdAt: now))
        try await t.store.insertMessages([
            NewMessage(campaignId: "c1", userId: "u1", phone: "+4915123456789", meta: "m1", body: "Hi", segments: 1, dispatch: .queued, createdAt: now - 120,
                links: [])
        ])
        let id = try #require(try await t.store.queuedMessages(campaignId: "c1", limit: 10).first?.messageId)
        try await t.store.recordDispatchResults([DispatchResult(messageId: id, outcome: .sent(providerMessageId: nil), at: now - 100)])
    }

    static func body(_ meta: String) -> String {
        #"{"at":"2022-08-30T08:16:08.930Z","batch_id":"01FC66621VHDBN119Z8PMV1QPQ","client_reference":"\#(meta)","code":0,"recipient":"15551231234","status":"Delivered","type":"recipient_delivery_report_sms"}"#
    }

    /// Sinch's headers for `body`: base64(HMAC-SHA256(key, body . nonce . timestamp)).
    static func signed(_ body: String, nonce: String, timestamp: Int64) -> HTTPFields {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(body).\(nonce).\(timestamp)".utf8), using: SymmetricKey(data: Array(key.utf8)))
        var h: HTTPFields = [.contentType: "application/json"]
        h[HTTPField.Name("x-sinch-webhook-signature")!] = Data(mac).base64EncodedString()
        h[HTTPField.Name("x-sinch-webhook-signature-nonce")!] = nonce
        h[HTTPField.Name("x-sinch-webhook-signature-timestamp")!] = "\(timestamp)"
        return h
    }

    static func post(_ client: some TestClientProtocol, _ body: String, _ headers: HTTPFields) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: "/callbacks/p1?secret=\(secret)", method: .post, headers: headers, body: ByteBuffer(string: body)) {
            ($0.status, String(buffer: $0.body))
        }
    }

    @Test("accepted on server A, the same signed request is 401 'replayed' on B and on A; the database keeps SHA-256 of sinch|2|p1|<nonce> until timestamp + 300 s",
        arguments: StoreKind.allCases)
    func replayOnAnotherServer(kind: StoreKind) async throws {
        let t = try await TestStore.make(kind)
        let other = try await t.reopened()
        try await Self.setUp(t)
        let nodeA = try await Self.app(t.store)
        let nodeB = try await Self.app(other.store)
        let ts = Int64(Date().timeIntervalSince1970) - 5
        let headers = Self.signed(Self.body("m1"), nonce: "nonce-cluster-1", timestamp: ts)
        try await nodeA.test(.router) { a in
            try await nodeB.test(.router) { b in
                let first = try await Self.post(a, Self.body("m1"), headers)
                #expect(first.0 == .ok, "\(first.1)")
                for client in [b, a] as [any TestClientProtocol] {
                    let again = try await Self.post(client, Self.body("m1"), headers)
                    #expect(again.0 == .unauthorized)
                    #expect(again.1.contains("replayed x-sinch-webhook-signature-nonce"), "\(again.1)")
                }
                // Stale: refused by its time on either server, nothing recorded.
                let old = ts - 400
                let stale = try await Self.post(b, Self.body("m1"), Self.signed(Self.body("m1"), nonce: "nonce-stale", timestamp: old))
                #expect(stale.0 == .unauthorized)
                #expect(stale.1.contains("stale x-sinch-webhook-signature-timestamp"), "\(stale.1)")
            }
        }
        let expected = SHA256.hash(data: Array("sinch|2|p1|nonce-cluster-1".utf8)).map { String(format: "%02x", $0) }.joined()
        let rows = try await t.query("SELECT nonce_key, expires_at FROM signature_nonces")
        #expect(rows.map { $0["nonce_key"] } == [.text(expected)])
        #expect(rows.map { $0["expires_at"] } == [.int(ts + 300)])
        #expect(try await t.messageState(meta: "m1")?.deliveredAt != nil)
        await other.close()
        await t.close()
    }

    @Test("one signed request sent 12 times at once to two servers: exactly one 200, eleven 401 'replayed'", arguments: StoreKind.allCases)
    func concurrentReplays(kind: StoreKind) async throws {
        let t = try await TestStore.make(kind)
        let other = try await t.reopened()
        try await Self.setUp(t)
        let nodeA = try await Self.app(t.store)
        let nodeB = try await Self.app(other.store)
        let headers = Self.signed(Self.body("m1"), nonce: "nonce-race", timestamp: Int64(Date().timeIntervalSince1970))
        try await nodeA.test(.router) { a in
            try await nodeB.test(.router) { b in
                let answers = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String).self) { group in
                    for i in 0..<12 {
                        group.addTask {
                            i % 2 == 0 ? try await Self.post(a, Self.body("m1"), headers) : try await Self.post(b, Self.body("m1"), headers)
                        }
                    }
                    return try await group.reduce(into: [(HTTPResponse.Status, String)]()) { $0.append($1) }
                }
                #expect(answers.filter { $0.0 == .ok }.count == 1, "\(answers.map(\.0))")
                #expect(answers.filter { $0.0 == .unauthorized && $0.1.contains("replayed") }.count == 11)
            }
        }
        #expect(try await t.count("signature_nonces") == 1)
        await other.close()
        await t.close()
    }

    @Test("a signed callback answered 503 (the store failed on server A) is not a replay: the provider's retry to B is 200, a third send 401",
        arguments: StoreKind.allCases)
    func failedRequestReleasesItsNonce(kind: StoreKind) async throws {
        let t = try await TestStore.make(kind)
        let other = try await t.reopened()
        try await Self.setUp(t)
        let failing = try await Self.app(FailingCallbackStore(base: t.store))
        let nodeB = try await Self.app(other.store)
        let headers = Self.signed(Self.body("m1"), nonce: "nonce-retry", timestamp: Int64(Date().timeIntervalSince1970))
        try await failing.test(.router) { a in
            let down = try await Self.post(a, Self.body("m1"), headers)
            #expect(down.0 == .serviceUnavailable, "\(down.1)")
        }
        #expect(try await t.count("signature_nonces") == 0)
        try await nodeB.test(.router) { b in
            let retry = try await Self.post(b, Self.body("m1"), headers)
            #expect(retry.0 == .ok, "\(retry.1)")
            #expect(try await Self.post(b, Self.body("m1"), headers).0 == .unauthorized)
        }
        #expect(try await t.messageState(meta: "m1")?.deliveredAt != nil)
        await other.close()
        await t.close()
    }

    @Test("the dispatch loop's periodic pass sweeps the nonces whose window has passed", arguments: StoreKind.allCases)
    func sweptByTheDispatchLoop(kind: StoreKind) async throws {
        let t = try await TestStore.make(kind)
        let now = Int64(Date().timeIntervalSince1970)
        #expect(try await t.store.recordSignatureNonce(.init(key: String(repeating: "a", count: 64), expiresAt: now - 10), now: now - 300))
        #expect(try await t.store.recordSignatureNonce(.init(key: String(repeating: "b", count: 64), expiresAt: now + 3_600), now: now))
        var logger = Logger(label: "test.sweep")
        logger.logLevel = .critical
        let dispatcher = Dispatcher(store: t.store, gateway: SilentGateway(), planner: CampaignPlanner(linkBaseURL: "https://s.example"))
        await DispatchService(dispatcher: dispatcher, store: t.store, intervalMs: 50, logger: logger).step()
        let left = try await t.query("SELECT nonce_key FROM signature_nonces")
        #expect(left.map { $0["nonce_key"] } == [.text(String(repeating: "b", count: 64))])
        await t.close()
    }
}
