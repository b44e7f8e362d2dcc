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

    static let columns = """
        id, campaign_id, user_id, variant, segments, dispatch, dispatched_at, dispatch_error_reason,
        submitted_at, delivered_at, failure_code, failure_description, failure_at, first_click_at, first_event_at
        """

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

    static func fetch(_ db: Database, meta: String) throws -> MessageRow? {
        let stmt = try db.cachedStatement(sql: "SELECT \(columns) FROM messages WHERE meta = ?")
        return try Row.fetchOne(stmt, arguments: [meta]).map(MessageRow.init(row:))
    }

    static func fetch(_ db: Database, providerMessageId: String) throws -> MessageRow? {
        let stmt = try db.cachedStatement(
            sql: "SELECT \(columns) FROM messages WHERE provider_message_id = ? ORDER BY id DESC LIMIT 1")
        return try Row.fetchOne(stmt, arguments: [providerMessageId]).map(MessageRow.init(row:))
    }

    static func fetch(_ db: Database, id: Int64) throws -> MessageRow? {
        let stmt = try db.cachedStatement(sql: "SELECT \(columns) FROM messages WHERE id = ?")
        return try Row.fetchOne(stmt, arguments: [id]).map(MessageRow.init(row:))
    }

    /// Writes the state columns back.
    func saveState(_ db: Database) throws {
        let s = state
        let stmt = try db.cachedStatement(sql: """
            UPDATE messages SET dispatch = ?, dispatched_at = ?, dispatch_error_reason = ?, submitted_at = ?,
              delivered_at = ?, failure_code = ?, failure_description = ?, failure_at = ?, first_click_at = ?,
              first_event_at = ? WHERE id = ?
            """)
        try stmt.execute(arguments: [
            s.dispatch.rawValue, s.dispatchedAt, s.dispatchErrorReason, s.submittedAt, s.deliveredAt,
            s.failure?.code, s.failure?.description, s.failure?.at, s.firstHumanClickAt, s.firstEventAt, id,
        ])
    }
}
