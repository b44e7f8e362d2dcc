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
public protocol ClickJournalStore: SMSStore {
    /// The stored journal position, `nil` when nothing was ever applied.
    func clickJournalPosition() async throws -> ClickJournalPosition?
    /// Records `clicks` exactly as ``SMSStore/recordClicks(_:)`` does (bot hits stored but not
    /// counted, unique per message, delivery inference, rollups; unknown or expired codes record
    /// nothing) and stores `position` as the applied journal position, in ONE transaction.
    func applyJournaledClicks(_ clicks: [ClickInput], through position: ClickJournalPosition) async throws
    /// The target of a short link, `nil` for an unknown code (a read; records nothing).
    ///
    /// Synchronous on purpose: the redirect calls it on a link-cache miss (the first hit of
    /// every link), and it is one indexed point read on a WAL reader that never waits for the
    /// writer, about 10 µs. An `async` read hopped to the store's reader queue and back, which
    /// cost more than the read itself (BENCHMARKS.md "redirect"). It blocks the calling thread
    /// for that read only.
    func shortLinkInfo(code: String) throws -> ShortLinkInfo?
}
