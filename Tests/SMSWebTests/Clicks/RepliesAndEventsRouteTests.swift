import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreSQLite
import Testing

@testable import SMSWeb

@Suite("Replies, opt-outs and conversion events through the HTTP API")
struct RepliesAndEventsRouteTests {
    static func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
    static let callbackURI = "/callbacks/\(ClickTestApp.providerId)?secret=\(ClickTestApp.secret)"

    static func stats(_ client: any TestClientProtocol, _ id: String) async throws -> [String: JSONValue] {
        try await client.execute(uri: "/api/v1/campaigns/\(id)/stats", method: .get, headers: ClickTestApp.auth) { r in
            try JSONDecoder().decode([String: JSONValue].self, from: Data(buffer: r.body))
        }
    }

    static func publish(_ client: any TestClientProtocol, body: String, users: [String]) async throws -> (id: String, errors: Int) {
        let created = try await client.execute(
            uri: "/api/v1/campaigns", method: .post, headers: ClickTestApp.auth,
            body: json(
                #"{"name":"n","providerId":"\#(ClickTestApp.providerId)","body":"\#(body)","audience":{"userIds":[\#(users.map { "\"\($0)\"" }.joined(separator: ","))]}}"#
            )
        ) { r in
            #expect(r.status == .created)
            return try JSONDecoder().decode([String: JSONValue].self, from: Data(buffer: r.body))
        }
        let id = try #require(created["id"]?.stringValue)
        let summary = try await client.execute(uri: "/api/v1/campaigns/\(id)/publish", method: .post, headers: ClickTestApp.auth) { r in
            try JSONDecoder().decode([String: JSONValue].self, from: Data(buffer: r.body))
        }
        return (id, Int(summary["dispatchErrors"]?.numberValue ?? -1))
    }

    /// STOP through the callback endpoint → replies 1, opt-outs 1; the next campaign holds the
    /// user as a dispatch error "user opted out / DND"; START → the one after sends again.
    @Test func stopThenStartAcrossCampaigns() async throws {
        let app = try await ClickTestApp()
        try await app.addProfiles(["u1", "u2"])
        try await app.withClient { client in
            let first = try await Self.publish(client, body: "Hello", users: ["u1", "u2"])
            #expect(first.errors == 0)
            _ = try await app.dispatcher.runOnce()
            let meta = try #require(await app.meta(for: "u1", campaignId: first.id))
            let t = app.sentAt + 30
            try await client.execute(
                uri: Self.callbackURI, method: .post, headers: [.contentType: "application/json"],
                body: Self.json(#"[{"event":"replied","data":[{"meta":"\#(meta)","ts":\#(t),"incomingText":"Stop"}]}]"#)
            ) { r in #expect(r.status == .ok) }
            let s1 = try await Self.stats(client, first.id)
            #expect(s1["replies"] == .number(1))
            #expect(s1["optOuts"] == .number(1))
            #expect(try await app.store.profile(userId: "u1")?.optedOut == true)

            let second = try await Self.publish(client, body: "Again", users: ["u1", "u2"])
            #expect(second.errors == 1)
            _ = try await app.dispatcher.runOnce()
            try await client.execute(uri: "/api/v1/campaigns/\(second.id)/errors", method: .get, headers: ClickTestApp.auth) { r in
                #expect(r.body.text.contains(#"{"count":1,"reason":"user opted out / DND"}"#))
            }
            let s2 = try await Self.stats(client, second.id)
            #expect(s2["sent"] == .number(1))
            #expect(s2["dispatchErrors"] == .number(1))
            #expect(await app.meta(for: "u1", campaignId: second.id) == nil)  // never handed to the provider

            try await client.execute(
                uri: Self.callbackURI, method: .post, headers: [.contentType: "application/json"],
                body: Self.json(#"[{"event":"replied","data":[{"meta":"\#(meta)","ts":\#(t + 10),"incomingText":"START"}]}]"#)
            ) { r in #expect(r.status == .ok) }
            #expect(try await app.store.profile(userId: "u1")?.optedOut == false)
            let third = try await Self.publish(client, body: "Welcome back", users: ["u1"])
            #expect(third.errors == 0)
        }
    }

    @Test func eventBatchStoresValidKeepsInvalidAndIsIdempotent() async throws {
        let app = try await ClickTestApp()
        let now = Int64(Date().timeIntervalSince1970)
        let body = """
            [{"eventId":"e1","userId":"u1","name":"purchase","ts":\(now - 10),"properties":{"value":9.99}},
             {"eventId":"e2","userId":"nobody-yet","name":"purchase","ts":\((now - 20) * 1000)},
             {"eventId":"e3","userId":"u1","name":"purchase","ts":\(now + 90_000)},
             {"userId":"u1","ts":"yesterday"},
             {"eventId":"e5","userId":"u1","name":"purchase","ts":\(now + 3_600),"properties":[1,2]},
             "not an object",
             {"eventId":"e1","userId":"u1","name":"purchase","ts":\(now - 10)}]
            """
        try await app.withClient { client in
            try await client.execute(uri: "/api/v1/events", method: .post, headers: ClickTestApp.auth, body: Self.json(body)) { r in
                #expect(r.status == .badRequest)
                let result = try JSONDecoder().decode([String: JSONValue].self, from: Data(buffer: r.body))
                #expect(result["stored"] == .number(2))
                #expect(result["duplicates"] == .number(1))
                guard case .array(let invalid)? = result["invalid"] else { Issue.record("no invalid list"); return }
                let reasons = invalid.compactMap { item -> String? in
                    guard case .object(let o) = item else { return nil }
                    return "\(o["index"]?.stringValue ?? "?"): \(o["reason"]?.stringValue ?? "?")"
                }
                // The server's clock may have moved a second past the test's `now`.
                #expect(reasons.first?.hasPrefix("2: ts \(now + 90_000) is more than 24 h in the future (now 17") == true)
                #expect(
                    reasons.dropFirst() == [
                        "3: missing fields: eventId, name; ts must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000 (got 'yesterday')",
                        "4: properties must be an object",
                        "5: event must be a JSON object",
                    ])
            }
            // The same batch again: nothing new is stored.
            try await client.execute(
                uri: "/api/v1/events", method: .post, headers: ClickTestApp.auth,
                body: Self.json(#"[{"eventId":"e1","userId":"u1","name":"purchase","ts":\#(now - 10)}]"#)
            ) { r in
                #expect(r.status == .ok)
                #expect(r.body.text == #"{"duplicates":1,"invalid":[],"stored":0}"#)
            }
            try await client.execute(uri: "/api/v1/ingestion-errors", method: .get, headers: ClickTestApp.auth) { r in
                #expect(r.body.text.contains("is more than 24 h in the future"))
                #expect(r.body.text.contains(#"\"eventId\":\"e3\""#) || r.body.text.contains(#"eventId\":\"e3"#))
            }
            try await client.execute(
                uri: "/api/v1/events", method: .post, headers: ClickTestApp.auth, body: Self.json(#"{"eventId":"x"}"#)
            ) { r in
                #expect(r.status == .badRequest)
                #expect(r.body.text.contains("body must be a JSON array"))
            }
        }
    }

    /// Events arrive for a user before any profile exists (with a ts in the next 24 h); the profile
    /// and a campaign come later; the event is attributed (events are keyed by user id).
    @Test func eventForUnknownUserIsAttributedOnceTheProfileIsSent() async throws {
        let app = try await ClickTestApp()
        let goal = ConversionGoal(event: "signup", windowMinutes: 60, revenueProperty: "cents", revenueUnit: .minor)
        let ts = app.sentAt + 300
        try await app.withClient { client in
            try await client.execute(
                uri: "/api/v1/events", method: .post, headers: ClickTestApp.auth,
                body: Self.json(#"[{"eventId":"early-1","userId":"late-user","name":"signup","ts":\#(ts),"properties":{"cents":"1250"}}]"#)
            ) { r in #expect(r.status == .ok) }
        }
        #expect(try await app.store.profile(userId: "late-user") == nil)
        try await app.addProfiles(["late-user"])
        let c = try await app.sendCampaign(id: "cmp_late", body: "Join us", users: ["late-user"], goal: goal)
        let s = try await app.stats(c.id)
        #expect((s.sent, s.convertedUsers, s.revenueCents, s.convertedPercent) == (1, 1, 1_250, 100))
    }

    @Test func tooManyEventsIs413() async throws {
        let app = try await ClickTestApp()
        let many = "[" + (0..<10_001).map { #"{"eventId":"e\#($0)","userId":"u","name":"n","ts":1}"# }.joined(separator: ",") + "]"
        try await app.withClient { client in
            try await client.execute(uri: "/api/v1/events", method: .post, headers: ClickTestApp.auth, body: Self.json(many)) { r in
                #expect(r.status == .contentTooLarge)
                #expect(r.body.text.contains("10001 events in one request; at most 10000"))
            }
        }
    }
}
