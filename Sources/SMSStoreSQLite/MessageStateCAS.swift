import GRDB
import SMSCore

/// `UPDATE messages SET <changed state columns> WHERE id = ? AND <every state column IS its
/// expected value>`: writes a message's new state only if the row still holds the state it was
/// computed from (a compare-and-set). Statements per subset of changed columns, prepared once per
/// transaction and bound with ``RawStatement``.
struct MessageStateCAS {
    private let db: Database
    private var statements: [RawStatement?] = Array(repeating: nil, count: 1 << MessageRow.stateColumnGroups.count)

    init(_ db: Database) { self.db = db }

    /// - Returns: whether the row held `expected` (and now holds `new`).
    mutating func write(id: Int64, expected: MessageState, new: MessageState) throws -> Bool {
        let e = expected
        var mask = 0
        if e.dispatch != new.dispatch { mask |= 1 }
        if e.dispatchedAt != new.dispatchedAt { mask |= 1 << 1 }
        if e.dispatchErrorReason != new.dispatchErrorReason { mask |= 1 << 2 }
        if e.submittedAt != new.submittedAt { mask |= 1 << 3 }
        if e.deliveredAt != new.deliveredAt { mask |= 1 << 4 }
        if e.failure != new.failure { mask |= 1 << 5 }
        if e.firstHumanClickAt != new.firstHumanClickAt { mask |= 1 << 6 }
        if e.firstEventAt != new.firstEventAt { mask |= 1 << 7 }
        let s: RawStatement
        if let known = statements[mask] {
            s = known
        } else {
            s = try RawStatement(db, sql: Self.sql[mask])
            statements[mask] = s
        }
        var i: Int32 = 1
        func next() -> Int32 {
            defer { i += 1 }
            return i
        }
        if mask & 1 != 0 { s.bind(next(), new.dispatch.rawValue) }
        if mask & (1 << 1) != 0 { s.bind(next(), new.dispatchedAt) }
        if mask & (1 << 2) != 0 { s.bind(next(), new.dispatchErrorReason) }
        if mask & (1 << 3) != 0 { s.bind(next(), new.submittedAt) }
        if mask & (1 << 4) != 0 { s.bind(next(), new.deliveredAt) }
        if mask & (1 << 5) != 0 {
            s.bind(next(), new.failure?.code)
            s.bind(next(), new.failure?.description)
            s.bind(next(), new.failure?.at)
        }
        if mask & (1 << 6) != 0 { s.bind(next(), new.firstHumanClickAt) }
        if mask & (1 << 7) != 0 { s.bind(next(), new.firstEventAt) }
        s.bind(next(), id)
        s.bind(next(), e.dispatch.rawValue)
        s.bind(next(), e.dispatchedAt)
        s.bind(next(), e.dispatchErrorReason)
        s.bind(next(), e.submittedAt)
        s.bind(next(), e.deliveredAt)
        s.bind(next(), e.failure?.code)
        s.bind(next(), e.failure?.description)
        s.bind(next(), e.failure?.at)
        s.bind(next(), e.firstHumanClickAt)
        s.bind(next(), e.firstEventAt)
        return try s.run(db) > 0
    }

    /// The compare part: every state column, in ``MessageRow/stateColumnGroups`` order.
    static let condition = """
        id = ? AND dispatch = ? AND dispatched_at IS ? AND dispatch_error_reason IS ? AND submitted_at IS ? \
        AND delivered_at IS ? AND failure_code IS ? AND failure_description IS ? AND failure_at IS ? \
        AND first_click_at IS ? AND first_event_at IS ?
        """

    /// Per bit mask of changed column groups (mask 0 sets `first_event_at = first_event_at`: a pure compare).
    static let sql: [String] = (0..<(1 << MessageRow.stateColumnGroups.count)).map { mask in
        let groups = MessageRow.stateColumnGroups
        let columns = groups.indices.filter { mask & (1 << $0) != 0 }.flatMap { groups[$0] }
        let set = columns.isEmpty ? "first_event_at = first_event_at" : columns.map { $0 + " = ?" }.joined(separator: ", ")
        return "UPDATE messages SET " + set + " WHERE " + condition
    }
}
