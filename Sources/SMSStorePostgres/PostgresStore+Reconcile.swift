import Foundation
import PostgresNIO
import SMSCore

extension PostgresStore {
    /// Recounts a campaign from its raw records and compares (``StatsStore/reconcile(campaignId:repair:)``),
    /// with the same pure recount as the SQLite store (``RollupRecount``, ``RollupComparison``).
    ///
    /// One transaction. A report runs in a REPEATABLE READ snapshot (writers go on). A repair first
    /// locks the tables writers change in EXCLUSIVE mode (reads go on, writers wait until it ends,
    /// as SQLite's single writer does), so nothing changes between the recount and the rewrite.
    /// Raw records: each message's dispatch record, `message_events`, `clicks`, `short_links` and
    /// the users' `conversion_events`; derived data checked and, with `repair`, rewritten: message
    /// states, `short_links.human_clicks`, `campaign_conversions`, `delivery_error_descriptions`
    /// and the campaign's `rollups` (written folded: its slot rows are removed). Reads the campaign's records with six queries (whole
    /// campaign in memory).
    public func reconcile(campaignId: String, repair: Bool) async throws -> ReconcileReport {
        try await write { tx in
            if repair {
                try await tx.exec("""
                    LOCK TABLE messages, message_events, clicks, short_links, conversion_events, campaign_conversions,
                      rollups, rollup_slots, delivery_error_descriptions IN EXCLUSIVE MODE
                    """)
            } else {
                try await tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            }
            return try await Self.reconcile(tx, campaignId: campaignId, repair: repair)
        }
    }

    static func reconcile(_ tx: PGTx, campaignId: String, repair: Bool) async throws -> ReconcileReport {
        guard let campaign = try await campaign(tx, id: campaignId) else { throw StoreError.notFound("campaign \(campaignId)") }
        let recount = try await recountCampaign(tx, campaign)
        let stored = try await storedRollups(tx, campaignId: campaignId)
        var storedDescriptions: [String: String] = [:]
        for r in try await tx.rows(
            "SELECT code, description FROM delivery_error_descriptions WHERE campaign_id = \(campaignId)")
        {
            storedDescriptions[try r.get("code")] = try r.get("description")
        }
        if repair { try await writeRecount(tx, recount) }
        return recount.report(stored: stored, storedDescriptions: storedDescriptions, repaired: repair)
    }

    /// Every rollup cell of a campaign, per variant (metrics this version does not know are skipped).
    static func storedRollups(_ tx: PGTx, campaignId: String) async throws -> [Int: RollupDelta] {
        var out: [Int: RollupDelta] = [:]
        for r in try await tx.rows("SELECT variant, metric, dim, bucket, value FROM rollup_cells WHERE campaign_id = \(campaignId)") {
            guard let m = RollupMetric(rawValue: try r.get("metric")) else { continue }
            let value: Int64 = try r.get("value")
            if value != 0 {
                out[try r.get("variant", Int.self), default: [:]][
                    RollupKey(m, dim: try r.get("dim"), bucket: try r.get("bucket"))] = value
            }
        }
        return out
    }
}

extension PostgresStore {
    /// Reads the campaign's raw records with six queries (whole campaign in memory) and feeds each
    /// message to the pure ``CampaignRecount``.
    static func recountCampaign(_ tx: PGTx, _ campaign: Campaign) async throws -> CampaignRecount<PGMessageRow> {
        var recount = CampaignRecount<PGMessageRow>(campaign: campaign)
        let id = campaign.id
        var events: [Int64: [LoggedEvent]] = [:]
        for e in try await tx.rows("""
            SELECT e.message_id, e.kind, e.effective_ts, e.code, e.description, e.payload
            FROM message_events e JOIN messages m ON m.id = e.message_id
            WHERE m.campaign_id = \(id) ORDER BY e.message_id, e.id
            """)
        {
            guard let kind = CallbackEventKind(rawValue: try e.get("kind")) else { continue }
            var item: CallbackItem?
            if kind == .clicked { item = try? JSONCoding.decode(CallbackItem.self, try e.get("payload")) }
            events[try e.get("message_id"), default: []].append(
                LoggedEvent(kind: kind, at: try e.get("effective_ts"), code: try e.get("code"),
                    description: try e.get("description"), url: item?.url, shortURL: item?.shortURL))
        }
        var clicks: [Int64: [LoggedClick]] = [:]
        for c in try await tx.rows("SELECT message_id, link_index, at, is_bot FROM clicks WHERE campaign_id = \(id) ORDER BY id") {
            clicks[try c.get("message_id"), default: []].append(
                LoggedClick(linkIndex: try c.get("link_index"), at: try c.get("at"), isBot: try c.get("is_bot")))
        }
        var links: [Int64: [Int: Int64]] = [:]
        var linkCodes: [Int64: [String: Int]] = [:]
        for l in try await tx.rows("SELECT message_id, link_index, human_clicks, code FROM short_links WHERE campaign_id = \(id)") {
            links[try l.get("message_id"), default: [:]][try l.get("link_index")] = try l.get("human_clicks")
            linkCodes[try l.get("message_id"), default: [:]][try l.get("code")] = try l.get("link_index")
        }
        var conversionEvents: [String: [ConversionEventFact]] = [:]
        var storedConversions: [String: UserConversion] = [:]
        if let goal = campaign.goal {
            for e in try await tx.rows("""
                SELECT user_id, event_id, ts, properties FROM conversion_events
                WHERE name = \(goal.event) AND user_id IN (SELECT user_id FROM messages WHERE campaign_id = \(id))
                ORDER BY user_id, event_id
                """)
            {
                conversionEvents[try e.get("user_id"), default: []].append(
                    ConversionEventFact(
                        eventId: try e.get("event_id"), ts: try e.get("ts"),
                        properties: (try? JSONCoding.decode([String: JSONValue].self, try e.get("properties"))) ?? [:]))
            }
            for c in try await tx.rows(
                "SELECT user_id, converted, click_through, revenue_cents FROM campaign_conversions WHERE campaign_id = \(id)")
            {
                storedConversions[try c.get("user_id")] = UserConversion(
                    converted: try c.get("converted"), clickThrough: try c.get("click_through"),
                    revenueCents: try c.get("revenue_cents"))
            }
        }
        for raw in try await tx.rows(
            "SELECT \(unescaped: PGMessageRow.columns) FROM messages WHERE campaign_id = \(id) ORDER BY id")
        {
            let row = try PGMessageRow(raw)
            var input = RecountInput(
                variant: row.variant, segments: row.segments, dispatch: row.state.dispatch,
                dispatchedAt: row.state.dispatchedAt, dispatchErrorReason: row.state.dispatchErrorReason)
            input.events = events[row.id] ?? []
            input.clicks = clicks[row.id] ?? []
            let storedLinkClicks = links[row.id] ?? [:]
            input.shortLinkIndices = Set(storedLinkClicks.keys)
            input.shortLinkCodes = linkCodes[row.id] ?? [:]
            if campaign.goal != nil { input.conversionEvents = conversionEvents[row.userId] ?? [] }
            recount.add(
                row, messageId: row.id, userId: row.userId, variant: row.variant, stored: row.state, input: input,
                storedLinkClicks: storedLinkClicks, storedConversion: storedConversions[row.userId])
        }
        return recount
    }

    /// Writes a recount over the campaign's derived data: message states, link counters and
    /// conversions that differ, then the rollups and error descriptions in full.
    static func writeRecount(_ tx: PGTx, _ recount: CampaignRecount<PGMessageRow>) async throws {
        let campaignId = recount.campaign.id
        for (row, state) in recount.stateFixes {
            var fixed = row
            fixed.state = state
            try await fixed.saveState(tx)
        }
        for f in recount.linkFixes {
            try await tx.exec(
                "UPDATE short_links SET human_clicks = \(f.clicks) WHERE message_id = \(f.messageId) AND link_index = \(f.linkIndex)")
        }
        for f in recount.conversionFixes {
            try await tx.exec("""
                INSERT INTO campaign_conversions (campaign_id, user_id, control, converted, click_through, revenue_cents)
                VALUES (\(campaignId), \(f.userId), \(f.control), \(f.conversion.converted), \(f.conversion.clickThrough),
                  \(f.conversion.revenueCents))
                ON CONFLICT (campaign_id, user_id) DO UPDATE SET control = excluded.control,
                  converted = excluded.converted, click_through = excluded.click_through, revenue_cents = excluded.revenue_cents
                """)
        }
        try await tx.exec("DELETE FROM rollups WHERE campaign_id = \(campaignId)")
        try await tx.exec("DELETE FROM rollup_slots WHERE campaign_id = \(campaignId)")
        // The recount is written folded: one base row per cell, no slot rows.
        var writer = PGRollupWriter()
        writer.slot = nil
        for (variant, delta) in recount.expected { writer.add(delta, campaignId: campaignId, variant: variant) }
        try await writer.flush(tx)
        try await tx.exec("DELETE FROM delivery_error_descriptions WHERE campaign_id = \(campaignId)")
        for (code, text) in recount.descriptions {
            try await tx.exec(
                "INSERT INTO delivery_error_descriptions (campaign_id, code, description) VALUES (\(campaignId), \(code), \(text))")
        }
    }
}
