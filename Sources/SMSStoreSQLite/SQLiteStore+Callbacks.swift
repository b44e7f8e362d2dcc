import Foundation
import GRDB
import SMSCore

extension SQLiteStore {
    public func applyCallbacks(providerId: String, items: [CallbackItem], receivedAt: Int64) async throws -> CallbackIngestResult {
        let encoded = try items.map { ($0, CallbackDedupKey.make(providerId: providerId, item: $0), try JSONCoding.encode($0)) }
        return try await db.write { db in
            var result = CallbackIngestResult()
            var rollups = RollupWriter()
            var cache = CampaignCache()
            let pending = try db.cachedStatement(sql: """
                INSERT INTO pending_callbacks (dedup_key, provider_id, meta, payload, received_at)
                VALUES (?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING
                """)
            for (item, key, payload) in encoded {
                guard let row = try findMessage(db, item: item) else {
                    try pending.execute(arguments: [key, providerId, item.meta, payload, receivedAt])
                    result.pending += 1
                    continue
                }
                if try applyLogged(
                    db, item: item, key: key, payload: payload, providerId: providerId, row: row,
                    receivedAt: receivedAt, rollups: &rollups, cache: &cache)
                {
                    result.applied += 1
                } else {
                    result.duplicates += 1
                }
            }
            try rollups.flush(db)
            return result
        }
    }

    public func rematchPendingCallbacks(now: Int64) async throws -> Int {
        try await db.write { db in
            var rollups = RollupWriter()
            var cache = CampaignCache()
            var matched = 0
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM pending_callbacks WHERE received_at >= ? ORDER BY id LIMIT 5000",
                arguments: [now - 86_400])
            for p in rows {
                let item = try JSONCoding.decode(CallbackItem.self, p["payload"])
                guard let row = try findMessage(db, item: item) else {
                    try db.execute(sql: "UPDATE pending_callbacks SET attempts = attempts + 1 WHERE id = ?", arguments: [p["id"]])
                    continue
                }
                try applyLogged(
                    db, item: item, key: p["dedup_key"], payload: p["payload"], providerId: p["provider_id"],
                    row: row, receivedAt: p["received_at"], rollups: &rollups, cache: &cache)
                try db.execute(sql: "DELETE FROM pending_callbacks WHERE id = ?", arguments: [p["id"]])
                matched += 1
            }
            try rollups.flush(db)
            return matched
        }
    }

    /// Pending items for a meta that has just been recorded (pitfall 1).
    func applyPending(_ db: Database, meta: String, rollups: inout RollupWriter) throws {
        let rows = try Row.fetchAll(
            try db.cachedStatement(sql: "SELECT * FROM pending_callbacks WHERE meta = ?"), arguments: [meta])
        guard !rows.isEmpty else { return }
        var cache = CampaignCache()
        for p in rows {
            let item = try JSONCoding.decode(CallbackItem.self, p["payload"])
            guard let row = try findMessage(db, item: item) else { continue }
            try applyLogged(
                db, item: item, key: p["dedup_key"], payload: p["payload"], providerId: p["provider_id"], row: row,
                receivedAt: p["received_at"], rollups: &rollups, cache: &cache)
            try db.execute(sql: "DELETE FROM pending_callbacks WHERE id = ?", arguments: [p["id"]])
        }
    }

    func findMessage(_ db: Database, item: CallbackItem) throws -> MessageRow? {
        if let row = try MessageRow.fetch(db, meta: item.meta) { return row }
        if let pid = item.providerMessageId, let row = try MessageRow.fetch(db, providerMessageId: pid) { return row }
        return nil
    }

    /// Appends the item to the event log (the unique dedup key drops exact duplicates) and
    /// merges it into its message. - Returns: false for a duplicate.
    @discardableResult
    func applyLogged(
        _ db: Database, item: CallbackItem, key: String, payload: String, providerId: String, row: MessageRow,
        receivedAt: Int64, rollups: inout RollupWriter, cache: inout CampaignCache
    ) throws -> Bool {
        let at = EventTime.effective(providerTs: item.ts, sentAt: row.state.dispatchedAt, receivedAt: receivedAt)
        let optOut = item.kind == .replied ? keywords.classify(item.incomingText ?? "") : nil
        let insert = try db.cachedStatement(sql: """
            INSERT INTO message_events (dedup_key, message_id, provider_id, kind, ts, effective_ts, code, description,
              payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING
            """)
        let code = item.kind == .replied ? optOut?.rawValue : item.code
        try insert.execute(arguments: [
            key, row.id, providerId, item.kind.rawValue, item.ts, at, code, item.description, payload, receivedAt,
        ])
        guard db.changesCount > 0 else { return false }
        switch item.kind {
        case .submitted, .delivered, .failed:
            try apply(
                db, fact: .receipt(kind: item.kind, at: at, code: item.code, description: item.description), to: row,
                rollups: &rollups, cache: &cache)
        case .clicked:
            let link = try providerClickedLink(db, item: item, row: row, cache: &cache)
            try recordHumanClick(
                db, row: row, linkIndex: link.index, code: link.code, at: at, rollups: &rollups, cache: &cache)
        case .replied:
            var delta = RollupDelta()
            delta.bump(.replies, at: at)
            if let optOut {
                try applyLatestKeyword(db, userId: row.userId)
                if optOut == .optOut {
                    let earlier = try Int.fetchOne(
                        db, sql: "SELECT COUNT(*) FROM message_events WHERE message_id = ? AND kind = 'replied' AND code = ?",
                        arguments: [row.id, OptOutKeywords.Intent.optOut.rawValue]) ?? 0
                    if earlier == 1 { delta.bump(.optOuts) }
                }
            }
            rollups.add(delta, campaignId: row.campaignId, variant: row.variant)
            try apply(db, fact: .seen(at: at), to: row, rollups: &rollups, cache: &cache)
        }
        return true
    }
}
