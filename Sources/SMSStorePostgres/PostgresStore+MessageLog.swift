import Foundation
import PostgresNIO
import SMSCore

/// The message log (``MessageLogStore``, issue 17): reads only, each call one read transaction,
/// every value a bound parameter.
extension PostgresStore {
    /// Keyset read on `messages_campaign_log (campaign_id, id)`.
    public func messageLog(campaignId: String, afterId: Int64?, limit: Int) async throws -> [MessageLogEntry] {
        let after = afterId ?? -1
        return try await read { tx in
            try await Self.logEntries(
                tx, "WHERE m.campaign_id = \(campaignId) AND m.id > \(after) ORDER BY m.id LIMIT \(limit)")
        }
    }

    /// On `messages_provider_id`, `messages_phone` or `messages_user`, newest first.
    public func messageLog(lookup: MessageLogLookup, beforeId: Int64?, limit: Int) async throws -> [MessageLogEntry] {
        let before = beforeId ?? Int64.max
        return try await read { tx in
            switch lookup {
            case .phone(let phone):
                return try await Self.logEntries(
                    tx, "WHERE m.phone = \(phone) AND m.id < \(before) ORDER BY m.id DESC LIMIT \(limit)")
            case .userId(let userId):
                return try await Self.logEntries(
                    tx, "WHERE m.user_id = \(userId) AND m.id < \(before) ORDER BY m.id DESC LIMIT \(limit)")
            case .providerMessageIds(let ids):
                return try await Self.logEntries(
                    tx, "WHERE m.provider_message_id = ANY(\(ids)::text[]) AND m.id < \(before) ORDER BY m.id DESC LIMIT \(limit)")
            }
        }
    }

    /// On the primary key.
    public func messageLogEntries(messageIds: [Int64]) async throws -> [MessageLogEntry] {
        guard !messageIds.isEmpty else { return [] }
        let ids = Array(Set(messageIds))
        return try await read { tx in
            try await Self.logEntries(tx, "WHERE m.id = ANY(\(ids)::bigint[]) LIMIT \(Int64(ids.count))")
        }
    }

    public func messageLogEntry(meta: String) async throws -> (entry: MessageLogEntry, events: [MessageLogEvent])? {
        try await read { tx in
            guard let entry = try await Self.logEntries(tx, "WHERE m.meta = \(meta) LIMIT 1").first,
                let createdAt = try await tx.one("SELECT created_at FROM messages WHERE id = \(entry.id)")
            else { return nil }
            var events = MessageLogEvent.recorded(createdAt: try createdAt.get("created_at"), state: entry.state)
            for r in try await tx.rows("""
                SELECT kind, effective_ts, received_at, provider_id, code, description FROM message_events
                WHERE message_id = \(entry.id) ORDER BY id
                """)
            {
                events.append(
                    MessageLogEvent(
                        type: try r.get("kind"), at: try r.get("effective_ts"), receivedAt: try r.get("received_at"),
                        providerId: try r.get("provider_id"), code: try r.get("code"), description: try r.get("description")))
            }
            for r in try await tx.rows(
                "SELECT at, link_index, is_bot, bot_reason FROM clicks WHERE message_id = \(entry.id) ORDER BY id")
            {
                let bot: Bool = try r.get("is_bot")
                events.append(
                    MessageLogEvent(
                        type: bot ? "bot_hit" : "click", at: try r.get("at"), linkIndex: Int(try r.get("link_index", Int64.self)),
                        botReason: try r.get("bot_reason")))
            }
            if let goal = try await PostgresStore.campaign(tx, id: entry.campaignId)?.goal {
                events += MessageLogEvent.conversions(
                    goal: goal, message: entry.state, events: try await Self.goalEvents(tx, userIds: [entry.userId], goal: goal)[entry.userId] ?? [])
            }
            return (entry, events)
        }
    }

    /// The log entries a `WHERE … ORDER BY … LIMIT …` tail selects from `messages m`, with their
    /// clicks per link, conversion and `convertedAt`.
    static func logEntries(_ tx: PGTx, _ tail: PostgresQuery) async throws -> [MessageLogEntry] {
        var query: PostgresQuery = """
            SELECT \(unescaped: PGMessageRow.prefixedColumns), m.meta, m.phone, m.provider_message_id, m.network, cc.converted
            FROM messages m LEFT JOIN campaign_conversions cc ON cc.campaign_id = m.campaign_id AND cc.user_id = m.user_id\n
            """
        query.sql += tail.sql
        query.binds = tail.binds
        var entries: [MessageLogEntry] = []
        for r in try await tx.rows(query) {
            let m = try PGMessageRow(r)
            entries.append(
                MessageLogEntry(
                    id: m.id, meta: try r.get("meta"), campaignId: m.campaignId, userId: m.userId, phone: try r.get("phone"),
                    variant: m.variant, segments: m.segments, providerMessageId: try r.get("provider_message_id"),
                    state: m.state, converted: try r.get("converted", Bool?.self) == true, network: try r.get("network")))
        }
        guard !entries.isEmpty else { return [] }
        var index: [Int64: Int] = [:]
        for (i, e) in entries.enumerated() { index[e.id] = i }
        let ids = entries.map(\.id)
        for r in try await tx.rows("""
            SELECT message_id, link_index, human_clicks FROM short_links
            WHERE message_id = ANY(\(ids)::bigint[]) AND human_clicks > 0
            """)
        {
            guard let i = index[try r.get("message_id")] else { continue }
            entries[i].clicks[Int(try r.get("link_index", Int64.self))] = Int(try r.get("human_clicks", Int64.self))
        }
        var cache = PGCampaignCache()
        var byCampaign: [String: [Int]] = [:]
        for i in entries.indices where entries[i].converted { byCampaign[entries[i].campaignId, default: []].append(i) }
        for (campaignId, indices) in byCampaign {
            guard let goal = try await cache.get(tx, campaignId)?.goal else { continue }
            let events = try await goalEvents(tx, userIds: indices.map { entries[$0].userId }, goal: goal)
            for i in indices {
                entries[i].convertedAt = ConversionAttribution.firstConversionAt(
                    goal: goal, message: entries[i].state, events: events[entries[i].userId] ?? [])
            }
        }
        return entries
    }

    /// Users' events of the goal's name, by user id (on `conversion_events_user`).
    static func goalEvents(_ tx: PGTx, userIds: [String], goal: ConversionGoal) async throws -> [String: [ConversionEventFact]] {
        var out: [String: [ConversionEventFact]] = [:]
        for e in try await tx.rows("""
            SELECT user_id, event_id, ts, properties FROM conversion_events
            WHERE user_id = ANY(\(userIds)::text[]) AND name = \(goal.event) ORDER BY ts, event_id
            """)
        {
            out[try e.get("user_id"), default: []].append(
                ConversionEventFact(
                    eventId: try e.get("event_id"), ts: try e.get("ts"),
                    properties: (try? JSONCoding.decode([String: JSONValue].self, try e.get("properties"))) ?? [:]))
        }
        return out
    }
}
