import Foundation
import Testing
@testable import SMSCore

/// Which events a change produces (``WebhookEventRule``) and when a failed delivery is tried again
/// (``WebhookRetryPolicy``).
@Suite("Webhooks: the event rule and the retry policy")
struct WebhookRuleTests {
    static let t: Int64 = 1_800_000_000

    @Test("property: over random fact orders, each transition event comes once and at the state's time")
    func transitionsOnce() {
        var rng = SplitMix64(seed: 1717)
        for _ in 0..<500 {
            var facts: [MessageFact] = [.dispatched(at: Self.t)]
            if rng.next() % 2 == 0 { facts.append(.receipt(kind: .delivered, at: Self.t + Int64(rng.next() % 50), code: nil, description: nil)) }
            if rng.next() % 2 == 0 { facts.append(.receipt(kind: .failed, at: Self.t + Int64(rng.next() % 50), code: "1", description: nil)) }
            if rng.next() % 2 == 0 { facts.append(.receipt(kind: .submitted, at: Self.t + Int64(rng.next() % 50), code: nil, description: nil)) }
            facts += facts  // duplicates
            for i in facts.indices.reversed() { facts.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            var state = MessageState(dispatch: .queued)
            var produced: [WebhookEventRule.Produced] = []
            for fact in facts {
                let old = state
                state.apply(fact)
                produced += WebhookEventRule.events(fact: nil, old: old, new: state)
            }
            let types = produced.map(\.type)
            #expect(types.filter { $0 == .messageSent }.count == (state.dispatch == .sent ? 1 : 0))
            #expect(types.filter { $0 == .messageDelivered }.count == (state.deliveredAt == nil ? 0 : 1))
            #expect(types.filter { $0 == .messageFailed }.count <= 1)
        }
    }

    @Test func clicksAndRepliesAreEventsOfTheirFact() {
        let s = MessageState(dispatch: .sent)
        #expect(WebhookEventRule.events(fact: .humanClick(linkIndex: 0, at: Self.t, firstOnLink: false), old: s, new: s)
            == [.init(.messageClicked, at: Self.t)])
        #expect(WebhookEventRule.events(fact: .botHit(linkIndex: 0), old: s, new: s).isEmpty)
        #expect(WebhookEventRule.events(fact: .reply(at: Self.t, intent: .optOut, firstOptOut: true), old: s, new: s)
            == [.init(.messageReplied, at: Self.t), .init(.profileOptedOut, at: Self.t)])
        #expect(WebhookEventRule.events(fact: .reply(at: Self.t, intent: .optIn, firstOptOut: false), old: s, new: s)
            == [.init(.messageReplied, at: Self.t), .init(.profileOptedIn, at: Self.t)])
        var failed = MessageState(dispatch: .queued)
        failed.apply(.dispatchFailed(reason: "provider HTTP error 503", at: Self.t + 3))
        #expect(WebhookEventRule.events(fact: nil, old: MessageState(dispatch: .queued), new: failed) == [.init(.messageFailed, at: Self.t + 3)])
    }

    @Test("conversion: an event when the user's conversion becomes converted, never for more revenue or click-through")
    func conversionBecomesConverted() {
        let none = UserConversion()
        let first = UserConversion(converted: true, clickThrough: false, revenueCents: 3_000)
        #expect(WebhookEventRule.events(conversion: none, becomes: first, at: Self.t + 9) == [.init(.conversion, at: Self.t + 9)])
        #expect(WebhookEventRule.events(conversion: first, becomes: UserConversion(converted: true, clickThrough: true, revenueCents: 4_250), at: Self.t).isEmpty)
        #expect(WebhookEventRule.events(conversion: none, becomes: none, at: Self.t).isEmpty)
        #expect(WebhookEventRule.events(conversion: first, becomes: none, at: Self.t).isEmpty, "taken back: no event")
        let entries = WebhookEventRule.entries(conversion: none, becomes: first, at: Self.t + 9, campaignId: "c1", messageId: 7, userId: "u7")
        #expect(entries == [
            WebhookOutboxEntry(type: .conversion, at: Self.t + 9, campaignId: "c1", messageId: 7, userId: "u7",
                               payload: #"{"clickThrough":false,"revenueCents":3000}"#)
        ])
        let data = try? JSONSerialization.jsonObject(with: Data(entries[0].payload.utf8)) as? [String: Any]
        #expect(data?["revenueCents"] as? Int == 3_000)
    }

    @Test("property: event ids are evt_ + 32 hex digits, unique, and sort by their time")
    func eventIdsSortByTime() {
        var last = ""
        var seen = Set<String>()
        for i in 0..<2_000 {
            let id = WebhookPayload.newEventId(now: Date(timeIntervalSince1970: 1_800_000_000 + Double(i) * 0.002))  // 2 ms apart
            #expect(id.count == 36 && id.hasPrefix("evt_"))
            #expect(id.dropFirst(4).allSatisfy { "0123456789abcdef".contains($0) })
            #expect(id > last, "\(id) after \(last)")
            #expect(seen.insert(id).inserted)
            last = id
        }
        #expect(WebhookPayload.newEventId(now: Date(timeIntervalSince1970: 1_800_000_000)).hasPrefix("evt_01a3185c5000"))
    }

    @Test func backoffDoublesWithJitterUpToTheCapAndStopsAtTheHorizon() {
        let p = WebhookRetryPolicy()
        #expect(p.delaySeconds(afterFailed: 1, unit: 0) == 2.5)
        #expect(p.delaySeconds(afterFailed: 1, unit: 0.999_999) < 5.0001)
        #expect(p.delaySeconds(afterFailed: 4, unit: 1) == 40)
        #expect(p.delaySeconds(afterFailed: 30, unit: 0) == 1_800)
        #expect(p.delaySeconds(afterFailed: 30, unit: 1) == 3_600)
        #expect(p.nextAttempt(afterFailed: 1, queuedAt: Self.t, now: Self.t, unit: 0) == Self.t + 3)
        #expect(p.nextAttempt(afterFailed: 9, queuedAt: Self.t, now: Self.t + 86_000, unit: 0) == nil)
        var rng = SplitMix64(seed: 3)
        for n in 1..<40 {
            let unit = Double(rng.next() % 1_000) / 1_000
            let d = p.delaySeconds(afterFailed: n, unit: unit)
            let full = min(5 * pow(2, Double(n - 1)), 3_600)
            #expect(d >= full / 2 && d <= full)
        }
    }
}
