import Foundation
import GRDB
import Logging
import SMSCore
import SMSStoreTestSupport
import SMSTestSupport
@testable import SMSWeb
import Testing

/// The delivery worker's idle pass (issue 17): with no enabled subscription it neither reads the
/// outbox gauges nor leases (on SQLite a lease is a write transaction, taking the single writer
/// every 250 ms on every node); a subscription enabled on another node is still picked up, within
/// the route cache's TTL (``WebhookRouteCache/ttlSeconds``).
@Suite("Webhooks: the worker is idle without subscriptions")
struct WebhookIdleTests {
    static let t = StatsFixture.t

    @Test("no enabled subscription: a pass takes no write lock (another connection holds SQLite's writer meanwhile)")
    func noWriteWhenIdle() async throws {
        let f = try await StatsFixture(kind: .sqlite)
        try await f.sendMessages(2)
        let metrics = AppMetrics()
        let service = WebhookDeliveryTests.service(f.store, metrics: metrics, policy: WebhookRetryPolicy())
        _ = try await f.store.insertWebhook(
            .init(url: "http://127.0.0.1:9/hook", events: WebhookEventType.allCases, enabled: false), secret: WebhookSecret.generate(), at: Self.t)
        #expect(try await f.store.hasEnabledWebhooks() == false, "a disabled subscription is none")

        // A lease would wait for this lock (busy timeout 5 s) and then fail.
        var config = Configuration()
        config.allowsUnsafeTransactions = true
        let locker = try DatabaseQueue(path: f.testStore.databaseURL, configuration: config)
        try locker.inDatabase { try $0.execute(sql: "BEGIN IMMEDIATE") }
        let started = ContinuousClock.now
        for _ in 0..<4 { #expect(await service.step() == 0) }
        let elapsed = ContinuousClock.now - started
        try locker.inDatabase { try $0.execute(sql: "ROLLBACK") }
        #expect(elapsed < .seconds(2), "4 idle passes took \(elapsed): a pass waited for the writer")
        await f.testStore.close()
    }

    @Test("a subscription created through another node is delivered by this node's worker within the route cache's TTL", arguments: StoreKind.allCases)
    func subscriptionFromAnotherNode(kind: StoreKind) async throws {
        try await WebhookReceiver.serve { url, receiver in
            let f = try await StatsFixture(kind: kind)
            let (other, closeOther) = try await f.testStore.reopened(maxConnections: 2)
            let service = WebhookDeliveryTests.service(f.store, metrics: AppMetrics(), policy: WebhookRetryPolicy(baseSeconds: 0, capSeconds: 0))
            #expect(await service.step() == 0)
            #expect(try await f.store.hasEnabledWebhooks() == false)

            // The other node: a subscription, then two messages sent (two message.sent events queued there).
            _ = try await other.insertWebhook(.init(url: url, events: [.messageSent]), secret: WebhookSecret.generate(), at: Self.t)
            try await other.insertMessages([StatsFixture.message(0), StatsFixture.message(1)])
            let queued = try await other.queuedMessages(campaignId: "c1", limit: 10)
            try await other.recordDispatchResults(
                queued.map { DispatchResult(messageId: $0.messageId, outcome: .sent(providerMessageId: nil), at: Self.t + 1) })
            #expect(try await other.webhookOutboxDepth(now: Self.t + 10).depth == 2)

            // This node's worker, passing every 100 ms, delivers them once its cached list expires.
            let started = ContinuousClock.now
            while await receiver.acceptedEventIds.count < 2, ContinuousClock.now - started < .seconds(10) {
                if await service.step() == 0 { try await Task.sleep(for: .milliseconds(100)) }
            }
            let elapsed = ContinuousClock.now - started
            #expect(await receiver.acceptedEventIds.count == 2)
            // The cache's TTL plus slack for a loaded machine (5.8 s once in the whole suite): what
            // matters is that it is picked up without a restart, not the exact second.
            #expect(elapsed < .seconds(WebhookRouteCache.ttlSeconds + 10), "picked up after \(elapsed)")
            #expect(try await f.store.hasEnabledWebhooks())
            await closeOther()
            await f.testStore.close()
        }
    }
}
