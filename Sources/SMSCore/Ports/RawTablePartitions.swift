import Foundation

/// A store whose append-only raw tables (the receipt log `message_events` and `clicks`) are
/// partitioned by message id, so old raw rows leave by dropping a partition instead of a delete
/// per row (PostgreSQL; `docs/ARCHITECTURE.md` "Partitions"). Message ids are handed out in
/// publish order, so a range of ids is a range of publish time.
public protocol RawTablePartitions: Sendable {
    /// Creates the partitions for the message ids to come: at least two empty spans above the
    /// highest message id. Idempotent; run periodically by one node at a time (singleton work
    /// `"partitions"`).
    /// - Returns: the names of the partitions it created (empty when all existed).
    func ensurePartitions() async throws -> [String]

    /// Detaches and drops every partition whose messages were all created before `cutoff` (epoch
    /// seconds, `messages.created_at`) and that no new message can fall in (a newer message
    /// exists above its range). The default partition is never dropped. Derived data (message
    /// states, rollups, stats) is untouched.
    /// - Returns: the names of the dropped partitions.
    func dropPartitions(messagesCreatedBefore cutoff: Int64) async throws -> [String]
}
