import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import Testing

@testable import SMSWeb

/// Authentication of callbacks (`docs/DOMAIN.md` §3): per-provider secret, optional HMAC-SHA256 of the
/// raw body with a timestamp (5 minutes), Twilio's signature; 401 logged without the secret.
@Suite("Callback authentication")
struct CallbackAuthRouteTests {
    static func body(_ meta: String, ts: Int64) -> String { #"[{"event":"delivered","data":[{"meta":"\#(meta)","ts":\#(ts)}]}]"# }

    static func signed(_ body: String, at timestamp: Int64, key: String = CallbackTestApp.secret) -> HTTPFields {
        let mac = CallbackAuthenticator.hmacSHA256Hex(key: key, timestamp: "\(timestamp)", body: Array(body.utf8))
        return [HTTPField.Name("X-SMSStats-Timestamp")!: "\(timestamp)", HTTPField.Name("X-SMSStats-Signature")!: "sha256=" + mac]
    }

    @Test("a missing or wrong secret is 401, logged with the provider and reason but never a secret")
    func badSecret() async throws {
        let app = try await CallbackTestApp.make()
        let body = Self.body("m1", ts: CallbackTestApp.now())
        try await app.test { client async throws in
            let missing = try await client.callback(body, path: "/callbacks/p1")
            #expect(missing.status == .unauthorized)
            let wrong = try await client.callback(body, path: "/callbacks/p1?secret=wrong-guess-s3cret-callback-ke")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.contains("wrong callback secret"))
            let header = try await client.callback(
                body, path: "/callbacks/p1", headers: [HTTPField.Name("X-Callback-Secret")!: CallbackTestApp.secret])
            #expect(header.status == .ok)
            #expect(try await client.callback(body, path: "/callbacks/nope?secret=x").status == .notFound)
        }
        let logs = app.logs.text
        #expect(logs.contains("callback rejected"))
        #expect(logs.contains("provider=p1"))
        #expect(logs.contains("reason=wrong callback secret"))
        #expect(logs.contains("secret=***"))
        #expect(!logs.contains(CallbackTestApp.secret))
        #expect(!logs.contains("wrong-guess"))
        #expect(try await app.stats().delivered == 0)
    }

    /// Margins of 20–30 s around the 300 s limit absorb the time between taking `now` here and
    /// the server reading its clock (the shared machine is slow under load).
    @Test("a signed body needs no URL secret; a timestamp more than 5 minutes off is 401, 280 s is fine")
    func timestampWindow() async throws {
        let app = try await CallbackTestApp.make()
        try await app.insert(["m1", "m2"])
        try await app.sent("m1")
        try await app.sent("m2")
        let now = CallbackTestApp.now()
        let stale = Self.body("m1", ts: now - 10)
        let fresh = Self.body("m2", ts: now - 10)
        try await app.test { client async throws in
            let old = try await client.callback(stale, path: "/callbacks/p1", headers: Self.signed(stale, at: now - 330))
            #expect(old.status == .unauthorized)
            #expect(old.text.contains("stale"))
            let future = try await client.callback(stale, path: "/callbacks/p1", headers: Self.signed(stale, at: now + 330))
            #expect(future.status == .unauthorized)
            let ok = try await client.callback(fresh, path: "/callbacks/p1", headers: Self.signed(fresh, at: now - 280))
            #expect(ok.status == .ok)
        }
        #expect(try await app.stats().delivered == 1)
    }

    @Test("a replayed signed request inside the window is answered 200 and changes nothing")
    func replayInsideWindow() async throws {
        let app = try await CallbackTestApp.make()
        try await app.insert(["m1"])
        try await app.sent("m1")
        let now = CallbackTestApp.now()
        let body = Self.body("m1", ts: now - 10)
        let headers = Self.signed(body, at: now)
        try await app.test { client async throws in
            #expect(try await client.callback(body, path: "/callbacks/p1", headers: headers).status == .ok)
            let first = try await client.api("/api/v1/campaigns/c1/stats").text
            let firstTrend = try await client.api("/api/v1/campaigns/c1/trend").text
            #expect(try await client.callback(body, path: "/callbacks/p1", headers: headers).status == .ok)
            #expect(try await client.api("/api/v1/campaigns/c1/stats").text == first)
            #expect(try await client.api("/api/v1/campaigns/c1/trend").text == firstTrend)
        }
        #expect(try await app.stats().delivered == 1)
    }

    @Test("a tampered body, a signature under another key, or a wrong URL secret next to a good signature is 401")
    func tampered() async throws {
        let app = try await CallbackTestApp.make()
        let now = CallbackTestApp.now()
        let body = Self.body("m1", ts: now)
        let tamperedBody = Self.body("m2", ts: now)
        try await app.test { client async throws in
            #expect(try await client.callback(tamperedBody, path: "/callbacks/p1", headers: Self.signed(body, at: now)).status == .unauthorized)
            #expect(try await client.callback(body, path: "/callbacks/p1", headers: Self.signed(body, at: now, key: "other")).status == .unauthorized)
            #expect(try await client.callback(body, path: "/callbacks/p1?secret=nope", headers: Self.signed(body, at: now)).status == .unauthorized)
            let noTimestamp: HTTPFields = [HTTPField.Name("X-SMSStats-Signature")!: "sha256=00"]
            #expect(try await client.callback(body, path: "/callbacks/p1", headers: noTimestamp).status == .unauthorized)
        }
        #expect(!app.logs.text.contains(CallbackTestApp.secret))
    }

    @Test("a provider that requires signatures refuses the URL secret alone")
    func signatureRequired() async throws {
        let app = try await CallbackTestApp.make(requireSignature: true)
        let now = CallbackTestApp.now()
        let body = Self.body("m1", ts: now)
        try await app.test { client async throws in
            let plain = try await client.callback(body)
            #expect(plain.status == .unauthorized)
            #expect(plain.text.contains("requires X-SMSStats-Signature"))
            #expect(try await client.callback(body, path: "/callbacks/p1", headers: Self.signed(body, at: now)).status == .ok)
        }
    }

    @Test("golden HMAC-SHA256 over raw bytes with extra spaces (value computed with Python's hmac)")
    func goldenSignature() throws {
        let body = #"[{"event": "delivered",  "data": [ {"meta": "m1", "ts": 1700000000} ] } ]"#
        #expect(
            CallbackAuthenticator.hmacSHA256Hex(key: "s3cret-callback-key", timestamp: "1700000000", body: Array(body.utf8))
                == "f49b6b08f0ab2c7670163b2f69e3233d4d0d372be1f75a8d9568172e5711d376")
        let provider = ProviderConfig(id: "p1", name: "P", url: "http://x", bodyTemplate: "", callbackSecret: "s3cret-callback-key", createdAt: 0)
        let credentials = CallbackAuthenticator.Credentials(
            urlSecret: nil, timestamp: "1700000000",
            signature: "sha256=f49b6b08f0ab2c7670163b2f69e3233d4d0d372be1f75a8d9568172e5711d376", twilioSignature: nil)
        #expect(throws: Never.self) {
            try CallbackAuthenticator.checkBody(
                credentials, provider: provider, body: Array(body.utf8), now: 1_700_000_300, twilioURL: "", formFields: [])
        }
        #expect(throws: CallbackAuthenticator.Failure.self) {
            try CallbackAuthenticator.checkBody(
                credentials, provider: provider, body: Array(body.utf8), now: 1_700_000_301, twilioURL: "", formFields: [])
        }
    }

    @Test("golden Twilio signature: the example of Twilio's 'Secure webhooks' page")
    func goldenTwilio() {
        let params = [
            ("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"), ("From", "+12349013030"), ("To", "+18005551212"),
        ]
        #expect(
            CallbackAuthenticator.twilioSignature(key: "12345", url: "https://mycompany.com/myapp.php?foo=1&bar=2", params: params)
                == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    }

    @Test("request logs redact the secret query parameter", arguments: [
        ("/callbacks/p1", nil, "/callbacks/p1"),
        ("/callbacks/p1", "secret=abc&meta=m1", "/callbacks/p1?secret=***&meta=m1"),
        ("/callbacks/p1", "meta=m1&SECRET=abc&type=%d", "/callbacks/p1?meta=m1&SECRET=***&type=%d"),
        ("/x", "secretive=1", "/x?secretive=1"),
    ] as [(String, String?, String)])
    func redaction(path: String, query: String?, expected: String) {
        #expect(RedactingLogRequestsMiddleware<AppRequestContext>.redacted(path: path, query: query) == expected)
    }
}
