import Foundation
import PostgresNIO
import SMSCore

extension PostgresStore {
    /// A message's state recomputed from its whole history (mirror of the SQLite store's
    /// `rebuiltState`): the dispatch fields of `base`, every event of its log and every human
    /// click, each event's effective time taken again against the current send time
    /// (``EventTime``); changed `effective_ts` values are written back, and the trend cells counted
    /// at an event's time (replies, provider-reported clicks) move with it. The message is locked
    /// by the caller, so its events and clicks cannot change meanwhile.
    func rebuiltState(_ tx: PGTx, row: PGMessageRow, base: MessageState, rollups: inout PGRollupWriter) async throws
        -> MessageState
    {
        var state = MessageState(
            dispatch: base.dispatch, dispatchedAt: base.dispatchedAt, dispatchErrorReason: base.dispatchErrorReason)
        let events = try await tx.rows("""
            SELECT id, kind, ts, effective_ts, code, description, received_at FROM message_events
            WHERE message_id = \(row.id) ORDER BY id
            """)
        for e in events {
            let at = EventTime.effective(
                providerTs: try e.get("ts"), sentAt: base.dispatchedAt, receivedAt: try e.get("received_at"))
            guard let kind = CallbackEventKind(rawValue: try e.get("kind")) else { continue }
            let old: Int64 = try e.get("effective_ts")
            if at != old {
                try await tx.exec("UPDATE message_events SET effective_ts = \(at) WHERE id = \(try e.get("id", Int64.self))")
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
                state.apply(.receipt(kind: kind, at: at, code: try e.get("code"), description: try e.get("description")))
            case .clicked: state.apply(.humanClick(at: at))
            case .replied: state.apply(.seen(at: at))
            }
        }
        for c in try await tx.rows("SELECT at FROM clicks WHERE message_id = \(row.id) AND NOT is_bot") {
            state.apply(.humanClick(at: try c.get("at")))
        }
        return state
    }
}
