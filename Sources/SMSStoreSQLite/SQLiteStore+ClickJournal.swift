import Foundation
import GRDB
import SMSCore

/// The click journal's side of the store (``ClickJournalStore``): a batch of journaled hits and the
/// journal position it reaches are written in the same transaction. One server owns a SQLite
/// database, so it has one journal and one stored position (row `id = 1`): the journal's id is not
/// stored (a journal directory of an older release has none).
extension SQLiteStore: ClickJournalStore {
    public func clickJournalPosition(journal: String) async throws -> ClickJournalPosition? {
        try await db.read { db in
            try Row.fetchOne(db, sql: "SELECT segment, byte_offset FROM click_journal_position WHERE id = 1").map {
                ClickJournalPosition(segment: $0["segment"], offset: $0["byte_offset"])
            }
        }
    }

    public func applyJournaledClicks(_ clicks: [ClickInput], through position: ClickJournalPosition, journal: String) async throws {
        try await db.write { db in
            // A batch not past the stored position was applied already: nothing to record.
            if let stored = try Row.fetchOne(db, sql: "SELECT segment, byte_offset FROM click_journal_position WHERE id = 1"),
                ClickJournalPosition(segment: stored["segment"], offset: stored["byte_offset"]) >= position
            {
                return
            }
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
    /// read in place from the stepping statement. Never suspends (no `await` inside).
    public func shortLinkInfo(code: String) async throws -> ShortLinkInfo? {
        try shortLinkInfoNow(code: code)
    }

    /// ``shortLinkInfo(code:)`` for a synchronous caller (the redirect benchmark's per-read cost).
    public func shortLinkInfoNow(code: String) throws -> ShortLinkInfo? {
        try db.unsafeRead { db in
            let find = try RawStatement(db, sql: "SELECT url, expires_at FROM short_links WHERE code = ?")
            find.bind(1, code)
            defer { find.reset() }
            guard try find.step(db) else { return nil }
            return ShortLinkInfo(url: find.text(0), expiresAt: find.int64(1))
        }
    }
}
