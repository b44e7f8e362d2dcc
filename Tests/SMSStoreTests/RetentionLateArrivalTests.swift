import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// Raw rows that arrive after a campaign's purge (a late reply, a late click; issue 15, a
/// new-user tester's finding: they were never purged): they are counted as usual, and the next
/// `smsstats purge` removes them, keeping the first purge's time and every stat. On SQLite and
/// PostgreSQL, through the real executable.
@Suite("Retention: late arrivals after a purge are purged by the next pass", .serialized)
struct RetentionLateArrivalTests {
    @Test("a late reply and a late click are counted, then removed by the next purge; rawPurgedAt and the stats stay", arguments: StoreKind.allCases)
    func lateArrivals(kind: StoreKind) async throws {
        let f = try await StatsFixture.busyHistory(kind)
        let t = f.testStore
        let at = StatsFixture.t
        try await f.stop()
        let first = try await SMSStatsCLI.runOnOwnThread(["purge", "--older-than", "1d", "--database", t.databaseURL])
        #expect(first.out == "c1: removed 6 receipts/replies, 3 clicks, 8 message texts\n1 campaign(s) purged; their stats are kept\n", "\(first.out)")
        let purgedAt = try #require(try await f.store.campaign(id: "c1")?.rawPurgedAt)
        let summaryBefore = try await f.queries.summary(f.campaign).all
        // Purged and clean: a pass does not visit it.
        #expect(try await f.store.rawPurgeLateCampaigns() == [])

        // Late: a reply with a text and a human click on message m0.
        _ = try await f.store.applyCallbacks(
            providerId: "p1", items: [CallbackItem(kind: .replied, meta: "m0", ts: at + 5_000, incomingText: "late reply 0151 999")],
            receivedAt: at + 5_001)
        try await f.click(0, link: 1, at: at + 5_002)
        #expect(try await t.count("message_events") == 1)
        #expect(try await t.count("clicks") == 1)
        // The late rows marked it (whichever write path stored them).
        #expect(try await f.store.rawPurgeLateCampaigns() == ["c1"])
        let summaryLate = try await f.queries.summary(f.campaign).all
        #expect(summaryLate.replies == summaryBefore.replies + 1)
        #expect(summaryLate.clicks == summaryBefore.clicks + 1)
        let statsLate = try await RetentionPurgeTests.statsJSON(f)

        let dry = try await SMSStatsCLI.runOnOwnThread(["purge", "--older-than", "1d", "--dry-run", "--database", t.databaseURL])
        #expect(
            dry.out == "c1 (purged before): would remove 1 late receipts/replies, 1 late clicks\nno campaign's raw history is due\ndry run: nothing changed\n",
            "\(dry.out)")
        #expect(try await t.count("message_events") == 1)
        #expect(try await f.store.rawPurgeLateCampaigns() == ["c1"])

        let second = try await SMSStatsCLI.runOnOwnThread(["purge", "--older-than", "1d", "--database", t.databaseURL])
        #expect(second.status == 0, "\(second.err)")
        #expect(second.out == "c1 (purged before): removed 1 late receipts/replies, 1 late clicks\nno campaign's raw history is due\n", "\(second.out)")
        #expect(try await t.count("message_events") == 0)
        #expect(try await t.count("clicks") == 0)
        #expect(try await f.store.campaign(id: "c1")?.rawPurgedAt == purgedAt)
        #expect(try await f.store.rawPurgeLateCampaigns() == [])
        #expect(try await RetentionPurgeTests.statsJSON(f) == statsLate)
        // Nothing left: the pass after says so.
        let third = try await SMSStatsCLI.runOnOwnThread(["purge", "--older-than", "1d", "--database", t.databaseURL])
        #expect(third.out == "no campaign's raw history is due\n")
        await t.close()
    }

    @Test("a purge pass keeps the first purge's time")
    func markedPurgedKeepsTheFirstTime() {
        let c = Campaign(
            id: "c", name: "n", providerId: "p", body: "b", links: [], audience: .all, timezone: "UTC", goal: nil, status: .stopped,
            createdAt: 10)
        let once = RawRetention.markedPurged(c, at: 1_000)
        #expect(once.rawPurgedAt == 1_000)
        #expect(RawRetention.markedPurged(once, at: 5_000).rawPurgedAt == 1_000)
    }
}
