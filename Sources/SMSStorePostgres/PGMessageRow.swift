import Foundation
import PostgresNIO
import SMSCore

/// A message's identity and merged state as stored in `messages` (mirror of the SQLite store's `MessageRow`).
struct PGMessageRow: Sendable {
    var id: Int64
    var campaignId: String
    var userId: String
    var variant: Int
    var segments: Int
    var state: MessageState

    /// The selected columns (read by name by ``init(_:)``).
    static let columns = """
        id, campaign_id, user_id, variant, segments, dispatch, dispatched_at, dispatch_error_reason,
        submitted_at, delivered_at, failure_code, failure_description, failure_at, first_click_at, first_event_at
        """

    /// ``columns`` prefixed with `m.` (joins).
    static let prefixedColumns = columns.split(separator: ",")
        .map { "m." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")

    init(_ r: PGRow) throws {
        id = try r.get("id")
        campaignId = try r.get("campaign_id")
        userId = try r.get("user_id")
        variant = try r.get("variant")
        segments = try r.get("segments")
        var failure: MessageState.Failure?
        if let at: Int64 = try r.get("failure_at") {
            failure = .init(code: try r.get("failure_code"), description: try r.get("failure_description"), at: at)
        }
        state = MessageState(
            dispatch: DispatchStatus(rawValue: try r.get("dispatch", String.self)) ?? .queued,
            dispatchedAt: try r.get("dispatched_at"), dispatchErrorReason: try r.get("dispatch_error_reason"),
            submittedAt: try r.get("submitted_at"), deliveredAt: try r.get("delivered_at"), failure: failure,
            firstHumanClickAt: try r.get("first_click_at"), firstEventAt: try r.get("first_event_at"))
    }

    /// The message by id, locked for update (the caller changes it).
    static func fetch(_ tx: PGTx, id: Int64) async throws -> PGMessageRow? {
        try await tx.one("SELECT \(unescaped: columns) FROM messages WHERE id = \(id) FOR UPDATE").map(PGMessageRow.init)
    }

    /// Locks messages by id in ascending id order (the order every transaction uses) and returns them.
    static func lock(_ tx: PGTx, ids: [Int64]) async throws -> [Int64: PGMessageRow] {
        guard !ids.isEmpty else { return [:] }
        let sorted = Array(Set(ids)).sorted()
        var out: [Int64: PGMessageRow] = [:]
        for r in try await tx.rows(
            "SELECT \(unescaped: columns) FROM messages WHERE id = ANY(\(sorted)::bigint[]) ORDER BY id FOR UPDATE")
        {
            let m = try PGMessageRow(r)
            out[m.id] = m
        }
        return out
    }

    /// Writes back all state columns.
    func saveState(_ tx: PGTx) async throws {
        let s = state
        try await tx.exec("""
            UPDATE messages SET dispatch = \(s.dispatch.rawValue), dispatched_at = \(s.dispatchedAt),
              dispatch_error_reason = \(s.dispatchErrorReason), submitted_at = \(s.submittedAt),
              delivered_at = \(s.deliveredAt), failure_code = \(s.failure?.code),
              failure_description = \(s.failure?.description), failure_at = \(s.failure?.at),
              first_click_at = \(s.firstHumanClickAt), first_event_at = \(s.firstEventAt)
            WHERE id = \(id)
            """)
    }
}

/// Message states changed in a transaction and written back together at the end (one
/// `UPDATE … FROM unnest(…)` instead of one per message), for the hot paths whose later
/// statements do not read message states back (callback batches, dispatch results). The caller
/// flushes before anything reads `messages` again.
struct PGStateWriter: Sendable {
    private var dirty: [Int64: MessageState] = [:]

    mutating func set(_ row: PGMessageRow) { dirty[row.id] = row.state }

    var isEmpty: Bool { dirty.isEmpty }

    mutating func flush(_ tx: PGTx) async throws {
        guard !dirty.isEmpty else { return }
        let rows = dirty.sorted { $0.key < $1.key }
        dirty = [:]
        func ints(_ f: (MessageState) -> Int64?) -> ([Int64], [Bool]) { (rows.map { f($0.value) ?? 0 }, rows.map { f($0.value) != nil }) }
        func texts(_ f: (MessageState) -> String?) -> ([String], [Bool]) { (rows.map { f($0.value) ?? "" }, rows.map { f($0.value) != nil }) }
        let ids = rows.map(\.key)
        let dispatch = rows.map(\.value.dispatch.rawValue)
        let (dispatchedAt, hasDispatchedAt) = ints(\.dispatchedAt)
        let (reason, hasReason) = texts(\.dispatchErrorReason)
        let (submittedAt, hasSubmittedAt) = ints(\.submittedAt)
        let (deliveredAt, hasDeliveredAt) = ints(\.deliveredAt)
        let (failureCode, hasFailureCode) = texts { $0.failure?.code }
        let (failureDescription, hasFailureDescription) = texts { $0.failure?.description }
        let (failureAt, hasFailureAt) = ints { $0.failure?.at }
        let (clickAt, hasClickAt) = ints(\.firstHumanClickAt)
        let (eventAt, hasEventAt) = ints(\.firstEventAt)
        try await tx.exec("""
            UPDATE messages AS m SET dispatch = x.d, dispatched_at = CASE WHEN x.hda THEN x.da END,
              dispatch_error_reason = CASE WHEN x.hr THEN x.r END, submitted_at = CASE WHEN x.hsa THEN x.sa END,
              delivered_at = CASE WHEN x.hdl THEN x.dl END, failure_code = CASE WHEN x.hfc THEN x.fc END,
              failure_description = CASE WHEN x.hfd THEN x.fd END, failure_at = CASE WHEN x.hfa THEN x.fa END,
              first_click_at = CASE WHEN x.hca THEN x.ca END, first_event_at = CASE WHEN x.hea THEN x.ea END
            FROM unnest(\(ids)::bigint[], \(dispatch)::text[], \(dispatchedAt)::bigint[], \(hasDispatchedAt)::boolean[],
              \(reason)::text[], \(hasReason)::boolean[], \(submittedAt)::bigint[], \(hasSubmittedAt)::boolean[],
              \(deliveredAt)::bigint[], \(hasDeliveredAt)::boolean[], \(failureCode)::text[], \(hasFailureCode)::boolean[],
              \(failureDescription)::text[], \(hasFailureDescription)::boolean[], \(failureAt)::bigint[], \(hasFailureAt)::boolean[],
              \(clickAt)::bigint[], \(hasClickAt)::boolean[], \(eventAt)::bigint[], \(hasEventAt)::boolean[])
              AS x(id, d, da, hda, r, hr, sa, hsa, dl, hdl, fc, hfc, fd, hfd, fa, hfa, ca, hca, ea, hea)
            WHERE m.id = x.id
            """)
    }
}
