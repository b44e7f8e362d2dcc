import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// A callback repeated after its campaign's purge (issue 15, a new-user tester's finding: the
/// purge removed the receipt log's dedup keys, so a provider's retry of a reply or a click was
/// counted again). The purge keeps each removed row's key (`purged_event_keys`); a repeat is a
/// duplicate and changes no stat, on SQLite and PostgreSQL.
@Suite("Retention: a callback repeated after the purge is a duplicate")
struct RetentionRepeatedCallbackTests {
    @Test("purge, then the same receipts, replies (STOP included) and provider click again: all duplicates, every stat unchanged; a new reply still counts", arguments: StoreKind.allCases)
    func repeatedAfterPurge(kind: StoreKind) async throws {
        let f = try await StatsFixture.busyHistory(kind)
        let t = f.testStore
        let at = StatsFixture.t
        try await f.stop()
        let logged = try await t.count("message_events")
        #expect(logged == 6)
        // Batches of 4: the keys of every batch are kept.
        let counts = try await f.store.purgeRawHistory(campaignId: "c1", now: at + 200_000, batchSize: 4, dryRun: false)
        #expect(counts.events == 6)
        #expect(try await t.count("message_events") == 0)
        #expect(try await t.count("purged_event_keys") == 6)
        let stats = try await RetentionPurgeTests.statsJSON(f)
        let summary = try await f.queries.summary(f.campaign).all

        // The provider repeats what it sent before (same fields: same dedup keys).
        let repeats: [(CallbackItem, Int64)] = [
            (CallbackItem(kind: .delivered, meta: "m0", ts: at + 5), at + 7),
            (CallbackItem(kind: .failed, meta: "m1", ts: at + 5, code: "777", description: "Blocked"), at + 7),
            (CallbackItem(kind: .submitted, meta: "m2", ts: at + 5), at + 7),
            (CallbackItem(kind: .replied, meta: "m3", ts: at + 500), at + 502),
            (CallbackItem(kind: .replied, meta: "m4", ts: at + 400, incomingText: "STOP"), at + 401),
            (CallbackItem(kind: .clicked, meta: "m5", ts: at + 300, url: StatsFixture.links[1]), at + 301),
        ]
        for (item, received) in repeats {
            let r = try await f.store.applyCallbacks(providerId: "p1", items: [item], receivedAt: received + 300_000)
            #expect(r == CallbackIngestResult(applied: 0, duplicates: 1, pending: 0), "\(item.kind) \(item.meta)")
        }
        #expect(try await t.count("message_events") == 0)
        #expect(try await f.store.rawPurgeLateCampaigns() == [])
        #expect(try await RetentionPurgeTests.statsJSON(f) == stats)

        // A reply that was never received before is new: counted, and marks the campaign late.
        let new = try await f.store.applyCallbacks(
            providerId: "p1", items: [CallbackItem(kind: .replied, meta: "m2", ts: at + 600, incomingText: "thanks")], receivedAt: at + 300_000)
        #expect(new == CallbackIngestResult(applied: 1, duplicates: 0, pending: 0))
        #expect(try await f.queries.summary(f.campaign).all.replies == summary.replies + 1)
        #expect(try await f.store.rawPurgeLateCampaigns() == ["c1"])
        await t.close()
    }
}
