import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Issue 12: every admin JSON body is decoded by the one strict decoder (``JSONBody/decode(_:)``),
/// which refuses a key the route does not take with a 400 naming its path and the fields, instead
/// of silently losing the value; nothing is written then. On SQLite and PostgreSQL.
@Suite("Admin bodies: an unknown key is a 400 naming it")
struct UnknownFieldRouteTests {
    typealias M = ProviderManagementRouteTests

    static let campaignFields = "audience, body, controlGroupPercent, customValues, defaults, goal, name, providerId, sendAt, templateId, timezone, variants"
    static let providerFields = "auth, batch, bodyTemplate, bodyType, callbacksEnabled, coding, detectsEncoding, headers, kind, maxConcurrency, messageIdHeader, messageIdPath, messageIdPattern, method, name, ratePerSecond, requireSignature, secrets, url, webhookSigningKey"

    static func seed(_ t: TestStore) async throws {
        try await t.store.upsertProfiles([Profile(userId: "u1", phone: "+4915112345678", phoneValid: true)])
    }

    static let campaign = #""name":"Spring","providerId":"p1","body":"Hi","audience":{"all":true}"#

    @Test("creation bodies: a misspelt or unsupported key is refused naming it; nothing is created", arguments: StoreKind.allCases)
    func creation(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await Self.seed(t)
            let cases: [(String, String, String)] = [
                ("/api/v1/campaigns", "{\(Self.campaign),\"controlGroupPrecent\":10}",
                 "invalid campaign: unknown field 'controlGroupPrecent': the fields are \(Self.campaignFields)"),
                ("/api/v1/campaigns", #"{"name":"S","providerId":"p1","body":"Hi","audience":{"all":true,"segment":2}}"#,
                 "invalid campaign: unknown field 'audience.segment': the fields of audience are all, segmentId, userIds"),
                ("/api/v1/campaigns", "{\(Self.campaign),\"goal\":{\"event\":\"buy\",\"windowMinutes\":60,\"filters\":[{\"property\":\"p\",\"op\":\"equals\",\"value\":1,\"negate\":true}]}}",
                 "invalid campaign: unknown field 'goal.filters[0].negate': the fields of goal.filters[0] are op, property, value"),
                ("/api/v1/campaigns", "{\(Self.campaign),\"goal\":{\"event\":\"buy\",\"windowMinutes\":60,\"revenue\":\"amount\"}}",
                 "invalid campaign: unknown field 'goal.revenue': the fields of goal are event, filters, revenueProperty, revenueUnit, windowMinutes"),
                ("/api/v1/providers", #"{"name":"P2","url":"http://127.0.0.1:9/send","bodyTemplate":"{}","ratePerSec":5}"#,
                 "invalid provider: unknown field 'ratePerSec': the fields are \(Self.providerFields)"),
                ("/api/v1/segments", #"{"name":"x","rules":[{"field":"country","op":"eq","value":"DE","vaule":"AT"}]}"#,
                 "invalid segment: unknown field 'rules[0].vaule': the fields of rules[0] are field, op, value"),
                ("/api/v1/segments", #"{"name":"x","rules":[],"matches":"any"}"#,
                 "invalid segment: unknown field 'matches': the fields are match, name, rules"),
                ("/api/v1/profiles", #"[{"userId":"u2","phone":"+4915112345679","opted_out":true}]"#,
                 "invalid profiles (expected a JSON array of {userId, phone, name?, properties?, region?, optedOut?}): unknown field '[0].opted_out': the fields of [0] are name, optedOut, phone, properties, region, userId"),
                ("/api/v1/dashboard/login-links", #"{"nxt":"/campaigns"}"#, "invalid login link: unknown field 'nxt': the fields are next"),
            ]
            for (path, body, expected) in cases {
                let r = try await M.call(client, .post, path, body)
                #expect(r.status == .badRequest, "\(path) \(body): \(r.text)")
                #expect(M.message(r.text) == expected, "\(path) \(body)")
            }
            #expect(try await t.store.campaigns().isEmpty)
            #expect(try await t.store.providers().map(\.id) == ["p1"])
            #expect(try await t.store.segments().isEmpty)
            #expect(try await t.store.profile(userId: "u2") == nil)
        }
    }

    @Test("action bodies: replay, rotate-secret, disable and the bodiless campaign actions refuse unknown keys", arguments: StoreKind.allCases)
    func actions(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await Self.seed(t)
            let create = try await M.call(client, .post, "/api/v1/campaigns", "{\(Self.campaign)}")
            #expect(create.status == .created, "\(create.text)")
            let id = try #require(try M.object(create.text)["id"] as? String)
            let before = try #require(try await t.store.provider(id: "p1"))
            let cases: [(String, String, String)] = [
                ("/api/v1/ingestion-errors/1/replay", #"{"rwa":"[]"}"#,
                 #"invalid replay body (expected an empty body, {"raw": "<the corrected callback body as text>"} or {"rawBase64": "<its bytes>"}): unknown field 'rwa': the fields are raw, rawBase64"#),
                ("/api/v1/providers/p1/rotate-secret", #"{"graceSecs":5}"#, "invalid rotation: unknown field 'graceSecs': the fields are graceSeconds"),
                ("/api/v1/providers/p1/disable", #"{"x":1}"#, "invalid disable request: unknown field 'x': the body takes no fields"),
                ("/api/v1/providers/p1/enable", #"{"x":1}"#, "invalid enable request: unknown field 'x': the body takes no fields"),
                ("/api/v1/campaigns/\(id)/publish", #"{"dryRun":true}"#, "invalid publish request: unknown field 'dryRun': the body takes no fields"),
                ("/api/v1/campaigns/\(id)/duplicate", #"{"name":"copy"}"#, "invalid duplicate request: unknown field 'name': the body takes no fields"),
                ("/api/v1/campaigns/\(id)/archive", "[]", "invalid archive request: body should be a JSON object"),
            ]
            for (path, body, expected) in cases {
                let r = try await M.call(client, .post, path, body)
                #expect(r.status == .badRequest, "\(path) \(body): \(r.text)")
                #expect(M.message(r.text) == expected, "\(path) \(body)")
            }
            #expect(try await t.store.provider(id: "p1") == before)
            #expect(try await t.store.campaign(id: id)?.status == .draft)
            #expect(try await t.store.campaigns().count == 1)
            // An empty body or `{}` is still an action without fields.
            let disabled = try await M.call(client, .post, "/api/v1/providers/p1/disable", "{}")
            #expect(disabled.status == .ok, "\(disabled.text)")
            #expect(try await t.store.provider(id: "p1")?.disabled == true)
            let enabled = try await M.call(client, .post, "/api/v1/providers/p1/enable")
            #expect(enabled.status == .ok, "\(enabled.text)")
            #expect(try await t.store.provider(id: "p1")?.disabled == nil)
        }
    }

    @Test("campaign audience: two selectors, none, all:false or a segmentId that is no id is a 400 naming audience and its shapes", arguments: StoreKind.allCases)
    func audience(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await Self.seed(t)
            let shapes = #"{"userIds":["u1",…]}, {"all":true} or {"segmentId":N} (N from 1 to 9223372036854775807)"#
            let idRange = "must be a segment id, a whole number from 1 to 9223372036854775807"
            let cases: [(String, String)] = [
                (#"{"segmentId":1,"all":true}"#, "audience must be one of \(shapes) (got all and segmentId)"),
                (#"{"userIds":["u1"],"all":true}"#, "audience must be one of \(shapes) (got userIds and all)"),
                (#"{}"#, "audience must be one of \(shapes) (got none)"),
                (#"{"all":null}"#, "audience.all is null, expected true or false"),
                (#"{"userIds":["u1"],"all":null}"#, "audience must be one of \(shapes) (got userIds and all)"),
                (#"{"all":false}"#, "audience must be one of \(shapes) (got all:false)"),
                (#"{"segmentId":1.5}"#, "audience.segmentId \(idRange) (got 1.5)"),
                (#"{"segmentId":12345678901234567890}"#, "audience.segmentId \(idRange) (got '12345678901234567890')"),
                (#"{"segmentId":9223372036854775808}"#, "audience.segmentId \(idRange) (got '9223372036854775808')"),
                (#"{"segmentId":true}"#, "audience.segmentId \(idRange) (got true)"),
                (#"{"segmentId":0}"#, "audience.segmentId \(idRange) (got 0)"),
                (#"{"segmentId":"1"}"#, #"audience.segmentId \#(idRange) (got "1")"#),
            ]
            for (audience, expected) in cases {
                let r = try await M.call(client, .post, "/api/v1/campaigns", #"{"name":"S","providerId":"p1","body":"Hi","audience":\#(audience)}"#)
                #expect(r.status == .badRequest, "\(audience): \(r.text)")
                #expect(M.message(r.text) == "invalid campaign: " + expected, "\(audience)")
            }
            #expect(try await t.store.campaigns().isEmpty)
            // One selector is taken as before.
            let ok = try await M.call(client, .post, "/api/v1/campaigns", #"{"name":"S","providerId":"p1","body":"Hi","audience":{"userIds":["u1"]}}"#)
            #expect(ok.status == .created, "\(ok.text)")
            #expect(try await t.store.campaigns().map(\.audience) == [.userIds(["u1"])])
        }
    }

    @Test("events: an item with an unknown key is invalid naming it, kept byte for byte; the others are stored", arguments: StoreKind.allCases)
    func events(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let bad = #"{"eventId":"e2","userId":"u1","name":"buy","ts":1700000000, "props":{"plan":"pro"}}"#
            let body = #"[{"eventId":"e1","userId":"u1","name":"buy","ts":1700000000,"properties":{"plan":"pro"}},\#(bad)]"#
            let r = try await M.call(client, .post, "/api/v1/events", body)
            #expect(r.status == .badRequest, "\(r.text)")
            let reason = "unknown field 'props': the fields are eventId, name, properties, ts, userId"
            let invalid = try M.object(r.text)["invalid"] as? [[String: Any]]
            #expect(invalid?.count == 1 && invalid?.first?["index"] as? Int == 1 && invalid?.first?["reason"] as? String == reason)
            #expect(try M.object(r.text)["stored"] as? Int == 1)
            let errors = try await t.store.ingestionErrors(limit: 10)
            #expect(errors.map(\.source) == ["events"] && errors.map(\.reason) == [reason])
            #expect(errors.first?.raw == Array(bad.utf8))
            // The valid one was stored: sent again it is a duplicate.
            let again = try await M.call(client, .post, "/api/v1/events", #"[{"eventId":"e1","userId":"u1","name":"buy","ts":1700000000}]"#)
            #expect(try M.object(again.text)["duplicates"] as? Int == 1)
        }
    }

    @Test("PATCH bodies: an unknown key, even set to null, is refused naming it and changes nothing", arguments: StoreKind.allCases)
    func patches(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await Self.seed(t)
            let create = try await M.call(client, .post, "/api/v1/campaigns", "{\(Self.campaign)}")
            let id = try #require(try M.object(create.text)["id"] as? String)
            let segment = try await M.call(client, .post, "/api/v1/segments", #"{"name":"DE","rules":[{"field":"country","op":"eq","value":"DE"}]}"#)
            let segmentId = try #require(try M.object(segment.text)["id"] as? Int)
            let campaignBefore = try await t.store.campaign(id: id)
            let providerBefore = try await t.store.provider(id: "p1")
            let segmentBefore = try await t.store.segment(id: Int64(segmentId))
            let profileBefore = try await t.store.profile(userId: "u1")
            let cases: [(String, String, String)] = [
                ("/api/v1/campaigns/\(id)", #"{"controlGroupPrecent":10}"#,
                 "invalid campaign: unknown field 'controlGroupPrecent': the fields are \(Self.campaignFields)"),
                ("/api/v1/campaigns/\(id)", #"{"nmae":null}"#, "invalid campaign: unknown field 'nmae': the fields are \(Self.campaignFields)"),
                ("/api/v1/providers/p1", #"{"ratePerSec":5}"#, "invalid provider: unknown field 'ratePerSec': the fields are \(Self.providerFields)"),
                ("/api/v1/segments/\(segmentId)", #"{"rules":[{"field":"country","op":"eq","valu":"AT"}]}"#,
                 "invalid segment: unknown field 'rules[0].valu': the fields of rules[0] are field, op, value"),
                ("/api/v1/profiles/u1", #"{"opted_out":true}"#,
                 "invalid profile: unknown field 'opted_out': the fields are name, optedOut, phone, properties, region"),
            ]
            for (path, body, expected) in cases {
                let r = try await M.call(client, .patch, path, body)
                #expect(r.status == .badRequest, "\(path) \(body): \(r.text)")
                #expect(M.message(r.text) == expected, "\(path) \(body)")
            }
            #expect(try await t.store.campaign(id: id) == campaignBefore)
            #expect(try await t.store.provider(id: "p1") == providerBefore)
            #expect(try await t.store.segment(id: Int64(segmentId)) == segmentBefore)
            #expect(try await t.store.profile(userId: "u1") == profileBefore)
        }
    }

    @Test("profiles: the upsert and the CSV import take optedOut (true opts out, false clears, absent keeps)", arguments: StoreKind.allCases)
    func profilesOptedOut(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await t.store.upsertProfiles([
                Profile(userId: "a", phone: "+4915112345671", phoneValid: true, optedOut: true),
                Profile(userId: "b", phone: "+4915112345672", phoneValid: true, optedOut: true),
            ])
            let r = try await M.call(
                client, .post, "/api/v1/profiles",
                #"[{"userId":"a","phone":"+4915112345671"},{"userId":"b","phone":"+4915112345672","optedOut":false},{"userId":"c","phone":"+4915112345673","optedOut":true},{"userId":"d","phone":"+4915112345674","optedOut":true},{"userId":"d","phone":"+4915112345674","optedOut":false}]"#)
            #expect(r.status == .ok, "\(r.text)")
            var flags: [String: Bool] = [:]
            for id in ["a", "b", "c", "d"] { flags[id] = try await t.store.profile(userId: id)?.optedOut }
            #expect(flags == ["a": true, "b": false, "c": true, "d": false])
            #expect(try await t.store.profile(userId: "c")?.properties == [:])

            let csv = "userId,phone,optedOut,plan\na,+4915112345671,0,pro\nb,+4915112345672, TRUE ,\nc,+4915112345673,,free\ne,+4915112345675,yes,pro\n"
            let imported = try await client.execute(
                uri: "/api/v1/profiles/import", method: .post, headers: [.authorization: "Bearer \(M.token)", .contentType: "text/csv"],
                body: ByteBuffer(string: csv)) { ($0.status, String(buffer: $0.body)) }
            #expect(imported.0 == .ok, "\(imported.1)")
            let report = try M.object(imported.1)
            #expect(report["upserted"] as? Int == 3 && report["rejected"] as? Int == 1)
            let warnings = report["warnings"] as? [[String: Any]] ?? []
            #expect(warnings.map { $0["row"] as? Int } == [5])
            #expect(warnings.first?["problem"] as? String == #"rejected: optedOut must be true, false, 1, 0 or empty (got "yes")"#)
            for id in ["a", "b", "c"] { flags[id] = try await t.store.profile(userId: id)?.optedOut }
            #expect(flags == ["a": false, "b": true, "c": true, "d": false])
            #expect(try await t.store.profile(userId: "a")?.properties == ["plan": .string("pro")])
            #expect(try await t.store.profile(userId: "e") == nil)
        }
    }
}
