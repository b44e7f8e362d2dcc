import Foundation
import SMSCore
import SMSStoreTestSupport
import Synchronization
import Testing

@testable import SMSStorePostgres

/// What makes the PostgreSQL fan-out differ from SQLite's (``WebhookFanout``,
/// `PostgresStore+WebhookFanout`): identity ids are taken at INSERT, so an event row with a smaller
/// id may commit after one with a greater id. The fan-out takes only event rows below the oldest
/// running transaction (`pg_snapshot_xmin`), so a subscription's position never passes an event
/// still in flight: it is delivered once it commits, not skipped.
@Suite("PostgreSQL webhook fan-out: an event committed late is not skipped")
struct PostgresWebhookFanoutTests {
    static let t: Int64 = 1_710_000_000

    static func entry(_ campaignId: String) -> WebhookOutboxEntry {
        WebhookOutboxEntry(type: .campaignCompleted, at: Self.t, campaignId: campaignId, payload: "{}")
    }

    @Test("an event row written first and committed last reaches the subscription after it commits")
    func lateCommit() async throws {
        let ts = try await TestStore.make(.postgres)
        let (other, closeOther) = try await ts.reopened(maxConnections: 4)
        let store = try #require(other as? PostgresStore)
        let sub = try await store.insertWebhook(
            .init(url: "https://r.example/hook", events: [.campaignCompleted]), secret: WebhookSecret.generate(), at: Self.t)

        // Transaction A writes its event (the smaller id), then stays open until released.
        let written = Mutex(false)
        let release = Mutex(false)
        let a = Task {
            try await store.write { tx in
                try await PGWebhookOutbox.write(tx, [Self.entry("a")], routes: store.webhookRoutes)
                written.withLock { $0 = true }
                while !release.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
            }
        }
        while !written.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
        // B writes the next event and commits first.
        try await store.write { tx in try await PGWebhookOutbox.write(tx, [Self.entry("b")], routes: store.webhookRoutes) }

        let now = Int64(Date().timeIntervalSince1970) + 1
        let whileOpen = try await store.leaseWebhookEvents(holder: "n1", now: now, leaseSeconds: 60, batchSize: 10, subscriptions: 16)
        #expect(whileOpen.isEmpty, "B is not fanned out past A, which may still commit")
        #expect(try await store.webhookDeliveryStats(id: sub.id).queueDepth == 1, "B waits (A is not visible yet)")

        release.withLock { $0 = true }
        try await a.value
        // Other tests' transactions on the same server (the horizon is the whole server's) may hold
        // it back a moment longer, between A's and B's transaction ids: B then comes in a later pass.
        var after: [String?] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while after.count < 2, ContinuousClock.now < deadline {
            after += try await store.leaseWebhookEvents(holder: "n1", now: now + 1, leaseSeconds: 60, batchSize: 10, subscriptions: 16)
                .flatMap(\.events).map(\.campaignId)
            if after.count < 2 { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(after == ["a", "b"], "both, once each, A (the smaller transaction id) first")
        #expect(try await store.leaseWebhookEvents(holder: "n1", now: now + 200, leaseSeconds: 60, batchSize: 10, subscriptions: 16)
            .flatMap(\.events).map(\.campaignId) == ["a", "b"], "not recorded: leased again after the lease, the same two, no copies more")
        await closeOther()
        await ts.close()
    }
}
