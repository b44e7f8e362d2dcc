import GRDB

extension SQLiteStore {
    /// Rows in the event log (`message_events`): receipts, provider-reported clicks and replies
    /// of every campaign. For checks after bulk runs (the callbacks benchmark).
    public func eventLogCount() async throws -> Int {
        try await db.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message_events") ?? 0 }
    }
}
