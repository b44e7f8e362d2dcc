import Foundation
import GRDB
import SMSCore
import Testing

@testable import SMSStoreSQLite

/// SQLite-only checks of the Stats tab (bulk load, statement traces and query plans): rollups maintained by the units of work, read back by
/// ``CampaignStatsQueries`` (`domain.md` §6, pitfalls 4, 12–14, 20).
@Suite("Stats: SQLite-specific (bulk load, query plans)")
struct StatsStoreTests {
    typealias F = StatsFixture
    static let t = StatsFixture.t

    /// A history touching every kind of record, then reconcile (in memory, or in the file at `path`).
    static func busyHistory(path: String? = nil) async throws -> F {
        let goal = ConversionGoal(event: "purchase", windowMinutes: 120, revenueProperty: "amount")
        let f = try await F(goal: goal, path: path)
        try await f.store.insertMessages([F.message(50, dispatch: .control), F.message(51, dispatch: .dispatchError, reason: "no phone on profile")])
        try await f.sendMessages(6) { $0 % 2 }
        try await f.callback(.delivered, 0, at: Self.t + 5)
        try await f.callback(.failed, 1, at: Self.t + 5, code: "777", description: "Blocked")
        try await f.callback(.submitted, 2, at: Self.t + 5)
        try await f.callback(.replied, 3, at: Self.t + 500)
        _ = try await f.store.applyCallbacks(
            providerId: "p1", items: [CallbackItem(kind: .replied, meta: "m4", ts: Self.t + 400, incomingText: "STOP")], receivedAt: Self.t + 401)
        _ = try await f.store.applyCallbacks(
            providerId: "p1", items: [CallbackItem(kind: .clicked, meta: "m5", ts: Self.t + 300, url: F.links[1])], receivedAt: Self.t + 301)
        try await f.click(0, link: 0, at: Self.t + 60)
        try await f.click(0, link: 0, at: Self.t + 70)
        try await f.click(2, link: 2, at: Self.t + 3, bot: true)
        _ = try await f.store.ingestConversionEvents(
            [
                ConversionEventInput(eventId: "e0", userId: "u0", name: "purchase", ts: Self.t + 900, properties: ["amount": .number(30)]),
                ConversionEventInput(eventId: "e50", userId: "u50", name: "purchase", ts: Self.t + 100, properties: ["amount": .number(5)]),
            ], receivedAt: Self.t + 1000)
        return f
    }

    @Test func bulkLoadedMessagesReconcileCleanAndReadBack() async throws {
        let goal = ConversionGoal(event: "purchase", windowMinutes: 60, revenueProperty: "amount")
        let f = try await F(goal: goal)
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
        try await f.store.bulkLoad(campaign: f.campaign, chunk: BulkChunk(campaign: f.campaign, messages: messages))
        #expect(try await f.store.reconcile(campaignId: "c1", repair: false).isClean)
        let s = try await f.queries.summary(f.campaign)
        #expect((s.all.sent, s.all.delivered, s.all.failed, s.all.pending, s.all.controlGroup) == (3, 1, 1, 1, 1))
        #expect((s.all.clicks, s.all.uniqueClicks, s.all.botHits, s.all.replies, s.all.optOuts) == (1, 1, 1, 1, 1))
        #expect((s.all.convertedUsers, s.all.clickThroughConversions, s.all.revenueCents, s.all.controlConvertedUsers) == (1, 1, 1_250, 1))
        #expect(s.variants.map(\.variant) == [0, 1])
        #expect(try await f.queries.errors(f.campaign, variant: nil).delivery.first?.description == "Blocked")
    }

    /// Pitfall 20: the stats reads touch the rollups (by primary key) and small lookup tables only,
    /// never messages, events or clicks; checked on the statements SQLite actually ran.
    @Test func pitfall20StatsReadsNeverScanMessagesOrEvents() async throws {
        let f = try await Self.busyHistory()
        let seen = SQLLog()
        try await f.store.db.write { db in
            db.trace(options: .statement) { event in
                if case .statement(let s) = event { seen.append(s.expandedSQL) }
            }
        }
        let q = f.queries
        _ = try await q.summary(f.campaign)
        for g in TrendGranularity.allCases { _ = try await q.trend(f.campaign, granularity: g, timeZone: nil, variant: nil) }
        _ = try await q.trend(f.campaign, granularity: .day, timeZone: nil, variant: 1)
        _ = try await q.funnel(f.campaign, variant: nil)
        _ = try await q.links(f.campaign, variant: 0)
        _ = try await q.errors(f.campaign, variant: nil)
        try await f.store.db.write { db in db.trace(options: .statement, nil) }
        let statements = seen.lines.filter { $0.uppercased().hasPrefix("SELECT") }
        #expect(statements.count >= 10)
        let plans = try await f.store.db.read { db in
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
