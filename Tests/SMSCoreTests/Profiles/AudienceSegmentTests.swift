import Foundation
import Testing
@testable import SMSCore

/// Audience segments (issue 15): the rule evaluation, its type rules, and the reading of a body.
@Suite("Profiles: audience segments")
struct AudienceSegmentTests {
    typealias Rule = AudienceSegment.Rule

    static let ada = Profile(
        userId: "ada", phone: "+4915112345678", phoneValid: true,
        properties: ["city": .string("Berlin"), "age": .number(36), "vip": .bool(true), "since": .string("2024-05-01T10:00:00Z"),
                     "code": .string("42"), "gone": .null])
    static let bob = Profile(userId: "bob", phone: "+16502530000", phoneValid: true, properties: ["age": .number(17)], optedOut: true)

    func m(_ field: AudienceSegment.Field, _ op: AudienceSegment.Op, _ value: JSONValue?, _ p: Profile = ada) -> Bool {
        Rule(field: field, op: op, value: value).matches(p)
    }

    @Test("eq / ne / in compare values of the same type; a missing or null property equals nothing")
    func equality() {
        #expect(m(.property("city"), .eq, .string("Berlin")))
        #expect(!m(.property("city"), .eq, .string("berlin")))
        #expect(m(.property("age"), .eq, .number(36.0)))
        #expect(!m(.property("code"), .eq, .number(42)))  // "42" is not 42
        #expect(m(.property("code"), .ne, .number(42)))
        #expect(!m(.property("missing"), .eq, .string("x")) && m(.property("missing"), .ne, .string("x")))
        #expect(!m(.property("gone"), .eq, .null) && m(.property("gone"), .ne, .string("x")))
        #expect(m(.property("city"), .in, .array([.string("Hamburg"), .string("Berlin")])))
        #expect(!m(.property("city"), .in, .array([.string("Hamburg")])))
        #expect(m(.country, .eq, .string("DE")) && m(.country, .eq, .string("US"), Self.bob))
        #expect(m(.country, .in, .array([.string("US"), .string("CA")]), Self.bob))
        #expect(m(.optedOut, .eq, .bool(true), Self.bob) && m(.optedOut, .ne, .bool(true)))
    }

    @Test("gt / gte / lt / lte: numbers, or ISO 8601 instants; any other pair is no match, never an error")
    func comparisons() {
        #expect(m(.property("age"), .gt, .number(18)) && !m(.property("age"), .gt, .number(18), Self.bob))
        #expect(m(.property("age"), .gte, .number(36)) && !m(.property("age"), .gt, .number(36)))
        #expect(m(.property("age"), .lte, .number(36)) && m(.property("age"), .lt, .number(36.5)))
        #expect(!m(.property("code"), .gt, .number(1)))  // a string against a number
        #expect(!m(.property("city"), .lt, .string("Hamburg")))  // strings that are no dates
        #expect(!m(.property("missing"), .lt, .number(1)))
        #expect(m(.property("since"), .gt, .string("2024-05-01")))
        #expect(m(.property("since"), .gte, .string("2024-05-01T12:00:00+02:00")))
        #expect(!m(.property("since"), .gt, .string("2024-05-01T12:00:00+02:00")))
        #expect(m(.property("since"), .lt, .string("2024-05-01T10:00:00.500Z")))
        #expect(!m(.property("since"), .lt, .number(2_000_000_000)))  // a date against a number
    }

    @Test("exists; all / any; no rules")
    func existsAndMatch() {
        #expect(m(.property("city"), .exists, nil) && !m(.property("gone"), .exists, nil))
        #expect(m(.property("gone"), .exists, .bool(false)) && !m(.property("city"), .exists, .bool(false)))
        #expect(m(.country, .exists, nil) && !m(.country, .exists, nil, Profile(userId: "x", phone: "0151", phoneValid: false)))
        let rules = [Rule(field: .property("city"), op: .eq, value: .string("Berlin")), Rule(field: .optedOut, op: .eq, value: .bool(true))]
        #expect(!AudienceSegment.Definition(name: "a", match: .all, rules: rules).matches(Self.ada))
        #expect(AudienceSegment.Definition(name: "a", match: .any, rules: rules).matches(Self.ada))
        #expect(AudienceSegment.Definition(name: "a", match: .any, rules: rules).matches(Self.bob))
        #expect(AudienceSegment.Definition(name: "a", match: .all, rules: []).matches(Self.bob))
        #expect(!AudienceSegment.Definition(name: "a", match: .any, rules: []).matches(Self.bob))
    }

    @Test("dates that do not exist are no ISO 8601 instant (Foundation alone rolled 2024-02-30 over to 1 March)", arguments: [
        "2024-02-30", "2023-02-29", "2024-04-31", "2024-02-31T25:00:00Z", "2024-01-01T23:60:00Z", "2024-13-01", "2024-00-10",
    ])
    func impossibleDatesRefused(text: String) {
        #expect(ISO8601Instant.parse(text) == nil)
        #expect(throws: ProblemList.self) {
            try Self.read(#"{"name":"x","rules":[{"field":"properties.d","op":"gte","value":"\#(text)"}]}"#).get()
        }
    }

    @Test("real dates still read, leap day included")
    func realDatesRead() {
        #expect(ISO8601Instant.parse("2024-02-29") == 1_709_164_800)
        #expect(ISO8601Instant.parse("2024-02-29T23:59:59Z") == 1_709_251_199)
        #expect(ISO8601Instant.parse("2024-05-01T12:00:00+02:00") == 1_714_557_600)
        #expect(ISO8601Instant.parse("2000-02-29") == 951_782_400)
    }

    static func read(_ json: String) -> Result<AudienceSegment.Definition, ProblemList> {
        AudienceSegment.Definition.read(try! JSONBody.read(Data(json.utf8)).decode(AudienceSegment.Definition.Body.self))
    }

    @Test("a body is read with every problem named by its field")
    func reading() throws {
        let ok = try Self.read(#"{"name":"Berlin adults","match":"all","rules":[{"field":"properties.city","op":"eq","value":"Berlin"},{"field":"properties.age","op":"gte","value":18},{"field":"country","op":"in","value":["DE","AT"]},{"field":"optedOut","op":"eq","value":false}]}"#).get()
        #expect(ok.rules.count == 4 && ok.match == .all && ok.name == "Berlin adults")
        #expect(try Self.read(#"{"name":"x","rules":[]}"#).get().match == .all)
        let cases: [(String, String)] = [
            (#"{"rules":[]}"#, "name must be a non-empty string"),
            (#"{"name":"x","match":"some","rules":[]}"#, "match must be \"all\" or \"any\""),
            (#"{"name":"x"}"#, "rules must be an array of {field, op, value}"),
            (#"{"name":"x","rules":[{"field":"city","op":"eq","value":"B"}]}"#, "rules[0].field must be \"properties.<name>\", \"country\" or \"optedOut\""),
            (#"{"name":"x","rules":[{"field":"optedOut","op":"gt","value":1}]}"#, "rules[0].op must be one of eq, ne, exists for optedOut"),
            (#"{"name":"x","rules":[{"field":"properties.age","op":"gt","value":"abc"}]}"#,
             "rules[0].value must be a number or an ISO 8601 date-time (2024-05-01T10:00:00Z, 2024-05-01) for gt (got \"abc\")"),
            (#"{"name":"x","rules":[{"field":"country","op":"eq","value":"XX"}]}"#,
             "rules[0].value must be an ISO 3166-1 alpha-2 region in capitals such as DE for eq (got \"XX\")"),
            (#"{"name":"x","rules":[{"field":"properties.a","op":"in","value":[]}]}"#,
             "rules[0].value must be a non-empty array (at most 1000) of a string, number or boolean values for in (got [])"),
            (#"{"name":"x","rules":[{"field":"properties.a","op":"eq"}]}"#, "rules[0].value must be a string, number or boolean for eq (got nothing)"),
        ]
        for (body, expected) in cases {
            #expect(throws: ProblemList([expected]), "\(body)") { try Self.read(body).get() }
        }
        // An unknown key, at the top or in a rule, is refused by the strict decoder, naming it.
        let unknown: [(String, String)] = [
            (#"{"name":"x","rules":[],"extra":1}"#, "unknown field 'extra': the fields are match, name, rules"),
            (#"{"name":"x","rules":[{"field":"country","op":"eq","vlaue":"DE"}]}"#,
             "unknown field 'rules[0].vlaue': the fields of rules[0] are field, op, value"),
        ]
        for (body, expected) in unknown {
            let error = #expect(throws: JSONBody.UnknownField.self, "\(body)") {
                try JSONBody.read(Data(body.utf8)).decode(AudienceSegment.Definition.Body.self)
            }
            #expect(error?.message == expected)
        }
    }

    /// An oracle written independently of ``AudienceSegment/Rule/matches(_:)``: profiles as plain
    /// Swift values (an integer age or none, a city or none, an opted-out flag, DE or US).
    struct Plain {
        var age: Int?
        var ageText: String?
        var city: String?
        var optedOut: Bool
        var german: Bool
    }

    @Test("property: a segment's decision equals an independent brute-force filter over random profiles")
    func bruteForce() {
        var rng = SplitMix64(seed: 1515)
        let cities = ["Berlin", "Hamburg", "Köln"]
        for _ in 0..<300 {
            let plain = (0..<60).map { _ in
                Plain(
                    age: rng.next() % 4 == 0 ? nil : Int(rng.next() % 80), ageText: rng.next() % 5 == 0 ? "\(rng.next() % 80)" : nil,
                    city: rng.next() % 4 == 0 ? nil : cities[Int(rng.next() % 3)], optedOut: rng.next() % 3 == 0, german: rng.next() % 2 == 0)
            }
            let profiles = plain.enumerated().map { i, p in
                var props: [String: JSONValue] = [:]
                if let a = p.age { props["age"] = .number(Double(a)) } else if let t = p.ageText { props["age"] = .string(t) }
                if let c = p.city { props["city"] = .string(c) }
                return Profile(userId: "u\(i)", phone: p.german ? "+4915112345678" : "+16502530000", phoneValid: true, properties: props, optedOut: p.optedOut)
            }
            let bound = Int(rng.next() % 80)
            let city = cities[Int(rng.next() % 3)]
            let any = rng.next() % 2 == 0
            let useCountry = rng.next() % 2 == 0
            let segment = AudienceSegment.Definition(
                name: "r", match: any ? .any : .all,
                rules: [
                    Rule(field: .property("age"), op: .gte, value: .number(Double(bound))),
                    Rule(field: .property("city"), op: .ne, value: .string(city)),
                    useCountry ? Rule(field: .country, op: .eq, value: .string("DE")) : Rule(field: .optedOut, op: .eq, value: .bool(false)),
                ])
            let expected = plain.enumerated().filter { _, p in
                let r1 = p.age.map { $0 >= bound } ?? false  // a text age is no number: no match
                let r2 = p.city != city
                let r3 = useCountry ? p.german : !p.optedOut
                return any ? (r1 || r2 || r3) : (r1 && r2 && r3)
            }.map { "u\($0.offset)" }
            #expect(profiles.filter(segment.matches).map(\.userId) == expected)
        }
    }
}
