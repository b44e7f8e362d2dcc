import Foundation
import GRDB
import SMSCore

/// ``NodeCoordination`` for the single-node store: the same lease rule on the same columns (one
/// process per database file, so its only other "node" is its own dead predecessor), singleton
/// work under a lock in the process, and no shared rate bucket (the dispatcher's own limiter is the
/// whole limit).
extension SQLiteStore: NodeCoordination {
    public func renewLeases(holder: String, expiresAt: Int64) async throws -> Int {
        try await db.write { db in
            try db.execute(
                sql: "UPDATE messages SET lease_expires_at = ? WHERE send_attempt IS NOT NULL AND claim_node = ?",
                arguments: [expiresAt, holder])
            return db.changesCount
        }
    }

    public func exclusively<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T? {
        try await singletons.exclusively(name, body)
    }

    public func reserveRate(providerId: String, ratePerSecond: Double, burst: Double, messages: Int) async throws -> Double? {
        nil
    }
}
