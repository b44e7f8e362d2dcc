import Foundation

/// How far the click journal has been applied: every record of segment files numbered below
/// `segment`, and the records of segment `segment` that end at or before byte `offset`.
public struct ClickJournalPosition: Sendable, Equatable, Hashable, Comparable, CustomStringConvertible {
    /// Number of the journal segment file (`clicks-<segment>.journal`).
    public var segment: Int64
    /// Byte offset in that file just past the last applied record (its `\n`).
    public var offset: Int64

    public init(segment: Int64, offset: Int64) {
        self.segment = segment
        self.offset = offset
    }

    public static func < (a: Self, b: Self) -> Bool { (a.segment, a.offset) < (b.segment, b.offset) }
    public var description: String { "\(segment):\(offset)" }
}

/// A short link's stored target, read without recording a hit (the redirect's link cache).
public struct ShortLinkInfo: Sendable, Equatable {
    /// The URL exactly as written in the campaign body.
    public var url: String
    /// Epoch seconds after which the link answers 404.
    public var expiresAt: Int64

    public init(url: String, expiresAt: Int64) {
        self.url = url
        self.expiresAt = expiresAt
    }
}

/// A store that can apply the redirect's write-behind click journal exactly once: the clicks of a
/// journal batch and the journal position they reach are stored in one transaction, so a replay
/// after a crash starts right after the last applied record (no double count, no loss).
///
/// `journal` is the journal's id (`ClickJournal.id`, kept in a file of its directory). A store
/// several servers share (PostgreSQL) keeps one position per journal: each node has its own
/// journal on its own disk. A store one server owns (SQLite) keeps a single position and ignores
/// the id.
public protocol ClickJournalStore: SMSStore {
    /// The stored position of the journal `journal`, `nil` when nothing of it was ever applied.
    func clickJournalPosition(journal: String) async throws -> ClickJournalPosition?
    /// Records `clicks` exactly as ``SMSStore/recordClicks(_:)`` does (bot hits stored but not
    /// counted, unique per message, delivery inference, rollups; unknown or expired codes record
    /// nothing) and stores `position` as the applied position of the journal `journal`, in ONE
    /// transaction. A batch whose `position` is not past the stored one was applied already (a
    /// commit whose answer was lost, then retried) and records nothing.
    func applyJournaledClicks(_ clicks: [ClickInput], through position: ClickJournalPosition, journal: String) async throws
    /// The target of a short link, `nil` for an unknown code (a read; records nothing). The
    /// redirect calls it on a link-cache miss (the first hit of every link).
    ///
    /// SQLite answers without suspending: one indexed point read on a WAL reader that never waits
    /// for the writer, about 10 µs, on the calling thread (a hop to the reader queue and back cost
    /// more than the read itself, BENCHMARKS.md "redirect"). PostgreSQL: one query on the pool.
    func shortLinkInfo(code: String) async throws -> ShortLinkInfo?
}
