import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import Testing

@testable import SMSWeb

/// PITFALLS.md #1–7 and 19 (`docs/PITFALLS.md`) through the HTTP routes: callbacks in, stats out of the API.
@Suite("Callback pitfalls through HTTP")
struct CallbackPitfallRouteTests {
    static func delivered(_ meta: String, ts: Int64, extra: String = "") -> String {
        #"[{"event":"delivered","data":[{"meta":"\#(meta)","ts":\#(ts)\#(extra)}]}]"#
    }

    static func stats(_ client: any TestClientProtocol) async throws -> [String: Any] {
        try #require(try await client.api("/api/v1/campaigns/c1/stats").json() as? [String: Any])
    }

    @Test("PITFALLS.md #1: a receipt 50 ms before the message is stored → 200, held, then Sent and Delivered count it once")
    func receiptBeforeSend() async throws {
        let app = try await CallbackTestApp.make()
        let now = CallbackTestApp.now()
        try await app.test { client async throws in
            let early = try await client.callback(Self.delivered("m1", ts: now))
            #expect(early.status == .ok)
            #expect(try await Self.stats(client)["delivered"] as? Int == 0)
            try await app.insert(["m1"], createdAt: now)
            // The provider reported on it, so it was sent: the dispatcher does not hand it out again.
            #expect(try await app.store.queuedMessages(campaignId: "c1", limit: 10).isEmpty)
            let stats = try await Self.stats(client)
            #expect((stats["sent"] as? Int, stats["delivered"] as? Int) == (1, 1))
            #expect(try await client.callback(Self.delivered("m1", ts: now)).status == .ok)  // the retry
            #expect(try await Self.stats(client)["delivered"] as? Int == 1)
        }
    }

    @Test("PITFALLS.md #2: two parts, delivered then failed 914 → Sent 1, Delivered 1, Failed 0")
    func multiPart() async throws {
        let app = try await CallbackTestApp.make()
        try await app.insert(["m1"], segments: 2)
        try await app.sent("m1")
        let now = CallbackTestApp.now()
        try await app.test { client async throws in
            #expect(try await client.callback(Self.delivered("m1", ts: now - 10)).status == .ok)
            #expect(try await client.callback(#"[{"event":"failed","data":[{"meta":"m1","ts":\#(now - 9),"code":"914"}]}]"#).status == .ok)
            let s = try await Self.stats(client)
            #expect((s["sent"] as? Int, s["sentSegments"] as? Int, s["delivered"] as? Int, s["failed"] as? Int) == (1, 2, 1, 0))
            let errors = try #require(try await client.api("/api/v1/campaigns/c1/errors").json() as? [String: Any])
            #expect((errors["delivery"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("PITFALLS.md #3: Twilio 'delivered' then a late 'sent' → still delivered, trend unchanged")
    func lateSent() async throws {
        let app = try await CallbackTestApp.make(kind: .twilio)
        try await app.insert(["m1"])
        try await app.sent("m1", providerMessageId: "SM0001")
        try await app.test { client async throws in
            let form = "application/x-www-form-urlencoded"
            #expect(try await client.callback("MessageSid=SM0001&MessageStatus=delivered", contentType: form).status == .ok)
            let before = try await client.api("/api/v1/campaigns/c1/trend?granularity=day").text
            #expect(try await client.callback("MessageSid=SM0001&MessageStatus=sent", contentType: form).status == .ok)
            let after = try await client.api("/api/v1/campaigns/c1/trend?granularity=day").text
            #expect(before == after)
            let s = try await Self.stats(client)
            #expect((s["delivered"] as? Int, s["pending"] as? Int) == (1, 0))
        }
    }

    @Test("PITFALLS.md #4: failed 30003 then failed without a code → Errors tab shows 30003 once")
    func failedTwice() async throws {
        let app = try await CallbackTestApp.make(kind: .twilio)
        try await app.insert(["m1"])
        try await app.sent("m1", providerMessageId: "SM0002")
        try await app.test { client async throws in
            let form = "application/x-www-form-urlencoded"
            #expect(try await client.callback("MessageSid=SM0002&MessageStatus=failed&ErrorCode=30003", contentType: form).status == .ok)
            #expect(try await client.callback("MessageSid=SM0002&MessageStatus=failed", contentType: form).status == .ok)
            let errors = try #require(try await client.api("/api/v1/campaigns/c1/errors").json() as? [String: Any])
            let delivery = try #require(errors["delivery"] as? [[String: Any]])
            #expect(delivery.map { $0["code"] as? String } == ["30003"])
            #expect(delivery.map { $0["count"] as? Int } == [1])
            #expect(delivery.first?["description"] as? String == "Unreachable destination handset")
        }
    }

    @Test("PITFALLS.md #5: the same delivered three times in one second with different provider event ids → Delivered 1")
    func tripleDelivered() async throws {
        let app = try await CallbackTestApp.make()
        try await app.insert(["m1"])
        try await app.sent("m1")
        let ts = CallbackTestApp.now() - 5
        let body = """
            [{"event":"delivered","data":[{"meta":"m1","ts":\(ts),"eventId":"e-1"},{"meta":"m1","ts":\(ts),"eventId":"e-2"},
              {"meta":"m1","ts":\(ts),"eventId":"e-3"}]}]
            """
        try await app.test { client async throws in
            let response = try await client.callback(body)
            #expect(response.status == .ok)
            #expect(response.text.contains(#""processed_events":3"#))
            #expect(try await Self.stats(client)["delivered"] as? Int == 1)
        }
    }

    @Test("PITFALLS.md #6: dispatch answered 429, later delivered → Sent 1, Delivered 1, no dispatch error")
    func dispatch429ThenDelivered() async throws {
        let app = try await CallbackTestApp.make()
        try await app.insert(["m1"])
        try await app.record("m1", .failed(reason: "provider HTTP error 429"))
        try await app.test { client async throws in
            #expect(try await Self.stats(client)["dispatchErrors"] as? Int == 1)
            #expect(try await client.callback(Self.delivered("m1", ts: CallbackTestApp.now() - 5)).status == .ok)
            let s = try await Self.stats(client)
            #expect((s["sent"] as? Int, s["delivered"] as? Int, s["dispatchErrors"] as? Int) == (1, 1, 0))
            let errors = try #require(try await client.api("/api/v1/campaigns/c1/errors").json() as? [String: Any])
            #expect((errors["dispatch"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("PITFALLS.md #7: 100 sent, no receipts, 5 clicks → Delivered 5 inferred, CTR 100 %, the page says receipts are missing")
    func noReceipts() async throws {
        let app = try await CallbackTestApp.make()
        let metas = (0..<100).map { "m\($0)" }
        try await app.insert(metas)
        for m in metas { try await app.sent(m) }
        try await app.test { client async throws in
            for m in metas.prefix(5) {
                let hit = try await client.execute(
                    uri: "/l/\(CallbackTestApp.code(m))", method: .get, headers: [.userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)"])
                #expect(hit.status == .found)
            }
            let s = try await Self.stats(client)
            #expect((s["sent"] as? Int, s["delivered"] as? Int, s["inferredDelivered"] as? Int, s["uniqueClicks"] as? Int) == (100, 5, 5, 5))
            #expect(s["ctr"] as? Double == 100)
            let login = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=\(CallbackTestApp.adminToken)&next=%2F"))
            let cookie = try #require(login.headers[.setCookie]?.split(separator: ";").first.map(String.init))
            let page = try await client.execute(uri: "/campaigns/c1", method: .get, headers: [.cookie: cookie])
            #expect(page.status == .ok)
            #expect(page.text.contains(#"id="note-receipts-missing""#))
            #expect(page.text.contains("No delivery receipts have arrived yet"))
        }
    }

    @Test("PITFALLS.md #19: a body with extra spaces verifies against the signature of its raw bytes")
    func signatureOverRawBytes() async throws {
        let app = try await CallbackTestApp.make()
        try await app.insert(["m1"])
        try await app.sent("m1")
        let now = CallbackTestApp.now()
        let body = "[ {\"event\" :  \"delivered\",\n  \"data\": [ {\"meta\": \"m1\",   \"ts\": \(now - 5)} ] } ]  "
        let signature = "sha256=" + CallbackAuthenticator.hmacSHA256Hex(key: CallbackTestApp.secret, timestamp: "\(now)", body: Array(body.utf8))
        let compact = #"[{"event":"delivered","data":[{"meta":"m1","ts":\#(now - 5)}]}]"#
        let reserialised = "sha256=" + CallbackAuthenticator.hmacSHA256Hex(key: CallbackTestApp.secret, timestamp: "\(now)", body: Array(compact.utf8))
        try await app.test { client async throws in
            let headers = { (sig: String) -> HTTPFields in
                [HTTPField.Name("X-SMSStats-Timestamp")!: "\(now)", HTTPField.Name("X-SMSStats-Signature")!: sig]
            }
            // Signed over re-serialised JSON: refused.
            let wrong = try await client.callback(body, path: "/callbacks/p1", headers: headers(reserialised))
            #expect(wrong.status == .unauthorized)
            // Signed over the raw bytes, spaces and all: accepted without the URL secret.
            let ok = try await client.callback(body, path: "/callbacks/p1", headers: headers(signature))
            #expect(ok.status == .ok)
            #expect(try await Self.stats(client)["delivered"] as? Int == 1)
        }
    }
}
