import Foundation
import Testing
@testable import SMSCore

/// The fan-out's use of the one rule (``WebhookFanout``, ``WebhookSubscription/accepts(_:campaignId:)``):
/// for random subscriptions and runs of events, the accepted rows are the brute-force filter, and
/// the waiting count and oldest time over grouped counts equal those over the events one by one.
@Suite("Webhooks: fan-out")
struct WebhookFanoutTests {
    static let campaigns: [String?] = [nil, "c1", "c2", "c3"]

    static func subscription(_ rng: inout some RandomNumberGenerator) -> WebhookSubscription {
        let events = WebhookEventType.allCases.filter { _ in Bool.random(using: &rng) }
        return WebhookSubscription(
            id: 1,
            definition: .init(
                url: "https://r.example/", events: events.isEmpty ? [.messageSent] : events,
                campaignId: [nil, "c1", "c2"].randomElement(using: &rng)!, enabled: Int.random(in: 0..<5, using: &rng) > 0),
            secret: "", createdAt: 0, updatedAt: 0)
    }

    @Test("accepted and waiting equal the brute force over 500 random cases")
    func bruteForce() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let s = Self.subscription(&rng)
            let scanned = (0..<Int.random(in: 0..<40, using: &rng)).map { i in
                WebhookFanout.Scanned(
                    rowId: Int64(i * 3 + 1), type: WebhookEventType.allCases.randomElement(using: &rng)!,
                    campaignId: Self.campaigns.randomElement(using: &rng)!)
            }
            let brute = scanned.filter { e in
                s.definition.enabled && s.definition.events.contains(e.type) && (s.definition.campaignId == nil || s.definition.campaignId == e.campaignId)
            }
            #expect(WebhookFanout.accepted(scanned, by: s) == brute.map(\.rowId))

            // The same events with queue times, one by one and grouped per (type, campaign).
            let queued = scanned.map { ($0, Int64.random(in: 1_000...2_000, using: &rng)) }
            var groups: [String: WebhookFanout.Group] = [:]
            for (e, at) in queued {
                let key = e.type.rawValue + "|" + (e.campaignId ?? "")
                var g = groups[key] ?? .init(type: e.type, campaignId: e.campaignId, count: 0, oldestQueuedAt: at)
                g.count += 1
                g.oldestQueuedAt = min(g.oldestQueuedAt, at)
                groups[key] = g
            }
            let taken = queued.filter { e, _ in brute.contains(e) }
            let waiting = WebhookFanout.waiting(Array(groups.values), for: s)
            #expect(waiting.count == Int64(taken.count))
            #expect(waiting.oldestQueuedAt == taken.map(\.1).min())
            #expect(WebhookFanout.anyTakes([s], type: .messageSent, campaignId: "c1") == s.accepts(.messageSent, campaignId: "c1"))
        }
    }

    @Test("a subscription with a campaign filter takes that campaign's events only; a disabled one none")
    func examples() {
        let s = WebhookSubscription(
            id: 7, definition: .init(url: "https://r.example/", events: [.messageDelivered, .conversion], campaignId: "c1"), secret: "",
            createdAt: 0, updatedAt: 0)
        let run = [
            WebhookFanout.Scanned(rowId: 10, type: .messageDelivered, campaignId: "c1"),
            WebhookFanout.Scanned(rowId: 11, type: .messageDelivered, campaignId: "c2"),
            WebhookFanout.Scanned(rowId: 12, type: .messageClicked, campaignId: "c1"),
            WebhookFanout.Scanned(rowId: 13, type: .conversion, campaignId: "c1"),
            WebhookFanout.Scanned(rowId: 14, type: .profileOptedOut, campaignId: nil),
        ]
        #expect(WebhookFanout.accepted(run, by: s) == [10, 13])
        var off = s
        off.definition.enabled = false
        #expect(WebhookFanout.accepted(run, by: off).isEmpty)
        #expect(WebhookFanout.waiting([.init(type: .messageDelivered, campaignId: "c1", count: 4, oldestQueuedAt: 50),
                                       .init(type: .messageDelivered, campaignId: nil, count: 9, oldestQueuedAt: 20)], for: s) == (4, 50))
    }
}
