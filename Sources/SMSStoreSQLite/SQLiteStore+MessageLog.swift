import Foundation
import GRDB
import SMSCore

/// The message log (``MessageLogStore``, issue 17): reads only, each call one read transaction.
/// Every value is a bound parameter; `IN (…)` lists are placeholders (at most 1,000 ids, the
/// list limit).
extension SQLiteStore {
    /// Keyset read on `messages_campaign_log (campaign_id, id)`.
    public func messageLog(campaignId: String, afterId: Int64?, limit: Int) async throws -> [MessageLogEntry] {
        try await db.read { db in
            try Self.logEntries(db, where: "m.campaign_id = ? AND m.id > ? ORDER BY m.id", [campaignId, afterId ?? -1], limit: limit)
        }
    }

    /// On `messages_provider_id`, `messages_phone` or `messages_user`, newest first.
    public func messageLog(lookup: MessageLogLookup, beforeId: Int64?, limit: Int) async throws -> [MessageLogEntry] {
        try await db.read { db in
            let before = beforeId ?? Int64.max
            switch lookup {
            case .phone(let phone):
                return try Self.logEntries(db, where: "m.phone = ? AND m.id < ? ORDER BY m.id DESC", [phone, before], limit: limit)
            case .userId(let userId):
                return try Self.logEntries(db, where: "m.user_id = ? AND m.id < ? ORDER BY m.id DESC", [userId, before], limit: limit)
            case .providerMessageIds(let ids):
                guard !ids.isEmpty else { return [] }
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
                return try Self.logEntries(
                    db, where: "m.provider_message_id IN (\(marks)) AND m.id < ? ORDER BY m.id DESC",
                    ids.map { $0 as (any DatabaseValueConvertible)? } + [before], limit: limit)
            }
        }
    }

    /// On the primary key.
    public func messageLogEntries(messageIds: [Int64]) async throws -> [MessageLogEntry] {
        guard !messageIds.isEmpty else { return [] }
        let ids = Array(Set(messageIds))
        return try await db.read { db in
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
            return try Self.logEntries(db, where: "m.id IN (\(marks))", ids.map { $0 as (any DatabaseValueConvertible)? }, limit: ids.count)
        }
    }

    public func messageLogEntry(meta: String) async throws -> (entry: MessageLogEntry, events: [MessageLogEvent])? {
        try await db.read { db in
            guard let entry = try Self.logEntries(db, where: "m.meta = ?", [meta], limit: 1).first,
                let createdAt = try Int64.fetchOne(db, sql: "SELECT created_at FROM messages WHERE id = ?", arguments: [entry.id])
            else { return nil }
            var events = MessageLogEvent.recorded(createdAt: createdAt, state: entry.state)
            for r in try Row.fetchAll(
                db,
                sql: """
                    SELECT kind, effective_ts, received_at, provider_id, code, description FROM message_events
                    WHERE message_id = ? ORDER BY id
                    """,
                arguments: [entry.id])
            {
                events.append(
                    MessageLogEvent(
                        type: r["kind"], at: r["effective_ts"], receivedAt: r["received_at"], providerId: r["provider_id"],
                        code: r["code"], description: r["description"]))
            }
            for r in try Row.fetchAll(
                db, sql: "SELECT at, link_index, is_bot, bot_reason FROM clicks WHERE message_id = ? ORDER BY id", arguments: [entry.id])
            {
                let bot: Bool = r["is_bot"]
                events.append(
                    MessageLogEvent(type: bot ? "bot_hit" : "click", at: r["at"], linkIndex: r["link_index"], botReason: r["bot_reason"]))
            }
            if let goal = try SQLiteStore.campaign(db, id: entry.campaignId)?.goal {
                events += MessageLogEvent.conversions(
                    goal: goal, message: entry.state, events: try Self.goalEvents(db, userId: entry.userId, goal: goal))
            }
            return (entry, events)
        }
    }

    /// The log entries `where` selects (a condition on `messages m` and its ORDER BY), at most
    /// `limit`, with their clicks per link, conversion and `convertedAt`.
    static func logEntries(
        _ db: Database, where condition: String, _ arguments: [(any DatabaseValueConvertible)?], limit: Int
    ) throws -> [MessageLogEntry] {
        let cols = MessageRow.columns.split(separator: ",")
            .map { "m." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT \(cols), m.meta, m.phone, m.provider_message_id, m.network, cc.converted
                FROM messages m LEFT JOIN campaign_conversions cc ON cc.campaign_id = m.campaign_id AND cc.user_id = m.user_id
                WHERE \(condition) LIMIT ?
                """,
            arguments: StatementArguments(arguments + [limit]))
        var entries = rows.map { r in
            let m = MessageRow(row: r)
            return MessageLogEntry(
                id: m.id, meta: r["meta"], campaignId: m.campaignId, userId: m.userId, phone: r["phone"],
                variant: m.variant, segments: m.segments, providerMessageId: r["provider_message_id"], state: m.state,
                converted: (r["converted"] as Int64?) == 1, network: r["network"])
        }
        guard !entries.isEmpty else { return [] }
        var index: [Int64: Int] = [:]
        for (i, e) in entries.enumerated() { index[e.id] = i }
        let marks = Array(repeating: "?", count: entries.count).joined(separator: ", ")
        for r in try Row.fetchAll(
            db,
            sql: "SELECT message_id, link_index, human_clicks FROM short_links WHERE message_id IN (\(marks)) AND human_clicks > 0",
            arguments: StatementArguments(entries.map(\.id)))
        {
            guard let i = index[r["message_id"]] else { continue }
            entries[i].clicks[r["link_index"]] = r["human_clicks"]
        }
        var cache = CampaignCache()
        for i in entries.indices where entries[i].converted {
            guard let goal = try cache.get(db, entries[i].campaignId)?.goal else { continue }
            entries[i].convertedAt = ConversionAttribution.firstConversionAt(
                goal: goal, message: entries[i].state, events: try goalEvents(db, userId: entries[i].userId, goal: goal))
        }
        return entries
    }

    /// A user's events of the goal's name (on `conversion_events_user`).
    static func goalEvents(_ db: Database, userId: String, goal: ConversionGoal) throws -> [ConversionEventFact] {
        try Row.fetchAll(
            try db.cachedStatement(sql: "SELECT event_id, ts, properties FROM conversion_events WHERE user_id = ? AND name = ? ORDER BY ts, event_id"),
            arguments: [userId, goal.event]
        ).map {
            ConversionEventFact(
                eventId: $0["event_id"], ts: $0["ts"],
                properties: (try? JSONCoding.decode([String: JSONValue].self, $0["properties"])) ?? [:])
        }
    }
}
