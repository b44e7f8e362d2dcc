import Foundation
import SMSCore
import SMSTemplating
import Testing

@Suite("Personalisation with Mustache")
struct PersonalizationMustacheTests {
    let engine = MustacheTemplateEngine()
    let ann = Profile(
        userId: "u1", phone: "+4915112345678", phoneValid: true, name: "Ann",
        properties: [
            "first_name": .string("Ann"), "city": .string("Köln"), "vip": .bool(true), "points": .number(1200),
            "quote": .string(#"Tom & "Jerry" <b>'s</b> \ 100% + 1"#), "address": .object(["zip": .string("50667")]),
            "empty": .string(""),
        ])

    func render(_ body: String, _ profile: Profile? = nil, defaults: [String: String] = [:]) throws -> String {
        try engine.compile(body).render(profile: profile ?? ann, defaults: defaults)
    }

    @Test("fields render by the documented names", arguments: [
        ("Hi {{first_name}}", "Hi Ann"), ("Hi {{name}}", "Hi Ann"), ("{{user_id}}", "u1"), ("{{properties.city}}", "Köln"),
        ("{{city}}", "Köln"), ("{{points}} pts", "1200 pts"), ("{{address.zip}}", "50667"), ("{{properties.address.zip}}", "50667"),
        ("{{#vip}}VIP {{/vip}}{{first_name}}", "VIP Ann"), ("{{^vip}}regular{{/vip}}", ""),
        ("{{#properties}}{{city}}{{/properties}}", "Köln"), ("{{! a comment }}x", "x"), ("{{{first_name}}}", "Ann"),
        ("\nHi {{first_name}}\n", "\nHi Ann\n"), ("{{#vip}}{{points}}{{/vip}}", "1200"),
    ])
    func fields(_ body: String, _ expected: String) throws {
        #expect(try render(body) == expected)
    }

    @Test("nothing is HTML-escaped: SMS is plain text")
    func noHTMLEscaping() throws {
        #expect(try render("{{quote}}") == #"Tom & "Jerry" <b>'s</b> \ 100% + 1"#)
        #expect(try render("{{&quote}}") == #"Tom & "Jerry" <b>'s</b> \ 100% + 1"#)
        #expect(try render("A & B <i>{{first_name}}</i>") == "A & B <i>Ann</i>")
    }

    @Test("defaults fill missing, null and empty fields; without one a missing field is empty")
    func defaults() throws {
        let bare = Profile(userId: "u2", phone: "+4915112345679", phoneValid: true, properties: ["empty": .string(""), "nothing": .null])
        let defaults = ["first_name": "there", "empty": "E", "nothing": "N", "properties.city": "your city"]
        #expect(try render("Hi {{first_name}}!", bare, defaults: defaults) == "Hi there!")
        #expect(try render("{{empty}}{{nothing}}", bare, defaults: defaults) == "EN")
        #expect(try render("in {{properties.city}}", bare, defaults: defaults) == "in your city")
        #expect(try render("Hi {{first_name}}!", bare) == "Hi !")
        #expect(try render("Hi {{first_name}}!", ann, defaults: defaults) == "Hi Ann!")
    }

    @Test("referenced names include those in sections (scoped by the section) and inverted sections")
    func referencedNames() throws {
        let t = try engine.compile("Hi {{first_name}} {{#vip}}{{points}}{{/vip}}{{^vip}}{{nickname}}{{/vip}} {{properties.city}} {{{raw}}}")
        #expect(t.referencedNames == ["first_name", "vip", "vip.points", "nickname", "properties", "properties.city", "raw"])
        #expect(try engine.compile("no tags").referencedNames == [])
    }

    /// Found by the template fuzzer (Fuzz/Corpus/template): swift-mustache threw "overflow" for a `{`
    /// at the very end, so `smile :-{` was refused with the library's debug dump.
    /// The same fuzzer: a last line of only spaces or tabs was dropped (`" "` rendered `""`).
    @Test("a body ending in a lone { or a blank line renders unchanged", arguments: [
        "{", "smile :-{", "a{b{", "{{first_name}} :-{", "x\n{", "{ {", " ", "\t", "Hi\n  ", "{{first_name}}\r\n \t", "a\n\n ",
    ])
    func trailingBrace(_ body: String) throws {
        let expected = body.replacingOccurrences(of: "{{first_name}}", with: "Ann")
        #expect(try render(body) == expected)
    }

    @Test("syntax errors and partials are refused", arguments: ["Hi {{#vip}} unclosed", "{{/vip}}", "Hi {{> footer}}"])
    func refused(_ body: String) {
        #expect(throws: MessageTemplateError.self) { try engine.compile(body) }
    }

    @Test("{{.}} and an empty tag outside a section are refused: they would print the whole profile", arguments: [
        "{{ }}", "{{.}}", "Hi {{.}}", "{{name}} {{  }}", "{{#vip}}ok{{/vip}}{{.}}",
    ])
    func wholeContextRefused(body: String) {
        do {
            _ = try engine.compile(body)
            Issue.record("\(body) was accepted")
        } catch {
            #expect("\(error)".contains("names the whole profile"), "\(error)")
        }
    }

    @Test("{{.}} inside a section over a list still renders each item")
    func dotInsideSectionRenders() throws {
        let p = Profile(
            userId: "u", phone: "+4915123456789", phoneValid: true, name: "Ann", properties: ["tags": .array([.string("a"), .string("b")])])
        #expect(try render("{{#properties.tags}}{{.}};{{/properties.tags}}", p) == "a;b;")
    }

    @Test("a body that renders no text for anyone is refused", arguments: ["{{", "{{=<% %>=}}", "{{! only a comment}}"])
    func noTextRefused(body: String) {
        #expect(throws: MessageTemplateError.self) { try engine.compile(body) }
    }

    @Test("the planner personalises, rewrites only template links and records template variables")
    func planner() {
        let campaign = Campaign(
            id: "c1", name: "n", providerId: "p", body: "Hi {{first_name}}, {{#vip}}VIP deal: https://shop.example/vip?a=1&b=2{{/vip}} https://shop.example/all",
            links: [], audience: .all, timezone: "UTC", goal: nil, createdAt: 0, defaults: ["first_name": "there"])
        let eve = Profile(userId: "u3", phone: "+4915112345670", phoneValid: true, properties: ["vip": .bool(false), "first_name": .string("https://evil.example/")])
        var n = 0
        let messages = CampaignPlanner(linkBaseURL: "https://s.example", engine: engine).plan(
            campaign: campaign, profiles: [ann, eve], now: 100,
            makeCode: {
                n += 1
                return "k\(n)"
            })
        #expect(messages[0].body == "Hi Ann, VIP deal: https://s.example/l/k1 https://s.example/l/k2")
        #expect(messages[0].links.map(\.url) == ["https://shop.example/vip?a=1&b=2", "https://shop.example/all"])
        #expect(messages[0].links.map(\.linkIndex) == [0, 1])
        #expect(messages[0].templateVariables == #"{"first_name":"Ann","vip":"true"}"#)
        // Eve is not VIP: no VIP link (and no code for it); her URL-looking name is not tracked.
        #expect(messages[1].body == "Hi https://evil.example/,  https://s.example/l/k3")
        #expect(messages[1].links.map(\.url) == ["https://shop.example/all"])
        #expect(messages[1].links.map(\.linkIndex) == [1])
    }

    /// Sections nest at most 32 levels (`MustacheTemplateEngine.maximumSectionDepth`): 2,000 nested
    /// `{{#a}}` hung the server in swift-mustache's recursive parser; the refusal comes first and
    /// names the depth, also when a set-delimiter tag changes the tags.
    @Test func sectionsNestAtMost32Levels() throws {
        func nested(_ n: Int, open: String = "{{#a}}", close: String = "{{/a}}") -> String {
            String(repeating: open, count: n) + "x" + String(repeating: close, count: n)
        }
        #expect(try render(nested(32)) == "")
        #expect(try render("{{#vip}}" + nested(31, open: "{{^a}}") + "{{/vip}}") == "x")
        for (body, depth) in [
            (nested(33), 33), (nested(2_000), 2_000), (nested(50, open: "{{ ^a}}"), 50),
            ("{{=<% %>=}}" + nested(40, open: "<%#a%>", close: "<%/a%>"), 40),
        ] {
            #expect(throws: MessageTemplateError.self) { try engine.compile(body) }
            do { _ = try engine.compile(body) } catch {
                #expect("\(error)".contains("nest \(depth) levels deep; at most 32 are allowed"))
            }
        }
        #expect(MustacheTemplateEngine.sectionDepth("{{#a}}{{/a}}{{#b}}{{#c}}{{/c}}{{/b}}{{{x}}}") == 2)
        // Found by the template fuzzer: a set-delimiter holding a NUL trapped the scan (Range bounds).
        #expect(MustacheTemplateEngine.sectionDepth("\u{01}\0{{=>\0 $>=}}<!%%>=}}%>") == 0)
        #expect(MustacheTemplateEngine.sectionDepth("{{=>\0 $>=}}>\0#a$>>\0^b$>x>\0/b$>") == 2)
        #expect(MustacheTemplateEngine.sectionDepth("é{{#a}}ü{{#b}}{{/b}}{{/a}}") == 2)
    }

    @Test("the value tags outside every section: {{x}}, {{{x}}}, {{&x}}; not sections, comments or names inside sections")
    func topLevelValueNames() throws {
        #expect(MustacheTemplateEngine.topLevelValueNames("Hi {{ first_name }} {{{properties.city.x}}} {{& a.b }}{{! note}}{{#vip}}{{points}}{{/vip}}{{^c}}{{d}}{{/c}} {{e}}")
            == ["first_name", "properties.city.x", "a.b", "e"])
        #expect(MustacheTemplateEngine.topLevelValueNames("{{=<% %>=}}<% x %>") == nil)
        #expect(MustacheTemplateEngine.topLevelValueNames("no tags") == [])
        #expect(try engine.compile("{{a}}{{#s}}{{b}}{{/s}}").topLevelValueNames == ["a"])
    }

    // MARK: The render work budget (docs/DOMAIN.md §2 "Message size")

    static func withItems(_ count: Int, _ item: String = "x") -> Profile {
        Profile(userId: "u1", phone: nil, phoneValid: false, properties: ["items": .array(Array(repeating: .string(item), count: count))])
    }

    @Test("the budget is exact: the top pass and each pass cost the body's bytes, each value its bytes")
    func budgetBoundary() throws {
        // 47 bytes: 47 + 48 n ≤ 200,000 for n ≤ 4,165.
        let body = "{{#properties.items}}{{.}}{{/properties.items}}"
        #expect(body.utf8.count == 47)
        let compiled = try engine.compile(body)
        #expect(try compiled.render(profile: Self.withItems(4_165), defaults: [:]) == String(repeating: "x", count: 4_165))
        #expect(throws: MessageRenderError.workBudgetExceeded) { try compiled.render(profile: Self.withItems(4_166), defaults: [:]) }
        // A value charges its UTF-8 bytes: "ж" is 2, so 47 + 49 n ≤ 200,000 for n ≤ 4,080.
        #expect(try compiled.render(profile: Self.withItems(4_080, "ж"), defaults: [:]).count == 4_080)
        #expect(throws: MessageRenderError.workBudgetExceeded) { try compiled.render(profile: Self.withItems(4_081, "ж"), defaults: [:]) }
    }

    @Test("five sections nested over a 30-element array stop early instead of rendering 30⁵ passes")
    func nestedSectionsStopEarly() throws {
        let open = String(repeating: "{{#properties.items}}", count: 5), close = String(repeating: "{{/properties.items}}", count: 5)
        let compiled = try engine.compile("Hi " + open + "{{.}} " + close)
        let started = ContinuousClock.now
        #expect(throws: MessageRenderError.workBudgetExceeded) { try compiled.render(profile: Self.withItems(30, "item"), defaults: [:]) }
        // 24 MB in 49 s before the budget; a few thousand passes now (2 s leaves room for a loaded machine).
        #expect(ContinuousClock.now - started < .seconds(2))
        // Three elements nested five deep are 243 passes: rendered whole.
        #expect(try compiled.render(profile: Self.withItems(3, "a"), defaults: [:]) == "Hi " + String(repeating: "a ", count: 243))
    }

    @Test("arrays still render as before: as a variable, reversed, counted, skipping null and empty elements")
    func arraysAsBefore() throws {
        let profile = Profile(
            userId: "u1", phone: nil, phoneValid: false,
            properties: ["tags": .array([.string("a"), .null, .string(""), .number(2), .bool(true)])])
        #expect(try engine.compile("{{tags}}").render(profile: profile, defaults: [:]) == #"["a", "2", true]"#)
        #expect(try engine.compile("{{#reversed(tags)}}{{.}},{{/reversed(tags)}}").render(profile: profile, defaults: [:]) == "true,2,a,")
        #expect(try engine.compile("{{count(tags)}} {{#empty(tags)}}none{{/empty(tags)}}").render(profile: profile, defaults: [:]) == "3 ")
        #expect(try render("{{uppercased(city)}} {{lowercased(first_name)}}") == "KÖLN ann")
    }
}
