import Foundation
import GRDB
import SMSCore

/// The readiness probe's question (``SchemaStatusStore``): GRDB's record of applied migrations.
extension SQLiteStore: SchemaStatusStore {
    public func missingMigrations() async throws -> [String] {
        let migrator = SQLiteSchema.migrator
        let applied = try await db.read { db in try migrator.appliedIdentifiers(db) }
        return migrator.migrations.filter { !applied.contains($0) }
    }
}
