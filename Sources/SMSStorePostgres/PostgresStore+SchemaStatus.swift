import Foundation
import PostgresNIO
import SMSCore

/// The readiness probe's question (``SchemaStatusStore``): `schema_migrations` against
/// ``PostgresMigrations/all``.
extension PostgresStore: SchemaStatusStore {
    public func missingMigrations() async throws -> [String] {
        let applied = try await read { tx in
            Set(try await tx.rows("SELECT id FROM schema_migrations").map { try $0.at(0, String.self) })
        }
        return PostgresMigrations.all.map(\.id).filter { !applied.contains($0) }
    }
}
