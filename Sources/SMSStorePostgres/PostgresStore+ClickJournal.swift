import Foundation
import PostgresNIO
import SMSCore

/// The click journals' side of the store (``ClickJournalStore``): every node journals its
/// redirects on its own disk, and each journal's applied position is a row of
/// `click_journal_positions` (key: the journal's id), written in the transaction that applies the
/// batch. So a node restarted after a crash replays exactly the records of its journal that no
/// transaction committed, whichever node id it runs under.
extension PostgresStore: ClickJournalStore {
    public func clickJournalPosition(journal: String) async throws -> ClickJournalPosition? {
        try await read { tx in
            try await tx.one(
                "SELECT segment, byte_offset FROM click_journal_positions WHERE journal_id = \(journal.pgSafe)"
            ).map { ClickJournalPosition(segment: try $0.at(0), offset: try $0.at(1)) }
        }
    }

    /// The journal's position row is locked first (`FOR UPDATE`): a batch not past it was
    /// committed already (a COMMIT whose answer was lost, then retried) and records nothing.
    public func applyJournaledClicks(_ clicks: [ClickInput], through position: ClickJournalPosition, journal: String) async throws {
        let id = journal.pgSafe
        try await write { tx in
            try await tx.exec("""
                INSERT INTO click_journal_positions (journal_id, segment, byte_offset, updated_at)
                VALUES (\(id), -1, -1, 0) ON CONFLICT (journal_id) DO NOTHING
                """)
            let stored = try await tx.one(
                "SELECT segment, byte_offset FROM click_journal_positions WHERE journal_id = \(id) FOR UPDATE"
            ).map { ClickJournalPosition(segment: try $0.at(0), offset: try $0.at(1)) }
            if let stored, stored >= position { return }
            if !clicks.isEmpty { _ = try await self.writeClicks(tx, clicks) }
            try await tx.exec("""
                UPDATE click_journal_positions SET segment = \(position.segment), byte_offset = \(position.offset),
                  updated_at = \(Int64(Date().timeIntervalSince1970))
                WHERE journal_id = \(id)
                """)
        }
    }

    public func shortLinkInfo(code: String) async throws -> ShortLinkInfo? {
        try await read { tx in
            try await tx.one("SELECT url, expires_at FROM short_links WHERE code = \(code.pgSafe)").map {
                ShortLinkInfo(url: try $0.at(0), expiresAt: try $0.at(1))
            }
        }
    }
}
