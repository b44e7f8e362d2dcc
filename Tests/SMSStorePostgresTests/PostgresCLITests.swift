import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// `smsstats stats` and `smsstats reconcile` with `--database postgres://…`, run as the real
/// executable against a campaign recorded through the PostgreSQL store.
@Suite("CLI on PostgreSQL: smsstats stats and reconcile", .serialized)
struct PostgresCLITests {
    /// 4 messages sent, 3 delivered, 1 failed.
    static func seed(_ ts: TestStore) async throws {
        let t0: Int64 = 1_700_000_000
        let store = ts.store
        try await store.insertProvider(
            ProviderConfig(id: "p1", name: "P", url: "http://127.0.0.1:9/sms", bodyTemplate: #"{"to":"$$To"}"#, callbackSecret: "s", createdAt: t0))
        try await store.insertCampaign(
            Campaign(id: "c1", name: "Spring", providerId: "p1", body: "Hi", links: [], audience: .all, timezone: "UTC", goal: nil,
                     createdAt: t0))
        try await store.insertMessages((0..<4).map {
            NewMessage(campaignId: "c1", userId: "u\($0)", phone: "+4915123456789", meta: "m\($0)", body: "Hi", segments: 1,
                       dispatch: .queued, createdAt: t0, links: [])
        })
        let queued = try await store.queuedMessages(campaignId: "c1", limit: 10)
        try await store.recordDispatchResults(queued.map { DispatchResult(messageId: $0.messageId, outcome: .sent(providerMessageId: nil), at: t0 + 1) })
        _ = try await store.applyCallbacks(
            providerId: "p1",
            items: (0..<3).map { CallbackItem(kind: .delivered, meta: "m\($0)", ts: t0 + 5) }
                + [CallbackItem(kind: .failed, meta: "m3", ts: t0 + 5, code: "30003")],
            receivedAt: t0 + 10)
    }

    @Test func statsAndReconcileTakeAPostgresURL() async throws {
        let ts = try await TestStore.make(.postgres)
        try await Self.seed(ts)
        let url = ts.databaseURL

        let stats = try await SMSStatsCLI.runOnOwnThread(["stats", "c1", "--database", url])
        #expect(stats.status == 0, "\(stats.err)")
        #expect(stats.out.contains("Spring (c1)"))
        #expect(stats.row("Sent") == ["4"], "\(stats.out)")
        #expect(stats.row("Delivered") == ["3"], "\(stats.out)")
        #expect(stats.row("Failed") == ["1"], "\(stats.out)")

        let unknown = try await SMSStatsCLI.runOnOwnThread(["stats", "nope", "--database", url])
        #expect(unknown.status != 0)
        #expect(unknown.err.contains("unknown campaign 'nope' in postgres://"), "\(unknown.err)")
        if let password = URLComponents(string: url)?.password { #expect(!unknown.err.contains(password), "password printed") }

        #expect(try await SMSStatsCLI.runOnOwnThread(["reconcile", "--database", url]).status == 0)
        // +2 on the base row (the written cells are slot rows: PGRollupWriter; reads sum both).
        try await ts.query("""
            INSERT INTO rollups (campaign_id, variant, metric, dim, bucket, value) VALUES ('c1', 0, 'delivered', '', -1, 2)
            ON CONFLICT (campaign_id, variant, metric, dim, bucket) DO UPDATE SET value = rollups.value + 2
            """)
        let drift = try await SMSStatsCLI.runOnOwnThread(["reconcile", "c1", "--database", url])
        #expect(drift.status == 1)
        #expect(drift.out.contains("drift found (run with --repair to fix)"), "\(drift.out)")
        #expect(drift.row("delivered") == ["5", "3", "-2", "1"], "\(drift.out)")
        #expect(try await SMSStatsCLI.runOnOwnThread(["reconcile", "c1", "--repair", "--database", url]).status == 0)
        let after = try await SMSStatsCLI.runOnOwnThread(["reconcile", "c1", "--database", url])
        #expect(after.status == 0)
        #expect(after.out.contains("no drift"), "\(after.out)")
        await ts.close()
    }
}
