import Foundation
import PostgresNIO
import SMSCore
@testable import SMSStorePostgres
import SMSStoreTestSupport
import Testing

/// The raw tables' range partitions by message id (`PGPartitions`, migration `partitions`): a
/// database of the previous release migrates with its rows (stats, raw rows and the recount equal
/// before and after), a callback's duplicate is still detected exactly, rows go to the partition of
/// their message id (or the default one), the next spans are created ahead, and partitions whose
/// messages are all older than a time are detached and dropped.
@Suite("PostgreSQL: partitions of the raw tables")
struct PostgresPartitionTests {
    static let t = StatsFixture.t
    var t: Int64 { Self.t }

    /// Empties the fixture's schema and applies the migrations of the release before partitions.
    static func previousRelease(_ ts: TestStore) async throws {
        let store = try #require(ts.store as? PostgresStore)
        try await store.write { tx in
            for name in try await tx.rows("SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()").map({
                try $0.at(0, String.self)
            }) {
                try await tx.exec(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(PGPartitions.quoted(name)) CASCADE"))
            }
            // Sequences of their own (not a column's), e.g. the webhook outbox's versions.
            for name in try await tx.rows("SELECT sequencename::text FROM pg_sequences WHERE schemaname = current_schema()").map({
                try $0.at(0, String.self)
            }) {
                try await tx.exec(PostgresQuery(unsafeSQL: "DROP SEQUENCE IF EXISTS \(PGPartitions.quoted(name)) CASCADE"))
            }
        }
        try await PostgresMigrations.migrate(store, PostgresMigrations.through("rollup-slots"))
        // The history is written by this release's store code, which stores each click's id (the
        // column of the later migration "click-journals"); dropped again before migrating.
        try await store.write { tx in try await tx.exec("ALTER TABLE clicks ADD COLUMN click_id TEXT") }
        // This release's store code also reads the webhook subscriptions on every state change
        // (issue 17), writes the latency cells itself (issue 18) and skips receipt-log rows whose
        // dedup key a purge kept (issue 15, `purged_event_keys`): those migrations are applied
        // ahead (the latency backfill then finds no message and adds nothing twice); the rest
        // migrates in order as before.
        try await PostgresMigrations.migrate(
            store, PostgresMigrations.all.filter { ["webhooks", "latency-histograms", "purged-event-keys"].contains($0.id) })
    }

    /// The partitions of `table`, in range order (the default last).
    static func partitions(_ store: PostgresStore, _ table: String) async throws -> [String] {
        try await store.read { tx in try await PGPartitions.partitions(tx, of: table).map(\.name) }
    }

    static func count(_ store: PostgresStore, _ sql: String) async throws -> Int64 {
        try await store.read { tx in try await tx.scalar(PostgresQuery(unsafeSQL: sql), as: Int64.self) ?? -1 }
    }

    /// The campaign's stats from its rollups (the API's read).
    static func stats(_ store: PostgresStore) async throws -> CampaignStats {
        CampaignReport.stats(totals: try await CampaignStatsQueries(store: store).totals(campaignId: "c1"), callbacksEnabled: true)
    }

    /// Every rollup cell (slot rows folded: `rollup_cells`), in key order.
    static func rollups(_ store: PostgresStore) async throws -> [String] {
        try await store.read { tx in
            try await tx.rows("SELECT campaign_id, variant, metric, dim, bucket, value FROM rollup_cells ORDER BY 1, 2, 3, 4, 5").map {
                "\(try $0.at(0, String.self))|\(try $0.at(1, Int64.self))|\(try $0.at(2, String.self))|\(try $0.at(3, String.self))|\(try $0.at(4, Int64.self))=\(try $0.at(5, Int64.self))"
            }
        }
    }

    /// 40 messages sent, 30 delivered, 5 failed, 12 human and 3 bot clicks: written by the store
    /// on the schema of the previous release.
    static func history(_ f: StatsFixture) async throws {
        try await f.sendMessages(40)
        for i in 0..<30 { try await f.callback(.delivered, i, at: t + 10 + Int64(i)) }
        for i in 30..<35 { try await f.callback(.failed, i, at: t + 20, code: "E\(i % 2)", description: "no route") }
        for i in 0..<12 { try await f.click(i, link: i % 3, at: t + 100 + Int64(i)) }
        for i in 0..<3 { try await f.click(i, link: 0, at: t + 90, bot: true) }
    }

    @Test func aDatabaseOfThePreviousReleaseMigratesWithItsRows() async throws {
        let f = try await StatsFixture(kind: .postgres, prepare: Self.previousRelease)
        let store = try #require(f.store as? PostgresStore)
        try await Self.history(f)
        #expect(try await Self.partitions(store, "message_events") == [])
        let queries = CampaignStatsQueries(store: store)
        let totals = try await queries.totals(campaignId: "c1")
        let cells = try await Self.rollups(store)
        let stats = try await Self.stats(store)
        #expect(stats.delivered == 30 && stats.failed == 5)
        #expect(try await Self.count(store, "SELECT count(*) FROM message_events") == 35)
        #expect(try await Self.count(store, "SELECT count(*) FROM clicks") == 15)
        let lastEventId = try await Self.count(store, "SELECT max(id) FROM message_events")
        // The previous release's clicks table has no click id.
        try await store.write { tx in try await tx.exec("ALTER TABLE clicks DROP COLUMN click_id") }

        try await PostgresMigrations.migrate(store)

        #expect(try await store.missingMigrations() == [])
        // 40 messages: the former tables cover ids up to the first span boundary, 2 spans ahead.
        #expect(
            try await Self.partitions(store, "message_events")
                == ["message_events_initial", "message_events_p1000000", "message_events_p2000000", "message_events_default"])
        #expect(try await Self.partitions(store, "clicks") == ["clicks_initial", "clicks_p1000000", "clicks_p2000000", "clicks_default"])
        #expect(try await queries.totals(campaignId: "c1") == totals)
        #expect(try await Self.rollups(store) == cells)
        #expect(try await Self.stats(store) == stats)
        #expect(try await Self.count(store, "SELECT count(*) FROM message_events_initial") == 35)
        #expect(try await Self.count(store, "SELECT count(*) FROM clicks_initial") == 15)
        let report = try await store.reconcile(campaignId: "c1", repair: false)
        #expect(report.messages == 40 && report.stateDrifts == 0 && report.linkCounterDrifts == 0 && report.cells.isEmpty)

        // A callback recorded before the migration is still a duplicate; a new one is counted once.
        let again = try await store.applyCallbacks(
            providerId: "p1", items: [CallbackItem(kind: .delivered, meta: "m3", ts: t + 13, code: nil, description: nil)],
            receivedAt: t + 500)
        #expect(again.duplicates == 1)
        try await f.callback(.delivered, 36, at: t + 600)
        try await f.callback(.delivered, 36, at: t + 600)
        #expect(try await Self.stats(store).delivered == 31)
        #expect(try await Self.count(store, "SELECT count(*) FROM message_events") == 36)
        // Ids continue after the former table's.
        #expect(try await Self.count(store, "SELECT max(id) FROM message_events") > lastEventId)
        try await f.click(36, link: 1, at: t + 700)
        #expect(try await Self.count(store, "SELECT count(*) FROM clicks_initial") == 16)
        await f.testStore.close()
    }

    @Test func rowsGoToTheirMessagesPartitionAndSpansAreCreatedAhead() async throws {
        let f = try await StatsFixture(kind: .postgres)
        let store = try #require(f.store as? PostgresStore)
        #expect(
            try await Self.partitions(store, "message_events")
                == ["message_events_initial", "message_events_p1000000", "message_events_p2000000", "message_events_default"])
        try await f.sendMessages(2)
        // The next messages get ids from 2,500,000, then from 10,000,000 (past every span: the default).
        try await store.write { tx in try await tx.exec("ALTER TABLE messages ALTER COLUMN id RESTART WITH 2500000") }
        try await f.store.insertMessages([StatsFixture.message(2)])
        try await store.write { tx in try await tx.exec("ALTER TABLE messages ALTER COLUMN id RESTART WITH 10000000") }
        try await f.store.insertMessages([StatsFixture.message(3)])
        try await f.dispatchAll()
        for i in 0..<4 {
            try await f.callback(.delivered, i, at: t + 10)
            try await f.click(i, link: 0, at: t + 20)
        }
        #expect(try await Self.count(store, "SELECT count(*) FROM message_events_initial") == 2)
        #expect(try await Self.count(store, "SELECT count(*) FROM message_events_p2000000") == 1)
        #expect(try await Self.count(store, "SELECT count(*) FROM message_events_default") == 1)
        #expect(try await Self.count(store, "SELECT count(*) FROM clicks_default") == 1)
        // A duplicate of the message in the default partition is detected there too.
        let again = try await store.applyCallbacks(
            providerId: "p1", items: [CallbackItem(kind: .delivered, meta: "m3", ts: t + 10, code: nil, description: nil)],
            receivedAt: t + 12)
        #expect(again.duplicates == 1)

        // Ahead of 10,000,000, above the default's rows: the spans from 11,000,000 to 12,999,999.
        let created = try await store.ensurePartitions()
        #expect(
            created == ["message_events_p11000000", "message_events_p12000000", "clicks_p11000000", "clicks_p12000000"])
        #expect(try await store.ensurePartitions() == [])
        #expect(try await Self.stats(store).delivered == 4)
        await f.testStore.close()
    }

    @Test func partitionsOfMessagesOlderThanACutoffAreDropped() async throws {
        let f = try await StatsFixture(kind: .postgres)
        let store = try #require(f.store as? PostgresStore)
        try await f.sendMessages(3)
        for i in 0..<3 {
            try await f.callback(.delivered, i, at: t + 10)
            try await f.click(i, link: 0, at: t + 20)
        }
        // A later message (created a day after the others) with ids from 2,500,000.
        try await store.write { tx in try await tx.exec("ALTER TABLE messages ALTER COLUMN id RESTART WITH 2500000") }
        var late = StatsFixture.message(3)
        late.createdAt = t + 86_400
        try await f.store.insertMessages([late])
        try await f.dispatchAll()
        try await f.callback(.delivered, 3, at: t + 86_400 + 10)
        let stats = try await Self.stats(store)
        #expect(stats.delivered == 4)

        // At the cutoff t the first messages are not older: nothing goes.
        #expect(try await store.dropPartitions(messagesCreatedBefore: t) == [])
        // Just after: the former range and the empty span above it (below the late message) go;
        // the late message's span stays (it is the newest), and so do the spans ahead and the default.
        #expect(
            try await store.dropPartitions(messagesCreatedBefore: t + 1)
                == ["message_events_initial", "message_events_p1000000", "clicks_initial", "clicks_p1000000"])
        #expect(try await Self.count(store, "SELECT count(*) FROM message_events") == 1)
        #expect(try await Self.count(store, "SELECT count(*) FROM clicks") == 0)
        #expect(try await Self.count(store, "SELECT count(*) FROM pg_class WHERE relname = 'message_events_initial' AND relnamespace = to_regnamespace(current_schema())") == 0)
        // Derived data stays: the stats are the same.
        #expect(try await Self.stats(store) == stats)
        // Even a cutoff after everything keeps the newest message's span: new ids may still fall in it.
        #expect(try await store.dropPartitions(messagesCreatedBefore: t + 10 * 86_400) == [])
        await f.testStore.close()
    }
}
