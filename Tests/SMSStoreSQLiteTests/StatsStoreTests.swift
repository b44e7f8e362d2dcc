import Foundation
import GRDB
import SMSBenchLoad
import SMSCore
import SMSStoreTestSupport
import Testing

@testable import SMSStoreSQLite

/// SQLite-only checks of the Stats tab (bulk load, statement traces and query plans): rollups maintained by the units of work, read back by
/// ``CampaignStatsQueries`` (`docs/DOMAIN.md` §6, PITFALLS.md #4, 12–14, 20).
@Suite("Stats: SQLite-specific (bulk load, query plans)")
struct StatsStoreTests {
    typealias F = StatsFixture
    static let t = StatsFixture.t


    @Test func bulkLoadedMessagesReconcileCleanAndReadBack() async throws {
        let goal = ConversionGoal(event: "purchase", windowMinutes: 60, revenueProperty: "amount")
        let f = try await F(kind: .sqlite, goal: goal)
        func bulk(_ i: Int, _ dispatch: DispatchStatus, events: [LoggedEvent] = [], clicks: [LoggedClick] = [],
                  conversions: [ConversionEventInput] = []) -> BulkMessage {
            let m = F.message(i, dispatch: dispatch == .control ? .control : .queued)
            return BulkMessage(
                userId: m.userId, phone: m.phone, meta: m.meta, body: m.body, segments: 1, variant: i % 2, dispatch: dispatch,
                dispatchedAt: Self.t, dispatchErrorReason: nil, createdAt: Self.t, links: m.links, events: events, clicks: clicks,
                conversions: conversions)
        }
        let messages = [
            bulk(0, .control, conversions: [ConversionEventInput(eventId: "a", userId: "u0", name: "purchase", ts: Self.t + 60, properties: ["amount": .number(4)])]),
            bulk(1, .sent, events: [LoggedEvent(kind: .delivered, at: Self.t + 5)],
                 clicks: [LoggedClick(linkIndex: 1, at: Self.t + 50, isBot: false), LoggedClick(linkIndex: 1, at: Self.t + 1, isBot: true)],
                 conversions: [ConversionEventInput(eventId: "b", userId: "u1", name: "purchase", ts: Self.t + 90, properties: ["amount": .number(12.5)])]),
            bulk(2, .sent, events: [LoggedEvent(kind: .failed, at: Self.t + 5, code: "777", description: "Blocked")]),
            bulk(3, .sent, events: [LoggedEvent(kind: .replied, at: Self.t + 500, code: "optOut")]),
        ]
        try await f.sqlite.bulkLoad(campaign: f.campaign, chunk: BulkChunk(campaign: f.campaign, messages: messages))
        #expect(try await f.store.reconcile(campaignId: "c1", repair: false).isClean)
        let s = try await f.queries.summary(f.campaign)
        #expect((s.all.sent, s.all.delivered, s.all.failed, s.all.pending, s.all.controlGroup) == (3, 1, 1, 1, 1))
        #expect((s.all.clicks, s.all.uniqueClicks, s.all.botHits, s.all.replies, s.all.optOuts) == (1, 1, 1, 1, 1))
        #expect((s.all.convertedUsers, s.all.clickThroughConversions, s.all.revenueCents, s.all.controlConvertedUsers) == (1, 1, 1_250, 1))
        #expect(s.variants.map(\.variant) == [0, 1])
        #expect(try await f.queries.errors(f.campaign, variant: nil).delivery.first?.description == "Blocked")
    }

    /// PITFALLS.md #20: the stats reads touch the rollups (by primary key) and small lookup tables only,
    /// never messages, events or clicks; checked on the statements SQLite actually ran.
    @Test func pitfall20StatsReadsNeverScanMessagesOrEvents() async throws {
        let f = try await F.busyHistory(.sqlite)
        // The same file through one connection (a DatabaseQueue), so the trace sees every read.
        let traced = try SQLiteStore(writer: DatabaseQueue(path: f.testStore.databaseURL), keywords: OptOutKeywords())
        let seen = SQLLog()
        try await traced.db.write { db in
            db.trace(options: .statement) { event in
                if case .statement(let s) = event { seen.append(s.expandedSQL) }
            }
        }
        let q = CampaignStatsQueries(store: traced)
        _ = try await q.summary(f.campaign)
        for g in TrendGranularity.allCases { _ = try await q.trend(f.campaign, granularity: g, timeZone: nil, variant: nil) }
        _ = try await q.trend(f.campaign, granularity: .day, timeZone: nil, variant: 1)
        _ = try await q.funnel(f.campaign, variant: nil)
        _ = try await q.links(f.campaign, variant: 0)
        _ = try await q.errors(f.campaign, variant: nil)
        try await traced.db.write { db in db.trace(options: .statement, nil) }
        let statements = seen.lines.filter { $0.uppercased().hasPrefix("SELECT") }
        #expect(statements.count >= 10)
        let plans = try await traced.db.read { db in
            try statements.map { sql in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { ($0["detail"] as String?) ?? "" }
            }
        }
        for (sql, plan) in zip(statements, plans) {
            for table in ["messages", "message_events", "clicks", "short_links", "conversion_events", "campaign_conversions"] {
                #expect(!sql.contains(" \(table) ") && !sql.hasSuffix(" \(table)"), "reads \(table): \(sql)")
            }
            for step in plan where step.contains("rollups") {
                #expect(step.contains("USING PRIMARY KEY (campaign_id=?"), "\(step) for \(sql)")
            }
        }
    }

    /// Issue 18: the overview across campaigns and the breakdown across campaigns by provider and
    /// variant (a default-only price table: priced from `sent_segments`) read the rollups by
    /// primary key, the campaign and provider lists and the price table, never messages, events or
    /// clicks; checked on the statements SQLite actually ran.
    @Test func overviewReadsNeverScanMessagesOrEvents() async throws {
        let f = try await F.busyHistory(.sqlite)
        #expect(try await f.store.setPriceTable(PriceTable(currency: "EUR", defaultMicrosPerSegment: 50_000), providerId: "p1"))
        let traced = try SQLiteStore(writer: DatabaseQueue(path: f.testStore.databaseURL), keywords: OptOutKeywords())
        let seen = SQLLog()
        try await traced.db.write { db in
            db.trace(options: .statement) { event in
                if case .statement(let s) = event { seen.append(s.expandedSQL) }
            }
        }
        let period = try OverviewPeriod(from: "2024-03-01", to: "2024-03-31", tz: "Europe/Berlin", now: 0)
        let q = OverviewQueries(store: traced)
        let overview = try await q.overview(period, minSent: 1)
        _ = try await q.breakdown(by: .provider, period: period)
        _ = try await q.breakdown(by: .variant, period: period)
        try await traced.db.write { db in db.trace(options: .statement, nil) }
        #expect(overview.totals.campaigns == 1 && overview.cost.first?.totalMicros == 50_000 * overview.totals.sent)
        let statements = seen.lines.filter { $0.uppercased().hasPrefix("SELECT") }
        #expect(statements.count >= 6)
        let plans = try await traced.db.read { db in
            try statements.map { sql in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { ($0["detail"] as String?) ?? "" }
            }
        }
        for (sql, plan) in zip(statements, plans) {
            for table in ["messages", "message_events", "clicks", "short_links", "conversion_events", "campaign_conversions"] {
                #expect(!sql.contains(" \(table) ") && !sql.hasSuffix(" \(table)"), "reads \(table): \(sql)")
            }
            for step in plan where step.contains("rollups") {
                #expect(step.contains("USING PRIMARY KEY (campaign_id=?"), "\(step) for \(sql)")
            }
        }
    }
}

/// Statements seen by a trace (the trace closure runs on the database's queue).
final class SQLLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ line: String) { lock.withLock { items.append(line) } }
    var lines: [String] { lock.withLock { items } }
}

extension StatsFixture {
    /// The SQLite store of a `.sqlite` fixture (these checks read its statements and plans).
    var sqlite: SQLiteStore { testStore.store as! SQLiteStore }
}
