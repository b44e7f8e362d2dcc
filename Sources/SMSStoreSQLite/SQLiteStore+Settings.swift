import Foundation
import GRDB
import SMSCore

/// Installation-wide settings (``SettingsStore``): the `settings (key, value)` table.
extension SQLiteStore: SettingsStore {
    public func setting(key: String, insertingIfAbsent candidate: String) async throws -> String {
        try await db.write { db in
            // First writer wins: an existing value is kept, and read back in the same transaction.
            try db.execute(
                sql: "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                arguments: [key, candidate])
            guard let value = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [key]) else {
                throw StoreError.notFound("setting \(key)")
            }
            return value
        }
    }
}
