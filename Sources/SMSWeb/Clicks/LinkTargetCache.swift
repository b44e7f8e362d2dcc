import Foundation
import SMSCore

/// The redirect's bounded in-memory map code → stored link target, so a journaled redirect
/// answers 302 (to the stored URL only: never an open redirect) or 404 without waiting for the
/// store's writer. A miss reads the store (SQLite: a WAL reader beside the writer; PostgreSQL: one query). Links never change
/// once written (URL and expiry are fixed when the message is created), so entries need no
/// invalidation; unknown codes are not cached (a code may be created after a miss). At
/// `capacity` entries an arbitrary entry is dropped for each new one.
final class LinkTargetCache: @unchecked Sendable {
    let store: any ClickJournalStore
    let capacity: Int
    private let lock = NSLock()
    private var entries: [String: ShortLinkInfo] = [:]

    init(store: any ClickJournalStore, capacity: Int = 200_000) {
        self.store = store
        self.capacity = capacity
    }

    /// The target of `code`, `nil` when unknown. A miss reads the store
    /// (``ClickJournalStore/shortLinkInfo(code:)``: SQLite's point read does not suspend).
    /// - Throws: the store's error on a miss.
    func info(code: String) async throws -> ShortLinkInfo? {
        if let hit = lock.withLock({ entries[code] }) { return hit }
        guard let info = try await store.shortLinkInfo(code: code) else { return nil }
        lock.withLock {
            if entries.count >= capacity, entries[code] == nil { entries.remove(at: entries.startIndex) }
            entries[code] = info
        }
        return info
    }

    var count: Int { lock.withLock { entries.count } }
}
