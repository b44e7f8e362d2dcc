import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreSQLite
@testable import SMSWeb
import Testing

/// The segment pages: the list with live counts and one segment's count and masked sample, as the
/// API's preview answers them.
@Suite("Dashboard: segments with live counts")
struct DashboardSegmentPagesTests {
    typealias F = DashboardFixture
    struct S: Decodable { var id: Int64 }
    struct Preview: Decodable { var count: Int }

    @Test("the list and the segment page show the preview's count and sample; names are escaped; counts follow the profiles")
    func pages() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            _ = try await F.seed(client, store: store)
            for (id, city) in [("a", "Berlin"), ("b", "Berlin"), ("c", "Paris")] {
                try await client.execute(
                    uri: "/api/v1/profiles/\(id)", method: .patch, headers: auth, body: json(#"{"properties":{"city":"\#(city)"}}"#)
                ) { #expect($0.status == .ok) }
            }
            let berlin = try await client.execute(
                uri: "/api/v1/segments", method: .post, headers: auth,
                body: json(#"{"name":"<script>Berlin</script>","rules":[{"field":"properties.city","op":"eq","value":"Berlin"}]}"#)
            ) { try decode(S.self, $0.body) }
            let germany = try await client.execute(
                uri: "/api/v1/segments", method: .post, headers: auth,
                body: json(#"{"name":"Germany","rules":[{"field":"country","op":"eq","value":"DE"}]}"#)
            ) { try decode(S.self, $0.body) }
            let apiCount = try await client.execute(uri: "/api/v1/segments/\(berlin.id)/preview", method: .get, headers: auth) {
                try decode(Preview.self, $0.body).count
            }
            #expect(apiCount == 2)

            let (cookie, _) = try await F.signIn(client)
            let list = try await client.execute(uri: "/segments", method: .get, headers: [.cookie: cookie]) { r -> String in
                #expect(r.status == .ok)
                return String(buffer: r.body)
            }
            #expect(F.text(list, #"data-count="\#(berlin.id)""#) == "2")
            #expect(F.text(list, #"data-count="\#(germany.id)""#) == "1")
            #expect(list.contains("&lt;script&gt;Berlin&lt;/script&gt;") && !list.contains("<script>Berlin"))
            #expect(list.contains(#"aria-current="page">Segments"#))

            let page = try await client.execute(uri: "/segments/\(berlin.id)", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(F.text(page, #"data-segment="count""#) == "2")
            #expect(F.text(page, #"data-segment="sample""#) == "2")
            #expect(page.contains(#"data-user="a""#) && page.contains(#"data-user="b""#) && !page.contains(#"data-user="c""#))
            #expect(page.contains("+4915*******89") && !page.contains("4915123456789"))

            // The count is live: a profile moving to Berlin is counted at once.
            try await client.execute(uri: "/api/v1/profiles/c", method: .patch, headers: auth, body: json(#"{"properties":{"city":"Berlin"}}"#)) {
                #expect($0.status == .ok)
            }
            let again = try await client.execute(uri: "/segments", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(F.text(again, #"data-count="\#(berlin.id)""#) == "3")
            let missing = try await client.execute(uri: "/segments/999", method: .get, headers: [.cookie: cookie]) { $0.status }
            #expect(missing == .notFound)
        }
    }
}

/// The segment form: create, preview before saving, edit and delete through the dashboard, read
/// back through the API; the API's 400 shown on the form with what was typed; CSRF required.
@Suite("Dashboard: segment create, preview, edit, delete")
struct DashboardSegmentFormTests {
    typealias F = DashboardFixture
    typealias Form = DashboardProviderEditTests

    struct Rule: Decodable, Equatable {
        var field: String
        var op: String
        var value: JSONValue?
    }
    struct Segment: Decodable { var id: Int64; var name: String; var match: String; var rules: [Rule] }

    @Test("create → API reads the same rules; preview counts unsaved rules; edit; a 400 keeps the form; delete (409 while a draft uses it)")
    func lifecycle() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let seeded = try await F.seed(client, store: store, dispatch: false)
            for (id, city, age) in [("a", "Berlin", 30), ("b", "Berlin", 41), ("c", "Paris", 52)] {
                try await client.execute(
                    uri: "/api/v1/profiles/\(id)", method: .patch, headers: auth, body: json(#"{"properties":{"city":"\#(city)","age":\#(age)}}"#)
                ) { #expect($0.status == .ok) }
            }
            let (cookie, csrf) = try await F.signIn(client)
            let formHeaders: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            func post(_ uri: String, _ pairs: [(String, String)], csrf token: String? = csrf) async throws -> (HTTPResponse.Status, String, String?) {
                try await client.execute(uri: uri, method: .post, headers: formHeaders, body: Form.form((token.map { [("csrf", $0)] } ?? []) + pairs)) {
                    ($0.status, String(buffer: $0.body), $0.headers[.location])
                }
            }
            let newPage = try await client.execute(uri: "/segments/new", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(newPage.contains(#"action="/segments""#) && newPage.contains(#"name="field2""#) && !newPage.contains(#"name="field3""#))

            let rules: [(String, String)] = [
                ("name", "<b>Berlin</b> 35+"), ("match", "all"),
                ("field0", "properties.city"), ("op0", "eq"), ("value0", "Berlin"),
                ("field1", "properties.age"), ("op1", "gte"), ("value1", "35"),
                ("field2", "country"), ("op2", "in"), ("value2", "DE, US"),
                ("field3", ""), ("op3", "eq"), ("value3", ""),
            ]
            // Without the CSRF token: 403, nothing created.
            #expect(try await post("/segments", rules, csrf: nil).0 == .forbidden)
            #expect(try await store.segments().isEmpty)

            // Preview of the unsaved rules: b only (Berlin, 41, +1 212 → US); nothing saved.
            let (pStatus, preview, _) = try await post("/segments", rules + [("action", "preview")])
            #expect(pStatus == .ok)
            #expect(F.text(preview, #"data-segment="count""#) == "1")
            #expect(preview.contains(#"data-user="b""#) && !preview.contains(#"data-user="a""#) && preview.contains("+121******00"))
            #expect(preview.contains(#"value="&lt;b&gt;Berlin&lt;/b&gt; 35+""#) && preview.contains(#"name="value2" value="DE, US""#))
            #expect(try await store.segments().isEmpty)

            // Save: a 303 to the new segment; the API reads the same rules.
            let (sStatus, _, location) = try await post("/segments", rules + [("action", "save")])
            #expect(sStatus == .seeOther)
            let id = try #require(location.flatMap { Int64($0.replacingOccurrences(of: "/segments/", with: "")) })
            let created = try await client.execute(uri: "/api/v1/segments/\(id)", method: .get, headers: auth) { try decode(Segment.self, $0.body) }
            #expect(created.name == "<b>Berlin</b> 35+" && created.match == "all")
            #expect(created.rules == [
                Rule(field: "properties.city", op: "eq", value: .string("Berlin")),
                Rule(field: "properties.age", op: "gte", value: .number(35)),
                Rule(field: "country", op: "in", value: .array([.string("DE"), .string("US")])),
            ])
            let apiCount = try await client.execute(uri: "/api/v1/segments/\(id)/preview", method: .get, headers: auth) {
                try decode(DashboardSegmentPagesTests.Preview.self, $0.body).count
            }
            #expect(apiCount == 1)
            let page = try await client.execute(uri: "/segments/\(id)", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(F.text(page, #"data-segment="count""#) == "1")
            #expect(page.contains("&lt;b&gt;Berlin&lt;/b&gt;") && !page.contains("<b>Berlin</b>"))

            // The edit form shows the stored rules as they were typed.
            let editPage = try await client.execute(uri: "/segments/\(id)/edit", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            let shown = try #require(Form.formFields(editPage, action: "/segments/\(id)/edit"))
            let value = { (name: String) in shown.first { $0.0 == name }?.1 }
            #expect(value("field0") == "properties.city" && value("op0") == "eq" && value("value0") == "Berlin")
            #expect(value("field1") == "properties.age" && value("op1") == "gte" && value("value1") == "35")
            #expect(value("field2") == "country" && value("op2") == "in" && value("value2") == "DE, US")
            #expect(value("field3") == "" && value("field5") == "" && value("field6") == nil)

            // A wrong rule: the API's 400 message on the form, what was typed kept, nothing changed.
            let (bad, badPage, _) = try await post("/segments/\(id)/edit", [
                ("name", "Renamed"), ("match", "any"), ("field0", "properties.age"), ("op0", "gt"), ("value0", "old"),
                ("field1", "optedOut"), ("op1", "gt"), ("value1", "true"), ("action", "save"),
            ])
            #expect(bad == .badRequest)
            #expect(badPage.contains("rules[0].value must be a number or an ISO 8601 date-time"))
            #expect(badPage.contains("rules[1].op must be one of eq, ne, exists for optedOut"))
            #expect(badPage.contains(#"name="name" value="Renamed""#) && badPage.contains(#"name="value0" value="old""#))
            #expect(try await client.execute(uri: "/api/v1/segments/\(id)", method: .get, headers: auth) { try decode(Segment.self, $0.body).name }
                == "<b>Berlin</b> 35+")

            // Edit: any of Paris or opted in ("\"42\"" would be the text 42); the stored form round-trips.
            let (edited, _, editedAt) = try await post("/segments/\(id)/edit", [
                ("name", "Paris or 42"), ("match", "any"), ("field0", "properties.city"), ("op0", "eq"), ("value0", "Paris"),
                ("field1", "properties.age"), ("op1", "in"), ("value1", #"30, "41""#), ("action", "save"),
            ])
            #expect(edited == .seeOther && editedAt == "/segments/\(id)")
            let after = try await client.execute(uri: "/api/v1/segments/\(id)", method: .get, headers: auth) { try decode(Segment.self, $0.body) }
            #expect(after.name == "Paris or 42" && after.match == "any")
            #expect(after.rules == [
                Rule(field: "properties.city", op: "eq", value: .string("Paris")),
                Rule(field: "properties.age", op: "in", value: .array([.number(30), .string("41")])),
            ])
            // c (Paris) and a (age 30); b's age is the number 41, not the text "41".
            let listed = try await client.execute(uri: "/segments", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(F.text(listed, #"data-count="\#(id)""#) == "2")

            // Delete: 409 while a draft's audience is the segment, then deleted.
            let draft = try await client.execute(
                uri: "/api/v1/campaigns", method: .post, headers: auth,
                body: json(#"{"name":"Seg draft","providerId":"\#(seeded.providerId)","body":"Hi","audience":{"segmentId":\#(id)}}"#)
            ) { r -> F.C in
                #expect(r.status == .created, "\(String(buffer: r.body))")
                return try decode(F.C.self, r.body)
            }
            let (inUse, inUsePage, _) = try await post("/segments/\(id)/delete", [])
            #expect(inUse == .conflict)
            #expect(inUsePage.contains("is the audience of 1 unsent campaign(s): \(draft.id) (Seg draft)"))
            try await client.execute(uri: "/api/v1/campaigns/\(draft.id)", method: .delete, headers: auth) { #expect($0.status == .noContent) }
            #expect(try await post("/segments/\(id)/delete", [], csrf: nil).0 == .forbidden)
            let (deleted, _, to) = try await post("/segments/\(id)/delete", [])
            #expect(deleted == .seeOther && to == "/segments")
            try await client.execute(uri: "/api/v1/segments/\(id)", method: .get, headers: auth) { #expect($0.status == .notFound) }
        }
    }

    @Test("issue 12: a number typed in the form is judged as typed: 9007199254740993 and …890 are the API's 400, never rounded first")
    func typedNumberAsTyped() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let (cookie, csrf) = try await F.signIn(client)
            let headers: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            let rule = "must be a number from -9007199254740992 to 9007199254740992: an integer beyond ±2^53 cannot be held exactly; send it as a string"
            for (op, typed, message) in [
                ("eq", "9007199254740993", "rules[0].value \(rule) (got 9007199254740993)"),
                ("in", "1, 123456789012345678901234567890", "rules[0].value[1] \(rule) (got 123456789012345678901234567890)"),
                ("gt", "1e300", "rules[0].value must be a number from -9007199254740992 to 9007199254740992 (got 1e+300)"),
            ] {
                let pairs = [("csrf", csrf), ("name", "n"), ("match", "all"), ("field0", "properties.n"), ("op0", op), ("value0", typed), ("action", "save")]
                let (status, page) = try await client.execute(uri: "/segments", method: .post, headers: headers, body: Form.form(pairs)) {
                    ($0.status, String(buffer: $0.body))
                }
                #expect(status == .badRequest, "\(typed)")
                #expect(page.contains(message), "\(typed): \(page.prefix(2000))")
            }
            #expect(try await store.segments().isEmpty)
            // 2^53 exactly, and the text "9007199254740993" (quoted), are kept as typed.
            let pairs = [("csrf", csrf), ("name", "n"), ("match", "any"), ("field0", "properties.n"), ("op0", "eq"), ("value0", "9007199254740992"),
                         ("field1", "properties.id"), ("op1", "eq"), ("value1", #""9007199254740993""#), ("action", "save")]
            let saved = try await client.execute(uri: "/segments", method: .post, headers: headers, body: Form.form(pairs)) { $0.status }
            #expect(saved == .seeOther)
            #expect(try await store.segments().first?.definition.rules.map(\.value) == [.number(9_007_199_254_740_992), .string("9007199254740993")])
        }
    }

    @Test("a stored value shown on the form reads back as the same value (random strings, numbers, booleans, lists)")
    func valueRoundTrip() {
        var rng = SplitMix64(seed: 1515)
        let alphabet = Array(#"aZ 0129,"'\[]{}.:-+eE truefalsnul"#)
        func string() -> String { String((0..<Int(rng.next() % 8)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }) }
        func scalar() -> JSONValue {
            switch rng.next() % 4 {
            case 0: .number(Double(Int(rng.next() % 2000)) / 8 - 100)
            case 1: .bool(rng.next() % 2 == 0)
            default: .string(string())
            }
        }
        for _ in 0..<5_000 {
            let op = AudienceSegment.Op.allCases[Int(rng.next() % UInt64(AudienceSegment.Op.allCases.count))]
            let value: JSONValue = op == .in ? .array((0..<Int(rng.next() % 4 + 1)).map { _ in scalar() }) : scalar()
            let text = SegmentForm.text(value, op: op)
            #expect(SegmentForm.value(text, op: op) == value, "\(op) \(value) shown as \(text)")
        }
        #expect(SegmentForm.text(.string("Berlin"), op: .eq) == "Berlin")
        #expect(SegmentForm.text(.string("42"), op: .eq) == #""42""#)
        #expect(SegmentForm.text(.array([.string("DE"), .number(7)]), op: .in) == "DE, 7")
        #expect(SegmentForm.text(.array([.string("a,b")]), op: .in) == #"["a,b"]"#)
    }
}
