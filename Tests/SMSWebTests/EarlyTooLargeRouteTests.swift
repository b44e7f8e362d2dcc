import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import Testing

/// Issue 12 (a new user's findings, item 6): a request that declares a `Content-Length` over its
/// route's limit is answered 413 naming the limit before a byte of the body is read, on admin and
/// callback routes; an oversize callback with the right secret is kept as an ingestion error
/// without its body (the request line, the secret taken out), replayable with the body as a
/// correction.
@Suite("413 before the body is read")
struct EarlyTooLargeRouteTests {
    typealias App = ClickTestApp

    /// Sends only the head of a request declaring `length` bytes (no byte of the body ever
    /// follows) and waits for the answer: a server that waited for the body would answer nothing
    /// before the client's timeout (30 s), so an answer at all shows the body was not awaited.
    static func headOnly(_ port: Int, _ requestLine: String, length: Int, extra: String = "") async throws -> String {
        let head = "\(requestLine) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(extra)Content-Type: application/json\r\nContent-Length: \(length)\r\n\r\n"
        return try await RawHTTP.exchangeOnOwnThread(port: port, head: head, bodyBytes: 0, timeoutSeconds: 30).response
    }

    @Test("admin routes: a declared body over the limit is a 413 at once, naming the limit and the declared size")
    func admin() async throws {
        let app = try await App()
        try await app.withClient(.live) { client in
            let port = try #require(client.port)
            let auth = "Authorization: Bearer \(App.token)\r\n"
            for (line, length, message) in [
                ("POST /api/v1/providers", 3_000_000, "provider body over 1000000 bytes (Content-Length: 3000000); nothing of it was read"),
                ("POST /api/v1/campaigns", 1_000_001, "campaign body over 1000000 bytes (Content-Length: 1000001); nothing of it was read"),
                ("POST /api/v1/providers/\(App.providerId)/rotate-secret", 10_001, "rotation body over 10000 bytes (Content-Length: 10001); nothing of it was read"),
            ] {
                let response = try await Self.headOnly(port, line, length: length, extra: auth)
                #expect(response.hasPrefix("HTTP/1.1 413"), "\(line): \(response.prefix(200))")
                #expect(response.contains(#"{"error":{"message":"\#(message)"}}"#), "\(line): \(response)")
                #expect(response.lowercased().contains("connection: close"))
            }
            // Without the admin token the route is not reached: 401, nothing read either.
            let anonymous = try await Self.headOnly(port, "POST /api/v1/providers", length: 3_000_000)
            #expect(anonymous.hasPrefix("HTTP/1.1 401"), "\(anonymous.prefix(200))")
        }
        #expect(try await app.store.campaigns().isEmpty)
    }

    @Test("callbacks: 413 at once; with the right secret the request is kept without its body, replayable with the body")
    func callback() async throws {
        let app = try await App()
        try await app.withClient(.live) { client in
            let port = try #require(client.port)
            let response = try await Self.headOnly(port, "POST /callbacks/\(App.providerId)?secret=\(App.secret)&x=1", length: 6_000_000)
            #expect(response.hasPrefix("HTTP/1.1 413"), "\(response.prefix(200))")
            #expect(response.contains("callback body over 5242880 bytes (Content-Length: 6000000); nothing of it was read"), "\(response)")
            let wrong = try await Self.headOnly(port, "POST /callbacks/\(App.providerId)?secret=nope", length: 6_000_000)
            #expect(wrong.hasPrefix("HTTP/1.1 401"), "\(wrong.prefix(200))")
        }
        let kept = try await app.store.ingestionErrors(limit: 10)
        #expect(kept.count == 1)
        let error = try #require(kept.first)
        #expect(error.reason == "callback body over 5242880 bytes (Content-Length: 6000000); nothing of it was read")
        #expect(error.raw == Array("POST /callbacks/\(App.providerId)?x=1".utf8))
        #expect(error.providerId == App.providerId && error.source == "callback")
        try await app.withClient { client in
            try await client.execute(uri: "/api/v1/ingestion-errors/\(error.id)/replay", method: .post, headers: App.auth) { r in
                #expect(r.status == .unprocessableContent)
                #expect(InputRangeRouteTests.message(r)
                    == #"ingestion error \#(error.id) records a callback refused as too large, whose body was not kept: replay it with {"raw": "<the callback body>"} or {"rawBase64": "<its bytes>"}"#)
            }
            let body = #"[{"event":"delivered","data":[{"meta":"unknown-1","ts":1700000000}]}]"#
            let replay = try String(decoding: JSONSerialization.data(withJSONObject: ["raw": body]), as: UTF8.self)
            try await client.execute(
                uri: "/api/v1/ingestion-errors/\(error.id)/replay", method: .post, headers: App.auth, body: ByteBuffer(string: replay)
            ) { r in #expect(r.status == .ok, "\(String(buffer: r.body))") }
        }
    }
}
