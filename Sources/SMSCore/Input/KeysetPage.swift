import Foundation

/// The one keyset pager of the API's filtered listings (profiles, the message log): reads a store
/// in key order through `fetch(afterKey, count)` (at most `count` items after the key) and keeps
/// the items `matches` accepts.
///
/// At most `scanBudget` items are read per page, so a filter that matches few never reads a whole
/// large table in one request: such a page may hold fewer than `limit` items (even none) and
/// still a next key. The listing ends when the next key is `nil`.
public enum KeysetPage {
    public static func page<Item, Key>(
        after cursor: Key?, limit: Int, scanBudget: Int, key: (Item) -> Key, matches: (Item) -> Bool,
        fetch: (Key?, Int) async throws -> [Item]
    ) async throws -> (items: [Item], next: Key?) {
        var found: [Item] = []
        var after = cursor
        var scanned = 0
        let chunk = max(limit, 500)
        while scanned < scanBudget {
            let want = min(chunk, scanBudget - scanned)
            let batch = try await fetch(after, want)
            scanned += batch.count
            for item in batch {
                after = key(item)
                if matches(item) {
                    found.append(item)
                    if found.count == limit { return (found, after) }
                }
            }
            if batch.count < want { return (found, nil) }
        }
        return (found, after)
    }
}
