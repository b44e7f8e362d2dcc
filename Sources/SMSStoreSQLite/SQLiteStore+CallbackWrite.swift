import Foundation
import GRDB
import SMSCore

extension SQLiteStore {
    /// The event log insert of every callback item (the unique dedup key drops exact duplicates).
    static let insertEventSQL = """
        INSERT INTO message_events (dedup_key, message_id, provider_id, kind, ts, effective_ts, code, description,
          payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id, dedup_key) DO NOTHING
        """

    /// The write half of a callback batch planned by ``CallbackPlan``, inside the write transaction.
    ///
    /// Per message group: each receipt is appended to the event log (`ON CONFLICT DO NOTHING`); the
    /// planned final state is then written with a compare-and-set on the snapshot's state
    /// (``MessageStateCAS``). The plan holds when the row is unchanged since the snapshot and every
    /// receipt whose merge changed the state was really new (not logged meanwhile); then the
    /// group's rollup change, computed in the plan, stands. Otherwise (the slow path) the group's
    /// planned rollup change is taken back, the message is re-read here and the receipts that were
    /// logged are merged into it one by one, exactly as ``applyLogged`` does (their logged
    /// effective times corrected if the dispatch time moved). Then the remaining items go through
    /// ``applyEncoded(_:providerId:encoded:receivedAt:)``.
    func applyPlanned(
        _ db: Database, providerId: String, encoded: [(CallbackItem, String, String)], plan: CallbackPlan,
        receivedAt: Int64
    ) throws -> CallbackIngestResult {
        var result = CallbackIngestResult()
        var rollups = plan.rollups
        var cache = CampaignCache()
        let insert = try RawStatement(db, sql: Self.insertEventSQL)
        var cas = MessageStateCAS(db)
        var inserted: [Bool] = []
        for group in plan.groups {
            inserted.removeAll(keepingCapacity: true)
            var planHolds = true
            var count = 0
            for e in group.entries {
                let (item, key, payload) = encoded[e.index]
                insert.bind(1, key)
                insert.bind(2, group.snapshot.id)
                insert.bind(3, providerId)
                insert.bind(4, item.kind.rawValue)
                insert.bind(5, item.ts)
                insert.bind(6, e.at)
                insert.bind(7, item.code)
                insert.bind(8, item.description)
                insert.bind(9, payload)
                insert.bind(10, receivedAt)
                let isNew = try insert.run(db) > 0
                inserted.append(isNew)
                if isNew { try Self.recordNetwork(db, messageId: group.snapshot.id, item: item) }
                if isNew { count += 1 } else if e.changes { planHolds = false }
            }
            result.applied += count
            result.duplicates += group.entries.count - count
            let snapshot = group.snapshot
            guard count > 0 else {
                // All logged before: nothing changes (a planned change is taken back).
                takeBack(group, from: &rollups)
                continue
            }
            if planHolds, try cas.write(id: snapshot.id, expected: snapshot.state, new: group.final) {
                try SQLiteWebhookOutbox.write(db, fact: nil, old: snapshot.state, new: group.final, message: snapshot, routes: webhookRoutes)
                for (e, isNew) in zip(group.entries, inserted) where isNew {
                    if let kept = e.failureDescription {
                        try recordFailureDescription(db, kept, campaignId: snapshot.campaignId)
                    }
                }
                if MessagePlanner.refreshesConversion(from: snapshot.state, to: group.final) {
                    var new = snapshot
                    new.state = group.final
                    try refreshConversion(db, message: new, rollups: &rollups, cache: &cache)
                }
                continue
            }
            takeBack(group, from: &rollups)
            try applyGroupSlowly(
                db, group: group, inserted: inserted, encoded: encoded, receivedAt: receivedAt, rollups: &rollups,
                cache: &cache)
        }
        try rollups.flush(db)
        if !plan.rest.isEmpty {
            let rest = try applyEncoded(
                db, providerId: providerId, encoded: plan.rest.map { encoded[$0] }, receivedAt: receivedAt)
            result.applied += rest.applied
            result.duplicates += rest.duplicates
            result.pending += rest.pending
        }
        return result
    }

    /// Subtracts a group's planned rollup change (added in ``CallbackPlan/make(_:encoded:receivedAt:)``).
    private func takeBack(_ group: CallbackPlan.Group, from rollups: inout RollupWriter) {
        let s = group.snapshot
        guard group.final != s.state else { return }
        rollups.addChange(from: group.final, to: s.state, segments: s.segments, campaignId: s.campaignId, variant: s.variant)
    }

    /// The slow path of one group: the message as it is now, merged with the group's newly logged
    /// receipts through ``apply(_:fact:to:rollups:cache:)``.
    private func applyGroupSlowly(
        _ db: Database, group: CallbackPlan.Group, inserted: [Bool], encoded: [(CallbackItem, String, String)],
        receivedAt: Int64, rollups: inout RollupWriter, cache: inout CampaignCache
    ) throws {
        guard var row = try MessageRow.fetch(db, id: group.snapshot.id) else { return }
        let fix = try db.cachedStatement(
            sql: "UPDATE message_events SET effective_ts = ? WHERE message_id = ? AND dedup_key = ?")
        for (e, isNew) in zip(group.entries, inserted) where isNew {
            let (item, key, _) = encoded[e.index]
            let at = EventTime.effective(providerTs: item.ts, sentAt: row.state.dispatchedAt, receivedAt: receivedAt)
            if at != e.at { try fix.execute(arguments: [at, row.id, key]) }
            row = try apply(
                db, fact: .receipt(kind: item.kind, at: at, code: item.code, description: item.description), to: row,
                rollups: &rollups, cache: &cache)
        }
    }
}
