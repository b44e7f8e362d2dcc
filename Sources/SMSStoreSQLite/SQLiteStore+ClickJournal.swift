import Foundation
import GRDB
import SMSCore

/// The click journal's side of the store (``ClickJournalStore``): a batch of journaled hits and the
/// journal position it reaches are written in the same transaction.
extension SQLiteStore: ClickJournalStore {
    public func clickJournalPosition() async throws -> ClickJournalPosition? {
        try await db.read { db in
            try Row.fetchOne(db, sql: "SELECT segment, byte_offset FROM click_journal_position WHERE id = 1").map {
                ClickJournalPosition(segment: $0["segment"], offset: $0["byte_offset"])
            }
        }
    }

    public func applyJournaledClicks(_ clicks: [ClickInput], through position: ClickJournalPosition) async throws {
        try await db.write { db in
            if !clicks.isEmpty { _ = try writeClicks(db, clicks) }
            try db.execute(
                sql: """
                    INSERT INTO click_journal_position (id, segment, byte_offset) VALUES (1, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET segment = excluded.segment, byte_offset = excluded.byte_offset
                    """,
                arguments: [position.segment, position.offset])
        }
    }

    /// One statement on a reader connection without a surrounding transaction (`unsafeRead`: a
    /// single SELECT is atomic by itself; `read` adds BEGIN and COMMIT around it), the columns
    /// read in place from the stepping statement.
    public func shortLinkInfo(code: String) throws -> ShortLinkInfo? {
        try db.unsafeRead { db in
            let find = try RawStatement(db, sql: "SELECT url, expires_at FROM short_links WHERE code = ?")
            find.bind(1, code)
            defer { find.reset() }
            guard try find.step(db) else { return nil }
            return ShortLinkInfo(url: find.text(0), expiresAt: find.int64(1))
        }
    }
}
