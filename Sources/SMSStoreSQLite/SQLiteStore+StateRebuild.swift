import Foundation
import GRDB
import SMSCore

extension SQLiteStore {
    /// Reads a message's whole history (event log and clicks), replays it against the send time of
    /// `state` (``MessageHistory/replay(_:links:retime:)``, re-timed) and writes back the logged
    /// effective times that changed; the caller finishes its plan with the replay
    /// (``MessagePlan/replayed(_:)``). Rare: only when the send time of a message that already has
    /// events changes (PITFALLS.md #1).
    func replayHistory(_ db: Database, row: MessageRow, state: MessageState) throws -> MessageHistory.Replay {
        var input = RecountInput(
            segments: row.segments, dispatch: state.dispatch, dispatchedAt: state.dispatchedAt,
            dispatchErrorReason: state.dispatchErrorReason)
        var ids: [Int64] = []
        for e in try Row.fetchAll(
            try db.cachedStatement(sql: """
                SELECT id, kind, ts, effective_ts, code, description, received_at FROM message_events
                WHERE message_id = ? ORDER BY id
                """),
            arguments: [row.id])
        {
            guard let kind = CallbackEventKind(rawValue: e["kind"]) else { continue }
            ids.append(e["id"])
            input.events.append(
                LoggedEvent(
                    kind: kind, at: e["effective_ts"], code: e["code"], description: e["description"], ts: e["ts"],
                    receivedAt: e["received_at"]))
        }
        input.clicks = try Row.fetchAll(
            try db.cachedStatement(sql: "SELECT link_index, at, is_bot FROM clicks WHERE message_id = ?"), arguments: [row.id]
        ).map { LoggedClick(linkIndex: $0[0], at: $0[1], isBot: $0[2]) }
        let replay = MessageHistory.replay(input, retime: true)
        let fix = try db.cachedStatement(sql: "UPDATE message_events SET effective_ts = ? WHERE id = ?")
        for r in replay.retimed { try fix.execute(arguments: [r.at, ids[r.index]]) }
        return replay
    }
}
