import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// The webhook outbox (issue 17) on SQLite and PostgreSQL: the events a state change produces
/// (``WebhookEventRule``) are written by the store in the change's transaction (one row per event,
/// fanned out to the subscriptions when the worker leases, ``WebhookFanout``) and are pending for
/// each matching subscription at once, with one event id and a version that grows per message;
/// none without a subscription, none for a duplicate receipt or a bot hit.
@Suite("Webhooks: the outbox is written with the state change")
struct WebhookOutboxStoreTests {
    static let t = StatsFixture.t

    static func all(_ store: any SMSDispatchStore, _ subscription: Int64) async throws -> [WebhookOutboxEvent] {
        try await store.webhookEvents(subscriptionId: subscription, status: "pending", limit: 1_000).reversed()
    }

    @Test("no subscription: nothing queued; then each change queues its events for each matching subscription", arguments: StoreKind.allCases)
    func outbox(kind: StoreKind) async throws {
        let f = try await StatsFixture(kind: kind)
        let store = f.store
        try await f.sendMessages(4)
        try await f.callback(.delivered, 3, at: Self.t + 5)
        #expect(try await store.webhookOutboxDepth(now: Self.t).depth == 0)

        let every = try await store.insertWebhook(
            .init(url: "https://a.example/", events: WebhookEventType.allCases), secret: WebhookSecret.generate(), at: Self.t)
        let delivered = try await store.insertWebhook(
            .init(url: "https://b.example/", events: [.messageDelivered], campaignId: "c1"), secret: WebhookSecret.generate(), at: Self.t)
        let otherCampaign = try await store.insertWebhook(
            .init(url: "https://c.example/", events: WebhookEventType.allCases, campaignId: "c2"), secret: WebhookSecret.generate(), at: Self.t)
        let paused = try await store.insertWebhook(
            .init(url: "https://d.example/", events: WebhookEventType.allCases, enabled: false), secret: WebhookSecret.generate(), at: Self.t)

        try await f.callback(.delivered, 0, at: Self.t + 10)
        try await f.callback(.delivered, 0, at: Self.t + 10)  // a duplicate: no event
        try await f.callback(.failed, 1, at: Self.t + 11, code: "30003")
        try await f.click(2, link: 1, at: Self.t + 12)
        try await f.click(2, link: 1, at: Self.t + 13, bot: true)  // a bot hit: no event
        try await f.click(2, link: 0, at: Self.t + 14)
        _ = try await store.applyCallbacks(
            providerId: "p1", items: [CallbackItem(kind: .replied, meta: "m2", ts: Self.t + 15, incomingText: "STOP")], receivedAt: Self.t + 16)
        try await f.callback(.delivered, 3, at: Self.t + 17)  // delivered already before: no event

        let events = try await Self.all(store, every.id)
        #expect(events.map(\.type) == [.messageDelivered, .messageFailed, .messageClicked, .messageClicked, .messageReplied, .profileOptedOut])
        #expect(events.map(\.meta) == ["m0", "m1", "m2", "m2", "m2", "m2"])
        #expect(events.map(\.occurredAt) == [Self.t + 10, Self.t + 11, Self.t + 12, Self.t + 14, Self.t + 15, Self.t + 15])
        #expect(Set(events.map(\.eventId)).count == 6, "one id per event: the reply and its opt-out are two events")
        #expect(events.allSatisfy { $0.eventId.hasPrefix("evt_") && $0.eventId.count == 36 && $0.attempts == 0 && $0.campaignId == "c1" })
        let m2 = events.filter { $0.meta == "m2" }.map(\.version)
        #expect(m2 == m2.sorted() && m2[0] < m2[1] && m2[1] < m2[2], "a later change of a message has a greater version: \(m2)")

        let onlyDelivered = try await Self.all(store, delivered.id)
        #expect(onlyDelivered.map(\.type) == [.messageDelivered])
        #expect(onlyDelivered.first?.eventId == events.first?.eventId, "one event, one id, for every subscription")
        #expect(onlyDelivered.first?.version == events.first?.version)
        #expect(try await Self.all(store, otherCampaign.id).isEmpty)
        #expect(try await Self.all(store, paused.id).isEmpty)
        #expect(try await store.webhookOutboxDepth(now: Self.t + 100).depth == 7)
        #expect(try await store.webhookDeliveryStats(id: every.id).queueDepth == 6)

        // Sending produces message.sent; a dispatch error message.failed.
        try await f.store.insertMessages([StatsFixture.message(10), StatsFixture.message(11)])
        let queued = try await store.queuedMessages(campaignId: "c1", limit: 10)
        try await store.recordDispatchResults([
            DispatchResult(messageId: queued[0].messageId, outcome: .sent(providerMessageId: "pm10"), at: Self.t + 20),
            DispatchResult(messageId: queued[1].messageId, outcome: .failed(reason: "provider HTTP error 503"), at: Self.t + 21),
        ])
        let later = try await Self.all(store, every.id).dropFirst(6)
        #expect(later.map(\.type) == [.messageSent, .messageFailed])
        #expect(later.map(\.meta) == ["m10", "m11"])
        #expect(later.map(\.occurredAt) == [Self.t + 20, Self.t + 21])

        // The campaign completes once nothing is queued: campaign.completed, with its name.
        try await store.setCampaignStatus(id: "c1", status: .sending, publishedAt: Self.t)
        #expect(try await store.completeCampaignIfDone(id: "c1"))
        #expect(try await store.completeCampaignIfDone(id: "c1") == false)
        let completed = try #require(try await Self.all(store, every.id).last)
        #expect(completed.type == .campaignCompleted)
        #expect(completed.meta == nil && completed.messageId == nil && completed.campaignId == "c1")
        #expect(completed.payload.contains(#""name":"Spring""#))
        #expect(try await Self.all(store, every.id).count == 9)

        // Deleting a subscription drops its queue.
        #expect(try await store.deleteWebhook(id: every.id))
        #expect(try await store.webhookDeliveryStats(id: every.id).queueDepth == 0)
        await f.testStore.close()
    }

    @Test("a conversion queues one `conversion` event with the conversion's transaction, at the first qualifying event's time", arguments: StoreKind.allCases)
    func conversion(kind: StoreKind) async throws {
        let goal = ConversionGoal(event: "purchase", windowMinutes: 120, revenueProperty: "amount")
        let f = try await StatsFixture(kind: kind, goal: goal)
        let store = f.store
        let sub = try await store.insertWebhook(
            .init(url: "https://a.example/", events: [.conversion]), secret: WebhookSecret.generate(), at: Self.t)
        try await f.sendMessages(3)
        try await f.click(0, link: 0, at: Self.t + 100)
        _ = try await store.ingestConversionEvents(
            [
                ConversionEventInput(eventId: "e1", userId: "u0", name: "purchase", ts: Self.t + 600, properties: ["amount": .number(30)]),
                // More revenue for a converted user: no second event.
                ConversionEventInput(eventId: "e2", userId: "u0", name: "purchase", ts: Self.t + 900, properties: ["amount": .number(12.5)]),
                // After the 120-minute window, and another event name: no conversion.
                ConversionEventInput(eventId: "e3", userId: "u1", name: "purchase", ts: Self.t + 7_201, properties: [:]),
                ConversionEventInput(eventId: "e4", userId: "u2", name: "signup", ts: Self.t + 60, properties: [:]),
            ], receivedAt: Self.t + 1_000)
        _ = try await store.ingestConversionEvents(
            [ConversionEventInput(eventId: "e1", userId: "u0", name: "purchase", ts: Self.t + 600, properties: ["amount": .number(30)])],
            receivedAt: Self.t + 1_001)  // a duplicate
        var events = try await Self.all(store, sub.id)
        #expect(events.map(\.type) == [.conversion])
        #expect(events.map(\.meta) == ["m0"])
        #expect(events.first?.occurredAt == Self.t + 600)
        #expect(events.first?.campaignId == "c1")
        #expect(events.first?.payload == #"{"clickThrough":true,"revenueCents":3000}"#)

        // Re-attribution: u3's purchase arrives before the message is sent (no window yet, no
        // conversion); the send opens the window and the conversion follows, in the send's transaction.
        try await store.insertMessages([StatsFixture.message(3)])
        _ = try await store.ingestConversionEvents(
            [ConversionEventInput(eventId: "e5", userId: "u3", name: "purchase", ts: Self.t + 50, properties: ["amount": .number(7)])],
            receivedAt: Self.t + 51)
        #expect(try await Self.all(store, sub.id).count == 1)
        try await f.dispatchAll()
        events = try await Self.all(store, sub.id)
        #expect(events.map(\.meta) == ["m0", "m3"])
        #expect(events.last?.occurredAt == Self.t + 50)
        #expect(events.last?.payload == #"{"clickThrough":false,"revenueCents":700}"#)
        // A later click on the converted message makes it click-through: no event.
        try await f.click(3, link: 1, at: Self.t + 40)
        #expect(try await Self.all(store, sub.id).count == 2)
        await f.testStore.close()
    }

    @Test("the batch read of log items equals the per-meta reads", arguments: StoreKind.allCases)
    func batchLogRead(kind: StoreKind) async throws {
        let f = try await StatsFixture.busyHistory(kind)
        let store = f.store
        var one: [MessageLogEntry] = []
        for i in [0, 1, 2, 5, 50] { one.append(try #require(try await store.messageLogEntry(meta: "m\(i)")?.entry)) }
        let batch = try await store.messageLogEntries(messageIds: one.map(\.id) + [one[0].id, 999_999])
        #expect(batch.sorted { $0.id < $1.id } == one.sorted { $0.id < $1.id })
        #expect(batch.first { $0.meta == "m0" }?.convertedAt == Self.t + 900)
        #expect(batch.first { $0.meta == "m0" }?.clicks == [0: 2])
        #expect(try await store.messageLogEntries(messageIds: []).isEmpty)
        await f.testStore.close()
    }
}
