import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Issue 12, the new-user tester's numbers: a profile property or a segment value is a number
/// a double holds exactly within ±2^53 (``InputLimits/propertyNumber``), else a 400 naming the
/// field and the range; an event keeps such a property as its text; a CSV cell is text as written.
/// On SQLite and PostgreSQL.
@Suite("Property numbers: ±2^53, exact, or a 400 naming the field")
struct PropertyNumberRouteTests {
    typealias M = ProviderManagementRouteTests

    static let rule = "must be a number from -9007199254740992 to 9007199254740992: an integer beyond ±2^53 cannot be held exactly; send it as a string"

    @Test("the tester's profile 123456789012345678901234567890 is a 400 naming properties.n; the segment eq …891 too; nothing stored",
          arguments: StoreKind.allCases)
    func testerInput(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let upsert = try await M.call(client, .post, "/api/v1/profiles", #"[{"userId":"u1","properties":{"n":123456789012345678901234567890}}]"#)
            #expect(upsert.status == .badRequest)
            #expect(M.message(upsert.text).hasSuffix("[0].properties.n \(Self.rule) (got 123456789012345678901234567890)"), "\(upsert.text)")
            #expect(try await t.store.profile(userId: "u1") == nil)
            let segment = try await M.call(
                client, .post, "/api/v1/segments", #"{"name":"big","rules":[{"field":"properties.n","op":"eq","value":123456789012345678901234567891}]}"#)
            #expect(segment.status == .badRequest)
            #expect(M.message(segment.text) == "invalid segment: rules[0].value \(Self.rule) (got 123456789012345678901234567891)")
            #expect(try await t.store.segments().isEmpty)
            // The way the message gives: as a string, kept exactly, and matched exactly.
            let text = try await M.call(client, .post, "/api/v1/profiles", #"[{"userId":"u1","properties":{"n":"123456789012345678901234567890"}}]"#)
            #expect(text.status == .ok, "\(text.text)")
            #expect(try await t.store.profile(userId: "u1")?.properties["n"] == .string("123456789012345678901234567890"))
            for (value, count) in [(#""123456789012345678901234567890""#, 1), (#""123456789012345678901234567891""#, 0)] {
                let s = try await M.call(client, .post, "/api/v1/segments", #"{"name":"s","rules":[{"field":"properties.n","op":"eq","value":\#(value)}]}"#)
                let id = try #require(try M.object(s.text)["id"] as? Int, "\(s.text)")
                let preview = try await M.call(client, .get, "/api/v1/segments/\(id)/preview")
                #expect(try M.object(preview.text)["count"] as? Int == count, "\(value)")
            }
        }
    }

    @Test("gt 1e300 and other numbers beyond ±2^53 are a 400 naming the field and the range; 2^53, -0 and fractions are taken",
          arguments: StoreKind.allCases)
    func segmentRange(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let range = "must be a number from -9007199254740992 to 9007199254740992"
            let cases: [(String, String)] = [
                (#"{"field":"properties.n","op":"gt","value":1e300}"#, "rules[0].value \(range) (got 1e+300)"),
                (#"{"field":"properties.n","op":"lte","value":-9007199254740994.0}"#, "rules[0].value \(range) (got -9007199254740994)"),
                (#"{"field":"properties.n","op":"in","value":[1,2e16]}"#, "rules[0].value[1] \(range) (got 20000000000000000)"),
                (#"{"field":"properties.n","op":"eq","value":1E400}"#, "rules[0].value is beyond the range of a number, ±1.8e308 (got '1E400')"),
                (#"{"field":"properties.n","op":"eq","value":0.12345678901234567891}"#,
                 "rules[0].value must be a number a double holds as written (at most 17 significant digits): it would be kept as 0.12345678901234568; send it as a string (got 0.12345678901234567891)"),
            ]
            for (rule, message) in cases {
                let r = try await M.call(client, .post, "/api/v1/segments", #"{"name":"s","rules":[\#(rule)]}"#)
                #expect(r.status == .badRequest, "\(rule)")
                #expect(M.message(r.text) == "invalid segment: \(message)", "\(rule)")
            }
            #expect(try await t.store.segments().isEmpty)
            let ok = try await M.call(
                client, .post, "/api/v1/segments",
                #"{"name":"s","match":"any","rules":[{"field":"properties.n","op":"lte","value":9007199254740992},{"field":"properties.n","op":"eq","value":-0},{"field":"properties.n","op":"gt","value":0.5}]}"#)
            #expect(ok.status == .created, "\(ok.text)")
            #expect(try await t.store.segments().first?.definition.rules.map(\.value) == [.number(9_007_199_254_740_992), .number(0), .number(0.5)])
        }
    }

    @Test("profiles: nested and array numbers beyond ±2^53 are named by path on upsert and PATCH; a PATCH leaves stored numbers alone",
          arguments: StoreKind.allCases)
    func profileRange(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let range = "must be a number from -9007199254740992 to 9007199254740992"
            let upsert = try await M.call(client, .post, "/api/v1/profiles", #"[{"userId":"u1"},{"userId":"u2","properties":{"a":{"b":[1,1e20]}}}]"#)
            #expect(upsert.status == .badRequest)
            #expect(M.message(upsert.text) == "the profiles were not stored (nothing was stored): profiles[1].properties.a.b[1] \(range) (got 1e+20)")
            let deep = try await M.call(client, .post, "/api/v1/profiles", #"[{"userId":"u2","properties":{"a":[[[{"x":9007199254740993}]]]}}]"#)
            #expect(M.message(deep.text).hasSuffix("[0].properties.a[0][0][0].x \(Self.rule) (got 9007199254740993)"), "\(deep.text)")
            #expect(try await t.store.profile(userId: "u1") == nil)
            // A profile stored before the rule (a release that took 1e300): a PATCH of its name passes.
            try await t.store.upsertProfiles([Profile(userId: "u3", phone: nil, phoneValid: false, properties: ["old": .number(1e300)])])
            let rename = try await M.call(client, .patch, "/api/v1/profiles/u3", #"{"name":"Ann"}"#)
            #expect(rename.status == .ok, "\(rename.text)")
            #expect(try await t.store.profile(userId: "u3")?.properties["old"] == .number(1e300))
            let patch = try await M.call(client, .patch, "/api/v1/profiles/u3", #"{"properties":{"n":{"m":-1e300}}}"#)
            #expect(patch.status == .badRequest)
            #expect(M.message(patch.text) == "invalid profile: properties.n.m \(range) (got -1e+300)")
            let huge = try await M.call(client, .patch, "/api/v1/profiles/u3", #"{"properties":{"n":123456789012345678901234567890}}"#)
            #expect(M.message(huge.text) == "invalid profile: properties.n \(Self.rule) (got 123456789012345678901234567890)")
            let fine = try await M.call(client, .patch, "/api/v1/profiles/u3", #"{"properties":{"n":-0,"big":9007199254740992,"id":"123456789012345678901234567890"}}"#)
            #expect(fine.status == .ok, "\(fine.text)")
            let stored = try #require(try await t.store.profile(userId: "u3")?.properties)
            #expect(stored["n"] == .number(0))
            #expect(stored["big"] == .number(9_007_199_254_740_992))
            #expect(stored["id"] == .string("123456789012345678901234567890"))
            #expect(try await t.store.profile(userId: "u3")?.name == "Ann")
        }
    }

    @Test("events: a numeric order id beyond ±2^53 is kept as its text, every digit; the event is stored", arguments: StoreKind.allCases)
    func eventKeepsText(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let now = Int64(Date().timeIntervalSince1970)
            let body = #"[{"eventId":"e1","userId":"u1","name":"purchase","ts":\#(now),"properties":{"orderId":123456789012345678901234567890,"n":9007199254740993,"items":[{"sku":12345678901234567890}],"amount":49.99}}]"#
            let r = try await M.call(client, .post, "/api/v1/events", body)
            #expect(r.status == .ok, "\(r.text)")
            #expect(try M.object(r.text)["stored"] as? Int == 1)
            let rows = try await t.query("SELECT properties FROM conversion_events WHERE event_id = ?", [.text("e1")])
            let text = try #require(rows.first?["properties"]?.text)
            let properties = try JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8))
            #expect(properties == [
                "orderId": .string("123456789012345678901234567890"), "n": .string("9007199254740993"),
                "items": .array([.object(["sku": .string("12345678901234567890")])]), "amount": .number(49.99),
            ])
            // A ts so written is judged as text by its range, naming ts; the other event is stored.
            let ts = try await M.call(
                client, .post, "/api/v1/events",
                #"[{"eventId":"e2","userId":"u1","name":"purchase","ts":123456789012345678901234567890},{"eventId":"e3","userId":"u1","name":"purchase","ts":\#(now)}]"#)
            #expect(ts.status == .badRequest)
            let invalid = try #require(try M.object(ts.text)["invalid"] as? [[String: Any]])
            #expect(invalid.count == 1)
            #expect(invalid.first?["index"] as? Int == 0)
            #expect((invalid.first?["reason"] as? String)?.hasPrefix("ts must be epoch seconds from 0 to 4102444800") == true, "\(ts.text)")
            #expect((invalid.first?["reason"] as? String)?.hasSuffix("(got '123456789012345678901234567890')") == true, "\(ts.text)")
            #expect(try await t.int("SELECT COUNT(*) FROM conversion_events") == 2)
            // An eventId written as such a number is no string: refused, never kept as text.
            let id = try await M.call(client, .post, "/api/v1/events", #"[{"eventId":123456789012345678901234567890,"userId":"u1","name":"purchase","ts":\#(now)}]"#)
            #expect(id.status == .badRequest)
            #expect(try await t.int("SELECT COUNT(*) FROM conversion_events") == 2)
        }
    }

    @Test("CSV import: a cell that looks like a huge integer is text, every digit (as the JSON rule asks)", arguments: StoreKind.allCases)
    func csvCellIsText(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let csv = "userId,orderId,score\nu1,123456789012345678901234567890,1e300\n"
            let r = try await client.execute(
                uri: "/api/v1/profiles/import", method: .post,
                headers: [.authorization: "Bearer \(M.token)", .contentType: "text/csv"], body: ByteBuffer(string: csv)
            ) { ($0.status, String(buffer: $0.body)) }
            #expect(r.0 == .ok, "\(r.1)")
            let stored = try #require(try await t.store.profile(userId: "u1")?.properties)
            #expect(stored == ["orderId": .string("123456789012345678901234567890"), "score": .string("1e300")])
        }
    }
}
