import Foundation
import GRDB
import SMSCore

extension SQLiteStore {
    /// A message's state recomputed from its whole history: the dispatch fields of `base`, every
    /// event of its log and every human click, with each event's effective time taken again
    /// against the current send time (``EventTime``); changed `effective_ts` values are written back,
    /// and the trend cells that were counted at an event's time (replies, provider-reported clicks)
    /// move with it.
    ///
    /// Why: the effective time of an event depends on the send time (`[sent − 5 min, received + 5 min]`,
    /// `docs/DOMAIN.md` §4). An event merged before the dispatcher recorded the send (PITFALLS.md #1) was
    /// checked against the upper bound only; once the send time is known the same event may fall
    /// outside the window. Re-deriving keeps the state a function of the set of facts, whatever
    /// order they arrived in. Cost: one read of the message's events and clicks, only when the
    /// send time of a message that already has events changes (rare).
    func rebuiltState(_ db: Database, row: MessageRow, base: MessageState, rollups: inout RollupWriter) throws -> MessageState {
        let messageId = row.id
        var state = MessageState(
            dispatch: base.dispatch, dispatchedAt: base.dispatchedAt, dispatchErrorReason: base.dispatchErrorReason)
        let events = try Row.fetchAll(
            try db.cachedStatement(sql: """
                SELECT id, kind, ts, effective_ts, code, description, received_at FROM message_events
                WHERE message_id = ? ORDER BY id
                """),
            arguments: [messageId])
        let fix = try db.cachedStatement(sql: "UPDATE message_events SET effective_ts = ? WHERE id = ?")
        for e in events {
            let at = EventTime.effective(providerTs: e["ts"], sentAt: base.dispatchedAt, receivedAt: e["received_at"])
            guard let kind = CallbackEventKind(rawValue: e["kind"]) else { continue }
            let old: Int64 = e["effective_ts"]
            if at != old {
                try fix.execute(arguments: [at, e["id"]])
                let metric: RollupMetric? = kind == .replied ? .replies : kind == .clicked ? .clicks : nil
                if let metric, RollupKey.bucket(of: old) != RollupKey.bucket(of: at) {
                    var move = RollupDelta()
                    move[RollupKey(metric, bucket: RollupKey.bucket(of: old))] = -1
                    move[RollupKey(metric, bucket: RollupKey.bucket(of: at))] = 1
                    rollups.add(move, campaignId: row.campaignId, variant: row.variant)
                }
            }
            switch kind {
            case .submitted, .delivered, .failed:
                state.apply(.receipt(kind: kind, at: at, code: e["code"], description: e["description"]))
            case .clicked: state.apply(.humanClick(at: at))
            case .replied: state.apply(.seen(at: at))
            }
        }
        let clicks = try Int64.fetchAll(
            try db.cachedStatement(sql: "SELECT at FROM clicks WHERE message_id = ? AND is_bot = 0"), arguments: [messageId])
        for at in clicks { state.apply(.humanClick(at: at)) }
        return state
    }
}
