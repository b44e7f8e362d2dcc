import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
import SMSWeb
import Testing

/// Issue 12 (a new user's finding): callbacks accepted a reply at year 2100 while events refused
/// more than 24 h ahead. One rule now (``EventTimeWindow``, `docs/DOMAIN.md` §4 "Event time"): a
/// callback item's time more than 24 h after the server clock is an invalid item naming the field
/// and the allowed range, kept byte for byte, the other items applied; events say the same.
/// SQLite and PostgreSQL.
@Suite("Callbacks and events: a time more than 24 h ahead of the server clock is an invalid item")
struct CallbackTimeWindowRouteTests {
    typealias M = ProviderManagementRouteTests
    static let now: Int64 = 1_800_000_000

    static func reason(_ field: String, _ ts: Int64) -> String {
        "\(field) \(ts) is more than 24 h in the future (now \(now)): allowed from 0 (1970-01-01) to \(now + 86_400) (now + 24 h)"
    }

    @Test("the window's edges: now + 24 h is accepted, one second more is not")
    func edges() {
        #expect(EventTimeWindow.problem(Self.now + 86_400, now: Self.now) == nil)
        #expect(EventTimeWindow.problem(1, now: Self.now) == nil)
        #expect(EventTimeWindow.problem(Self.now + 86_401, now: Self.now) == Self.reason("ts", Self.now + 86_401))
        #expect(EventTimeWindow.problem(.max, now: .max) == nil)
    }

    @Test("generic, Gupshup (ms) and Kannel (GET): the item beyond the window is invalid naming its field, kept as received; the others applied", arguments: StoreKind.allCases)
    func callbacks(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret, now: { Self.now }) { client, t in
            let body = #"[{"event":"replied","data":[{"meta":"m1","ts":1800086400,"incomingText":"ok"},{"meta":"m2","ts":4102444799,"incomingText":"future"}]}]"#
            let r = try await client.execute(
                uri: "/callbacks/p1?secret=\(M.secret)", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)
            ) { ($0.status, String(buffer: $0.body)) }
            #expect(r.0 == .badRequest)
            #expect(r.1.contains(Self.reason("ts", 4_102_444_799).replacingOccurrences(of: "/", with: "\\/")) || r.1.contains(Self.reason("ts", 4_102_444_799)), "\(r.1)")
            #expect(try await t.store.unmatchedCallbacks(receivedBefore: .max, limit: 10).map(\.meta) == ["m1"])
            var kept = try await t.store.ingestionErrors(limit: 10)
            #expect(kept.map(\.reason) == [Self.reason("ts", 4_102_444_799)])
            #expect(kept.map(\.raw) == [Array(#"[{"event":"replied","data":[{"meta":"m2","ts":4102444799,"incomingText":"future"}]}]"#.utf8)])

            try await t.store.insertProvider(ProviderConfig(
                id: "g1", name: "G", kind: .gupshup, url: "http://127.0.0.1:9/gs", bodyTemplate: #"{"to":"$$To","text":"$$Body"}"#,
                callbacksEnabled: true, callbackSecret: M.secret, createdAt: 0))
            let gupshup = #"[{"externalId":"1","eventType":"DELIVERED","eventTs":1800000000000},{"externalId":"2","eventType":"DELIVERED","eventTs":1900000000000}]"#
            let g = try await client.execute(
                uri: "/callbacks/g1?secret=\(M.secret)", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: gupshup)
            ) { $0.status }
            #expect(g == .badRequest)
            kept = try await t.store.ingestionErrors(limit: 10)
            #expect(kept.map(\.reason).filter { $0.hasPrefix("eventTs") } == [Self.reason("eventTs", 1_900_000_000)])
            #expect(kept.contains { $0.raw == Array(#"{"externalId":"2","eventType":"DELIVERED","eventTs":1900000000000}"#.utf8) })

            try await t.store.insertProvider(ProviderConfig(
                id: "k1", name: "K", kind: .kannel, url: "http://127.0.0.1:9/cgi-bin/sendsms", bodyTemplate: "",
                callbacksEnabled: true, callbackSecret: M.secret, createdAt: 0))
            let query = "meta=m9&type=1&ts=1800086401"
            let k = try await client.execute(uri: "/callbacks/k1?secret=\(M.secret)&\(query)", method: .get) { $0.status }
            #expect(k == .badRequest)
            kept = try await t.store.ingestionErrors(limit: 10)
            #expect(kept.contains { $0.raw == Array(query.utf8) && $0.reason == Self.reason("ts", 1_800_086_401) })
            // m1 and Gupshup's first item are kept aside (no such message yet); nothing of m2, 2 or m9.
            #expect(try await t.store.unmatchedCallbacks(receivedBefore: .max, limit: 10).count == 2)
        }
    }

    @Test("events: the same rule and wording (the events route reads the real clock)", arguments: StoreKind.allCases)
    func events(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let real = Int64(Date().timeIntervalSince1970)
            let body = #"[{"eventId":"e1","userId":"u1","name":"purchase","ts":\#(real - 10)},{"eventId":"e2","userId":"u1","name":"purchase","ts":"4102444799"}]"#
            let r = try await client.execute(
                uri: "/api/v1/events", method: .post, headers: [.authorization: "Bearer \(M.token)", .contentType: "application/json"],
                body: ByteBuffer(string: body)
            ) { ($0.status, String(buffer: $0.body)) }
            #expect(r.0 == .badRequest)
            let result = try M.object(r.1)
            #expect(result["stored"] as? Int == 1)
            let invalid = try #require(result["invalid"] as? [[String: Any]])
            let reason = try #require(invalid.first?["reason"] as? String)
            #expect(invalid.count == 1)
            #expect(reason.hasPrefix("ts 4102444799 is more than 24 h in the future (now 17"), "\(reason)")
            #expect(reason.hasSuffix(" (now + 24 h)") && reason.contains("): allowed from 0 (1970-01-01) to 17"), "\(reason)")
            let kept = try await t.store.ingestionErrors(limit: 10)
            #expect(kept.count == 1)
            #expect(kept.first?.reason.contains("ts 4102444799 is more than 24 h in the future") == true, "\(kept.map(\.reason))")
        }
    }
}
