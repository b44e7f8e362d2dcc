import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// The webhook fan-out (issue 17, ``WebhookFanout``) on SQLite and PostgreSQL: a state change
/// writes one outbox row per event; the lease fans it out to each enabled subscription that takes
/// it. Subscriptions with different filters each receive exactly their events, by id, once; one
/// created after an event does not get it; one disabled misses the events of that time; a filter
/// change applies to the events after it; a lease that is never recorded (a crash between the
/// lease and the delivery) is leased again after it expires, with the same event ids.
@Suite("Webhooks: one outbox row per event, fanned out to the subscriptions at lease time")
struct WebhookFanoutStoreTests {
    static let t = StatsFixture.t

    /// A wall-clock time past every copy's due time (copies are due when their event was queued).
    static var now: Int64 { Int64(Date().timeIntervalSince1970) + 1 }

    static func subscribe(_ store: any SMSDispatchStore, _ events: [WebhookEventType], campaignId: String? = nil, enabled: Bool = true)
        async throws -> WebhookSubscription
    {
        try await store.insertWebhook(
            .init(url: "https://r.example/hook", events: events, campaignId: campaignId, enabled: enabled), secret: WebhookSecret.generate(),
            at: Self.t)
    }

    /// A subscription's pending events, oldest first.
    static func pending(_ store: any SMSDispatchStore, _ id: Int64) async throws -> [String] {
        try await store.webhookEvents(subscriptionId: id, status: "pending", limit: 1_000).reversed().map(\.eventId)
    }

    /// Leases (batches of 3) and acknowledges until nothing is queued (60 s at most: on PostgreSQL
    /// an event is fanned out once every older transaction of the server has ended, and other
    /// tests' transactions run meanwhile). - Returns: the event ids each subscription was sent, in order.
    static func drain(_ store: any SMSDispatchStore) async throws -> [Int64: [String]] {
        var sent: [Int64: [String]] = [:]
        let deadline = ContinuousClock.now + .seconds(60)
        while try await store.webhookOutboxDepth(now: Self.now).depth > 0, ContinuousClock.now < deadline {
            let now = Self.now
            let batches = try await store.leaseWebhookEvents(holder: "n1", now: now, leaseSeconds: 60, batchSize: 3, subscriptions: 16)
            if batches.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
            for b in batches {
                sent[b.subscription.id, default: []] += b.events.map(\.eventId)
                try await store.finishWebhookDelivery(b, holder: "n1", result: WebhookDeliveryResult(status: 204, error: nil, latencyMs: 1, at: now))
            }
        }
        return sent
    }

    /// The first non-empty lease within 60 s (see ``drain(_:)``).
    static func lease(_ store: any SMSDispatchStore, holder: String, now: Int64) async throws -> [WebhookDeliveryBatch] {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let batches = try await store.leaseWebhookEvents(holder: holder, now: now, leaseSeconds: 60, batchSize: 10, subscriptions: 16)
            if !batches.isEmpty { return batches }
            try await Task.sleep(for: .milliseconds(50))
        }
        return []
    }

    @Test("subscriptions with different filters each receive exactly their events, by id, once", arguments: StoreKind.allCases)
    func filters(kind: StoreKind) async throws {
        let f = try await StatsFixture(kind: kind)
        let store = f.store
        try await f.sendMessages(8)  // no subscription yet: no event
        let every = try await Self.subscribe(store, WebhookEventType.allCases)
        let delivered = try await Self.subscribe(store, [.messageDelivered])
        let failedOrClicked = try await Self.subscribe(store, [.messageFailed, .messageClicked], campaignId: "c1")
        let otherCampaign = try await Self.subscribe(store, WebhookEventType.allCases, campaignId: "c2")
        let paused = try await Self.subscribe(store, WebhookEventType.allCases, enabled: false)

        // Events 0-3.
        try await f.callback(.delivered, 0, at: Self.t + 10)
        try await f.callback(.delivered, 1, at: Self.t + 11)
        try await f.callback(.failed, 2, at: Self.t + 12, code: "30003")
        try await f.click(3, link: 0, at: Self.t + 13)
        // Created after event 3: events 4- only.
        let late = try await Self.subscribe(store, [.messageDelivered, .messageClicked])
        // A pass fans events 0-3 out (its lease expires at once): from here on each subscription has
        // delivery rows of its own and events not yet fanned out, both pending.
        _ = try await store.leaseWebhookEvents(holder: "n0", now: Self.now, leaseSeconds: -1, batchSize: 1, subscriptions: 16)
        // Events 4-6.
        try await f.callback(.delivered, 4, at: Self.t + 14)
        try await f.click(0, link: 1, at: Self.t + 15)
        try await f.callback(.failed, 5, at: Self.t + 16, code: "30005")
        // `delivered` disabled during event 7.
        var d = delivered.definition
        d.enabled = false
        #expect(try await store.updateWebhook(id: delivered.id, d, at: Self.t))
        try await f.callback(.delivered, 3, at: Self.t + 17)
        d.enabled = true
        #expect(try await store.updateWebhook(id: delivered.id, d, at: Self.t))

        let events = try await store.webhookEvents(subscriptionId: every.id, status: "pending", limit: 1_000).reversed().map { $0 }
        #expect(events.map(\.type) == [
            .messageDelivered, .messageDelivered, .messageFailed, .messageClicked, .messageDelivered, .messageClicked, .messageFailed,
            .messageDelivered,
        ])
        #expect(events.map(\.meta) == ["m0", "m1", "m2", "m3", "m4", "m0", "m5", "m3"])
        #expect(Set(events.map(\.eventId)).count == 8)
        var ids = events.map(\.eventId)
        let expected: [Int64: [String]] = [
            every.id: ids,
            delivered.id: [0, 1, 4].map { ids[$0] },
            failedOrClicked.id: [2, 3, 5, 6].map { ids[$0] },
            late.id: [4, 5, 7].map { ids[$0] },
        ]
        // Before the worker's next pass (some fanned out, some not yet), each one's pending events
        // are already exactly its own.
        for (id, want) in expected { #expect(try await Self.pending(store, id) == want, "subscription \(id)") }
        #expect(try await Self.pending(store, otherCampaign.id).isEmpty)
        #expect(try await Self.pending(store, paused.id).isEmpty)
        #expect(try await store.webhookDeliveryStats(id: late.id).queueDepth == 3)
        #expect(try await store.webhookOutboxDepth(now: Self.now).depth == 8 + 3 + 4 + 3)
        let sent = try await Self.drain(store)
        #expect(sent == expected, "each subscription sent exactly its events, in order, once")

        // `failedOrClicked` narrowed to failures: the click after it (event 8) is not its.
        var narrowed = failedOrClicked.definition
        narrowed.events = [.messageFailed]
        #expect(try await store.updateWebhook(id: failedOrClicked.id, narrowed, at: Self.t))
        try await f.click(4, link: 0, at: Self.t + 18)
        try await f.callback(.delivered, 6, at: Self.t + 19)
        let more = try await store.webhookEvents(subscriptionId: every.id, status: "pending", limit: 1_000).reversed().map(\.eventId)
        try #require(more.count == 2)
        ids += more
        let expectedMore: [Int64: [String]] = [every.id: [ids[8], ids[9]], delivered.id: [ids[9]], late.id: [ids[8], ids[9]]]
        for (id, want) in expectedMore { #expect(try await Self.pending(store, id) == want, "subscription \(id)") }
        #expect(try await Self.pending(store, failedOrClicked.id).isEmpty)
        #expect(try await Self.drain(store) == expectedMore)

        for (id, want) in expected {
            let all = want + (expectedMore[id] ?? [])
            #expect(try await store.webhookEvents(subscriptionId: id, status: "delivered", limit: 1_000).reversed().map(\.eventId) == all)
            #expect(try await Self.pending(store, id).isEmpty)
            #expect(try await store.webhookDeliveryStats(id: id).deliveredEvents == Int64(all.count))
        }
        #expect(try await store.webhookOutboxDepth(now: Self.now).depth == 0)
        // Every copy carries its event's version: one version per event id, for every subscription.
        let lateEvents = try await store.webhookEvents(subscriptionId: late.id, status: "delivered", limit: 1_000).reversed().map { $0 }
        #expect(lateEvents.prefix(3).map(\.version) == [4, 5, 7].map { events[$0].version })
        // Paused, then enabled: it starts at the head (nothing of before).
        var p = paused.definition
        p.enabled = true
        #expect(try await store.updateWebhook(id: paused.id, p, at: Self.t))
        #expect(try await Self.pending(store, paused.id).isEmpty)
        try await f.callback(.delivered, 7, at: Self.t + 20)
        let e7 = try await Self.pending(store, paused.id)
        #expect(e7.count == 1)
        let sent7 = try await Self.drain(store)
        #expect(sent7[paused.id] == e7)
        #expect(sent7[every.id] == e7, "the same event id for every subscription")
        await f.testStore.close()
    }

    @Test("a lease never recorded (a crash between lease and delivery) is leased again after it expires, with the same ids", arguments: StoreKind.allCases)
    func crashBetweenLeaseAndDelivery(kind: StoreKind) async throws {
        let f = try await StatsFixture(kind: kind)
        let store = f.store
        try await f.sendMessages(3)
        let sub = try await Self.subscribe(store, [.messageDelivered])
        for i in 0..<3 { try await f.callback(.delivered, i, at: Self.t + 10 + Int64(i)) }
        let now = Self.now
        let first = try await Self.lease(store, holder: "n1", now: now)
        #expect(first.map(\.subscription.id) == [sub.id])
        let ids = first.first?.events.map(\.eventId) ?? []
        #expect(ids.count == 3)
        // n1 dies here. Another node's pass within the lease gets nothing; after it, the same events.
        #expect(try await store.leaseWebhookEvents(holder: "n2", now: now + 30, leaseSeconds: 60, batchSize: 10, subscriptions: 16).isEmpty)
        let again = try await store.leaseWebhookEvents(holder: "n2", now: now + 61, leaseSeconds: 60, batchSize: 10, subscriptions: 16)
        #expect(again.first?.events.map(\.eventId) == ids, "redelivered with the same event ids")
        #expect(again.first?.events.map(\.rowId) == first.first?.events.map(\.rowId), "the same delivery rows, not new copies")
        let batch = try #require(again.first)
        try await store.finishWebhookDelivery(batch, holder: "n2", result: WebhookDeliveryResult(status: 200, error: nil, latencyMs: 3, at: now + 62))
        // n1's record, were it to come after all, changes no row: the rows are not its lease any more.
        try await store.finishWebhookDelivery(
            try #require(first.first), holder: "n1",
            result: WebhookDeliveryResult(status: 500, error: nil, latencyMs: 3, at: now + 63, retries: [:]))
        let done = try await store.webhookEvents(subscriptionId: sub.id, status: "delivered", limit: 10)
        #expect(done.reversed().map(\.eventId) == ids)
        #expect(done.allSatisfy { $0.attempts == 1 })
        #expect(try await store.webhookEvents(subscriptionId: sub.id, status: "failed", limit: 10).isEmpty)
        #expect(try await Self.pending(store, sub.id).isEmpty)
        #expect(try await store.leaseWebhookEvents(holder: "n2", now: now + 200, leaseSeconds: 60, batchSize: 10, subscriptions: 16).isEmpty)
        await f.testStore.close()
    }
}
