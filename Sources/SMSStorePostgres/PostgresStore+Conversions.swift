import Foundation
import PostgresNIO
import SMSCore

extension PostgresStore {
    /// Stores the events (idempotent by `event_id`: `ON CONFLICT DO NOTHING`) and re-attributes the
    /// user's conversion in every campaign that sent to them whose goal names the event. The
    /// user's messages are locked (id order) before the event is stored, so a receipt or click
    /// that moves the sent time or first click of one of them either commits first (and is seen)
    /// or waits and sees this event.
    public func ingestConversionEvents(_ events: [ConversionEventInput], receivedAt: Int64) async throws -> ConversionIngestResult {
        let encoded = try events.map { ($0, try JSONCoding.encode($0.properties)) }
        return try await write { tx in try await self.storeConversionEvents(tx, encoded, receivedAt: receivedAt) }
    }

    public func replayEventIngestionError(id: Int64, events: [ConversionEventInput], at: Int64) async throws -> ConversionIngestResult {
        let encoded = try events.map { ($0, try JSONCoding.encode($0.properties)) }
        return try await write { tx in
            guard let row = try await tx.one("SELECT received_at, replayed_at FROM ingestion_errors WHERE id = \(id) FOR UPDATE")
            else { throw ReplayError.notFound(id) }
            if let done = try row.get("replayed_at", Int64?.self) { throw ReplayError.alreadyReplayed(at: done) }
            let result = try await self.storeConversionEvents(tx, encoded, receivedAt: try row.get("received_at"))
            try await tx.exec("UPDATE ingestion_errors SET replayed_at = \(at) WHERE id = \(id)")
            return result
        }
    }

    /// Stores events (idempotent by `event_id`) and attributes each new one, in the caller's transaction.
    func storeConversionEvents(_ tx: PGTx, _ encoded: [(ConversionEventInput, String)], receivedAt: Int64) async throws -> ConversionIngestResult {
        let events = encoded.map(\.0)
        var result = ConversionIngestResult()
        var rollups = PGRollupWriter()
        var cache = PGCampaignCache()
        let users = Array(Set(events.map { $0.userId.pgSafe })).sorted {
            Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8))
        }
        try await tx.lockKeys(Set(users.map { "user:" + $0 }))
        var byUser: [String: [PGMessageRow]] = [:]
        if !users.isEmpty {
            for r in try await tx.rows("""
                SELECT \(unescaped: PGMessageRow.columns) FROM messages WHERE user_id = ANY(\(users)::text[])
                ORDER BY id FOR UPDATE
                """)
            {
                let m = try PGMessageRow(r)
                byUser[m.userId, default: []].append(m)
            }
        }
        for (e, props) in encoded {
            let userId = e.userId.pgSafe
            let stored = try await tx.rows("""
                INSERT INTO conversion_events (event_id, user_id, name, ts, properties, received_at)
                VALUES (\(e.eventId.pgSafe), \(userId), \(e.name.pgSafe), \(e.ts), \(props), \(receivedAt))
                ON CONFLICT (event_id) DO NOTHING RETURNING 1
                """)
            guard !stored.isEmpty else {
                result.duplicates += 1
                continue
            }
            result.stored += 1
            for row in byUser[userId] ?? [] {
                guard let goal = try await cache.get(tx, row.campaignId)?.goal, goal.event == e.name.pgSafe else { continue }
                try await self.addConversionEvent(tx, e, goal: goal, message: row, rollups: &rollups)
            }
        }
        try await rollups.flush(tx)
        return result
    }

    /// Adds one newly stored event to the user's stored conversion for one campaign:
    /// `stored.merged(evaluate([event]))` (``UserConversion/merged(_:)``), equal to a full ``refreshConversion(_:message:rollups:cache:)`` because every change
    /// of the message's sent time or first click re-attributes in full. An event that does not
    /// qualify changes nothing. The caller holds the message's lock.
    func addConversionEvent(
        _ tx: PGTx, _ e: ConversionEventInput, goal: ConversionGoal, message: PGMessageRow, rollups: inout PGRollupWriter
    ) async throws {
        let fact = ConversionEventFact(eventId: e.eventId.pgSafe, ts: e.ts, properties: e.properties)
        let added = ConversionAttribution.evaluate(goal: goal, message: message.state, events: [fact])
        guard added.converted else { return }
        let old = try await storedConversion(tx, message: message)
        try await storeConversion(tx, message: message, old: old, new: old.merged(added), at: e.ts, rollups: &rollups)
    }

    /// Recomputes one user's conversion for one campaign from the raw events (`docs/DOMAIN.md` §5,
    /// ``ConversionAttribution``) and stores the rollup change. The caller holds the message's lock,
    /// which guards its `campaign_conversions` row (one message per campaign and user).
    func refreshConversion(
        _ tx: PGTx, message: PGMessageRow, rollups: inout PGRollupWriter, cache: inout PGCampaignCache
    ) async throws {
        guard let goal = try await cache.get(tx, message.campaignId)?.goal else { return }
        let events = try await tx.rows("""
            SELECT event_id, ts, properties FROM conversion_events WHERE user_id = \(message.userId) AND name = \(goal.event)
            """
        ).map {
            ConversionEventFact(
                eventId: try $0.get("event_id"), ts: try $0.get("ts"),
                properties: (try? JSONCoding.decode([String: JSONValue].self, try $0.get("properties"))) ?? [:])
        }
        let now = ConversionAttribution.evaluate(goal: goal, message: message.state, events: events)
        let old = try await storedConversion(tx, message: message)
        let at = ConversionAttribution.firstConversionAt(goal: goal, message: message.state, events: events) ?? 0
        try await storeConversion(tx, message: message, old: old, new: now, at: at, rollups: &rollups)
    }

    /// The stored conversion of the message's user in its campaign (none stored: not converted).
    func storedConversion(_ tx: PGTx, message: PGMessageRow) async throws -> UserConversion {
        try await tx.one("""
            SELECT converted, click_through, revenue_cents FROM campaign_conversions
            WHERE campaign_id = \(message.campaignId) AND user_id = \(message.userId)
            """
        ).map {
            UserConversion(
                converted: try $0.get("converted"), clickThrough: try $0.get("click_through"),
                revenueCents: try $0.get("revenue_cents"))
        } ?? UserConversion()
    }

    /// Writes `now` over `old` and adds the rollup difference (``UserConversion/change(from:control:)``),
    /// with the webhook events of the change (``WebhookEventRule/events(conversion:becomes:at:)``;
    /// `at`: the earliest qualifying event's time, epoch seconds); nothing when they are equal.
    func storeConversion(
        _ tx: PGTx, message: PGMessageRow, old: UserConversion, new now: UserConversion, at: Int64, rollups: inout PGRollupWriter
    ) async throws {
        let control = message.state.dispatch == .control
        guard let delta = now.change(from: old, control: control) else { return }
        rollups.add(delta, campaignId: message.campaignId, variant: message.variant)
        try await tx.exec("""
            INSERT INTO campaign_conversions (campaign_id, user_id, control, converted, click_through, revenue_cents)
            VALUES (\(message.campaignId), \(message.userId), \(control), \(now.converted), \(now.clickThrough), \(now.revenueCents))
            ON CONFLICT (campaign_id, user_id) DO UPDATE SET
              converted = excluded.converted, click_through = excluded.click_through, revenue_cents = excluded.revenue_cents
            """)
        // With the message events of the same transaction, in the same order (one buffer when it defers).
        try await rollups.queueWebhookEvents(
            tx,
            WebhookEventRule.entries(
                conversion: old, becomes: now, at: at, campaignId: message.campaignId, messageId: message.id, userId: message.userId),
            routes: webhookRoutes)
    }

    /// Sets the profile's opt-out flag from the user's keyword replies over all their messages
    /// (``OptOutKeywords/latest(_:)``: the latest wins, a tie goes to the opt-out). Locks the
    /// profile row first: two replies of one user in concurrent transactions take turns, and the
    /// second sees the first's event.
    func applyLatestKeyword(_ tx: PGTx, userId: String) async throws {
        guard try await tx.one("SELECT 1 FROM profiles WHERE user_id = \(userId) FOR UPDATE") != nil else { return }
        var replies: [(at: Int64, intent: OptOutKeywords.Intent)] = []
        for r in try await tx.rows("""
            SELECT e.effective_ts, e.code FROM message_events e JOIN messages m ON m.id = e.message_id
            WHERE m.user_id = \(userId) AND e.kind = 'replied'
              AND e.code IN (\(OptOutKeywords.Intent.optOut.rawValue), \(OptOutKeywords.Intent.optIn.rawValue))
            """)
        {
            if let intent = OptOutKeywords.Intent(rawValue: try r.get("code")) { replies.append((try r.get("effective_ts"), intent)) }
        }
        guard let intent = OptOutKeywords.latest(replies) else { return }
        try await tx.exec("UPDATE profiles SET opted_out = \(intent == .optOut) WHERE user_id = \(userId)")
    }

    /// The campaign link a provider-reported click is about: the rule of
    /// ``ShortCode/providerClickLink(url:shortURL:campaignLinks:shortLinks:)`` (the recount and the
    /// SQLite store use it too), given the campaign's links and this message's short links.
    func providerClickedLink(_ tx: PGTx, item: CallbackItem, row: PGMessageRow, cache: inout PGCampaignCache) async throws
        -> ShortCode.ProviderClickLink
    {
        var shortLinks: [String: Int] = [:]
        for link in try await tx.rows("SELECT code, link_index FROM short_links WHERE message_id = \(row.id)") {
            shortLinks[try link.get("code")] = try link.get("link_index")
        }
        return ShortCode.providerClickLink(
            url: item.url, shortURL: item.shortURL, campaignLinks: try await cache.get(tx, row.campaignId)?.links ?? [],
            shortLinks: shortLinks)
    }

}
