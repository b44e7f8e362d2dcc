import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSGatewayHTTP
import Testing

@testable import SMSWeb

/// The callback route with per-message tokens (`?token=…&meta=…`, what `$$DlrUrl` carries): a token
/// reports on its own message only; the provider-wide secret keeps working.
@Suite("Callback tokens on the callback route")
struct CallbackTokenRouteTests {
    /// Tokens of m1 and m2 under ``CallbackTestApp/secret`` (Python `hmac`, see ``CallbackTokenTests``).
    static let m1Token = "y6p0YOVK4AW3wu_EVjS2Aw"
    static let m2Token = "88xVJ_eaQiopBA6Hm7_TBg"

    static func body(_ meta: String, ts: Int64) -> String { #"[{"event":"delivered","data":[{"meta":"\#(meta)","ts":\#(ts)}]}]"# }

    @Test("generic: the token of the URL's meta authenticates; another meta in the URL, a tampered token or no meta is 401")
    func generic() async throws {
        let app = try await CallbackTestApp.make()
        try await app.insert(["m1", "m2"])
        try await app.sent("m1")
        try await app.sent("m2")
        let ts = CallbackTestApp.now() - 10
        try await app.test { client async throws in
            let otherMeta = try await client.callback(Self.body("m2", ts: ts), path: "/callbacks/p1?token=\(Self.m1Token)&meta=m2")
            #expect(otherMeta.status == .unauthorized)
            #expect(otherMeta.text.contains("the callback token is not valid for meta 'm2'"))
            let tampered = try await client.callback(Self.body("m1", ts: ts), path: "/callbacks/p1?token=y6p0YOVK4AW3wu_EVjS2Ax&meta=m1")
            #expect(tampered.status == .unauthorized)
            let noMeta = try await client.callback(Self.body("m1", ts: ts), path: "/callbacks/p1?token=\(Self.m1Token)")
            #expect(noMeta.status == .unauthorized)
            #expect(noMeta.text.contains("needs the meta it was issued for"))
            let twice = try await client.callback(Self.body("m1", ts: ts), path: "/callbacks/p1?token=\(Self.m1Token)&token=\(Self.m1Token)&meta=m1")
            #expect(twice.status == .badRequest)
            let ok = try await client.callback(Self.body("m1", ts: ts), path: "/callbacks/p1?token=\(Self.m1Token)&meta=m1")
            #expect(ok.status == .ok, "\(ok.text)")
        }
        #expect(try await app.stats().delivered == 1)
        let logs = app.logs.text
        #expect(logs.contains("token=***"))
        #expect(!logs.contains(Self.m1Token))
    }

    @Test("an item on another message under a valid token is 401 naming both metas; nothing of the batch is applied")
    func otherItem() async throws {
        let app = try await CallbackTestApp.make()
        try await app.insert(["m1", "m2"])
        try await app.sent("m1")
        try await app.sent("m2")
        let ts = CallbackTestApp.now() - 10
        let both = #"[{"event":"delivered","data":[{"meta":"m1","ts":\#(ts)},{"meta":"m2","ts":\#(ts)}]}]"#
        try await app.test { client async throws in
            let r = try await client.callback(both, path: "/callbacks/p1?token=\(Self.m1Token)&meta=m1")
            #expect(r.status == .unauthorized)
            #expect(r.text.contains("the callback token is for meta 'm1', but item 1 reports on meta 'm2'"))
            // The provider-wide secret still covers every message.
            #expect(try await client.callback(both).status == .ok)
        }
        #expect(try await app.stats().delivered == 2)
    }

    @Test("twilio: the StatusCallback's token binds a MessageSid-only callback to its message")
    func twilio() async throws {
        let app = try await CallbackTestApp.make(kind: .twilio)
        try await app.insert(["m1", "m2"])
        try await app.sent("m1")
        try await app.sent("m2")
        let form = "MessageSid=SM00000000000000000000000000000001&MessageStatus=delivered&To=%2B15558675310"
        try await app.test { client async throws in
            let r = try await client.callback(
                form, path: "/callbacks/p1?token=\(Self.m2Token)&meta=m2", contentType: "application/x-www-form-urlencoded")
            #expect(r.status == .ok, "\(r.text)")
        }
        // Without the token this unknown SID would wait in the pending table; bound, it is m2's receipt.
        #expect(try await app.stats().delivered == 1)
        #expect(try await app.stats().pending == 1)
    }

    @Test("kannel: a dlr-url with a token; the token never reaches the stored raw")
    func kannel() async throws {
        let app = try await CallbackTestApp.make(kind: .kannel)
        try await app.insert(["m1"])
        try await app.sent("m1")
        let ts = CallbackTestApp.now()
        try await app.test { client async throws in
            let done = try await client.execute(
                uri: "/callbacks/p1?token=\(Self.m1Token)&meta=m1&type=1&answer=id%3A17+stat%3ADELIVRD+err%3A000&ts=\(ts)&fid=17", method: .get)
            #expect(done.status == .ok)
            let unknown = try await client.execute(uri: "/callbacks/p1?token=\(Self.m1Token)&meta=m1&type=32&ts=\(ts)", method: .get)
            #expect(unknown.status == .badRequest)
            let forged = try await client.execute(uri: "/callbacks/p1?token=\(Self.m1Token)&meta=m2&type=1&ts=\(ts)", method: .get)
            #expect(forged.status == .unauthorized)
            let errors = try await client.api("/api/v1/ingestion-errors").text
            #expect(errors.contains("unknown status '32'"))
            #expect(!errors.contains(Self.m1Token))
        }
        #expect(try await app.stats().delivered == 1)
    }

    @Test("rotate-secret: a token minted under the old secret works during the grace period, not after")
    func rotation() async throws {
        let clock = EpochClock(1_800_000_000)
        let secret = "s3cret-callback-key"
        try await StoreRouteApp.with(.sqlite, adminToken: "admin-token", secret: secret, now: { clock.now }) { client, t in
            var headers: HTTPFields = [.authorization: "Bearer admin-token", .contentType: "application/json"]
            let r = try await client.execute(
                uri: "/api/v1/providers/p1/rotate-secret", method: .post, headers: headers, body: ByteBuffer(string: #"{"graceSeconds":3600}"#))
            #expect(r.status == .ok)
            headers = [.contentType: "application/json"]
            let body = ByteBuffer(string: Self.body("m2", ts: 1_800_000_000 - 10))
            clock.set(1_800_000_000 + 3599)
            let inGrace = try await client.execute(uri: "/callbacks/p1?token=\(Self.m2Token)&meta=m2", method: .post, headers: headers, body: body)
            #expect(inGrace.status == .ok)
            clock.set(1_800_000_000 + 3600)
            let after = try await client.execute(uri: "/callbacks/p1?token=\(Self.m2Token)&meta=m2", method: .post, headers: headers, body: body)
            #expect(after.status == .unauthorized)
            let newSecret = try #require(try await t.store.provider(id: "p1")?.callbackSecret)
            let fresh = CallbackToken.make(secret: newSecret, meta: "m2", mac: HMACSHA256.mac)
            let current = try await client.execute(uri: "/callbacks/p1?token=\(fresh)&meta=m2", method: .post, headers: headers, body: body)
            #expect(current.status == .ok)
        }
    }
}
