import Foundation
import PostgresNIO
import SMSCore

/// Installation-wide settings (``SettingsStore``): the `settings (key, value)` table.
extension PostgresStore: SettingsStore {
    public func setting(key: String, insertingIfAbsent candidate: String) async throws -> String {
        try await write { tx in
            // First writer wins: a concurrent insert of the same key waits for the other
            // transaction, then does nothing; the SELECT (a new statement) sees the committed value.
            try await tx.exec("INSERT INTO settings (key, value) VALUES (\(key), \(candidate)) ON CONFLICT (key) DO NOTHING")
            guard let value = try await tx.scalar("SELECT value FROM settings WHERE key = \(key)", as: String.self) else {
                throw StoreError.notFound("setting \(key)")
            }
            return value
        }
    }
}
