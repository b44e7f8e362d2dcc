import Foundation
import SMSCore
import SMSStorePostgres
import SMSStoreTestSupport
import Testing

/// What SQLite never needs: writers running at the same time. Each test fires many units of work
/// concurrently at one PostgreSQL store (pool of 4 connections) and checks the result equals the
/// serial one: no claim handed out twice, no lost rollup increment, one unique click, one capped
/// message, and a reconcile that finds no drift.
@Suite("PostgreSQL store under concurrent writers")
struct PostgresConcurrencyTests {
    static let t0: Int64 = 1_700_000_000

    /// A provider, a campaign `c1` with one link, and `count` queued messages (meta `m<i>`, user `u<i>`, code `k<i>`).
    static func setUp(_ ts: TestStore, count: Int, campaignId: String = "c1", users: (Int) -> String = { "u\($0)" })
        async throws
    {
        let store = ts.store
        if try await store.provider(id: "p1") == nil {
            try await store.insertProvider(
                ProviderConfig(
                    id: "p1", name: "P", url: "http://127.0.0.1:9/sms", bodyTemplate: #"{"to":"$$To"}"#, callbackSecret: "s",
                    createdAt: t0))
        }
        try await store.insertCampaign(
            Campaign(
                id: campaignId, name: campaignId, providerId: "p1", body: "Hi https://a.example/x", links: ["https://a.example/x"],
                audience: .all, timezone: "UTC", goal: nil, status: .sending, createdAt: t0))
        try await store.insertMessages(
            (0..<count).map { i in
                NewMessage(
                    campaignId: campaignId, userId: users(i), phone: "+4915123456789", meta: "\(campaignId)-m\(i)", body: "Hi",
                    segments: 1, dispatch: .queued, createdAt: t0,
                    links: [NewShortLink(code: "\(campaignId)k\(i)", linkIndex: 0, url: "https://a.example/x", expiresAt: t0 + 86_400)])
            })
    }

    /// A new store with ``setUp(_:count:campaignId:users:)``'s campaign, every message recorded as sent at `t0 + 1`.
    static func sentCampaign(count: Int) async throws -> TestStore {
        let ts = try await TestStore.make(.postgres)
        try await setUp(ts, count: count)
        let queued = try await ts.store.queuedMessages(campaignId: "c1", limit: count)
        try await ts.store.recordDispatchResults(
            queued.map { DispatchResult(messageId: $0.messageId, outcome: .sent(providerMessageId: nil), at: t0 + 1) })
        return ts
    }

    @Test func concurrentClaimersNeverShareAMessage() async throws {
        let ts = try await TestStore.make(.postgres)
        let store = ts.store
        try await Self.setUp(ts, count: 200)
        let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var mine: [Int64] = []
                    var round = 0
                    while true {
                        let claim = try await store.claimMessages(
                            campaignId: "c1", limit: 7, attempt: "w\(worker)-\(round)", now: Self.t0 + 1, cap: nil)
                        if claim.messages.isEmpty { return mine }
                        mine += claim.messages.map(\.messageId)
                        round += 1
                    }
                }
            }
            var all: [Int64] = []
            for try await ids in group { all += ids }
            return all
        }
        #expect(claimed.count == 200)
        #expect(Set(claimed).count == 200)
        #expect(try await store.claimedCount(campaignId: "c1") == 200)
        #expect(try await store.releaseClaims() == 200)
        #expect(try await store.claimedCount(campaignId: "c1") == 0)
        await ts.close()
    }

    @Test func concurrentCallbackBatchesLoseNoIncrement() async throws {
        let ts = try await Self.sentCampaign(count: 40)
        let store = ts.store
        // 30 delivered, 10 failed; every batch sent by 6 tasks at once, each in its own order.
        let items = (0..<40).map { i in
            i < 30
                ? CallbackItem(kind: .delivered, meta: "c1-m\(i)", ts: Self.t0 + 10 + Int64(i))
                : CallbackItem(kind: .failed, meta: "c1-m\(i)", ts: Self.t0 + 10, code: "30003", description: "Unreachable")
        }
        let results = try await withThrowingTaskGroup(of: CallbackIngestResult.self) { group in
            for task in 0..<6 {
                group.addTask {
                    var rng = SystemRandomNumberGenerator()
                    var total = CallbackIngestResult()
                    for chunk in stride(from: 0, to: 40, by: 8).map({ Array(items[$0..<$0 + 8]) }).shuffled(using: &rng) {
                        let r = try await store.applyCallbacks(
                            providerId: "p1", items: chunk.shuffled(using: &rng), receivedAt: Self.t0 + 60 + Int64(task))
                        total.applied += r.applied
                        total.duplicates += r.duplicates
                        total.pending += r.pending
                    }
                    return total
                }
            }
            var sum = CallbackIngestResult()
            for try await r in group {
                sum.applied += r.applied
                sum.duplicates += r.duplicates
                sum.pending += r.pending
            }
            return sum
        }
        #expect(results == CallbackIngestResult(applied: 40, duplicates: 200, pending: 0))
        let totals = try await CampaignStatsQueries(store: store).totals(campaignId: "c1")
        #expect(totals[RollupKey(.delivered)] == 30)
        #expect(totals[RollupKey(.failed)] == 10)
        #expect(totals[RollupKey(.failedByCode, dim: "30003")] == 10)
        #expect((totals[RollupKey(.pending)] ?? 0) == 0)
        #expect(try await store.reconcile(campaignId: "c1", repair: false).isClean)
        await ts.close()
    }

    /// Slotted rollup rows (``PGRollupWriter``): concurrent callback batches of one campaign write
    /// their increments to several slot rows of the same cells; every read folds them, so the
    /// totals equal the recount; a repair writes the recount folded (no slot rows left).
    @Test func concurrentBatchesOfOneCampaignSpreadOverSlotRowsAndFoldToTheRecount() async throws {
        let ts = try await Self.sentCampaign(count: 400)
        let store = ts.store
        // 50 batches of 8 delivered items, 8 tasks at once; messages 0..<40 also get a failed receipt first.
        try await store.applyCallbacks(
            providerId: "p1", items: (0..<40).map { CallbackItem(kind: .failed, meta: "c1-m\($0)", ts: Self.t0 + 5, code: "1") },
            receivedAt: Self.t0 + 30)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for batch in stride(from: task, to: 50, by: 8) {
                        let items = (batch * 8..<batch * 8 + 8).map { CallbackItem(kind: .delivered, meta: "c1-m\($0)", ts: Self.t0 + 10) }
                        _ = try await store.applyCallbacks(providerId: "p1", items: items, receivedAt: Self.t0 + 60)
                    }
                }
            }
            try await group.waitForAll()
        }
        func int(_ sql: String) async throws -> Int64 {
            if case .int(let n) = try await ts.query(sql).first?["n"] { return n }
            return -1
        }
        // 52 transactions wrote the total cells, each to a random one of the 4 slots: more than one used.
        let slots = try await int("SELECT COUNT(DISTINCT slot) AS n FROM rollup_slots WHERE metric = 'delivered' AND bucket = -1")
        #expect(slots > 1 && slots <= 4, "\(slots) slot rows")
        #expect(try await int("SELECT SUM(value)::bigint AS n FROM rollup_slots WHERE metric = 'delivered' AND bucket = -1") == 400)
        // At most 4 rows per cell, whatever the number of writers.
        #expect(try await int("SELECT MAX(c) AS n FROM (SELECT COUNT(*) AS c FROM rollup_slots GROUP BY campaign_id, variant, metric, dim, bucket) s") <= 4)
        let totals = try await CampaignStatsQueries(store: store).totals(campaignId: "c1")
        #expect(totals[RollupKey(.sent)] == 400)
        #expect(totals[RollupKey(.delivered)] == 400)
        #expect((totals[RollupKey(.failed)] ?? 0) == 0)
        #expect((totals[RollupKey(.pending)] ?? 0) == 0)
        #expect(try await store.reconcile(campaignId: "c1", repair: false).isClean)
        // A repair folds: one base row per cell, no slot rows, the same totals.
        let cells = try await int("SELECT COUNT(*) AS n FROM rollup_cells WHERE campaign_id = 'c1' AND value <> 0")
        #expect(try await store.reconcile(campaignId: "c1", repair: true).isClean)
        #expect(try await int("SELECT COUNT(*) AS n FROM rollup_slots WHERE campaign_id = 'c1'") == 0)
        #expect(try await int("SELECT COUNT(*) AS n FROM rollups WHERE campaign_id = 'c1' AND value <> 0") == cells)
        #expect(try await CampaignStatsQueries(store: store).totals(campaignId: "c1") == totals)
        await ts.close()
    }

    @Test func concurrentHumanClicksOnOneLinkCountOneUnique() async throws {
        let ts = try await TestStore.make(.postgres)
        let store = ts.store
        try await Self.setUp(ts, count: 1)
        let id = try #require(try await ts.messageId(meta: "c1-m0"))
        try await store.recordDispatchResults([DispatchResult(messageId: id, outcome: .sent(providerMessageId: nil), at: Self.t0)])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<20 {
                group.addTask {
                    _ = try await store.recordClick(
                        ClickInput(code: "c1k0", at: Self.t0 + 100 + Int64(i), userAgent: "Mozilla/5.0", ipHash: nil, isBot: false,
                                   botReason: nil))
                }
            }
            try await group.waitForAll()
        }
        let totals = try await CampaignStatsQueries(store: store).totals(campaignId: "c1")
        #expect(totals[RollupKey(.clicks)] == 20)
        #expect(totals[RollupKey(.linkClicks, dim: "0")] == 20)
        #expect(totals[RollupKey(.linkUniqueClicks, dim: "0")] == 1)
        #expect(totals[RollupKey(.uniqueClicks)] == 1)
        #expect(try await ts.int("SELECT human_clicks FROM short_links WHERE code = 'c1k0'") == 20)
        #expect(try await ts.messageState(meta: "c1-m0")?.firstHumanClickAt == Self.t0 + 100)
        #expect(try await store.reconcile(campaignId: "c1", repair: false).isClean)
        await ts.close()
    }

    @Test func frequencyCapHoldsAcrossCampaignsClaimedAtOnce() async throws {
        let ts = try await TestStore.make(.postgres)
        let store = ts.store
        // The same 30 users in two campaigns; cap: 1 SMS per 24 h.
        try await Self.setUp(ts, count: 30, campaignId: "ca")
        try await Self.setUp(ts, count: 30, campaignId: "cb")
        let cap = FrequencyCap(maxMessages: 1)
        let claims = try await withThrowingTaskGroup(of: ClaimResult.self) { group in
            for campaign in ["ca", "cb"] {
                group.addTask {
                    try await store.claimMessages(campaignId: campaign, limit: 30, attempt: "a-\(campaign)", now: Self.t0 + 5, cap: cap)
                }
            }
            var out: [ClaimResult] = []
            for try await c in group { out.append(c) }
            return out
        }
        let claimedUsers = claims.flatMap { $0.messages.map(\.userId) }
        #expect(claimedUsers.count == 30)
        #expect(Set(claimedUsers).count == 30, "a user was claimed in both campaigns")
        #expect(claims.map(\.capped).reduce(0, +) == 30)
        let ca = try await CampaignStatsQueries(store: store).totals(campaignId: "ca")[RollupKey(.dispatchErrors)] ?? 0
        let cb = try await CampaignStatsQueries(store: store).totals(campaignId: "cb")[RollupKey(.dispatchErrors)] ?? 0
        #expect(ca + cb == 30)
        await ts.close()
    }

    @Test func migrationsRunOnceAndReopenCleanly() async throws {
        let ts = try await TestStore.make(.postgres)
        try await Self.setUp(ts, count: 3)
        // Two more stores on the same schema at once: the advisory lock lets one migrate; both open.
        async let a = PostgresStore.connect(url: ts.databaseURL, maxConnections: 1)
        async let b = PostgresStore.connect(url: ts.databaseURL, maxConnections: 1)
        let (first, second) = try await (a, b)
        // Each migration once: "v1", "settings", "dispatch-dead-letters", "login-links", "leases", "rollup-slots",
        // "partitions", "ingestion-errors-body-kind", "click-journals", "audience-segments", "profiles-phone-index", "message-log-indexes", "webhooks", "latency-histograms", "dispatch-suspects", "raw-purge-marks", "purged-event-keys", "provider-prices", "signature-nonces", "message-network" and "webhook-fanout".
        #expect(try await ts.int("SELECT COUNT(*) FROM schema_migrations") == 21)
        #expect(
            try await ts.int(
                "SELECT COUNT(*) FROM schema_migrations WHERE id IN ('v1', 'settings', 'dispatch-dead-letters', 'login-links', 'leases', 'partitions', 'rollup-slots', 'ingestion-errors-body-kind', 'click-journals', 'audience-segments', 'profiles-phone-index', 'message-log-indexes', 'webhooks', 'latency-histograms', 'dispatch-suspects', 'raw-purge-marks', 'purged-event-keys', 'provider-prices', 'signature-nonces', 'message-network', 'webhook-fanout')")
                == 21)
        #expect(try await CampaignStatsQueries(store: first).totals(campaignId: "c1")[RollupKey(.queued)] == 3)
        #expect(try await second.messageCount(campaignId: "c1", dispatch: .queued) == 3)
        await first.close()
        await second.close()
        await ts.close()
    }
}

@Suite("PostgreSQL: opening fails fast with the reason")
struct PostgresOpenTests {
    @Test func wrongPasswordAndRefusedConnectionNameTheCauseWithoutThePassword() async throws {
        guard let base = StoreKind.postgresURL, var c = URLComponents(string: base) else {
            try Test.cancel("PostgreSQL case skipped: \(StoreKind.postgresURLVariable) is unset")
        }
        c.password = "not-the-password-\(UUID().uuidString.prefix(8))"
        let wrong = try #require(c.string)
        let started = ContinuousClock.now
        do {
            _ = try await PostgresStore.connect(url: wrong, maxConnections: 1)
            Issue.record("opened with a wrong password")
        } catch let error as PostgresStore.OpenError {
            #expect(error.description.contains("28P01"), "\(error)")
            #expect(!error.description.contains(c.password!), "the password is printed: \(error)")
            #expect(error.url.contains(":***@"))
        }
        var refused = c
        refused.port = 1
        do {
            _ = try await PostgresStore.connect(url: refused.string!, maxConnections: 1)
            Issue.record("opened a closed port")
        } catch let error as PostgresStore.OpenError {
            #expect(error.description.contains("refused"), "\(error)")
        }
        // Fails at once, not after the pool's minute of retries behind its circuit breaker. The bound
        // is loose on purpose: the whole suite runs beside it on 2 cores (16.6 s once against 15 s).
        #expect(ContinuousClock.now - started < .seconds(45), "failing took \(ContinuousClock.now - started)")
    }
}
