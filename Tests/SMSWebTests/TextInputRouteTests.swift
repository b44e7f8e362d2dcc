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

/// Issue 12, "bad input gets a clear error and loses nothing": `"a\u0000b"` in every text field the
/// API, the profile CSV import and the events route accept, through the real routes on SQLite and
/// PostgreSQL (`docs/DOMAIN.md` §1 "Text from outside", ``TextInput``). A NUL is refused with a 400
/// naming the field and nothing is stored (never cut, never a 500); an identifier refuses every
/// control character; a control character other than NUL in free text is stored exactly as sent.
@Suite("Text from outside: U+0000 refused naming the field, on both stores")
struct TextInputRouteTests {
    static let token = "admin-token"
    static let nul = #"a\u0000b"#

    /// Provider `p1` and profile `u1` (named "Old").
    static func withApp(_ kind: StoreKind, _ body: @escaping @Sendable (any TestClientProtocol, TestStore) async throws -> Void) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: "s") { client, t in
            try await t.store.upsertProfiles([Profile(userId: "u1", phone: "+4915112345678", phoneValid: true, name: "Old", properties: [:])])
            try await body(client, t)
        }
    }

    static func post(_ client: any TestClientProtocol, _ uri: String, _ body: String, contentType: String = "application/json") async throws -> (HTTPResponse.Status, Any?) {
        try await client.execute(
            uri: uri, method: .post, headers: [.authorization: "Bearer \(Self.token)", .contentType: contentType],
            body: ByteBuffer(string: body)
        ) { r in (r.status, try? JSONSerialization.jsonObject(with: Data(buffer: r.body))) }
    }

    static func message(_ answer: Any?) -> String {
        ((answer as? [String: Any])?["error"] as? [String: Any])?["message"] as? String ?? "\(answer ?? "nil")"
    }

    static let nulText = "contains U+0000 (NUL) at position 1: no text field may hold U+0000"

    @Test("profiles JSON: each text field with a NUL, each identifier with a control character: 400 naming it, nothing stored", arguments: StoreKind.allCases)
    func profilesJSON(kind: StoreKind) async throws {
        let n = Self.nul
        let cases: [(String, String)] = [
            (#"[{"userId":"\#(n)","phone":"+4915112345679"}]"#, "invalid profiles (expected a JSON array of {userId, phone, name?, properties?, region?, optedOut?}): [0].userId " + Self.nulText),
            (#"[{"userId":"u2","phone":"+49151\#(n)"}]"#, "[0].phone contains U+0000 (NUL) at position 7"),
            (#"[{"userId":"u1","name":"\#(n)"}]"#, "[0].name " + Self.nulText),
            (#"[{"userId":"u1","region":"\#(n)"}]"#, "[0].region " + Self.nulText),
            (#"[{"userId":"u1"},{"userId":"u2","properties":{"plan":{"tier":["x","\#(n)"]}}}]"#, "[1].properties.plan.tier[1] " + Self.nulText),
            (#"[{"userId":"u1","properties":{"\#(n)":"x"}}]"#, #"a key of [0].properties "# + Self.nulText + #" (key "a\u{00}b")"#),
            (#"[{"userId":"u\u0001x"}]"#, "the profiles were not stored (nothing was stored): profiles[0].userId contains the control character U+0001 at position 1: an identifier may not hold control characters (U+0000–U+001F, U+007F)"),
        ]
        try await Self.withApp(kind) { client, t in
            for (body, expected) in cases {
                let (status, answer) = try await Self.post(client, "/api/v1/profiles", body)
                #expect(status == .badRequest, "\(body)")
                #expect(Self.message(answer).contains(expected), "\(body): \(Self.message(answer))")
            }
            #expect(try await t.store.profileCount() == 1)
            #expect(try await t.store.profile(userId: "u1")?.name == "Old")
            // A control character other than NUL in free text is kept exactly (no store cuts or alters it).
            let (status, answer) = try await Self.post(client, "/api/v1/profiles", #"[{"userId":"u1","name":"a\tb\u0001c","properties":{"note":"x\u007fy"}}]"#)
            #expect(status == .ok, "\(answer ?? "")")
            let stored = try await t.store.profile(userId: "u1")
            #expect(stored?.name == "a\tb\u{1}c")
            #expect(stored?.properties["note"] == .string("x\u{7F}y"))
        }
    }

    @Test("profile CSV import: a NUL in a cell is a 400 naming the line and field; nothing imported", arguments: StoreKind.allCases)
    func profilesCSV(kind: StoreKind) async throws {
        let cases: [(String, String)] = [
            ("userId,phone,name\nu2,+4915112345679,B\nu3,+4915112345670,a\u{0}b\n", "the profiles were not stored (nothing was stored): line 3, name " + Self.nulText),
            ("userId,phone,plan\nu2,+4915112345679,a\u{0}b\n", "line 2, properties.plan " + Self.nulText),
            ("userId,phone\nu\u{0}2,+4915112345679\n", "line 2, userId contains the control character U+0000 at position 1"),
            ("userId,phone\nu\t2,+4915112345679\n", "line 2, userId contains the control character U+0009 at position 1"),
        ]
        try await Self.withApp(kind) { client, t in
            for (csv, expected) in cases {
                let (status, answer) = try await Self.post(client, "/api/v1/profiles/import", csv, contentType: "text/csv")
                #expect(status == .badRequest, "\(csv.debugDescription)")
                #expect(Self.message(answer).contains(expected), "\(csv.debugDescription): \(Self.message(answer))")
            }
            #expect(try await t.store.profileCount() == 1)
            #expect(try await t.store.profile(userId: "u2") == nil)
        }
    }

    /// A phone is read as libphonenumber reads it: a control character around the number is
    /// dropped, one between digits makes that row's phone invalid (a warning naming the row and
    /// field; the profile is stored without a phone), never the whole request.
    @Test("profiles: a control character in phone is at most that row's invalid phone", arguments: StoreKind.allCases)
    func phoneControlCharacters(kind: StoreKind) async throws {
        try await Self.withApp(kind) { client, t in
            let body = #"[{"userId":"t1","phone":"+1\t650 253 0000"},{"userId":"t2","phone":"+4915112345678\n"},"#
                + #"{"userId":"t3","phone":"\u200e+49 151 23456789\u200f"},{"userId":"t4","phone":"tel:+1-650-253-0000;ext=123"},"#
                + #"{"userId":"t5","phone":"+1 800 FLOWERS"}]"#
            let (status, answer) = try await Self.post(client, "/api/v1/profiles", body)
            #expect(status == .ok, "\(answer ?? "")")
            let report = answer as? [String: Any]
            #expect(report?["upserted"] as? Int == 5)
            let warnings = report?["warnings"] as? [[String: Any]]
            #expect(warnings?.map { $0["row"] as? Int } == [0])
            #expect(warnings?.map { $0["userId"] as? String } == ["t1"])
            #expect(warnings?.map { $0["problem"] as? String } == [
                "invalid phone: profiles[0].phone contains the control character U+0009 at position 2: "
                    + "an identifier may not hold control characters (U+0000–U+001F, U+007F)"
            ])
            var phones: [String?] = []
            for id in ["t1", "t2", "t3", "t4", "t5"] { phones.append(try await t.store.profile(userId: id)?.phone) }
            #expect(phones == [nil, "+4915112345678", "+4915123456789", "+16502530000", "+18003569377"])

            let csv = "userId,phone\nu2,+49151\u{0}12345679\n"
            let (csvStatus, csvAnswer) = try await Self.post(client, "/api/v1/profiles/import", csv, contentType: "text/csv")
            #expect(csvStatus == .ok, "\(csvAnswer ?? "")")
            let csvWarnings = (csvAnswer as? [String: Any])?["warnings"] as? [[String: Any]]
            #expect(csvWarnings?.map { $0["problem"] as? String } == [
                "invalid phone: line 2, phone contains the control character U+0000 at position 6: "
                    + "an identifier may not hold control characters (U+0000–U+001F, U+007F)"
            ])
            let u2 = try await t.store.profile(userId: "u2")
            #expect(u2 != nil && u2?.phone == nil && u2?.phoneValid == false)
        }
    }

    @Test("events: each field with a NUL is an invalid item naming it (kept whole as an ingestion error); the valid one is stored", arguments: StoreKind.allCases)
    func events(kind: StoreKind) async throws {
        let n = Self.nul
        let ts = Int64(Date().timeIntervalSince1970) - 60
        let items: [(String, String?)] = [
            (#"{"eventId":"e0","userId":"u1","name":"buy","ts":\#(ts),"properties":{"note":"a\tb"}}"#, nil),
            (#"{"eventId":"\#(n)","userId":"u1","name":"buy","ts":\#(ts)}"#, "eventId contains the control character U+0000 at position 1"),
            (#"{"eventId":"e2","userId":"\#(n)","name":"buy","ts":\#(ts)}"#, "userId contains the control character U+0000 at position 1"),
            (#"{"eventId":"e3","userId":"u1","name":"\#(n)","ts":\#(ts)}"#, "name contains the control character U+0000 at position 1"),
            (#"{"eventId":"e4","userId":"u1","name":"buy","ts":\#(ts),"properties":{"plan":"\#(n)"}}"#, "properties.plan " + Self.nulText),
            (#"{"eventId":"e5","userId":"u1","name":"buy","ts":\#(ts),"properties":{"\#(n)":1}}"#, "a key of properties " + Self.nulText),
            (#"{"eventId":"e6","userId":"u\u001f1","name":"buy","ts":\#(ts)}"#, "userId contains the control character U+001F at position 1"),
        ]
        try await Self.withApp(kind) { client, t in
            let (status, answer) = try await Self.post(client, "/api/v1/events", "[" + items.map(\.0).joined(separator: ",") + "]")
            #expect(status == .badRequest)
            let result = try #require(answer as? [String: Any])
            #expect(result["stored"] as? Int == 1)
            let invalid = try #require(result["invalid"] as? [[String: Any]])
            #expect(invalid.map { $0["index"] as? Int } == [1, 2, 3, 4, 5, 6])
            for (entry, item) in zip(invalid, items.dropFirst()) {
                #expect((entry["reason"] as? String ?? "").contains(item.1!), "\(entry)")
            }
            let errors = try await t.store.ingestionErrors(limit: 10)
            #expect(errors.count == 6)
            #expect(errors.allSatisfy { $0.source == "events" && !$0.reason.contains("\u{0}") })
            // Each refused event kept whole: its stored bytes parse back to the item as sent, NUL included.
            let keptIds = try errors.compactMap { e -> String? in
                let obj = try JSONSerialization.jsonObject(with: Data(e.raw)) as? [String: Any]
                return obj?["eventId"] as? String
            }
            #expect(Set(keptIds) == ["a\u{0}b", "e2", "e3", "e4", "e5", "e6"])
            #expect(try await t.store.ingestionErrors(limit: 10).allSatisfy { $0.rawText != nil })
        }
    }

    @Test("campaigns: a NUL in any text field is a 400 naming it; no campaign stored, nothing sent altered", arguments: StoreKind.allCases)
    func campaigns(kind: StoreKind) async throws {
        let n = Self.nul
        let audience = #""audience":{"all":true}"#
        let cases: [(String, String)] = [
            (#"{"name":"\#(n)","providerId":"p1","body":"Hi",\#(audience)}"#, "invalid campaign: name " + Self.nulText),
            (#"{"name":"C","providerId":"p1","body":"Hi \#(n)",\#(audience)}"#, "invalid campaign: body contains U+0000 (NUL) at position 4"),
            (#"{"name":"C","providerId":"p1","variants":[{"body":"x","percent":50},{"body":"\#(n)","percent":50}],\#(audience)}"#, "variants[1].body " + Self.nulText),
            (#"{"name":"C","providerId":"\#(n)","body":"Hi",\#(audience)}"#, "invalid campaign: providerId " + Self.nulText),
            (#"{"name":"C","providerId":"p1","body":"Hi","audience":{"userIds":["u1","\#(n)"]}}"#, "audience.userIds[1] " + Self.nulText),
            (#"{"name":"C","providerId":"p1","body":"Hi {{first}}","defaults":{"first":"\#(n)"},\#(audience)}"#, "defaults.first " + Self.nulText),
            (#"{"name":"C","providerId":"p1","body":"Hi",\#(audience),"goal":{"event":"\#(n)","windowMinutes":60}}"#, "goal.event " + Self.nulText),
            (#"{"name":"C","providerId":"p1","body":"Hi",\#(audience),"templateId":"\#(n)"}"#, "templateId " + Self.nulText),
            (#"{"name":"C","providerId":"p1","body":"Hi",\#(audience),"timezone":"\#(n)"}"#, "timezone " + Self.nulText),
        ]
        try await Self.withApp(kind) { client, t in
            for (body, expected) in cases {
                let (status, answer) = try await Self.post(client, "/api/v1/campaigns", body)
                #expect(status == .badRequest, "\(body)")
                #expect(Self.message(answer).contains(expected), "\(body): \(Self.message(answer))")
            }
            #expect(try await t.store.campaigns().isEmpty)
            // An escaped backslash before `u0000` is text, not a NUL: stored exactly.
            let (status, answer) = try await Self.post(client, "/api/v1/campaigns", #"{"name":"a\\u0000b","providerId":"p1","body":"Hi\tthere",\#(audience)}"#)
            #expect(status == .created, "\(answer ?? "")")
            let stored = try await t.store.campaigns()
            #expect(stored.map(\.name) == [#"a\u0000b"#])
            #expect(stored.map(\.body) == ["Hi\tthere"])
        }
    }

    @Test("providers: a NUL in any text field, a control character in the URL or a header: 400 naming it", arguments: StoreKind.allCases)
    func providers(kind: StoreKind) async throws {
        let n = Self.nul
        let base = #""url":"http://127.0.0.1:9/sms","bodyTemplate":"{\"to\":\"$$To\"}""#
        let cases: [(String, String)] = [
            (#"{"name":"\#(n)",\#(base)}"#, "invalid provider: name " + Self.nulText),
            (#"{"name":"P","url":"http://127.0.0.1:9/\#(n)","bodyTemplate":"{}"}"#, "invalid provider: url contains U+0000 (NUL) at position 20"),
            (#"{"name":"P","url":"http://127.0.0.1:9/sms","bodyTemplate":"{\"to\":\"$$To\",\"x\":\"\#(n)\"}"}"#, "invalid provider: bodyTemplate contains U+0000 (NUL) at position"),
            (#"{"name":"P",\#(base),"headers":{"X-Key":"\#(n)"}}"#, "invalid provider: headers.X-Key " + Self.nulText),
            (#"{"name":"P",\#(base),"headers":{"X-Key":"k\r\nX-Evil: 1"}}"#, "invalid provider: headers.X-Key contains the control character U+000D at position 1"),
            (#"{"name":"P",\#(base),"headers":{"X-K\ty":"k"}}"#, "a name of headers contains the control character U+0009 at position 3"),
            (#"{"name":"P","url":"http://127.0.0.1:9/s\u007f","bodyTemplate":"{}"}"#, "url contains the control character U+007F at position 20"),
            (#"{"name":"P",\#(base),"webhookSigningKey":"\#(n)"}"#, "webhookSigningKey contains U+0000 (NUL)"),
            (#"{"name":"P",\#(base),"auth":{"type":"basic","username":"\#(n)","password":"p"}}"#, "auth.username contains U+0000 (NUL)"),
        ]
        try await Self.withApp(kind) { client, t in
            for (body, expected) in cases {
                let (status, answer) = try await Self.post(client, "/api/v1/providers", body)
                #expect(status == .badRequest, "\(body)")
                #expect(Self.message(answer).contains(expected), "\(body): \(Self.message(answer))")
            }
            #expect(try await t.store.providers().map(\.id) == ["p1"])
        }
    }

    @Test("an id in the path holding %00 is a 400 naming the parameter (PathParameter), never a 500 or another row", arguments: StoreKind.allCases)
    func pathIds(kind: StoreKind) async throws {
        try await Self.withApp(kind) { client, _ in
            for uri in ["/api/v1/providers/p1%00x", "/api/v1/campaigns/c%00x", "/api/v1/campaigns/c%00x/stats", "/api/v1/campaigns/c%00x/hits"] {
                let (status, answer) = try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(Self.token)"]) {
                    ($0.status, String(buffer: $0.body))
                }
                #expect(status == .badRequest, "\(uri)")
                #expect(answer.contains("id contains the control character U+0000 at position"), "\(uri): \(answer)")
            }
            let status = try await client.execute(
                uri: "/callbacks/p1%00x?secret=s", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"[{"event":"delivered","data":[{"meta":"m1","ts":1700000000}]}]"#)) { $0.status }
            #expect(status == .badRequest || status == .notFound || status == .unauthorized, "callback: \(status)")
        }
    }

    @Test("dashboard forms: a %00 in a field is named; plain fields pass")
    func dashboardForm() {
        #expect(Dashboard.nulProblem(form: "csrf=x&name=a%00b&body=Hi") == "name " + Self.nulText)
        #expect(Dashboard.nulProblem(form: "csrf=x&a%00b=1") == "a form field's name " + Self.nulText)
        #expect(Dashboard.nulProblem(form: "csrf=x&name=a%2500b&body=Hi+there") == nil)
    }
}
