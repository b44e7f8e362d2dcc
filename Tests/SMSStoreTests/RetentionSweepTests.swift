import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// Issue 15 (a tester's finding): every retention pass visited every campaign purged before,
/// looking for raw rows that were gone. A purged campaign is now marked late when a raw row of it
/// is written after its purge (``SMSDispatchStore/rawPurgeLateCampaigns()``), and a pass visits
/// only the marked ones. Many purged campaigns, a few with late rows: the pass removes exactly
/// those, and is timed against a pass that visits every purged campaign (all marked late: what
/// each pass did before). `SMSSTATS_BENCH_RETENTION_CAMPAIGNS=2000` for the measurement in
/// BENCHMARKS.md ("Retention pass with many purged campaigns"); 150 by default.
@Suite("Retention: a pass skips purged campaigns without late rows", .serialized)
struct RetentionSweepTests {
    static let t = StatsFixture.t
    static var campaigns: Int {
        Int(ProcessInfo.processInfo.environment["SMSSTATS_BENCH_RETENTION_CAMPAIGNS"] ?? "") ?? 150
    }
    static let messagesPerCampaign = 10

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    @Test("many purged campaigns, 3 with a late click or reply: the pass purges those 3 and visits no other; stats kept", arguments: StoreKind.allCases)
    func sweep(kind: StoreKind) async throws {
        let f = try await StatsFixture(kind: kind)
        let store = f.store
        let n = Self.campaigns
        let clock = ContinuousClock()
        for i in 0..<n {
            let id = String(format: "k%05d", i)
            try await store.insertCampaign(Campaign(
                id: id, name: id, providerId: "p1", body: "Hi https://a.example/x", links: ["https://a.example/x"], audience: .all,
                timezone: "UTC", goal: nil, status: .completed, createdAt: Self.t + Int64(i), publishedAt: Self.t + Int64(i)))
            try await store.insertMessages((0..<Self.messagesPerCampaign).map { j in
                NewMessage(
                    campaignId: id, userId: "u\(j)", phone: "+4915112\(String(format: "%05d", i))\(j)", meta: "\(id)-\(j)", body: "Hi",
                    segments: 1, dispatch: .queued, createdAt: Self.t + Int64(i),
                    links: [NewShortLink(code: "\(id)x\(j)", linkIndex: 0, url: "https://a.example/x", expiresAt: Self.t + 86_400 * 365 * 10)])
            })
            _ = try await store.changeCampaign(id: id) { c, _ in
                var done = c
                done.completedAt = Self.t + Int64(i) + 100
                return done
            }
        }
        let retention = RawRetention(olderThanSeconds: 86_400)
        let now = Self.t + 30 * 86_400
        let purge = RawHistoryPurge(store: store, retention: retention)
        let startFirst = clock.now
        let first = try await purge.run(now: now, dryRun: false)
        let firstTime = clock.now - startFirst
        #expect(first.campaigns.count == n)
        #expect(first.campaigns.allSatisfy { $0.counts.messages == Self.messagesPerCampaign })
        #expect(try await store.rawPurgeLateCampaigns().isEmpty)

        // Late rows: a click on k00001, a reply and a click on k00002 (messages sent first), a click on the last one.
        let late = ["k00001", "k00002", String(format: "k%05d", n - 1)]
        for id in late {
            _ = try await store.recordClick(ClickInput(code: "\(id)x3", at: now + 10, userAgent: "UA", ipHash: "h", isBot: false, botReason: nil))
        }
        let queued = try await store.queuedMessages(campaignId: "k00002", limit: 100)
        try await store.recordDispatchResults(queued.map { DispatchResult(messageId: $0.messageId, outcome: .sent(providerMessageId: nil), at: now) })
        _ = try await store.applyCallbacks(
            providerId: "p1", items: [CallbackItem(kind: .replied, meta: "k00002-4", ts: now + 20, incomingText: "late")], receivedAt: now + 21)
        #expect(try await store.rawPurgeLateCampaigns() == Set(late))
        let statsBefore = try await CampaignStatsQueries(store: store).summary(try #require(try await store.campaign(id: "k00002")))

        let startSkip = clock.now
        let pass = try await purge.run(now: now + 3_600, dryRun: false)
        let skipTime = clock.now - startSkip
        #expect(pass.campaigns.isEmpty)
        #expect(pass.late.map(\.id) == late)
        #expect(pass.late.map(\.counts) == [
            RawPurgeCounts(clicks: 1), RawPurgeCounts(events: 1, clicks: 1), RawPurgeCounts(clicks: 1),
        ])
        #expect(try await f.testStore.count("clicks") == 0)
        #expect(try await f.testStore.count("message_events") == 0)
        #expect(try await store.rawPurgeLateCampaigns().isEmpty)
        #expect(try await CampaignStatsQueries(store: store).summary(try #require(try await store.campaign(id: "k00002"))) == statsBefore)
        #expect(try await store.campaign(id: "k00002")?.rawPurgedAt == now)

        // A pass that visits every purged campaign (all marked late: what each pass did before).
        _ = try await f.testStore.query(kind == .sqlite ? "UPDATE raw_purges SET late = 1" : "UPDATE raw_purges SET late = true")
        let startAll = clock.now
        let all = try await purge.run(now: now + 7_200, dryRun: false)
        let allTime = clock.now - startAll
        #expect(all.late.isEmpty && all.campaigns.isEmpty)
        let quiet = clock.now
        _ = try await purge.run(now: now + 10_800, dryRun: false)
        let quietTime = clock.now - quiet
        print(String(
            format: "retention sweep (%@): %d purged campaigns × %d messages: first purge %.2f s; pass with 3 late %.3f s; pass visiting every purged campaign %.2f s; pass with none late %.3f s",
            "\(kind)", n, Self.messagesPerCampaign, Self.seconds(firstTime), Self.seconds(skipTime), Self.seconds(allTime), Self.seconds(quietTime)))
        await f.testStore.close()
    }
}
