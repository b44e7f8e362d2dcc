import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// The webhook outbox (issue 17) on SQLite and PostgreSQL: the events a state change produces
/// (``WebhookEventRule``) are written by the store in the change's transaction, one row per
/// matching subscription, with one event id and a version that grows per message; none without a
/// subscription, none for a duplicate receipt or a bot hit.
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
}
