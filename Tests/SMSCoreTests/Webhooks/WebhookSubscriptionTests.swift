import Foundation
import Testing
@testable import SMSCore

/// Webhook subscriptions (issue 17): reading a body (every wrong field named), which events a
/// subscription accepts, and the Standard Webhooks secret form.
@Suite("Webhooks: subscriptions")
struct WebhookSubscriptionTests {
    typealias Definition = WebhookSubscription.Definition

    static func read(_ json: String) throws -> Result<Definition, ProblemList> {
        Definition.read(try JSONDecoder().decode(Definition.Body.self, from: Data(json.utf8)))
    }

    @Test func aValidBodyIsRead() throws {
        let d = try Self.read(#"{"url":"https://hooks.example/in?x=1","events":["message.delivered","conversion","message.delivered"],"campaignId":"c1"}"#).get()
        #expect(d == Definition(url: "https://hooks.example/in?x=1", events: [.messageDelivered, .conversion], campaignId: "c1", enabled: true))
        let plain = try Self.read(#"{"url":"http://127.0.0.1:8080/","events":["campaign.completed"],"campaignId":null,"enabled":false}"#).get()
        #expect(plain == Definition(url: "http://127.0.0.1:8080/", events: [.campaignCompleted], campaignId: nil, enabled: false))
    }

    /// The value is echoed as JSON text (slashes escaped, as ``AudienceSegment/Rule`` echoes values).
    @Test("a wrong body names every wrong field", arguments: [
        (#"{"events":["conversion"]}"#, ["url must be an absolute http or https URL"]),
        (#"{"url":"ftp://x.example/","events":["conversion"]}"#, [#"url must be an absolute http or https URL with a host and no fragment (got "ftp:\/\/x.example\/")"#]),
        (#"{"url":"/relative","events":["conversion"]}"#, [#"url must be an absolute http or https URL with a host and no fragment (got "\/relative")"#]),
        (#"{"url":"https://a.example/#frag","events":["conversion"]}"#, [#"url must be an absolute http or https URL with a host and no fragment (got "https:\/\/a.example\/#frag")"#]),
        (#"{"url":"https://a.example/","events":[]}"#, ["events must be a non-empty array of \(WebhookEventType.allowedList)"]),
        (#"{"url":"https://a.example/","events":["message.sent","message.opened",3]}"#,
            [#"events[1] must be one of \#(WebhookEventType.allowedList) (got "message.opened")"#, "events[2] must be one of \(WebhookEventType.allowedList) (got 3)"]),
        (#"{"url":1,"events":"conversion","campaignId":7,"enabled":"yes"}"#,
            ["url must be an absolute http or https URL", "events must be a non-empty array of \(WebhookEventType.allowedList)",
             "campaignId must be a campaign id (a string) or null", "enabled must be true or false"]),
    ])
    func wrongBodies(json: String, problems: [String]) throws {
        guard case .failure(let p) = try Self.read(json) else { Issue.record("accepted \(json)"); return }
        #expect(p.problems == problems)
    }

    @Test func theEventTypesAreTheIssuesNine() {
        #expect(WebhookEventType.allCases.map(\.rawValue) == [
            "message.sent", "message.delivered", "message.failed", "message.clicked", "message.replied", "profile.opted_out",
            "profile.opted_in", "conversion", "campaign.completed",
        ])
    }

    @Test("property: accepts = enabled AND the type is listed AND (no campaign filter OR the same campaign)")
    func acceptsProperty() {
        var rng = SplitMix64(seed: 17)
        let campaigns: [String?] = [nil, "c1", "c2"]
        for _ in 0..<2_000 {
            let events = WebhookEventType.allCases.filter { _ in rng.next() % 3 == 0 }
            let filter = campaigns[Int(rng.next() % 3)]
            let enabled = rng.next() % 4 != 0
            let s = WebhookSubscription(
                id: 1, definition: Definition(url: "https://a.example/", events: events, campaignId: filter, enabled: enabled),
                secret: "whsec_x", createdAt: 0, updatedAt: 0)
            let type = WebhookEventType.allCases[Int(rng.next() % 9)]
            let campaign = campaigns[Int(rng.next() % 3)]
            var expected = false
            if enabled, events.contains(type) { expected = filter == nil ? true : filter == campaign }
            #expect(s.accepts(type, campaignId: campaign) == expected)
        }
    }

    @Test func aSecretIsWhsecAndTheBase64OfThirtyTwoRandomBytes() throws {
        let a = WebhookSecret.generate()
        let b = WebhookSecret.generate()
        #expect(a.hasPrefix("whsec_"))
        #expect(a != b)
        #expect(try #require(WebhookSecret.key(of: a)).count == 32)
        #expect(WebhookSecret.key(of: "sk_abc") == nil)
        #expect(WebhookSecret.key(of: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == Data(base64Encoded: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
    }
}
