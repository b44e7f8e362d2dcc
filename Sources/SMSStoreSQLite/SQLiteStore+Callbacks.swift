import Foundation
import GRDB
import SMSCore

extension SQLiteStore {
    /// One write transaction, prepared outside it: the dedup keys and payloads are computed first,
    /// then the receipts are planned on a read snapshot (``CallbackPlan``: lookup by meta, merged
    /// states, rollup change) in parallel with other writers, and the transaction only appends the
    /// events (`ON CONFLICT (message_id, dedup_key) DO NOTHING`: a duplicate changes nothing) and
    /// writes each message's planned state with a compare-and-set, recomputing a message that
    /// changed since the snapshot (``applyPlanned(_:providerId:encoded:plan:receivedAt:)``). Other
    /// items (clicks, replies, unknown meta → `pending_callbacks`) go through
    /// ``applyEncoded(_:providerId:encoded:receivedAt:)`` in the same transaction. Rollup cells are
    /// summed in memory and written once at the end.
    public func applyCallbacks(providerId: String, items: [CallbackItem], receivedAt: Int64) async throws -> CallbackIngestResult {
        try await applyCallbacks(providerId: providerId, items: items, receivedAt: receivedAt, afterSnapshot: nil)
    }

    /// ``applyCallbacks(providerId:items:receivedAt:)`` with a hook run between the snapshot and the
    /// write transaction (tests force a concurrent change there).
    func applyCallbacks(
        providerId: String, items: [CallbackItem], receivedAt: Int64, afterSnapshot: (@Sendable () async throws -> Void)?
    ) async throws -> CallbackIngestResult {
        let encoded = Self.encode(providerId: providerId, items: items)
        let plan = try await db.read { db in try CallbackPlan.make(db, encoded: encoded, receivedAt: receivedAt) }
        if let afterSnapshot { try await afterSnapshot() }
        return try await callbackWrites.apply(
            .init(providerId: providerId, encoded: encoded, plan: plan, receivedAt: receivedAt), store: self)
    }

    /// (item without U+0000 (``CallbackItem/withoutNUL``), dedup key of the item as received, JSON payload).
    static func encode(providerId: String, items: [CallbackItem]) -> [(CallbackItem, String, String)] {
        items.map { item in
            let safe = item.withoutNUL
            return (safe, CallbackDedupKey.make(providerId: providerId, item: item), CallbackItemJSON.encode(safe))
        }
    }

    /// The whole batch inside the caller's transaction, item by item in batch order: looks up the
    /// messages with a few `IN (…)` queries, appends each item to the event log and merges it into
    /// its message; items with no message go to `pending_callbacks`.
    func applyEncoded(
        _ db: Database, providerId: String, encoded: [(CallbackItem, String, String)], receivedAt: Int64
    ) throws -> CallbackIngestResult {
        var result = CallbackIngestResult()
        var rollups = RollupWriter()
        var cache = CampaignCache()
        var lookup = try MessageLookup.load(db, items: encoded.map(\.0))
        let pending = try db.cachedStatement(sql: """
            INSERT INTO pending_callbacks (dedup_key, provider_id, meta, payload, received_at, provider_key)
            VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING
            """)
        for (item, key, payload) in encoded {
            guard let row = lookup.row(for: item) else {
                try pending.execute(arguments: [key, providerId, item.meta, payload, receivedAt, item.providerMessageId])
                result.pending += 1
                continue
            }
            if let new = try applyLogged(
                db, item: item, key: key, payload: payload, providerId: providerId, row: row,
                receivedAt: receivedAt, rollups: &rollups, cache: &cache)
            {
                lookup.update(new)
                result.applied += 1
            } else {
                result.duplicates += 1
            }
        }
        try rollups.flush(db)
        return result
    }

    /// Re-matches pending items received in the last 24 h, least recently tried first (at most
    /// ``UnmatchedCallback/rematchBatchLimit`` per call); a miss counts an attempt. Older items stay for ``unmatchedCallbacks(receivedBefore:limit:)``.
    public func rematchPendingCallbacks(now: Int64) async throws -> Int {
        try await db.write { db in
            var rollups = RollupWriter()
            var cache = CampaignCache()
            let matched = try rematchPending(db, .periodic(now: now), rollups: &rollups, cache: &cache)
            try rollups.flush(db)
            return matched
        }
    }

    /// The pending items `trigger` names (``PendingRematch``): each whose message exists now is
    /// applied as on arrival and deleted; a miss counts an attempt when the trigger says so.
    /// - Returns: how many matched.
    @discardableResult
    func rematchPending(_ db: Database, _ trigger: PendingRematch, rollups: inout RollupWriter, cache: inout CampaignCache) throws
        -> Int
    {
        let rows: [Row]
        switch trigger {
        case .metasRecorded(let metas):
            let marks = Array(repeating: "?", count: metas.count).joined(separator: ",")
            rows = metas.isEmpty
                ? []
                : try Row.fetchAll(
                    db.cachedStatement(sql: "SELECT * FROM pending_callbacks WHERE meta IN (\(marks)) ORDER BY id"),
                    arguments: StatementArguments(metas))
        case .providerIdRecorded(let providerKey):
            rows = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM pending_callbacks WHERE provider_key = ? ORDER BY id"), arguments: [providerKey])
        case .periodic:
            rows = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT * FROM pending_callbacks WHERE received_at >= ?
                    ORDER BY COALESCE(last_attempt_at, 0), id LIMIT ?
                    """),
                arguments: [trigger.receivedSince, trigger.limit])
        }
        var matched = 0
        for p in rows {
            let payload: String = p["payload"]
            let item = try CallbackItemJSON.decode(payload)
            guard let row = try findMessage(db, item: item) else {
                if trigger.countsMisses, case .periodic(let now) = trigger {
                    try db.cachedStatement(sql: "UPDATE pending_callbacks SET attempts = attempts + 1, last_attempt_at = ? WHERE id = ?")
                        .execute(arguments: [now, p["id"]])
                }
                continue
            }
            try applyLogged(
                db, item: item, key: p["dedup_key"], payload: payload, providerId: p["provider_id"], row: row,
                receivedAt: p["received_at"], rollups: &rollups, cache: &cache)
            try db.cachedStatement(sql: "DELETE FROM pending_callbacks WHERE id = ?").execute(arguments: [p["id"]])
            matched += 1
        }
        return matched
    }

    func findMessage(_ db: Database, item: CallbackItem) throws -> MessageRow? {
        if let row = try MessageRow.fetch(db, meta: item.meta) { return row }
        if let pid = item.providerMessageId, let row = try MessageRow.fetch(db, providerMessageId: pid) { return row }
        return nil
    }

    /// Appends the item to the event log (the unique dedup key drops exact duplicates) and
    /// merges it into its message. - Returns: the message after the merge, `nil` for a duplicate.
    @discardableResult
    func applyLogged(
        _ db: Database, item: CallbackItem, key: String, payload: String, providerId: String, row: MessageRow,
        receivedAt: Int64, rollups: inout RollupWriter, cache: inout CampaignCache
    ) throws -> MessageRow? {
        let entry = CallbackLogEntry(item: item, sentAt: row.state.dispatchedAt, receivedAt: receivedAt, keywords: keywords)
        let at = entry.at
        let optOut = entry.intent
        try db.cachedStatement(sql: Self.insertEventSQL).execute(arguments: [
            key, row.id, providerId, item.kind.rawValue, item.ts, at, entry.code, item.description, payload, receivedAt,
        ])
        guard db.changesCount > 0 else { return nil }
        try Self.recordNetwork(db, messageId: row.id, item: item)
        switch item.kind {
        case .submitted, .delivered, .failed:
            return try apply(
                db, fact: .receipt(kind: item.kind, at: at, code: item.code, description: item.description), to: row,
                rollups: &rollups, cache: &cache)
        case .clicked:
            let link = try providerClickedLink(db, item: item, row: row, cache: &cache)
            return try recordHumanClick(
                db, row: row, linkIndex: link.index, code: link.code, at: at, rollups: &rollups, cache: &cache)
        case .replied:
            var firstOptOut = false
            if optOut == .optOut {
                firstOptOut = try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM message_events WHERE message_id = ? AND kind = 'replied' AND code = ?",
                    arguments: [row.id, OptOutKeywords.Intent.optOut.rawValue]) == 1
            }
            return try apply(
                db, fact: .reply(at: at, intent: optOut, firstOptOut: firstOptOut), to: row, rollups: &rollups,
                cache: &cache)
        }
    }

    public func unmatchedCallbacks(receivedBefore: Int64, limit: Int) async throws -> [UnmatchedCallback] {
        try await db.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM pending_callbacks WHERE received_at < ? ORDER BY received_at, id LIMIT ?",
                arguments: [receivedBefore, limit]
            ).map { p in
                let item = try CallbackItemJSON.decode(p["payload"])
                return UnmatchedCallback(
                    id: p["id"], providerId: p["provider_id"], meta: p["meta"], providerMessageId: p["provider_key"],
                    event: item.kind.rawValue, receivedAt: p["received_at"], attempts: p["attempts"], item: item)
            }
        }
    }
}
