import Foundation
import PostgresNIO
import SMSCore

extension PostgresStore {
    /// One transaction: advisory locks on the batch's metas and provider ids (a message being
    /// recorded for one of them concurrently is seen, or sees the pending row), the batch's
    /// messages locked in id order, then per item: appended to the event log
    /// (`ON CONFLICT (message_id, dedup_key) DO NOTHING`: a duplicate changes nothing) and merged
    /// into its message; items with no message go to `pending_callbacks`. Rollup cells are summed
    /// in memory and written once at the end.
    public func applyCallbacks(providerId: String, items: [CallbackItem], receivedAt: Int64) async throws -> CallbackIngestResult {
        let encoded = Self.encode(providerId: providerId, items: items)
        return try await write { tx in
            try await self.applyEncoded(tx, providerId: providerId, encoded: encoded, receivedAt: receivedAt)
        }
    }

    /// (item without U+0000, dedup key of the item as received, JSON payload).
    static func encode(providerId: String, items: [CallbackItem]) -> [EncodedItem] {
        items.map { item in
            let safe = item.withoutNUL
            return EncodedItem(
                item: safe, key: CallbackDedupKey.make(providerId: providerId, item: item).pgSafe,
                payload: (try? JSONCoding.encode(safe)) ?? "{}")
        }
    }

    struct EncodedItem: Sendable {
        var item: CallbackItem
        var key: String
        var payload: String
    }

    func applyEncoded(_ tx: PGTx, providerId: String, encoded: [EncodedItem], receivedAt: Int64) async throws
        -> CallbackIngestResult
    {
        var keys = Set(encoded.map { "meta:" + $0.item.meta })
        for e in encoded { if let pid = e.item.providerMessageId { keys.insert("pid:" + pid) } }
        try await tx.lockKeys(keys)
        var result = CallbackIngestResult()
        var rollups = PGRollupWriter()
        // Nothing below reads message states back from the table (the lookup keeps them current).
        rollups.defersStates = true
        var cache = PGCampaignCache()
        var lookup = try await PGMessageLookup.load(tx, items: encoded.map(\.item))
        // The event log rows of every matched item, appended in one statement; the effective time
        // depends on the send time only, which callbacks never change, so it is known up front.
        var events: [LoggedRow] = []
        for (i, e) in encoded.enumerated() {
            guard let row = lookup.row(for: e.item) else { continue }
            events.append(logRow(e, index: i, row: row, providerId: providerId, receivedAt: receivedAt))
        }
        var fresh = try await insertEvents(tx, events)
        let byIndex = Dictionary(uniqueKeysWithValues: events.map { ($0.index, $0) })
        var optOuts = OptOutOrder(inserted: events.filter { fresh.contains(EventKey($0.messageId, $0.key)) && $0.isOptOut })
        for (i, e) in encoded.enumerated() {
            guard let logged = byIndex[i], let row = lookup.row(for: e.item) else {
                try await tx.exec("""
                    INSERT INTO pending_callbacks (dedup_key, provider_id, meta, payload, received_at, provider_key)
                    VALUES (\(e.key), \(providerId), \(e.item.meta), \(e.payload), \(receivedAt), \(e.item.providerMessageId))
                    ON CONFLICT (dedup_key) DO NOTHING
                    """)
                result.pending += 1
                continue
            }
            // The first occurrence of a (message, dedup key) in the batch is the one that was stored.
            guard fresh.remove(EventKey(row.id, e.key)) != nil else {
                result.duplicates += 1
                continue
            }
            try await Self.recordNetwork(tx, messageId: row.id, item: e.item)
            let firstOptOut = logged.isOptOut ? try await optOuts.next(tx, messageId: row.id) : false
            let new = try await mergeLogged(
                tx, item: e.item, at: logged.at, optOut: logged.optOut, firstOptOut: firstOptOut, row: row,
                rollups: &rollups, cache: &cache)
            lookup.update(new)
            result.applied += 1
        }
        try await rollups.flush(tx)
        return result
    }

    /// One event-log row to append.
    struct LoggedRow: Sendable {
        var index: Int
        var messageId: Int64
        var key: String
        var kind: String
        var ts: Int64?
        var at: Int64
        var code: String?
        var description: String?
        var payload: String
        var receivedAt: Int64
        var providerId: String
        var optOut: OptOutKeywords.Intent?
        var isOptOut: Bool { optOut == .optOut }
    }

    struct EventKey: Hashable, Sendable {
        var messageId: Int64
        var key: String
        init(_ messageId: Int64, _ key: String) {
            self.messageId = messageId
            self.key = key
        }
    }

    /// The event-log row of an item for a message (``CallbackLogEntry``).
    func logRow(_ e: EncodedItem, index: Int, row: PGMessageRow, providerId: String, receivedAt: Int64) -> LoggedRow {
        let item = e.item
        let entry = CallbackLogEntry(item: item, sentAt: row.state.dispatchedAt, receivedAt: receivedAt, keywords: keywords)
        return LoggedRow(
            index: index, messageId: row.id, key: e.key, kind: item.kind.rawValue, ts: item.ts, at: entry.at,
            code: entry.code, description: item.description, payload: e.payload, receivedAt: receivedAt,
            providerId: providerId, optOut: entry.intent)
    }

    /// Appends rows to the event log in one statement (`ON CONFLICT (message_id, dedup_key) DO
    /// NOTHING`, also for repeats inside the batch); a row whose key a purge kept
    /// (`purged_event_keys`) is skipped as a duplicate too. - Returns: the keys actually stored.
    func insertEvents(_ tx: PGTx, _ rows: [LoggedRow]) async throws -> Set<EventKey> {
        guard !rows.isEmpty else { return [] }
        let keys = rows.map(\.key)
        let ids = rows.map(\.messageId)
        let providers = rows.map(\.providerId)
        let kinds = rows.map(\.kind)
        let ts = rows.map { $0.ts ?? 0 }
        let hasTs = rows.map { $0.ts != nil }
        let at = rows.map(\.at)
        let codes = rows.map { $0.code ?? "" }
        let hasCode = rows.map { $0.code != nil }
        let descriptions = rows.map { $0.description ?? "" }
        let hasDescription = rows.map { $0.description != nil }
        let payloads = rows.map(\.payload)
        let received = rows.map(\.receivedAt)
        var out = Set<EventKey>()
        for r in try await tx.rows("""
            INSERT INTO message_events (dedup_key, message_id, provider_id, kind, ts, effective_ts, code, description,
              payload, received_at)
            SELECT k, m, p, kd, CASE WHEN ht THEN t END, a, CASE WHEN hc THEN c END, CASE WHEN hd THEN d END, pl, r
            FROM unnest(\(keys)::text[], \(ids)::bigint[], \(providers)::text[], \(kinds)::text[], \(ts)::bigint[],
              \(hasTs)::boolean[], \(at)::bigint[], \(codes)::text[], \(hasCode)::boolean[], \(descriptions)::text[],
              \(hasDescription)::boolean[], \(payloads)::text[], \(received)::bigint[])
              WITH ORDINALITY AS x(k, m, p, kd, t, ht, a, c, hc, d, hd, pl, r, n)
            WHERE NOT EXISTS (SELECT 1 FROM purged_event_keys pk WHERE pk.message_id = x.m AND pk.dedup_key = x.k)
            ORDER BY n
            ON CONFLICT (message_id, dedup_key) DO NOTHING RETURNING message_id, dedup_key
            """)
        {
            out.insert(EventKey(try r.get("message_id"), try r.get("dedup_key")))
        }
        return out
    }

    /// Which stored opt-out reply of a message is its first (the opt-out is counted once per
    /// message): the batch's opt-outs were all appended up front, so the ones stored before the
    /// batch are the log's count minus the batch's.
    struct OptOutOrder {
        private var insertedPerMessage: [Int64: Int] = [:]
        private var seen: [Int64: Int] = [:]
        private var before: [Int64: Int] = [:]
        init(inserted: [LoggedRow]) {
            for r in inserted { insertedPerMessage[r.messageId, default: 0] += 1 }
        }
        mutating func next(_ tx: PGTx, messageId: Int64) async throws -> Bool {
            if before[messageId] == nil {
                let total = try await tx.scalar("""
                    SELECT COUNT(*) FROM message_events WHERE message_id = \(messageId) AND kind = 'replied'
                      AND code = \(OptOutKeywords.Intent.optOut.rawValue)
                    """, as: Int.self) ?? 0
                before[messageId] = total - (insertedPerMessage[messageId] ?? 0)
            }
            defer { seen[messageId, default: 0] += 1 }
            return (before[messageId] ?? 0) + (seen[messageId] ?? 0) == 0
        }
    }

    /// Re-matches pending items received in the last 24 h, least recently tried first (at most
    /// ``UnmatchedCallback/rematchBatchLimit`` per call); a miss counts an attempt. Older items stay for ``unmatchedCallbacks(receivedBefore:limit:)``.
    public func rematchPendingCallbacks(now: Int64) async throws -> Int {
        try await write { tx in
            var rollups = PGRollupWriter()
            var cache = PGCampaignCache()
            let matched = try await self.rematchPending(tx, .periodic(now: now), rollups: &rollups, cache: &cache)
            try await rollups.flush(tx)
            return matched
        }
    }

    /// The pending items `trigger` names (``PendingRematch``), locked (the periodic pass skips rows
    /// another pass holds): each whose message exists now is applied as on arrival and deleted; a
    /// miss counts an attempt when the trigger says so. - Returns: how many matched.
    @discardableResult
    func rematchPending(_ tx: PGTx, _ trigger: PendingRematch, rollups: inout PGRollupWriter, cache: inout PGCampaignCache)
        async throws -> Int
    {
        let rows: [PGRow]
        switch trigger {
        case .metasRecorded(let metas):
            rows = metas.isEmpty
                ? [] : try await tx.rows("SELECT * FROM pending_callbacks WHERE meta = ANY(\(metas)::text[]) ORDER BY id FOR UPDATE")
        case .providerIdRecorded(let providerKey):
            rows = try await tx.rows("SELECT * FROM pending_callbacks WHERE provider_key = \(providerKey) ORDER BY id FOR UPDATE")
        case .periodic:
            rows = try await tx.rows("""
                SELECT * FROM pending_callbacks WHERE received_at >= \(trigger.receivedSince ?? 0)
                ORDER BY COALESCE(last_attempt_at, 0), id LIMIT \(trigger.limit ?? UnmatchedCallback.rematchBatchLimit) FOR UPDATE SKIP LOCKED
                """)
        }
        var matched = 0
        for p in rows {
            let payload: String = try p.get("payload")
            let item = try JSONCoding.decode(CallbackItem.self, payload)
            guard let row = try await findMessage(tx, item: item) else {
                if trigger.countsMisses, case .periodic(let now) = trigger {
                    try await tx.exec(
                        "UPDATE pending_callbacks SET attempts = attempts + 1, last_attempt_at = \(now) WHERE id = \(try p.get("id", Int64.self))")
                }
                continue
            }
            try await applyLogged(
                tx, item: item, key: try p.get("dedup_key"), payload: payload, providerId: try p.get("provider_id"), row: row,
                receivedAt: try p.get("received_at"), rollups: &rollups, cache: &cache)
            try await tx.exec("DELETE FROM pending_callbacks WHERE id = \(try p.get("id", Int64.self))")
            matched += 1
        }
        return matched
    }

    /// The message an item names (by meta, else by provider id, newest), locked.
    func findMessage(_ tx: PGTx, item: CallbackItem) async throws -> PGMessageRow? {
        if let row = try await tx.one(
            "SELECT \(unescaped: PGMessageRow.columns) FROM messages WHERE meta = \(item.meta) FOR UPDATE")
        {
            return try PGMessageRow(row)
        }
        if let pid = item.providerMessageId,
            let row = try await tx.one("""
                SELECT \(unescaped: PGMessageRow.columns) FROM messages WHERE provider_message_id = \(pid)
                ORDER BY id DESC LIMIT 1 FOR UPDATE
                """)
        {
            return try PGMessageRow(row)
        }
        return nil
    }

    /// Appends the item to the event log (the unique dedup key drops exact duplicates) and
    /// merges it into its (locked) message (the pending path: one item at a time).
    /// - Returns: the message after the merge, `nil` for a duplicate.
    @discardableResult
    func applyLogged(
        _ tx: PGTx, item: CallbackItem, key: String, payload: String, providerId: String, row: PGMessageRow,
        receivedAt: Int64, rollups: inout PGRollupWriter, cache: inout PGCampaignCache
    ) async throws -> PGMessageRow? {
        let logged = logRow(
            EncodedItem(item: item, key: key, payload: payload), index: 0, row: row, providerId: providerId, receivedAt: receivedAt)
        guard !(try await insertEvents(tx, [logged])).isEmpty else { return nil }
        try await Self.recordNetwork(tx, messageId: row.id, item: item)
        var optOuts = OptOutOrder(inserted: logged.isOptOut ? [logged] : [])
        let firstOptOut = logged.isOptOut ? try await optOuts.next(tx, messageId: row.id) : false
        return try await mergeLogged(
            tx, item: item, at: logged.at, optOut: logged.optOut, firstOptOut: firstOptOut, row: row, rollups: &rollups,
            cache: &cache)
    }

    /// Plans a logged item for its (locked) message (``MessagePlanner``): a receipt, a
    /// provider-reported click as a human click, a reply (and opt-out / opt-in).
    /// - Parameter firstOptOut: whether this is the message's first stored opt-out reply.
    func mergeLogged(
        _ tx: PGTx, item: CallbackItem, at: Int64, optOut: OptOutKeywords.Intent?, firstOptOut: Bool, row: PGMessageRow,
        rollups: inout PGRollupWriter, cache: inout PGCampaignCache
    ) async throws -> PGMessageRow {
        switch item.kind {
        case .submitted, .delivered, .failed:
            return try await apply(
                tx, fact: .receipt(kind: item.kind, at: at, code: item.code, description: item.description), to: row,
                rollups: &rollups, cache: &cache)
        case .clicked:
            let link = try await providerClickedLink(tx, item: item, row: row, cache: &cache)
            return try await recordHumanClick(
                tx, row: row, linkIndex: link.index, code: link.code, at: at, rollups: &rollups, cache: &cache)
        case .replied:
            return try await apply(
                tx, fact: .reply(at: at, intent: optOut, firstOptOut: firstOptOut), to: row, rollups: &rollups, cache: &cache)
        }
    }

    public func unmatchedCallbacks(receivedBefore: Int64, limit: Int) async throws -> [UnmatchedCallback] {
        try await read { tx in
            try await tx.rows(
                "SELECT * FROM pending_callbacks WHERE received_at < \(receivedBefore) ORDER BY received_at, id LIMIT \(limit)"
            ).map { p in
                let item = try JSONCoding.decode(CallbackItem.self, try p.get("payload", String.self))
                return UnmatchedCallback(
                    id: try p.get("id"), providerId: try p.get("provider_id"), meta: try p.get("meta"),
                    providerMessageId: try p.get("provider_key"), event: item.kind.rawValue,
                    receivedAt: try p.get("received_at"), attempts: try p.get("attempts"), item: item)
            }
        }
    }

    public func replayIngestionError(id: Int64, providerId: String, items: [CallbackItem], at: Int64) async throws
        -> CallbackIngestResult
    {
        let encoded = Self.encode(providerId: providerId, items: items)
        return try await write { tx in
            guard let row = try await tx.one("SELECT received_at, replayed_at FROM ingestion_errors WHERE id = \(id) FOR UPDATE")
            else { throw ReplayError.notFound(id) }
            if let done = try row.get("replayed_at", Int64?.self) { throw ReplayError.alreadyReplayed(at: done) }
            let result = try await self.applyEncoded(
                tx, providerId: providerId, encoded: encoded, receivedAt: try row.get("received_at"))
            try await tx.exec("UPDATE ingestion_errors SET replayed_at = \(at) WHERE id = \(id)")
            return result
        }
    }
}
