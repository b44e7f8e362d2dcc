import GRDB
import GRDBSQLite

/// A prepared GRDB statement driven through SQLite's C API: `sqlite3_bind_*`, `sqlite3_step`,
/// `sqlite3_reset`. Used by the callback hot path, where GRDB's `execute(arguments:)` (a boxed
/// `StatementArguments` per row, validated and bound per call) was a visible share of the writer's
/// time (BENCHMARKS.md "callbacks").
///
/// Rules: bind every parameter before each ``run(_:)`` or ``step(_:)`` (bindings persist between
/// runs); use it only on the connection and inside the access (transaction) it was made in; the
/// statements are GRDB's cached statements, so GRDB's own uses of the same SQL keep working
/// (GRDB resets and re-binds before each of its executions).
struct RawStatement {
    let statement: Statement
    private var handle: SQLiteStatement { statement.sqliteStatement }

    /// GRDB's cached statement for `sql`, reset: a statement GRDB stepped to its end is not reset
    /// yet, and `sqlite3_bind_*` on it fails (`SQLITE_MISUSE`) without a word.
    init(_ db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        sqlite3_reset(statement.sqliteStatement)
    }

    /// Binds parameter `index` (1-based).
    func bind(_ index: Int32, _ value: Int64) { check(sqlite3_bind_int64(handle, index, value)) }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { check(sqlite3_bind_int64(handle, index, value)) } else { check(sqlite3_bind_null(handle, index)) }
    }

    func bind(_ index: Int32, _ value: Int) { check(sqlite3_bind_int64(handle, index, Int64(value))) }

    /// Binds text (SQLite copies it: `SQLITE_TRANSIENT`); `nil` binds NULL.
    func bind(_ index: Int32, _ value: String?) {
        guard var value else {
            check(sqlite3_bind_null(handle, index))
            return
        }
        value.withUTF8 { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else {
                check(sqlite3_bind_text(handle, index, "", 0, Self.transient))  // "" stays text, not NULL
                return
            }
            base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                check(sqlite3_bind_text(handle, index, $0, Int32(bytes.count), Self.transient))
            }
        }
    }

    /// Runs an INSERT/UPDATE/DELETE to completion and resets it.
    /// - Returns: the number of rows it changed (`sqlite3_changes`).
    /// - Throws: `DatabaseError` with SQLite's message when the step fails.
    @discardableResult
    func run(_ db: Database) throws -> Int {
        let code = sqlite3_step(handle)
        let changes = sqlite3_changes(db.sqliteConnection)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else { throw error(db, code) }
        return Int(changes)
    }

    /// Steps a SELECT once. - Returns: whether a row is available (read it with the `column…`
    /// accessors before the next step); call ``reset()`` when done.
    func step(_ db: Database) throws -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        sqlite3_reset(handle)
        throw error(db, code)
    }

    func reset() { sqlite3_reset(handle) }

    /// A bind fails only when misused (statement not reset, index out of range): a bug, caught in
    /// debug builds (tests).
    private func check(_ code: Int32) { assert(code == SQLITE_OK, "sqlite3_bind_* failed: \(code)") }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func int64OrNil(_ column: Int32) -> Int64? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
    }

    func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self)
    }

    func textOrNil(_ column: Int32) -> String? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : text(column)
    }

    private func error(_ db: Database, _ code: Int32) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
            sql: statement.sql)
    }

    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
