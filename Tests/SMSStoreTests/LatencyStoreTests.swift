import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// Issue 18: the latency histograms kept in the rollups, through each store's write paths; the
/// schema migration that introduced them backfills a database written before it.
@Suite("Latency histograms in the rollups (issue 18)")
struct LatencyStoreTests {
    static let t = StatsFixture.t

    /// Seven messages sent at `t` (variants 0 and 1 alternating), with receipts and clicks:
    /// m0 +3 s, m1 +3 s, m2 +8 s, m3 +45 s (then a late duplicate +100 s: nothing moves),
    /// m4 +700 s then an earlier receipt +20 s (moves to the 20 s bucket), m5 failed, m6 only
    /// clicked at +600 s (an inferred delivery: no latency). Clicks: m0 at +70 s, m6 at +600 s.
    static func history(_ kind: StoreKind) async throws -> StatsFixture {
        let f = try await StatsFixture(kind: kind)
        try await f.sendMessages(7) { $0 % 2 }
        try await f.callback(.delivered, 0, at: t + 3)
        try await f.callback(.delivered, 1, at: t + 3)
        try await f.callback(.delivered, 2, at: t + 8)
        try await f.callback(.delivered, 3, at: t + 45)
        try await f.callback(.delivered, 3, at: t + 100)
        try await f.callback(.delivered, 4, at: t + 700)
        try await f.callback(.delivered, 4, at: t + 20)
        try await f.callback(.failed, 5, at: t + 9, code: "30003")
        try await f.click(0, link: 0, at: t + 70)
        try await f.click(6, link: 1, at: t + 600)
        return f
    }

    @Test("p50, p90, p99, within-N and first click from the rollups; per variant", arguments: StoreKind.allCases)
    func latencyView(kind: StoreKind) async throws {
        let f = try await Self.history(kind)
        defer { Task { await f.testStore.close() } }
        let all = try await f.queries.latency(f.campaign, variant: nil)
        // Latencies 3, 3, 8, 20, 45: nearest ranks 3 (p50), 5 (p90), 5 (p99).
        #expect(all.delivered == 5)
        #expect(all.p50Seconds == 8)
        #expect(all.p90Seconds == 45)
        #expect(all.p99Seconds == 45)
        #expect(all.resolutionSeconds == 1)
        #expect(all.within == .init(s10: 60, s60: 100, s600: 100, s3600: 100))
        #expect(all.histogram.map(\.upToSeconds) == [3, 8, 20, 45])
        #expect(all.histogram.map(\.count) == [2, 1, 1, 1])
        // First clicks at 70 s (bucket 75) and 600 s.
        #expect(all.firstClick == .init(clicked: 2, p50Seconds: 75, p90Seconds: 600, resolutionSeconds: 60))
        // Variant 0: m0 (3), m2 (8), m4 (20); m6 inferred.
        let v0 = try await f.queries.latency(f.campaign, variant: 0)
        #expect(v0.delivered == 3)
        #expect(v0.p50Seconds == 8)
        #expect(v0.within.s10 == 200.0 / 3)
        let v1 = try await f.queries.latency(f.campaign, variant: 1)
        #expect(v1.delivered == 2)
        #expect(v1.p50Seconds == 3 && v1.p99Seconds == 45)
        #expect(v1.firstClick.clicked == 0 && v1.firstClick.p50Seconds == nil)
        let report = try await f.store.reconcile(campaignId: "c1", repair: false)
        #expect(report.isClean, "\(report)")
    }

    @Test("an empty campaign: zero delivered, null percentiles and shares", arguments: StoreKind.allCases)
    func empty(kind: StoreKind) async throws {
        let f = try await StatsFixture(kind: kind)
        defer { Task { await f.testStore.close() } }
        let r = try await f.queries.latency(f.campaign, variant: nil)
        #expect(r.delivered == 0 && r.p50Seconds == nil && r.p99Seconds == nil && r.resolutionSeconds == nil)
        #expect(r.within == .init(s10: nil, s60: nil, s600: nil, s3600: nil))
        #expect(r.histogram.isEmpty)
    }

    /// A database written before the migration has no latency cells: the migration recounts them
    /// from the stored message states, and `reconcile` then finds no drift.
    @Test("the migration backfills the histograms of existing messages", arguments: StoreKind.allCases)
    func migrationBackfills(kind: StoreKind) async throws {
        let f = try await Self.history(kind)
        defer { Task { await f.testStore.close() } }
        let before = try await f.queries.latency(f.campaign, variant: nil)
        let ts = f.testStore
        // Back to the database an earlier release left: no latency cells, migration not applied.
        let tables = kind == .postgres ? ["rollups", "rollup_slots"] : ["rollups"]
        for table in tables {
            try await ts.query("DELETE FROM \(table) WHERE metric IN ('delivery_latency', 'first_click_latency')")
        }
        let migrations = kind == .postgres ? "schema_migrations WHERE id" : "grdb_migrations WHERE identifier"
        try await ts.query("DELETE FROM \(migrations) = 'latency-histograms'")
        #expect(try await f.queries.latency(f.campaign, variant: nil).delivered == 0)
        #expect(try await f.store.reconcile(campaignId: "c1", repair: false).isClean == false)
        let (reopened, close) = try await ts.reopened()
        let after = try await CampaignStatsQueries(store: reopened).latency(f.campaign, variant: nil)
        #expect(after == before)
        #expect(after.delivered == 5)
        #expect(try await CampaignStatsQueries(store: reopened).latency(f.campaign, variant: 1).delivered == 2)
        let report = try await reopened.reconcile(campaignId: "c1", repair: false)
        #expect(report.isClean, "\(report)")
        await close()
    }
}
