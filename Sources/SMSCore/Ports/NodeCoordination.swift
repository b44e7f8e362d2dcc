import Foundation

/// What several `smsstats serve` processes on one database share beyond the data (issue 14,
/// `docs/ARCHITECTURE.md` "Several servers"): claim leases, singleton work, the providers' rate
/// buckets. A store for one process (SQLite) answers with the same rules inside the process.
public protocol NodeCoordination: Sendable {
    /// Renews the lease of every claim `holder` (``NodeIdentity/holder``) holds to `expiresAt`
    /// (epoch seconds, ``LeasePolicy/expiry(now:)``). One statement.
    /// - Returns: how many claims it renewed.
    func renewLeases(holder: String, expiresAt: Int64) async throws -> Int

    /// Runs `body` if no other node or task runs work of the same `name` now (PostgreSQL: a session
    /// advisory lock held while `body` runs, released when it returns or throws, or when the
    /// node's connection dies; SQLite: a lock in the process).
    /// - Returns: `body`'s result, or `nil` when someone else holds `name` (nothing was run).
    func exclusively<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T?

    /// Takes `messages` tokens from the provider's token bucket shared by every node (``TokenBucket``,
    /// refilled at `ratePerSecond` up to `burst`), at the database's clock.
    /// - Returns: seconds to wait before sending them, or `nil` when the store has no shared bucket
    ///   (one process per database: the dispatcher's own ``RateLimiter`` is the whole limit).
    func reserveRate(providerId: String, ratePerSecond: Double, burst: Double, messages: Int) async throws -> Double?
}
