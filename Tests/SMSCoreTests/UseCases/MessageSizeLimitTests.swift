import Testing

@testable import SMSCore

/// The size cap of one message (`docs/DOMAIN.md §2 "Message size"`): 255 concatenated parts.
@Suite("Message size cap")
struct MessageSizeLimitTests {
    static let capText = "at most 255 segments (39015 GSM-7 septets or 17085 UCS-2 units)"

    @Test("the cap is 255 parts: 39,015 GSM-7 septets or 17,085 UCS-2 units")
    func numbers() {
        #expect(MessageSizeLimit.maximumSegments == 255)
        #expect(MessageSizeLimit.maximumGSM7Septets == 39_015)
        #expect(MessageSizeLimit.maximumUCS2Units == 17_085)
    }

    @Test("texts at the cap pass; one unit more is refused with its count", arguments: [
        // (text, refusal or nil)
        (String(repeating: "a", count: 39_015), nil),
        (String(repeating: "a", count: 39_016), "message too long: 256 segments (39016 GSM-7 septets); \(capText)"),
        // `€` takes two septets and a part never splits one: 76 per part, so 255 parts hold 19,380.
        (String(repeating: "€", count: 19_380), nil),
        (String(repeating: "€", count: 19_381), "message too long: 256 segments (38762 GSM-7 septets); \(capText)"),
        (String(repeating: "ж", count: 17_085), nil),
        (String(repeating: "ж", count: 17_086), "message too long: 256 segments (17086 UCS-2 units); \(capText)"),
    ] as [(String, String?)])
    func cap(_ text: String, _ refusal: String?) {
        do {
            try MessageSizeLimit.check(text)
            #expect(refusal == nil)
        } catch {
            #expect(error.description == refusal)
        }
    }

    @Test("a recipient over the cap gets a dispatch error with the reason; the others are queued")
    func planner() {
        let campaign = Campaign(
            id: "c1", name: "Long", providerId: "p1", body: String(repeating: "a", count: 39_016), links: [], audience: .all,
            timezone: "UTC", goal: nil, controlGroupPercent: 0, createdAt: 0)
        let fits = Campaign(
            id: "c2", name: "Fits", providerId: "p1", body: String(repeating: "a", count: 39_015), links: [], audience: .all,
            timezone: "UTC", goal: nil, controlGroupPercent: 0, createdAt: 0)
        let profiles = [Profile(userId: "u1", phone: "+4915112345678", phoneValid: true)]
        let planner = CampaignPlanner(linkBaseURL: "https://s.example")
        let long = planner.plan(campaign: campaign, profiles: profiles, now: 0)
        #expect(long.map(\.dispatch) == [.dispatchError])
        #expect(long.map(\.dispatchErrorReason) == ["message too long: 256 segments (39016 GSM-7 septets); \(Self.capText)"])
        #expect(long.map(\.body) == [""])
        let ok = planner.plan(campaign: fits, profiles: profiles, now: 0)
        #expect(ok.map(\.dispatch) == [.queued])
        #expect(ok.map(\.segments) == [255])
    }

    @Test("a draft whose body is over the cap is refused naming the body and the cap")
    func draft() {
        let draft = CampaignDraft(
            name: "n", providerId: "p1", body: String(repeating: "ж", count: 17_086), audience: .userIds(["u1"]))
        #expect(throws: CampaignValidationError(problems: ["body: message too long: 256 segments (17086 UCS-2 units); \(Self.capText)"])) {
            try draft.validated(id: "c1", providerExists: true, now: 0)
        }
    }
}
