import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Provider management (issue 15): PATCH validated like creation, callback-secret rotation with a
/// grace period, disable / enable, DELETE refused while campaigns use the provider; on SQLite and
/// PostgreSQL.
@Suite("Provider management: PATCH, rotate-secret, disable/enable, DELETE")
struct ProviderManagementRouteTests {
    static let token = "admin-token"
    static let secret = "s3cret-callback-key"
    static let t0: Int64 = 1_800_000_000

    static func call(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil
    ) async throws -> (status: HTTPResponse.Status, text: String) {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        if body != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            ($0.status, String(buffer: $0.body))
        }
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    static func message(_ text: String) -> String {
        ((try? object(text))?["error"] as? [String: Any])?["message"] as? String ?? text
    }

    static func callback(_ client: any TestClientProtocol, secret: String, meta: String = "m1", headers extra: HTTPFields = [:], query: Bool = true) async throws -> HTTPResponse.Status {
        let body = #"[{"event":"delivered","data":[{"meta":"\#(meta)","ts":\#(t0 - 10)}]}]"#
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        let uri = query ? "/callbacks/p1?secret=\(secret)" : "/callbacks/p1"
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) { $0.status }
    }

    // MARK: PATCH

    @Test("PATCH changes any creation field (credentials too, never shown back) and keeps id, secret and createdAt", arguments: StoreKind.allCases)
    func patchChanges(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: Self.secret) { client, t in
            let r = try await Self.call(
                client, .patch, "/api/v1/providers/p1",
                #"{"name":"Renamed","url":"https://gw.example/v2/send","auth":{"type":"bearer","token":"tok-NEW-123"},"maxConcurrency":8,"headers":{"X-Api-Key":"k-9"}}"#)
            #expect(r.status == .ok, "\(r.text)")
            let shown = try Self.object(r.text)
            #expect(shown["name"] as? String == "Renamed")
            #expect(shown["url"] as? String == "https://gw.example/v2/send")
            #expect(shown["maxConcurrency"] as? Int == 8)
            #expect((shown["auth"] as? [String: Any])?["token"] as? String == ProviderAuth.mask)
            #expect((shown["headers"] as? [String: Any])?["X-Api-Key"] as? String == ProviderAuth.mask)
            #expect(!r.text.contains("tok-NEW-123") && !r.text.contains("k-9"))
            #expect(shown["callbackUrl"] as? String == "https://s.example/callbacks/p1?secret=\(Self.secret)")
            let stored = try #require(try await t.store.provider(id: "p1"))
            #expect(stored.name == "Renamed")
            #expect(stored.auth == ProviderAuth(type: .bearer, token: "tok-NEW-123"))
            #expect(stored.headers == ["X-Api-Key": "k-9"])
            #expect(stored.callbackSecret == Self.secret)
            #expect(stored.createdAt == 0)
            #expect(stored.bodyTemplate == #"{"to":"$$To","text":"$$Body"}"#)
            // null clears an optional field.
            let cleared = try await Self.call(client, .patch, "/api/v1/providers/p1", #"{"maxConcurrency":null,"auth":null}"#)
            #expect(cleared.status == .ok)
            let after = try #require(try await t.store.provider(id: "p1"))
            #expect(after.maxConcurrency == nil && after.auth == nil && after.name == "Renamed")
            let unknown = try await Self.call(client, .patch, "/api/v1/providers/nope", #"{"name":"x"}"#)
            #expect(unknown.status == .notFound)
            #expect(Self.message(unknown.text) == "unknown provider 'nope'")
        }
    }

    @Test("PATCH with an invalid field is a 400 naming it (and its range) and changes nothing", arguments: StoreKind.allCases)
    func patchInvalid(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: Self.secret) { client, t in
            let before = try #require(try await t.store.provider(id: "p1"))
            let cases: [(String, String)] = [
                (#"{"name":"changed","maxConcurrency":65}"#, "invalid provider: maxConcurrency must be an integer from 1 to 64 requests in flight (got 65)"),
                (#"{"name":"changed","ratePerSecond":0}"#, "invalid provider: ratePerSecond must be a number from 0.001 to 10000 messages per second (got 0)"),
                (#"{"name":"changed","batch":{"key":"m","size":1001}}"#, "invalid provider: batch.size must be an integer from 1 to 1000 messages per request (got 1001)"),
                (#"{"name":"changed","method":"PUT"}"#, "invalid provider: method must be POST or GET"),
                (#"{"name":"changed","url":"ftp://x"}"#, "invalid provider: url must be an absolute http(s) URL"),
                (#"{"name":"  "}"#, "invalid provider: name is empty"),
                (#"{"name":null}"#, "invalid provider: name is null, expected a string"),
                (#"{"name":"changed","callbackSecret":"mine"}"#,
                 "invalid provider: unknown field 'callbackSecret': the fields are auth, batch, bodyTemplate, bodyType, callbacksEnabled, coding, detectsEncoding, headers, kind, maxConcurrency, messageIdHeader, messageIdPath, messageIdPattern, method, name, ratePerSecond, requireSignature, secrets, url, webhookSigningKey"),
                (#"["name"]"#, "invalid provider: a PATCH body must be a JSON object of the fields to change"),
            ]
            for (body, expected) in cases {
                let r = try await Self.call(client, .patch, "/api/v1/providers/p1", body)
                #expect(r.status == .badRequest, "\(body)")
                #expect(Self.message(r.text) == expected, "\(body)")
            }
            #expect(try await t.store.provider(id: "p1") == before)
        }
    }

    // MARK: rotate-secret

    @Test("rotate-secret: the old secret is accepted inside the grace period (URL and signature) and 401 after it", arguments: StoreKind.allCases)
    func rotation(kind: StoreKind) async throws {
        let clock = EpochClock(Self.t0)
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: Self.secret, now: { clock.now }) { client, t in
            let r = try await Self.call(client, .post, "/api/v1/providers/p1/rotate-secret", #"{"graceSeconds":3600}"#)
            #expect(r.status == .ok, "\(r.text)")
            let answer = try Self.object(r.text)
            #expect(Set(answer.keys) == ["callbackUrl", "callbackSecret", "previousSecretValidUntil"])
            let newSecret = try #require(answer["callbackSecret"] as? String)
            #expect(newSecret.count == 30 && newSecret != Self.secret)
            #expect(answer["callbackUrl"] as? String == "https://s.example/callbacks/p1?secret=\(newSecret)")
            #expect(answer["previousSecretValidUntil"] as? Int == Int(Self.t0) + 3600)
            // GET shows the new URL; the previous secret is never shown back.
            let got = try await Self.call(client, .get, "/api/v1/providers/p1")
            #expect(!got.text.contains(Self.secret))
            #expect(try Self.object(got.text)["previousSecretValidUntil"] as? Int == Int(Self.t0) + 3600)

            clock.set(Self.t0 + 3599)
            #expect(try await Self.callback(client, secret: Self.secret) == .ok)
            #expect(try await Self.callback(client, secret: newSecret) == .ok)
            let ts = "\(Self.t0 + 3599)"
            let body = #"[{"event":"delivered","data":[{"meta":"m2","ts":\#(Self.t0 - 10)}]}]"#
            let oldMAC = CallbackAuthenticator.hmacSHA256Hex(key: Self.secret, timestamp: ts, body: Array(body.utf8))
            let signedOld: HTTPFields = [HTTPField.Name("X-SMSStats-Timestamp")!: ts, HTTPField.Name("X-SMSStats-Signature")!: "sha256=" + oldMAC]
            #expect(try await Self.callback(client, secret: "", meta: "m2", headers: signedOld, query: false) == .ok)

            clock.set(Self.t0 + 3600)
            #expect(try await Self.callback(client, secret: Self.secret) == .unauthorized)
            #expect(try await Self.callback(client, secret: newSecret) == .ok)
            let ts2 = "\(Self.t0 + 3600)"
            let oldMAC2 = CallbackAuthenticator.hmacSHA256Hex(key: Self.secret, timestamp: ts2, body: Array(body.utf8))
            let signedOld2: HTTPFields = [HTTPField.Name("X-SMSStats-Timestamp")!: ts2, HTTPField.Name("X-SMSStats-Signature")!: "sha256=" + oldMAC2]
            #expect(try await Self.callback(client, secret: "", meta: "m2", headers: signedOld2, query: false) == .unauthorized)
            #expect(try await t.store.provider(id: "p1")?.callbackSecret == newSecret)
        }
    }

    @Test("rotate-secret: no body = 24 h; graceSeconds outside 0…30 days is a 400 naming the range and rotates nothing", arguments: StoreKind.allCases)
    func rotationDefaultsAndRange(kind: StoreKind) async throws {
        let clock = EpochClock(Self.t0)
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: Self.secret, now: { clock.now }) { client, t in
            for body in [#"{"graceSeconds":2592001}"#, #"{"graceSeconds":-1}"#] {
                let bad = try await Self.call(client, .post, "/api/v1/providers/p1/rotate-secret", body)
                #expect(bad.status == .badRequest)
                let got = body.contains("-1") ? "-1" : "2592001"
                #expect(Self.message(bad.text) == "invalid rotation: graceSeconds must be an integer from 0 to 2592000 seconds (got \(got))")
            }
            #expect(try await t.store.provider(id: "p1")?.callbackSecret == Self.secret)
            let r = try await Self.call(client, .post, "/api/v1/providers/p1/rotate-secret")
            #expect(r.status == .ok)
            #expect(try Self.object(r.text)["previousSecretValidUntil"] as? Int == Int(Self.t0) + 86_400)
            let zero = try await Self.call(client, .post, "/api/v1/providers/p1/rotate-secret", #"{"graceSeconds":0}"#)
            #expect(try Self.object(zero.text)["previousSecretValidUntil"] as? Int == Int(Self.t0))
            // The secret before the second rotation is refused at once; the first one is gone.
            let firstNew = try #require(try Self.object(r.text)["callbackSecret"] as? String)
            #expect(try await Self.callback(client, secret: firstNew) == .unauthorized)
            #expect(try await Self.callback(client, secret: Self.secret) == .unauthorized)
            #expect(try await Self.call(client, .post, "/api/v1/providers/nope/rotate-secret").status == .notFound)
        }
    }

    // MARK: disable / enable

    @Test("a disabled provider sends nothing (messages stay queued, callbacks accepted); after enable they are sent", arguments: StoreKind.allCases)
    func disableEnable(kind: StoreKind) async throws {
        // The server clock at t0: the callback below reports ts t0 - 10, which must not be more than 24 h ahead of it (EventTimeWindow).
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: Self.secret, now: { Self.t0 }) { client, t in
            let users = (0..<5).map { "u\($0)" }
            try await t.store.upsertProfiles(users.enumerated().map { i, id in Profile(userId: id, phone: "+49151123400\(i)", phoneValid: true) })
            try await t.store.insertCampaign(Campaign(
                id: "c1", name: "Spring", providerId: "p1", body: "Hello", links: [], audience: .userIds(users), timezone: "UTC",
                goal: nil, createdAt: 0))
            let gateway = FakeGateway()
            let clock = EpochClock(1_700_000_000)
            let dispatcher = Dispatcher(
                store: t.store, gateway: gateway, planner: CampaignPlanner(linkBaseURL: "https://s.example"), now: { clock.now })
            _ = try await dispatcher.publish(campaignId: "c1")

            let off = try await Self.call(client, .post, "/api/v1/providers/p1/disable")
            #expect(off.status == .ok)
            #expect(try Self.object(off.text)["disabled"] as? Bool == true)
            #expect(try await dispatcher.runOnce() == 0)
            #expect(await gateway.sent.isEmpty)
            #expect(try await t.store.queuedMessages(campaignId: "c1", limit: 100).count == 5)
            #expect(try await t.store.campaign(id: "c1")?.status == .sending)
            #expect(try await Self.callback(client, secret: Self.secret) == .ok)

            let on = try await Self.call(client, .post, "/api/v1/providers/p1/enable")
            #expect(on.status == .ok)
            #expect(try Self.object(on.text)["disabled"] == nil)
            #expect(try await dispatcher.runOnce() == 5)
            #expect(await gateway.sent.count == 5)
            #expect(try await t.store.campaign(id: "c1")?.status == .completed)
            #expect(try await Self.call(client, .post, "/api/v1/providers/nope/disable").status == .notFound)
        }
    }

    /// Issue 15 (a tester's finding): `"kind": null` turned a provider in use into `generic`
    /// silently, and its campaigns' receipts were then read by another dialect; a second finding:
    /// a completed campaign still waiting for receipts did not hold the kind (receipt window 24 h,
    /// ``ProviderKindChange/receiptWindowSeconds``).
    @Test("PATCH changing kind (null = generic included) of a provider used by a scheduled, sending or paused campaign or one finished less than 24 h ago: 409 naming them, nothing changed; allowed once the window is over", arguments: StoreKind.allCases)
    func patchKindInUse(kind: StoreKind) async throws {
        let clock = EpochClock(Self.t0)
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: Self.secret, now: { clock.now }) { client, t in
            try await t.store.insertProvider(ProviderConfig(
                id: "p2", name: "Twilio", kind: .twilio, url: "http://127.0.0.1:9/sms", bodyTemplate: #"{"to":"$$To","text":"$$Body"}"#,
                callbackSecret: "x", createdAt: 1))
            let campaigns: [(String, String, CampaignStatus, Int64, Int64?)] = [
                ("c1", "Spring sale", .sending, 10, nil), ("c2", "Later", .scheduled, 20, nil), ("c3", "Held", .paused, 30, nil),
                ("c4", "Done", .completed, 5, Self.t0 - 86_400), ("c5", "Idea", .draft, 6, nil),
                ("c6", "Just done", .completed, 40, Self.t0 - 3_600), ("c7", "Stopped", .stopped, 50, Self.t0 - 60),
            ]
            for (id, name, status, at, finished) in campaigns {
                var c = Campaign(
                    id: id, name: name, providerId: "p2", body: "Hi", links: [], audience: .all, timezone: "UTC", goal: nil,
                    status: status, createdAt: at)
                if status == .completed { c.completedAt = finished }
                if status == .stopped { c.stoppedAt = finished }
                try await t.store.insertCampaign(c)
            }
            let version = try await t.store.provider(id: "p2")?.version
            func refusal(_ to: String, _ names: String, _ n: Int) -> String {
                "provider 'p2' is used by \(n) campaign(s) scheduled, sending, paused or finished less than 24 h ago: \(names); its kind (twilio → \(to)) decides how their receipts are read: finish or stop them and wait 24 h after they finished"
            }
            for body in [#"{"kind":null}"#, #"{"kind":"generic"}"#, #"{"kind":"vonage","name":"Renamed"}"#] {
                let r = try await Self.call(client, .patch, "/api/v1/providers/p2", body)
                #expect(r.status == .conflict, "\(body): \(r.text)")
                let to = body.contains("vonage") ? "vonage" : "generic"
                #expect(Self.message(r.text) == refusal(to, "c1 (Spring sale), c2 (Later), c3 (Held), c6 (Just done), c7 (Stopped)", 5))
            }
            let unchanged = try #require(try await t.store.provider(id: "p2"))
            #expect(unchanged.kind == .twilio && unchanged.name == "Twilio" && unchanged.version == version)
            // Other fields still change while it is in use; the kind given as it is changes nothing.
            let renamed = try await Self.call(client, .patch, "/api/v1/providers/p2", #"{"kind":"twilio","name":"Twilio EU"}"#)
            #expect(renamed.status == .ok, "\(renamed.text)")
            #expect(try await t.store.provider(id: "p2")?.name == "Twilio EU")
            // Once none is scheduled, sending or paused, the finished ones hold it for 24 h after they finished.
            for id in ["c1", "c2", "c3"] { try await t.store.setCampaignStatus(id: id, status: .completed, publishedAt: 10) }
            let held = try await Self.call(client, .patch, "/api/v1/providers/p2", #"{"kind":null}"#)
            #expect(held.status == .conflict && Self.message(held.text) == refusal("generic", "c6 (Just done), c7 (Stopped)", 2), "\(held.text)")
            clock.set(Self.t0 - 3_600 + 86_400)  // c6's window is over (it ends before this second), c7's is not
            let stopped = try await Self.call(client, .patch, "/api/v1/providers/p2", #"{"kind":null}"#)
            #expect(Self.message(stopped.text) == refusal("generic", "c7 (Stopped)", 1), "\(stopped.text)")
            clock.set(Self.t0 - 60 + 86_400)
            let changed = try await Self.call(client, .patch, "/api/v1/providers/p2", #"{"kind":null}"#)
            #expect(changed.status == .ok, "\(changed.text)")
            #expect(try Self.object(changed.text)["kind"] as? String == "generic")
            #expect(try await t.store.provider(id: "p2")?.kind == .generic)
        }
    }

    // MARK: DELETE

    @Test("DELETE: 409 naming the campaigns that use the provider (nothing deleted); 204 when none does; then 404", arguments: StoreKind.allCases)
    func delete(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: Self.secret) { client, t in
            for (id, name, at) in [("c1", "Spring sale", Int64(10)), ("c2", "Winter", Int64(20))] {
                try await t.store.insertCampaign(Campaign(
                    id: id, name: name, providerId: "p1", body: "Hi", links: [], audience: .all, timezone: "UTC", goal: nil, createdAt: at))
            }
            let inUse = try await Self.call(client, .delete, "/api/v1/providers/p1")
            #expect(inUse.status == .conflict)
            #expect(inUse.text == #"{"campaigns":[{"id":"c1","name":"Spring sale"},{"id":"c2","name":"Winter"}],"error":{"message":"provider 'p1' is used by 2 campaign(s): c1 (Spring sale), c2 (Winter)"}}"#)
            #expect(try await t.store.provider(id: "p1") != nil)

            try await t.store.insertProvider(ProviderConfig(
                id: "p2", name: "Spare", url: "http://127.0.0.1:9/sms", bodyTemplate: #"{"to":"$$To"}"#, callbackSecret: "x", createdAt: 1))
            let gone = try await Self.call(client, .delete, "/api/v1/providers/p2")
            #expect(gone.status == .noContent)
            #expect(gone.text.isEmpty)
            #expect(try await t.store.provider(id: "p2") == nil)
            #expect(try await Self.call(client, .get, "/api/v1/providers/p2").status == .notFound)
            let again = try await Self.call(client, .delete, "/api/v1/providers/p2")
            #expect(again.status == .notFound)
            #expect(Self.message(again.text) == "unknown provider 'p2'")
            #expect(try await t.store.providers().map(\.id) == ["p1"])
        }
    }
}
