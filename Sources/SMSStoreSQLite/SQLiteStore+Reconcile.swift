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
        let recount = try recountCampaign(db, campaign)
        let stored = try storedRollups(db, campaignId: campaignId)
        let storedDescriptions = try [String: String](
            Row.fetchAll(
                db, sql: "SELECT code, description FROM delivery_error_descriptions WHERE campaign_id = ?",
                arguments: [campaignId]
            ).map { ($0["code"], $0["description"]) }, uniquingKeysWith: { a, _ in a })
        if repair { try writeRecount(db, recount) }
        return recount.report(stored: stored, storedDescriptions: storedDescriptions, repaired: repair)
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

extension SQLiteStore {
    /// Reads the campaign's messages and raw records one message at a time and feeds them to the
    /// pure ``CampaignRecount``.
    static func recountCampaign(_ db: Database, _ campaign: Campaign) throws -> CampaignRecount<MessageRow> {
        var recount = CampaignRecount<MessageRow>(campaign: campaign)
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
            var conversion: UserConversion?
            if let goal = campaign.goal {
                input.conversionEvents = try Row.fetchAll(conversionEvents, arguments: [row.userId, goal.event]).map {
                    ConversionEventFact(
                        eventId: $0[0], ts: $0[1],
                        properties: (try? JSONCoding.decode([String: JSONValue].self, $0[2] as String)) ?? [:])
                }
                conversion = try Row.fetchOne(storedConversion, arguments: [campaign.id, row.userId]).map {
                    UserConversion(converted: $0[0], clickThrough: $0[1], revenueCents: $0[2])
                }
            }
            recount.add(
                row, messageId: row.id, userId: row.userId, variant: row.variant, stored: row.state, input: input,
                storedLinkClicks: storedLinkClicks, storedConversion: conversion)
        }
        return recount
    }

    /// Writes a recount over the campaign's derived data: message states, link counters and
    /// conversions that differ, then the rollups and error descriptions in full.
    static func writeRecount(_ db: Database, _ recount: CampaignRecount<MessageRow>) throws {
        let campaignId = recount.campaign.id
        for (row, state) in recount.stateFixes {
            var fixed = row
            fixed.state = state
            try fixed.saveState(db)
        }
        let link = try db.cachedStatement(sql: "UPDATE short_links SET human_clicks = ? WHERE message_id = ? AND link_index = ?")
        for f in recount.linkFixes { try link.execute(arguments: [f.clicks, f.messageId, f.linkIndex]) }
        let conversion = try db.cachedStatement(sql: """
            INSERT INTO campaign_conversions (campaign_id, user_id, control, converted, click_through, revenue_cents)
            VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (campaign_id, user_id) DO UPDATE SET control = excluded.control,
              converted = excluded.converted, click_through = excluded.click_through, revenue_cents = excluded.revenue_cents
            """)
        for f in recount.conversionFixes {
            try conversion.execute(arguments: [
                campaignId, f.userId, f.control, f.conversion.converted, f.conversion.clickThrough, f.conversion.revenueCents,
            ])
        }
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
}
