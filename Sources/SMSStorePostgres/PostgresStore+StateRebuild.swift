import Foundation
import PostgresNIO
import SMSCore

extension PostgresStore {
    /// Reads a (locked) message's whole history (event log and clicks), replays it against the send
    /// time of `state` (``MessageHistory/replay(_:links:retime:)``, re-timed) and writes back the
    /// logged effective times that changed; the caller finishes its plan with the replay
    /// (``MessagePlan/replayed(_:)``). The message is locked by the caller, so its events and clicks
    /// cannot change meanwhile.
    func replayHistory(_ tx: PGTx, row: PGMessageRow, state: MessageState) async throws -> MessageHistory.Replay {
        var input = RecountInput(
            segments: row.segments, dispatch: state.dispatch, dispatchedAt: state.dispatchedAt,
            dispatchErrorReason: state.dispatchErrorReason)
        var ids: [Int64] = []
        for e in try await tx.rows("""
            SELECT id, kind, ts, effective_ts, code, description, received_at FROM message_events
            WHERE message_id = \(row.id) ORDER BY id
            """)
        {
            guard let kind = CallbackEventKind(rawValue: try e.get("kind")) else { continue }
            ids.append(try e.get("id"))
            input.events.append(
                LoggedEvent(
                    kind: kind, at: try e.get("effective_ts"), code: try e.get("code"), description: try e.get("description"),
                    ts: try e.get("ts"), receivedAt: try e.get("received_at")))
        }
        for c in try await tx.rows("SELECT link_index, at, is_bot FROM clicks WHERE message_id = \(row.id) ORDER BY id") {
            input.clicks.append(LoggedClick(linkIndex: try c.get("link_index"), at: try c.get("at"), isBot: try c.get("is_bot")))
        }
        let replay = MessageHistory.replay(input, retime: true)
        for r in replay.retimed {
            // The message id picks the partition (``PGPartitions``).
            try await tx.exec(
                "UPDATE message_events SET effective_ts = \(r.at) WHERE message_id = \(row.id) AND id = \(ids[r.index])")
        }
        return replay
    }
}
