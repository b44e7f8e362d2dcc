import Foundation
import GRDB
import SMSCore

extension SQLiteStore {
    public func ingestConversionEvents(_ events: [ConversionEventInput], receivedAt: Int64) async throws -> ConversionIngestResult {
        let encoded = try events.map { ($0, try JSONCoding.encode($0.properties)) }
        return try await db.write { db in try storeConversionEvents(db, encoded, receivedAt: receivedAt) }
    }

    public func replayEventIngestionError(id: Int64, events: [ConversionEventInput], at: Int64) async throws -> ConversionIngestResult {
        let encoded = try events.map { ($0, try JSONCoding.encode($0.properties)) }
        return try await db.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT received_at, replayed_at FROM ingestion_errors WHERE id = ?", arguments: [id]) else {
                throw ReplayError.notFound(id)
            }
            if let done: Int64 = row["replayed_at"] { throw ReplayError.alreadyReplayed(at: done) }
            let result = try storeConversionEvents(db, encoded, receivedAt: row["received_at"])
            try db.execute(sql: "UPDATE ingestion_errors SET replayed_at = ? WHERE id = ?", arguments: [at, id])
            return result
        }
    }

    /// Stores events (idempotent by `event_id`) and attributes each new one, in the caller's transaction.
    func storeConversionEvents(
        _ db: Database, _ encoded: [(ConversionEventInput, String)], receivedAt: Int64
    ) throws -> ConversionIngestResult {
        var result = ConversionIngestResult()
        var rollups = RollupWriter()
        var cache = CampaignCache()
        let insert = try db.cachedStatement(sql: """
            INSERT INTO conversion_events (event_id, user_id, name, ts, properties, received_at)
            VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING
            """)
        let userMessages = try db.cachedStatement(sql: "SELECT \(MessageRow.columns) FROM messages WHERE user_id = ?")
        for (e, props) in encoded {
            try insert.execute(arguments: [e.eventId, e.userId, e.name, e.ts, props, receivedAt])
            guard db.changesCount > 0 else {
                result.duplicates += 1
                continue
            }
            result.stored += 1
            for row in try Row.fetchAll(userMessages, arguments: [e.userId]).map(MessageRow.init(row:)) {
                guard let goal = try cache.get(db, row.campaignId)?.goal, goal.event == e.name else { continue }
                try addConversionEvent(db, e, goal: goal, message: row, rollups: &rollups)
            }
        }
        try rollups.flush(db)
        return result
    }

    /// Adds one newly stored event (its id was not stored before) to the user's stored conversion
    /// for one campaign: `stored.merged(evaluate([event]))` (``UserConversion/merged(_:)``), equal
    /// to a full ``refreshConversion(_:message:rollups:cache:)`` because the stored row is kept
    /// current with the message's sent time and clicks by every state change. An event that does
    /// not qualify changes nothing and costs no further read.
    func addConversionEvent(
        _ db: Database, _ e: ConversionEventInput, goal: ConversionGoal, message: MessageRow, rollups: inout RollupWriter
    ) throws {
        let fact = ConversionEventFact(eventId: e.eventId, ts: e.ts, properties: e.properties)
        let added = ConversionAttribution.evaluate(goal: goal, message: message.state, events: [fact])
        guard added.converted else { return }
        let old = try storedConversion(db, campaignId: message.campaignId, userId: message.userId)
        try storeConversion(db, message: message, old: old, new: old.merged(added), at: e.ts, rollups: &rollups)
    }

    /// Recomputes one user's conversion for one campaign from the raw events (`docs/DOMAIN.md` §5) and
    /// stores the rollup change. Bounded by that user's events of the goal's name.
    func refreshConversion(_ db: Database, message: MessageRow, rollups: inout RollupWriter, cache: inout CampaignCache) throws {
        guard let goal = try cache.get(db, message.campaignId)?.goal else { return }
        let events = try Self.goalEvents(db, userId: message.userId, goal: goal)
        let now = ConversionAttribution.evaluate(goal: goal, message: message.state, events: events)
        let old = try storedConversion(db, campaignId: message.campaignId, userId: message.userId)
        let at = ConversionAttribution.firstConversionAt(goal: goal, message: message.state, events: events) ?? 0
        try storeConversion(db, message: message, old: old, new: now, at: at, rollups: &rollups)
    }

    /// The stored conversion of one user in one campaign (none stored: not converted).
    func storedConversion(_ db: Database, campaignId: String, userId: String) throws -> UserConversion {
        let row = try Row.fetchOne(
            try db.cachedStatement(
                sql: "SELECT converted, click_through, revenue_cents FROM campaign_conversions WHERE campaign_id = ? AND user_id = ?"),
            arguments: [campaignId, userId])
        return row.map { UserConversion(converted: $0[0], clickThrough: $0[1], revenueCents: $0[2]) } ?? UserConversion()
    }

    /// Writes `new` over `old` and adds the rollup difference (``UserConversion/change(from:control:)``),
    /// with the webhook events of the change (``WebhookEventRule/events(conversion:becomes:at:)``;
    /// `at`: the earliest qualifying event's time, epoch seconds); nothing when they are equal.
    func storeConversion(
        _ db: Database, message: MessageRow, old: UserConversion, new now: UserConversion, at: Int64, rollups: inout RollupWriter
    ) throws {
        let control = message.state.dispatch == .control
        guard let delta = now.change(from: old, control: control) else { return }
        rollups.add(delta, campaignId: message.campaignId, variant: message.variant)
        try db.cachedStatement(
            sql: """
                INSERT INTO campaign_conversions (campaign_id, user_id, control, converted, click_through, revenue_cents)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (campaign_id, user_id) DO UPDATE SET
                  converted = excluded.converted, click_through = excluded.click_through, revenue_cents = excluded.revenue_cents
                """
        ).execute(arguments: [message.campaignId, message.userId, control, now.converted, now.clickThrough, now.revenueCents])
        try SQLiteWebhookOutbox.write(
            db,
            WebhookEventRule.entries(
                conversion: old, becomes: now, at: at, campaignId: message.campaignId, messageId: message.id, userId: message.userId),
            routes: webhookRoutes)
    }
}
