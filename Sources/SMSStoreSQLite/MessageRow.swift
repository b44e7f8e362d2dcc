import Foundation
import GRDB
import SMSCore

/// A message's identity and merged state as stored in `messages`.
struct MessageRow {
    var id: Int64
    var campaignId: String
    var userId: String
    var variant: Int
    var segments: Int
    var state: MessageState

    /// The selected columns, in the order ``init(row:)`` reads them.
    static let columns = """
        id, campaign_id, user_id, variant, segments, dispatch, dispatched_at, dispatch_error_reason,
        submitted_at, delivered_at, failure_code, failure_description, failure_at, first_click_at, first_event_at
        """

    /// Reads the columns by name (any SELECT that includes ``columns``, in any order).
    init(row: Row) {
        id = row["id"]
        campaignId = row["campaign_id"]
        userId = row["user_id"]
        variant = row["variant"]
        segments = row["segments"]
        var failure: MessageState.Failure?
        if let at: Int64 = row["failure_at"] {
            failure = .init(code: row["failure_code"], description: row["failure_description"], at: at)
        }
        state = MessageState(
            dispatch: DispatchStatus(rawValue: row["dispatch"]) ?? .queued,
            dispatchedAt: row["dispatched_at"], dispatchErrorReason: row["dispatch_error_reason"],
            submittedAt: row["submitted_at"], deliveredAt: row["delivered_at"], failure: failure,
            firstHumanClickAt: row["first_click_at"], firstEventAt: row["first_event_at"])
    }

    /// Reads a row selected with ``columns`` first, by position: the callback hot path (GRDB's
    /// lookup by column name compares lower-cased names and showed up in the callback
    /// benchmark's profile).
    init(positional row: Row) {
        id = row[0]
        campaignId = row[1]
        userId = row[2]
        variant = row[3]
        segments = row[4]
        var failure: MessageState.Failure?
        if let at: Int64 = row[12] {
            failure = .init(code: row[10], description: row[11], at: at)
        }
        state = MessageState(
            dispatch: DispatchStatus(rawValue: row[5]) ?? .queued,
            dispatchedAt: row[6], dispatchErrorReason: row[7],
            submittedAt: row[8], deliveredAt: row[9], failure: failure,
            firstHumanClickAt: row[13], firstEventAt: row[14])
    }

    static func fetch(_ db: Database, meta: String) throws -> MessageRow? {
        let stmt = try db.cachedStatement(sql: "SELECT \(columns) FROM messages WHERE meta = ?")
        return try Row.fetchOne(stmt, arguments: [meta]).map(MessageRow.init(positional:))
    }

    static func fetch(_ db: Database, providerMessageId: String) throws -> MessageRow? {
        let stmt = try db.cachedStatement(
            sql: "SELECT \(columns) FROM messages WHERE provider_message_id = ? ORDER BY id DESC LIMIT 1")
        return try Row.fetchOne(stmt, arguments: [providerMessageId]).map(MessageRow.init(positional:))
    }

    static func fetch(_ db: Database, id: Int64) throws -> MessageRow? {
        let stmt = try db.cachedStatement(sql: "SELECT \(columns) FROM messages WHERE id = ?")
        return try Row.fetchOne(stmt, arguments: [id]).map(MessageRow.init(positional:))
    }

    /// Writes back the state columns that differ from `previous` (all of them when `nil`).
    /// Setting only what changed keeps SQLite from rewriting index entries of untouched columns
    /// (`messages_queue` covers `dispatch`), which matters once per callback item.
    func saveState(_ db: Database, previous: MessageState? = nil) throws {
        let s = state
        let p = previous
        let changed: [Bool] = [
            p?.dispatch != s.dispatch, p == nil || p?.dispatchedAt != s.dispatchedAt,
            p == nil || p?.dispatchErrorReason != s.dispatchErrorReason, p == nil || p?.submittedAt != s.submittedAt,
            p == nil || p?.deliveredAt != s.deliveredAt, p == nil || p?.failure != s.failure,
            p == nil || p?.firstHumanClickAt != s.firstHumanClickAt, p == nil || p?.firstEventAt != s.firstEventAt,
        ]
        let values: [[(any DatabaseValueConvertible)?]] = [
            [s.dispatch.rawValue], [s.dispatchedAt], [s.dispatchErrorReason], [s.submittedAt], [s.deliveredAt],
            [s.failure?.code, s.failure?.description, s.failure?.at], [s.firstHumanClickAt], [s.firstEventAt],
        ]
        var mask = 0
        var arguments: [(any DatabaseValueConvertible)?] = []
        for (i, isChanged) in changed.enumerated() where isChanged {
            mask |= 1 << i
            arguments += values[i]
        }
        guard mask != 0 else { return }
        let stmt = try db.cachedStatement(sql: Self.updateSQL[mask])
        try stmt.execute(arguments: StatementArguments(arguments + [id]))
    }

    /// The state column groups, in the order of ``saveState(_:previous:)``'s change flags.
    static let stateColumnGroups: [[String]] = [
        ["dispatch"], ["dispatched_at"], ["dispatch_error_reason"], ["submitted_at"], ["delivered_at"],
        ["failure_code", "failure_description", "failure_at"], ["first_click_at"], ["first_event_at"],
    ]

    /// `UPDATE messages SET … WHERE id = ?` for every subset (bit mask) of the column groups, built
    /// once instead of per call.
    static let updateSQL: [String] = (0..<(1 << stateColumnGroups.count)).map { mask in
        let columns = stateColumnGroups.indices.filter { mask & (1 << $0) != 0 }.flatMap { stateColumnGroups[$0] }
        return "UPDATE messages SET " + columns.map { $0 + " = ?" }.joined(separator: ", ") + " WHERE id = ?"
    }
}
