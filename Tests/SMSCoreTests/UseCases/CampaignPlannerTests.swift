import Testing

@testable import SMSCore

@Suite("Campaign planning")
struct CampaignPlannerTests {
    let campaign = Campaign(
        id: "c1", name: "Sale", providerId: "p1", body: "Sale https://shop.example/p?a=1&b=2 and https://x.example/y.",
        links: ["https://shop.example/p?a=1&b=2", "https://x.example/y"], audience: .all, timezone: "UTC", goal: nil,
        controlGroupPercent: 0, createdAt: 0)

    @Test("eligible recipients get one short link per (message, link); the others a dispatch error with the reason")
    func planning() {
        let profiles = [
            Profile(userId: "ok", phone: "+4915112345678", phoneValid: true),
            Profile(userId: "nophone", phone: nil, phoneValid: false),
            Profile(userId: "bad", phone: "12345", phoneValid: false),
            Profile(userId: "stop", phone: "+4915112345679", phoneValid: true, optedOut: true),
        ]
        var n = 0
        let planner = CampaignPlanner(linkBaseURL: "https://s.example/")
        let messages = planner.plan(campaign: campaign, profiles: profiles, now: 1_000, makeCode: {
            n += 1
            return "code\(n)"
        })
        #expect(messages.map(\.dispatch) == [.queued, .dispatchError, .dispatchError, .dispatchError])
        #expect(messages.map(\.dispatchErrorReason) == [nil, "no phone on profile", "invalid phone number (not E.164)", "user opted out / DND"])
        #expect(messages[0].body == "Sale https://s.example/l/code1 and https://s.example/l/code2.")
        #expect(messages[0].links.map(\.url) == ["https://shop.example/p?a=1&b=2", "https://x.example/y"])
        let expiry: Int64 = 2_593_000  // 1_000 + 30 days
        #expect(messages[0].links.map(\.expiresAt) == [expiry, expiry])
        #expect(messages[0].segments == 1)
        #expect(Set(messages.map(\.meta)).count == 4)
    }

    @Test("control group: reproducible per (campaign, user), and close to the percentage")
    func controlGroup() {
        let users = (0..<10_000).map { "user-\($0)" }
        let picked = users.filter { CampaignPlanner.isControl(campaignId: "c1", userId: $0, percent: 10) }
        let again = users.filter { CampaignPlanner.isControl(campaignId: "c1", userId: $0, percent: 10) }
        #expect(picked == again)
        #expect((900...1_100).contains(picked.count))  // 10 % ± 1 point
        #expect(users.filter { CampaignPlanner.isControl(campaignId: "c1", userId: $0, percent: 0) }.isEmpty)
        // Another campaign draws another group.
        let other = users.filter { CampaignPlanner.isControl(campaignId: "c2", userId: $0, percent: 10) }
        #expect(Set(other) != Set(picked))
    }

    @Test("drafts are refused with every problem named")
    func validation() {
        let draft = CampaignDraft(
            name: " ", providerId: "nope",
            body: "a https://1.example b https://2.example c https://3.example d https://4.example e https://5.example f https://6.example",
            audience: .userIds([]), timezone: "Mars/Olympus", goal: ConversionGoal(event: "buy", windowMinutes: 0))
        #expect(throws: CampaignValidationError(problems: [
            "name is empty", "body has 6 links; at most 5 can be tracked", "unknown provider 'nope'", "audience is empty",
            "unknown time zone 'Mars/Olympus' (use an IANA name)", "goal.windowMinutes must be an integer from 1 to 5256000 minutes (got 0)",
        ])) {
            try draft.validated(id: "c", providerExists: false, now: 0)
        }
    }
}
