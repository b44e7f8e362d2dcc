import Foundation
import GRDB
import SMSCore

extension SQLiteStore {
    /// Recounts a campaign from its raw records and compares (``StatsStore/reconcile(campaignId:repair:)``).
    ///
    /// One transaction: a read (a consistent snapshot; writers go on) to report, a write (writers
    /// wait until it ends; minutes for millions of messages) to repair. Raw records are each
    /// message's dispatch record (`dispatch`, `dispatched_at`, `dispatch_error_reason`: the only
    /// columns dispatch facts write), the event log `message_events`, `clicks`, `short_links` and
    /// the user's `conversion_events`; the pure recount is ``RollupRecount``. Derived data checked
    /// and, with `repair`, rewritten: message states, `short_links.human_clicks`,
    /// `campaign_conversions`, `delivery_error_descriptions` and the campaign's `rollups`.
    public func reconcile(campaignId: String, repair: Bool) async throws -> ReconcileReport {
        if repair {
            return try await db.write { db in try Self.reconcile(db, campaignId: campaignId, repair: true) }
        }
        return try await db.read { db in try Self.reconcile(db, campaignId: campaignId, repair: false) }
    }

    static func reconcile(_ db: Database, campaignId: String, repair: Bool) throws -> ReconcileReport {
        guard let campaign = try campaign(db, id: campaignId) else { throw StoreError.notFound("campaign \(campaignId)") }
        var recount = CampaignRecount(campaign: campaign)
        try recount.run(db)
        let stored = try storedRollups(db, campaignId: campaignId)
        let cells = RollupComparison.drifts(stored: stored, expected: recount.expected)
        let storedDescriptions = try [String: String](
            Row.fetchAll(
                db, sql: "SELECT code, description FROM delivery_error_descriptions WHERE campaign_id = ?",
                arguments: [campaignId]
            ).map { ($0["code"], $0["description"]) }, uniquingKeysWith: { a, _ in a })
        let descriptionDrifts = Set(storedDescriptions.keys).union(recount.descriptions.keys)
            .filter { storedDescriptions[$0] != recount.descriptions[$0] }.count
        if repair {
            try recount.repair(db)
            try db.execute(sql: "DELETE FROM rollups WHERE campaign_id = ?", arguments: [campaignId])
            var writer = RollupWriter()
            for (variant, delta) in recount.expected { writer.add(delta, campaignId: campaignId, variant: variant) }
            try writer.flush(db)
            try db.execute(sql: "DELETE FROM delivery_error_descriptions WHERE campaign_id = ?", arguments: [campaignId])
            for (code, text) in recount.descriptions {
                try db.execute(
                    sql: "INSERT INTO delivery_error_descriptions (campaign_id, code, description) VALUES (?, ?, ?)",
                    arguments: [campaignId, code, text])
            }
        }
        return ReconcileReport(
            campaignId: campaignId, messages: recount.messages, stateDrifts: recount.stateFixes.count,
            linkCounterDrifts: recount.linkFixes.count, conversionDrifts: recount.conversionFixes.count,
            descriptionDrifts: descriptionDrifts, cells: cells,
            metrics: RollupComparison.byMetric(cells, stored: stored, expected: recount.expected), repaired: repair)
    }

    /// Every rollup cell of a campaign, per variant (metrics this version does not know are skipped).
    static func storedRollups(_ db: Database, campaignId: String) throws -> [Int: RollupDelta] {
        var out: [Int: RollupDelta] = [:]
        let rows = try Row.fetchCursor(
            db, sql: "SELECT variant, metric, dim, bucket, value FROM rollups WHERE campaign_id = ?", arguments: [campaignId])
        while let r = try rows.next() {
            guard let m = RollupMetric(rawValue: r[1]) else { continue }
            let value: Int64 = r[4]
            if value != 0 { out[r[0], default: [:]][RollupKey(m, dim: r[2], bucket: r[3])] = value }
        }
        return out
    }
}

/// The recount of one campaign, message by message (reads only; ``repair(_:)`` writes what differs).
struct CampaignRecount {
    let campaign: Campaign
    private(set) var messages = 0
    private(set) var expected: [Int: RollupDelta] = [:]
    private(set) var descriptions: [String: String] = [:]
    /// Messages whose stored state differs: the re-derived row.
    private(set) var stateFixes: [MessageRow] = []
    /// Short links whose human-click counter differs: (message id, link index, recounted clicks).
    private(set) var linkFixes: [(messageId: Int64, linkIndex: Int, clicks: Int64)] = []
    /// Users whose stored conversion differs: (user id, control, recounted conversion).
    private(set) var conversionFixes: [(userId: String, control: Bool, conversion: UserConversion)] = []

    init(campaign: Campaign) {
        self.campaign = campaign
    }

    mutating func run(_ db: Database) throws {
        let events = try db.cachedStatement(
            sql: "SELECT kind, effective_ts, code, description, payload FROM message_events WHERE message_id = ? ORDER BY id")
        let clicks = try db.cachedStatement(sql: "SELECT link_index, at, is_bot FROM clicks WHERE message_id = ?")
        let links = try db.cachedStatement(sql: "SELECT link_index, human_clicks, code FROM short_links WHERE message_id = ?")
        let conversionEvents = try db.cachedStatement(
            sql: "SELECT event_id, ts, properties FROM conversion_events WHERE user_id = ? AND name = ?")
        let storedConversion = try db.cachedStatement(
            sql: "SELECT converted, click_through, revenue_cents FROM campaign_conversions WHERE campaign_id = ? AND user_id = ?")
        let cursor = try Row.fetchCursor(
            db, sql: "SELECT \(MessageRow.columns) FROM messages WHERE campaign_id = ? ORDER BY id", arguments: [campaign.id])
        while let raw = try cursor.next() {
            let row = MessageRow(row: raw)
            messages += 1
            var input = RecountInput(
                variant: row.variant, segments: row.segments, dispatch: row.state.dispatch,
                dispatchedAt: row.state.dispatchedAt, dispatchErrorReason: row.state.dispatchErrorReason)
            for e in try Row.fetchAll(events, arguments: [row.id]) {
                guard let kind = CallbackEventKind(rawValue: e[0]) else { continue }
                var item: CallbackItem?
                if kind == .clicked { item = try? JSONCoding.decode(CallbackItem.self, e[4] as String) }
                input.events.append(
                    LoggedEvent(kind: kind, at: e[1], code: e[2], description: e[3], url: item?.url, shortURL: item?.shortURL))
            }
            input.clicks = try Row.fetchAll(clicks, arguments: [row.id]).map {
                LoggedClick(linkIndex: $0[0], at: $0[1], isBot: $0[2])
            }
            var storedLinkClicks: [Int: Int64] = [:]
            for l in try Row.fetchAll(links, arguments: [row.id]) {
                storedLinkClicks[l[0]] = l[1]
                input.shortLinkCodes[l[2]] = l[0]
            }
            input.shortLinkIndices = Set(storedLinkClicks.keys)
            if let goal = campaign.goal {
                input.conversionEvents = try Row.fetchAll(conversionEvents, arguments: [row.userId, goal.event]).map {
                    ConversionEventFact(
                        eventId: $0[0], ts: $0[1],
                        properties: (try? JSONCoding.decode([String: JSONValue].self, $0[2] as String)) ?? [:])
                }
            }
            let result = RollupRecount.recount(input, links: campaign.links, goal: campaign.goal)
            expected[row.variant, default: [:]].add(result.delta)
            for (code, text) in result.failureDescriptions {
                descriptions[code] = RollupRecount.smaller(descriptions[code], text)
            }
            if result.state != row.state {
                var fixed = row
                fixed.state = result.state
                stateFixes.append(fixed)
            }
            for (index, stored) in storedLinkClicks where stored != result.humanClicksByLink[index, default: 0] {
                linkFixes.append((row.id, index, result.humanClicksByLink[index, default: 0]))
            }
            if campaign.goal != nil {
                let old = try Row.fetchOne(storedConversion, arguments: [campaign.id, row.userId]).map {
                    UserConversion(converted: $0[0], clickThrough: $0[1], revenueCents: $0[2])
                } ?? UserConversion()
                if old != result.conversion {
                    conversionFixes.append((row.userId, row.state.dispatch == .control, result.conversion))
                }
            }
        }
        expected = expected.filter { !$0.value.isEmpty }
    }

    /// Writes the recounted message states, link counters and conversions that differ.
    func repair(_ db: Database) throws {
        for row in stateFixes { try row.saveState(db) }
        let link = try db.cachedStatement(sql: "UPDATE short_links SET human_clicks = ? WHERE message_id = ? AND link_index = ?")
        for f in linkFixes { try link.execute(arguments: [f.clicks, f.messageId, f.linkIndex]) }
        let conversion = try db.cachedStatement(sql: """
            INSERT INTO campaign_conversions (campaign_id, user_id, control, converted, click_through, revenue_cents)
            VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (campaign_id, user_id) DO UPDATE SET control = excluded.control,
              converted = excluded.converted, click_through = excluded.click_through, revenue_cents = excluded.revenue_cents
            """)
        for f in conversionFixes {
            try conversion.execute(arguments: [
                campaign.id, f.userId, f.control, f.conversion.converted, f.conversion.clickThrough, f.conversion.revenueCents,
            ])
        }
    }
}
