import GRDB

/// A SELECT over `… IN (?, ?, …)` for many values, run in chunks of at most ``chunk`` bound
/// parameters, its rows read straight from the stepping statement (a cursor's rows are views on
/// it: no row copies). Used by the batch lookups of callbacks (``MessageLookup``) and redirect
/// hits (``ShortLinkLookup``).
enum InListQuery {
    /// Largest number of bound parameters per query.
    static let chunk = 250

    /// Runs `sql(marks)` once per chunk of `values` (`marks` is `"?,?,…"` for that chunk) and
    /// calls `row` for each result row. Read the row inside `row`; do not keep it.
    /// - Throws: SQLite's errors, or what `row` throws.
    static func forEachRow(
        _ db: Database, values: [String], sql: (_ marks: String) -> String, _ row: (Row) throws -> Void
    ) throws {
        var start = 0
        while start < values.count {
            let part = values[start..<min(start + chunk, values.count)]
            let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
            let rows = try Row.fetchCursor(db.cachedStatement(sql: sql(marks)), arguments: StatementArguments(Array(part)))
            while let raw = try rows.next() { try row(raw) }
            start += chunk
        }
    }
}
