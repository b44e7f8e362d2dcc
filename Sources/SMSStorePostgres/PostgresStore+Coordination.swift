import Foundation
import PostgresNIO
import SMSCore

/// Several nodes on one database (``NodeCoordination``): claim leases, singleton work under session
/// advisory locks, and the providers' token buckets in `provider_rate_buckets`.
extension PostgresStore: NodeCoordination {
    public func renewLeases(holder: String, expiresAt: Int64) async throws -> Int {
        try await write { tx in
            try await tx.rows("""
                UPDATE messages SET lease_expires_at = \(expiresAt) WHERE send_attempt IS NOT NULL AND claim_node = \(holder)
                RETURNING 1
                """).count
        }
    }

    /// A session advisory lock (`pg_try_advisory_lock`) on a connection held while `body` runs
    /// (`body` uses other connections of the pool); PostgreSQL releases it when that connection
    /// dies with its node. Advisory locks are per database: the key names the schema too, so two
    /// deployments in two schemas of one database never wait for each other.
    public func exclusively<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T? {
        let key = PGTx.lockHash("singleton:" + (schema ?? "") + ":" + name)
        let logger = self.logger
        return try await client.withConnection { conn in
            let tx = PGTx(conn: conn, logger: logger)
            guard try await tx.scalar("SELECT pg_try_advisory_lock(\(key))", as: Bool.self) == true else { return nil }
            @Sendable func unlock() async {
                // A lock left on a pooled connection would block this work for good: close it instead.
                if (try? await tx.exec("SELECT pg_advisory_unlock(\(key))")) == nil { try? await conn.close() }
            }
            do {
                let result = try await body()
                await unlock()
                return result
            } catch {
                await unlock()
                throw error
            }
        }
    }

    /// The bucket's row is locked, refilled and taken from by ``TokenBucket`` (the arithmetic lives
    /// in the core) at the database's clock (`clock_timestamp()`, the same for every node), and
    /// written back, in one transaction.
    public func reserveRate(providerId: String, ratePerSecond: Double, burst: Double, messages: Int) async throws -> Double? {
        try await write { tx in
            var row = try await tx.one(
                "SELECT tokens, refilled_at FROM provider_rate_buckets WHERE provider_id = \(providerId) FOR UPDATE")
            if row == nil {
                try await tx.exec("""
                    INSERT INTO provider_rate_buckets (provider_id, tokens, refilled_at)
                    VALUES (\(providerId), \(burst), extract(epoch FROM clock_timestamp())::float8) ON CONFLICT DO NOTHING
                    """)
                row = try await tx.one(
                    "SELECT tokens, refilled_at FROM provider_rate_buckets WHERE provider_id = \(providerId) FOR UPDATE")
            }
            guard let row else { throw StoreError.notFound("rate bucket of provider \(providerId)") }
            // Read after the row lock: reservations are serialised in clock order.
            let now = try await tx.scalar("SELECT extract(epoch FROM clock_timestamp())::float8", as: Double.self) ?? 0
            var bucket = TokenBucket(
                rate: ratePerSecond, capacity: burst, tokens: try row.at(0, Double.self), last: try row.at(1, Double.self))
            let wait = bucket.reserve(messages, now: now)
            try await tx.exec("""
                UPDATE provider_rate_buckets SET tokens = \(bucket.tokens), refilled_at = \(bucket.last) WHERE provider_id = \(providerId)
                """)
            return wait
        }
    }
}
