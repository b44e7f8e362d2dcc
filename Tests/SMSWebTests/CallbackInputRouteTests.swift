import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import Testing

@testable import SMSWeb

/// Limits and bad input (`docs/DOMAIN.md` §3): 413 over 5 MB or 10,000 items, 400 for unreadable bodies
/// and invalid items (kept whole, listed, replayable), 503 only when the store fails; unmatched
/// items listed after 24 hours.
@Suite("Callback limits, bad input, replay, unmatched")
struct CallbackInputRouteTests {
    static let maxBytes = 5 * 1024 * 1024

    @Test("a body of exactly 5 MiB is read (over Hummingbird's 2 MB default); one byte more is 413")
    func sizeLimit() async throws {
        let app = try await CallbackTestApp.make()
        let exact = "[" + String(repeating: " ", count: Self.maxBytes - 2) + "]"
        let over = exact + " "
        #expect(exact.utf8.count == 5_242_880)
        try await app.test { client async throws in
            let ok = try await client.callback(exact)
            #expect(ok.status == .ok)
            #expect(ok.text.contains(#""processed_events":0"#))
            let tooBig = try await client.callback(over)
            #expect(tooBig.status == .contentTooLarge)
            #expect(tooBig.text.contains("over 5242880 bytes"))
        }
    }

    @Test("10,000 items are accepted; 10,001 are 413 and nothing is applied")
    func itemLimit() async throws {
        let app = try await CallbackTestApp.make()
        let ts = CallbackTestApp.now()
        @Sendable func body(_ n: Int) -> String {
            #"[{"event":"delivered","data":["# + (0..<n).map { #"{"meta":"x\#($0)","ts":\#(ts)}"# }.joined(separator: ",") + "]}]"
        }
        try await app.test { client async throws in
            let over = try await client.callback(body(10_001))
            #expect(over.status == .contentTooLarge)
            #expect(over.text.contains("10001 items in one callback; at most 10000"))
            #expect(try await app.store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 20_000).count == 0)
            let ok = try await client.callback(body(10_000))
            #expect(ok.status == .ok)
            #expect(ok.text.contains(#""processed_events":10000"#))
        }
        #expect(try await app.store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 20_000).count == 10_000)
    }

    @Test("a GET to a JSON-only dialect is 405 with Allow: POST, and is kept as an ingestion error")
    func getToJSONDialect() async throws {
        let app = try await CallbackTestApp.make()
        try await app.test { client async throws in
            let response = try await client.execute(uri: "/callbacks/p1?secret=\(CallbackTestApp.secret)", method: .get)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "POST")
            #expect(response.text.contains("GET callbacks are not accepted for this generic provider: POST is required"))
        }
        #expect(try await app.store.ingestionErrors(limit: 10).map(\.rawText) == ["GET /callbacks/p1"])
    }

    @Test("malformed JSON is 400 with what is wrong, and the raw body is kept as an ingestion error")
    func malformed() async throws {
        let app = try await CallbackTestApp.make()
        let body = #"[{"event":"delivered","data":[{"meta":"m1","ts":17"#
        try await app.test { client async throws in
            let response = try await client.callback(body)
            #expect(response.status == .badRequest)
            let json = try #require(try response.json() as? [String: Any])
            #expect(json["status"] as? String == "error")
            #expect(json["error_code"] as? Int == 400)
            let message = try #require((json["details"] as? [String: Any])?["message"] as? String)
            #expect(message.hasPrefix("the callback body is not valid JSON"))
            let notArray = try await client.callback(#"{"event":"delivered"}"#)
            #expect(notArray.status == .badRequest)
            let errors = try #require(try await client.api("/api/v1/ingestion-errors").json() as? [[String: Any]])
            #expect(errors.count == 2)
            #expect(errors.last?["raw"] as? String == body)
            #expect(errors.last?["providerId"] as? String == "p1")
            #expect(errors.last?["source"] as? String == "callback")
        }
    }

    @Test("invalid items: 400 naming them, valid ones applied, invalid kept; replay after a fix applies them once")
    func invalidItemsAndReplay() async throws {
        let app = try await CallbackTestApp.make()
        try await app.insert(["m1", "m2"])
        try await app.sent("m1")
        try await app.sent("m2")
        let ts = CallbackTestApp.now() - 10
        let body = #"[{"event":"delivered","data":[{"meta":"m1","ts":\#(ts)},{"meta":"m2"}]},{"event":"sent","data":[{"meta":"m2","ts":\#(ts)}]}]"#
        try await app.test { client async throws in
            let response = try await client.callback(body)
            #expect(response.status == .badRequest)
            let details = try #require((try response.json() as? [String: Any])?["details"] as? [String: Any])
            #expect(details["missing_fields"] as? [String] == ["ts"])
            #expect(details["processed_events"] as? Int == 1)
            let invalid = try #require(details["invalid_items"] as? [[String: Any]])
            #expect(invalid.map { $0["reason"] as? String } == ["missing required fields: ts", "unknown event 'sent'"])
            #expect(invalid.map { $0["group"] as? Int } == [0, 1])
            #expect(try await app.stats().delivered == 1)

            let errors = try #require(try await client.api("/api/v1/ingestion-errors").json() as? [[String: Any]])
            #expect(errors.count == 2)
            let missingTs = try #require(errors.first { $0["reason"] as? String == "missing required fields: ts" })
            #expect(missingTs["raw"] as? String == #"[{"event":"delivered","data":[{"meta":"m2"}]}]"#)
            let id = try #require(missingTs["id"] as? Int)

            // Replaying unchanged: still invalid, nothing applied.
            let still = try await client.api("/api/v1/ingestion-errors/\(id)/replay", method: .post)
            #expect(still.status == .unprocessableContent)
            #expect(still.text.contains("missing required fields: ts"))
            // An operator supplies the corrected item.
            let fixed = #"[{"event":"delivered","data":[{"meta":"m2","ts":\#(ts)}]}]"#
            let replay = try await client.api(
                "/api/v1/ingestion-errors/\(id)/replay", method: .post, body: String(data: try JSONEncoder().encode(["raw": fixed]), encoding: .utf8)!)
            #expect(replay.status == .ok)
            let result = try #require(try replay.json() as? [String: Any])
            #expect((result["applied"] as? Int, result["duplicates"] as? Int, result["pending"] as? Int) == (1, 0, 0))
            #expect(try await app.stats().delivered == 2)
            let twice = try await client.api("/api/v1/ingestion-errors/\(id)/replay", method: .post)
            #expect(twice.status == .conflict)
            #expect(try await client.api("/api/v1/ingestion-errors/999999/replay", method: .post).status == .notFound)
            #expect(try await client.api("/api/v1/ingestion-errors/abc/replay", method: .post).status == .badRequest)
            let after = try #require(try await client.api("/api/v1/ingestion-errors").json() as? [[String: Any]])
            #expect(after.first { $0["id"] as? Int == id }?["replayedAt"] as? Int != nil)
        }
        #expect(try await app.stats().delivered == 2)
    }

    @Test("an item kept under an older mapping ('canceled' unknown) replays as failed once the mapping knows it")
    func replayAfterMappingFix() async throws {
        let app = try await CallbackTestApp.make(kind: .twilio)
        try await app.insert(["m1"])
        try await app.sent("m1", providerMessageId: "SMc0ffee")
        try await app.store.recordIngestionErrors([
            IngestionErrorInput(
                source: "callback", providerId: "p1", reason: "unknown status 'canceled'",
                raw: #"{"MessageSid":"SMc0ffee","MessageStatus":"canceled"}"#, receivedAt: CallbackTestApp.now() - 3_600)
        ])
        let id = try #require(try await app.store.ingestionErrors(limit: 1).first?.id)
        try await app.test { client async throws in
            let replay = try await client.api("/api/v1/ingestion-errors/\(id)/replay", method: .post)
            #expect(replay.status == .ok)
        }
        let s = try await app.stats()
        #expect((s.failed, s.pending) == (1, 0))
    }

    @Test("a store failure is 503 with Retry-After, never 500, and the provider's retry then succeeds")
    func storeFailure() async throws {
        let app = try await CallbackTestApp.make()
        try await app.insert(["m1"])
        try await app.sent("m1")
        let body = #"[{"event":"delivered","data":[{"meta":"m1","ts":\#(CallbackTestApp.now() - 5)}]}]"#
        try await app.test(store: FailingCallbackStore(base: app.store)) { client async throws in
            let response = try await client.callback(body)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "60")
            #expect(response.text.contains("storage unavailable"))
            let malformed = try await client.callback("[")  // storing the bad body fails too
            #expect(malformed.status == .serviceUnavailable)
        }
        #expect(app.logs.text.contains("storage failure"))
        #expect(!app.logs.text.contains(CallbackTestApp.secret))
        try await app.test { client async throws in
            #expect(try await client.callback(body).status == .ok)
        }
        #expect(try await app.stats().delivered == 1)
    }

    @Test("unknown meta: 200, kept aside; listed as unmatched only after 24 hours")
    func unmatched() async throws {
        let app = try await CallbackTestApp.make()
        let now = CallbackTestApp.now()
        _ = try await app.store.applyCallbacks(
            providerId: "p1", items: [CallbackItem(kind: .delivered, meta: "ghost", ts: now - 90_000)], receivedAt: now - 90_000)
        try await app.test { client async throws in
            let fresh = try await client.callback(#"[{"event":"failed","data":[{"meta":"later","ts":\#(now),"code":"914"}]}]"#)
            #expect(fresh.status == .ok)
            let list = try #require(try await client.api("/api/v1/callbacks/unmatched").json() as? [[String: Any]])
            #expect(list.map { $0["meta"] as? String } == ["ghost"])
            #expect(list.first?["event"] as? String == "delivered")
            #expect(list.first?["providerId"] as? String == "p1")
            #expect(list.first?["receivedAt"] as? Int == Int(now - 90_000))
            #expect(try await client.execute(uri: "/api/v1/callbacks/unmatched", method: .get).status == .unauthorized)
        }
        // The message of the fresh one appears: matched at once, the ghost stays listed.
        try await app.insert(["later"])
        #expect(try await app.stats().failed == 1)
        #expect(try await app.store.unmatchedCallbacks(receivedBefore: now + 1, limit: 10).map(\.meta) == ["ghost"])
    }
}
