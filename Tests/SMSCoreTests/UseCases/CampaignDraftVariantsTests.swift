import Foundation
import Testing

@testable import SMSCore

/// A tiny engine for pure-core tests: `{{name}}` tags only, resolved with ``ProfileFields``.
struct BraceEngine: MessageTemplateEngine {
    var tagOpener: String? { "{{" }
    func isStructuralTag(_ text: Substring) -> Bool { text.hasPrefix("{{/") || text.hasPrefix("{{#") }
    func compile(_ text: String) throws -> any CompiledMessageTemplate {
        return Compiled(text: text)
    }
    struct Compiled: CompiledMessageTemplate {
        let text: String
        var referencedNames: Set<String> {
            let regex = try! NSRegularExpression(pattern: #"\{\{\s*([A-Za-z0-9_.]+)\s*\}\}"#)
            return Set(regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
                String(text[Range($0.range(at: 1), in: text)!])
            })
        }
        var topLevelValueNames: Set<String>? { referencedNames }
        func render(profile: Profile, defaults: [String: String]) -> String {
            var out = text
            for name in referencedNames {
                out = out.replacingOccurrences(of: "{{\(name)}}", with: ProfileFields.text(name, profile: profile, defaults: defaults))
            }
            return out
        }
    }
}

@Suite("Campaign drafts: variants, placeholders, audience, sendAt")
struct CampaignDraftVariantsTests {
    func context(keys: Set<String>? = ["first_name", "city"], audience: Int? = 10) -> CampaignDraft.Context {
        CampaignDraft.Context(providerExists: true, now: 1_700_000_000, engine: BraceEngine(), propertyKeys: keys, audienceSize: audience)
    }

    func problems(_ draft: CampaignDraft, _ context: CampaignDraft.Context) -> [String] {
        do {
            _ = try draft.validated(id: "c", context: context)
            return []
        } catch {
            return error.problems
        }
    }

    @Test("a name over 200 characters (Unicode code points) is named with the limit: API and dashboard form alike")
    func nameLength() {
        var draft = CampaignDraft(name: String(repeating: "ß", count: 200), providerId: "p", body: "Hi", audience: .all)
        #expect(problems(draft, context()) == [])
        draft.name = String(repeating: "a", count: 201)
        #expect(problems(draft, context()) == ["name is 201 characters long; at most 200 characters"])
        draft.name = String(repeating: "e\u{301}", count: 101)  // 101 characters as a person counts them, 202 code points
        #expect(problems(draft, context()) == ["name is 202 characters long; at most 200 characters"])
    }

    @Test("variant percents must add up to 100, with 1 to 5 bodies, none empty")
    func variantRules() {
        var draft = CampaignDraft(name: "n", providerId: "p", body: "", audience: .all)
        draft.variants = [CampaignVariant(body: "A", percent: 60), CampaignVariant(body: "B", percent: 30)]
        #expect(problems(draft, context()) == ["variant percents add up to 90, not 100"])
        draft.variants = (0..<6).map { CampaignVariant(body: "V\($0)", percent: 100.0 / 6) }
        #expect(problems(draft, context()) == ["variants must hold 1 to 5 bodies, got 6"])
        draft.variants = [CampaignVariant(body: " ", percent: 50), CampaignVariant(body: "B", percent: 50)]
        #expect(problems(draft, context()) == ["variants[0].body is empty"])
        draft.variants = [CampaignVariant(body: "A", percent: 0), CampaignVariant(body: "B", percent: 100)]
        #expect(problems(draft, context()) == ["variants[0].percent must be a number from 0.01 to 100 percent (got 0)"])
        draft.body = "also a body"
        draft.variants = [CampaignVariant(body: "A", percent: 50), CampaignVariant(body: "B", percent: 50)]
        #expect(problems(draft, context()) == ["give either body or variants, not both"])
    }

    @Test("three variants of 33.3/33.3/33.4 are accepted and their links merged campaign-wide")
    func acceptedVariants() throws {
        var draft = CampaignDraft(name: "n", providerId: "p", body: "", audience: .all)
        draft.variants = [
            CampaignVariant(body: "A https://a.example/1", percent: 33.3),
            CampaignVariant(body: "B https://b.example/2 https://a.example/1", percent: 33.3),
            CampaignVariant(body: "C", percent: 33.4),
        ]
        let campaign = try draft.validated(id: "c", context: context())
        #expect(campaign.links == ["https://a.example/1", "https://b.example/2"])
        #expect(campaign.variantBodies == ["A https://a.example/1", "B https://b.example/2 https://a.example/1", "C"])
        #expect(campaign.status == .draft)
    }

    @Test("a variant with more than 5 links is named")
    func variantLinks() {
        var draft = CampaignDraft(name: "n", providerId: "p", body: "", audience: .all)
        let six = (1...6).map { "https://x.example/\($0)" }.joined(separator: " ")
        draft.variants = [CampaignVariant(body: "ok", percent: 50), CampaignVariant(body: six, percent: 50)]
        #expect(problems(draft, context()) == ["variants[1].body has 6 links; at most 5 can be tracked"])
    }

    @Test("an unknown placeholder is named; defaults and profile keys make a name known")
    func placeholders() {
        var draft = CampaignDraft(name: "n", providerId: "p", body: "Hi {{first_name}} from {{city}}, {{nickname}} {{properties.zip}}", audience: .all)
        #expect(problems(draft, context()) == [
            "unknown template placeholder 'nickname': no profile has that field and defaults has no value for it",
            "unknown template placeholder 'properties.zip': no profile has that field and defaults has no value for it",
        ])
        draft.defaults = ["nickname": "friend", "zip": "00000"]
        #expect(problems(draft, context()) == [])
        // Built-in fields are always known.
        draft = CampaignDraft(name: "n", providerId: "p", body: "Hi {{name}} ({{user_id}})", audience: .all)
        #expect(problems(draft, context(keys: [])) == [])
    }

    @Test("a link ends where a section tag begins; a value tag glued to a link is refused")
    func taggedLink() throws {
        let ok = CampaignDraft(name: "n", providerId: "p", body: "Go https://x.example/a.{{/x}} now", audience: .all)
        #expect(try ok.validated(id: "c", context: context()).links == ["https://x.example/a"])
        let draft = CampaignDraft(name: "n", providerId: "p", body: "Go https://x.example/?u={{user_id}} now", audience: .all)
        #expect(problems(draft, context()) == [
            "body: link 'https://x.example/?u={{user_id}}' contains a template tag; links are the same for every recipient (put a space between a link and a tag)"
        ])
    }

    @Test("an audience that reaches no profile is empty")
    func emptyAudience() {
        #expect(problems(CampaignDraft(name: "n", providerId: "p", body: "b", audience: .all), context(audience: 0))
            == ["audience is empty: there are no profiles"])
        #expect(problems(CampaignDraft(name: "n", providerId: "p", body: "b", audience: .userIds(["x", "y"])), context(audience: 0))
            == ["audience is empty: none of the 2 user ids has a profile"])
    }

    @Test("sendAt makes the campaign scheduled at the instant in its zone; a past sendAt is refused")
    func scheduling() throws {
        var draft = CampaignDraft(name: "n", providerId: "p", body: "b", audience: .all, timezone: "Europe/Berlin")
        draft.sendAt = .text("2025-06-01T09:00")
        var ctx = context()
        ctx.now = 1_748_000_000
        let campaign = try draft.validated(id: "c", context: ctx)
        #expect(campaign.status == .scheduled)
        #expect(campaign.sendAt == 1_748_761_200)
        ctx.now = 1_748_761_200 + 61
        #expect(problems(draft, ctx) == ["sendAt is in the past (1748761200 < now 1748761261)"])
    }

    @Test("custom values cannot override standard placeholders and need placeholder-shaped names")
    func customValues() {
        var draft = CampaignDraft(name: "n", providerId: "p", body: "b", audience: .all)
        draft.customValues = ["Sender": "ACME", "To": "+1", "bad-name": "x"]
        #expect(problems(draft, context()) == [
            "customValues.To is a standard placeholder and cannot be set",
            "customValues key 'bad-name' must match [A-Za-z][A-Za-z0-9_]*",
        ])
    }

    @Test("a draft with variants and no body decodes from JSON")
    func decodesVariants() throws {
        let json = #"{"name":"n","providerId":"p","audience":{"all":true},"variants":[{"body":"A","percent":50},{"body":"B","percent":50}],"defaults":{"first_name":"there"},"sendAt":"2025-06-01T09:00"}"#
        let draft = try JSONDecoder().decode(CampaignDraft.self, from: Data(json.utf8))
        #expect(draft.body == "")
        #expect(draft.variants?.map(\.body) == ["A", "B"])
        #expect(draft.defaults == ["first_name": "there"])
        #expect(draft.sendAt == .text("2025-06-01T09:00"))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(CampaignDraft.self, from: Data(#"{"name":"n","providerId":"p","audience":{"all":true}}"#.utf8))
        }
    }
}

@Suite("Planner: variants, personalisation, links from the template only")
struct PlannerVariantTests {
    @Test("variants split close to their percentages, reproducibly, and every message records its variant")
    func variantSplit() {
        let campaign = Campaign(
            id: "c9", name: "n", providerId: "p", body: "", links: [], audience: .all, timezone: "UTC", goal: nil,
            createdAt: 0, variants: [CampaignVariant(body: "A", percent: 20), CampaignVariant(body: "B", percent: 30), CampaignVariant(body: "C", percent: 50)])
        let profiles = (0..<10_000).map { Profile(userId: "u\($0)", phone: "+4915112345678", phoneValid: true) }
        let planner = CampaignPlanner(linkBaseURL: "https://s.example")
        let messages = planner.plan(campaign: campaign, profiles: profiles, now: 0)
        let again = planner.plan(campaign: campaign, profiles: profiles, now: 0)
        #expect(messages.map(\.variant) == again.map(\.variant))
        let counts = (0..<3).map { v in messages.filter { $0.variant == v }.count }
        #expect((1_850...2_150).contains(counts[0]))
        #expect((2_850...3_150).contains(counts[1]))
        #expect((4_850...5_150).contains(counts[2]))
        for m in messages { #expect(m.body == ["A", "B", "C"][m.variant]) }
        // Brute-force recount of the rule: variant = first cumulative bound above the percentile.
        for p in profiles.prefix(500) {
            let x = StableHash.percentile("c9", p.userId, "variant")
            let expected = x < 20 ? 0 : x < 50 ? 1 : 2
            #expect(CampaignPlanner.variant(campaignId: "c9", userId: p.userId, percents: [20, 30, 50]) == expected)
        }
    }

    @Test("a profile value holding a URL is sent as text and never becomes a tracked link")
    func noInjectedLinks() {
        let campaign = Campaign(
            id: "c", name: "n", providerId: "p", body: "Hi {{first_name}}, see https://shop.example/a?x=1&y=2.",
            links: ["https://shop.example/a?x=1&y=2"], audience: .all, timezone: "UTC", goal: nil, createdAt: 0)
        let profile = Profile(
            userId: "u1", phone: "+4915112345678", phoneValid: true, properties: ["first_name": .string("Eve https://evil.example/x")])
        var n = 0
        let planner = CampaignPlanner(linkBaseURL: "https://s.example", engine: BraceEngine())
        let m = planner.plan(campaign: campaign, profiles: [profile], now: 0, makeCode: {
            n += 1
            return "code\(n)"
        })[0]
        #expect(m.body == "Hi Eve https://evil.example/x, see https://s.example/l/code1.")
        #expect(m.links.map(\.url) == ["https://shop.example/a?x=1&y=2"])
        #expect(m.links.map(\.linkIndex) == [0])
    }

    @Test("the same link twice in a body gets one code per message")
    func repeatedLink() {
        let campaign = Campaign(
            id: "c", name: "n", providerId: "p", body: "https://a.example/x or again https://a.example/x",
            links: ["https://a.example/x"], audience: .all, timezone: "UTC", goal: nil, createdAt: 0)
        var n = 0
        let m = CampaignPlanner(linkBaseURL: "https://s.example").plan(
            campaign: campaign, profiles: [Profile(userId: "u", phone: "+4915112345678", phoneValid: true)], now: 0,
            makeCode: {
                n += 1
                return "k\(n)"
            })[0]
        #expect(m.body == "https://s.example/l/k1 or again https://s.example/l/k1")
        #expect(m.links.count == 1)
    }

    @Test("segments are counted on the final text: a personalised emoji switches the message to UCS-2")
    func segmentsAfterPersonalisation() {
        let body = String(repeating: "a", count: 60) + " {{first_name}}"
        let campaign = Campaign(id: "c", name: "n", providerId: "p", body: body, links: [], audience: .all, timezone: "UTC", goal: nil, createdAt: 0)
        let plain = Profile(userId: "u1", phone: "+4915112345678", phoneValid: true, properties: ["first_name": .string("Ann")])
        let emoji = Profile(userId: "u2", phone: "+4915112345679", phoneValid: true, properties: ["first_name": .string("Ann 😎 Lee")])
        let messages = CampaignPlanner(linkBaseURL: "https://s.example", engine: BraceEngine()).plan(campaign: campaign, profiles: [plain, emoji], now: 0)
        #expect(messages.map(\.segments) == [1, 2])  // 64 GSM-7 septets; 71 UTF-16 units > 70
        #expect(messages[0].templateVariables == #"{"first_name":"Ann"}"#)
    }

    @Test("segments are counted after link rewriting: a long URL replaced by a short link fits one part")
    func segmentsAfterLinkRewriting() {
        let url = "https://shop.example/collections/summer-sale?utm_source=sms"  // 59 chars
        let body = String(repeating: "a", count: 129) + " " + url  // 189 chars as written: 2 parts
        let campaign = Campaign(id: "c", name: "n", providerId: "p", body: body, links: [url], audience: .all, timezone: "UTC", goal: nil, createdAt: 0)
        let m = CampaignPlanner(linkBaseURL: "https://s.example").plan(
            campaign: campaign, profiles: [Profile(userId: "u", phone: "+4915112345678", phoneValid: true)], now: 0,
            makeCode: { "k123456789" })[0]
        #expect(SegmentCounter.count(body).segments == 2)
        #expect(m.body == String(repeating: "a", count: 129) + " https://s.example/l/k123456789")
        #expect(m.body.count == 160)
        #expect(m.segments == 1)
    }
}

@Suite("Profile fields")
struct ProfileFieldsTests {
    let profile = Profile(
        userId: "u7", phone: "+4915112345678", phoneValid: true, name: "Ann Lee",
        properties: [
            "first_name": .string("Ann"), "empty": .string(""), "nothing": .null, "age": .number(42), "score": .number(9.5),
            "vip": .bool(true), "address": .object(["city": .string("Köln")]),
        ])

    @Test("names resolve to profile fields and properties, with defaults for missing, null or empty", arguments: [
        ("name", "Ann Lee"), ("user_id", "u7"), ("first_name", "Ann"), ("properties.first_name", "Ann"), ("age", "42"),
        ("score", "9.5"), ("vip", "true"), ("address.city", "Köln"), ("properties.address.city", "Köln"),
        ("empty", "EMPTY"), ("nothing", "NULL"), ("missing", ""), ("properties.zip", "Z"),
    ])
    func resolves(_ name: String, _ expected: String) {
        let defaults = ["empty": "EMPTY", "nothing": "NULL", "zip": "Z"]
        #expect(ProfileFields.text(name, profile: profile, defaults: defaults) == expected)
    }

    @Test("the phone number is not a template field")
    func noPhone() {
        #expect(ProfileFields.text("phone", profile: profile, defaults: [:]) == "")
        #expect(!ProfileFields.isKnown("phone", propertyKeys: ["first_name"], defaults: [:]))
    }
}
