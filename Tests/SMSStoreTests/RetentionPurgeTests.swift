import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// `smsstats purge` (issue 15) run as the real executable on SQLite and PostgreSQL over
/// ``StatsFixture/busyHistory(_:)`` (receipts, replies, a provider click, human and bot clicks,
/// conversions): a dry run counts and changes nothing; the purge removes the raw rows, leaves every
/// stat byte for byte, records `rawPurgedAt`, and `reconcile` skips the campaign.
@Suite("Retention: smsstats purge on SQLite and PostgreSQL", .serialized)
struct RetentionPurgeTests {
    /// Every stats read of the API, as JSON.
    static func statsJSON(_ f: StatsFixture) async throws -> String {
        let c = try #require(try await f.store.campaign(id: "c1"))
        let q = f.queries
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        var parts: [Data] = []
        parts.append(try enc.encode(try await q.summary(c)))
        for g in [TrendGranularity.day, .week, .month] { parts.append(try enc.encode(try await q.trend(c, granularity: g, timeZone: nil, variant: nil))) }
        let variants = try await f.store.rollupTotalsByVariant(campaignId: "c1").keys.sorted()
        for v in [nil] + variants.map(Optional.some) {
            parts.append(try enc.encode(try await q.funnel(c, variant: v)))
            parts.append(try enc.encode(try await q.links(c, variant: v)))
            parts.append(try enc.encode(try await q.errors(c, variant: v)))
        }
        parts.append(try enc.encode(try await q.totals(campaignId: "c1").mapValues { $0 }.map { "\($0.key)=\($0.value)" }.sorted()))
        return parts.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
    }

    @Test("dry run counts; purge removes receipts, replies, clicks and message texts, keeps every stat; reconcile skips it", arguments: StoreKind.allCases)
    func purge(kind: StoreKind) async throws {
        let f = try await StatsFixture.busyHistory(kind)
        let t = f.testStore
        try await f.stop()
        // A campaign that finished a moment ago is not due.
        var recent = f.campaign
        recent.id = "c2"
        recent.status = .completed
        recent.completedAt = Int64(Date().timeIntervalSince1970)
        try await f.store.insertCampaign(recent)
        let before = try await Self.statsJSON(f)
        #expect(try await t.count("message_events") == 6)
        #expect(try await t.count("clicks") == 3)
        #expect(try await t.int("SELECT COUNT(*) AS n FROM messages WHERE phone IS NOT NULL") == 8)

        let dry = try await SMSStatsCLI.runOnOwnThread(["purge", "--older-than", "1d", "--dry-run", "--database", t.databaseURL])
        #expect(dry.status == 0, "\(dry.err)")
        #expect(dry.out == "c1: would remove 6 receipts/replies, 3 clicks, 8 message texts\ndry run: nothing changed\n", "\(dry.out)")
        #expect(try await t.count("message_events") == 6)
        #expect(try await t.count("clicks") == 3)
        #expect(try await f.store.campaign(id: "c1")?.rawPurgedAt == nil)

        let run = try await SMSStatsCLI.runOnOwnThread(["purge", "--older-than", "1d", "--database", t.databaseURL])
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out == "c1: removed 6 receipts/replies, 3 clicks, 8 message texts\n1 campaign(s) purged; their stats are kept\n", "\(run.out)")
        #expect(try await t.count("message_events") == 0)
        #expect(try await t.count("clicks") == 0)
        #expect(try await t.int("SELECT COUNT(*) AS n FROM messages WHERE phone IS NOT NULL OR body <> '' OR template_variables IS NOT NULL") == 0)
        #expect(try await t.count("messages") == 8)
        #expect(try await t.count("conversion_events") == 2)
        let purgedAt = try #require(try await f.store.campaign(id: "c1")?.rawPurgedAt)
        #expect(abs(purgedAt - Int64(Date().timeIntervalSince1970)) < 120)
        #expect(try await f.store.campaign(id: "c2")?.rawPurgedAt == nil)
        #expect(try await Self.statsJSON(f) == before)

        let reconcile = try await SMSStatsCLI.runOnOwnThread(["reconcile", "--database", t.databaseURL])
        #expect(reconcile.status == 0, "\(reconcile.out)\(reconcile.err)")
        #expect(reconcile.out.contains("c1: raw history purged at \(purgedAt) (epoch seconds); skipped (nothing to recount)"), "\(reconcile.out)")
        #expect(reconcile.out.contains("c2: 0 messages recounted in"), "\(reconcile.out)")
        // A second pass finds nothing due.
        let again = try await SMSStatsCLI.runOnOwnThread(["purge", "--older-than", "1d", "--database", t.databaseURL])
        #expect(again.out == "no campaign's raw history is due\n")
        let bad = try await SMSStatsCLI.runOnOwnThread(["purge", "--older-than", "90m", "--database", t.databaseURL])
        #expect(bad.status == 64)
        #expect(bad.err.contains("--older-than must be <N>d, <N>h or <N>s"), "\(bad.err)")
        // Issue 12: a negative age looks like an option to the argument parser; it is read as the
        // value and refused naming the option, the form and the range (not "Missing value").
        for negative in [["--older-than", "-5d"], ["--older-than=-5d"]] {
            let refused = try await SMSStatsCLI.runOnOwnThread(["purge"] + negative + ["--database", t.databaseURL])
            #expect(refused.status == 64, "\(negative)")
            #expect(refused.err.contains(
                "--older-than must be <N>d, <N>h or <N>s (N a whole number from 0, at most 100 years: 36500d, 876000h or 3153600000s), got '-5d'"),
                "\(refused.err)")
            #expect(!refused.err.contains("Missing value"), "\(refused.err)")
        }
    }

    @Test("batches: 2,500 receipts leave in batches of 1,000 with the stats unchanged", arguments: StoreKind.allCases)
    func batches(kind: StoreKind) async throws {
        let f = try await StatsFixture(kind: kind)
        try await f.sendMessages(2_500)
        for start in stride(from: 0, to: 2_500, by: 500) {
            _ = try await f.store.applyCallbacks(
                providerId: "p1",
                items: (start..<(start + 500)).map { CallbackItem(kind: .delivered, meta: "m\($0)", ts: StatsFixture.t + 5) },
                receivedAt: StatsFixture.t + 6)
        }
        _ = try await f.store.changeCampaign(id: "c1") { c, _ in
            var s = c
            s.status = .completed
            s.completedAt = StatsFixture.t + 100
            return s
        }
        let before = try await Self.statsJSON(f)
        let report = try await RawHistoryPurge(store: f.store, retention: RawRetention(olderThanSeconds: 3_600))
            .run(now: StatsFixture.t + 100 + 3_600, dryRun: false)
        #expect(report.campaigns.map(\.id) == ["c1"])
        #expect(report.campaigns.first?.counts == RawPurgeCounts(events: 2_500, clicks: 0, messages: 2_500))
        #expect(try await f.testStore.count("message_events") == 0)
        #expect(try await Self.statsJSON(f) == before)
    }
}
