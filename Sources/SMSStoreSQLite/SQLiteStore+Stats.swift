import Foundation
import GRDB
import SMSCore

/// The Stats-tab reads (``StatsStore``). Each is one read transaction over the `rollups` table
/// (primary key `(campaign_id, variant, metric, dim, bucket)`) or the small
/// `delivery_error_descriptions` table; none touches `messages`, `message_events` or `clicks`
/// (PITFALLS.md #20).
extension SQLiteStore {
    public func rollupTotalsByVariant(campaignId: String) async throws -> [Int: RollupDelta] {
        try await db.read { db in
            var out: [Int: RollupDelta] = [:]
            let stmt = try db.cachedStatement(sql: """
                SELECT variant, metric, dim, value FROM rollups WHERE campaign_id = ? AND bucket = -1
                """)
            let rows = try Row.fetchCursor(stmt, arguments: [campaignId])
            while let r = try rows.next() {
                guard let m = RollupMetric(rawValue: r[1]) else { continue }
                let value: Int64 = r[3]
                guard value != 0 else { continue }
                out[r[0], default: [:]][RollupKey(m, dim: r[2])] = value
            }
            return out
        }
    }

    public func rollupBucketCells(campaignId: String, variant: Int?, metrics: [RollupMetric]) async throws
        -> [RollupBucketCell]
    {
        guard !metrics.isEmpty else { return [] }
        let names = metrics.map(\.rawValue)
        let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
        // Only the dimension-less cells: per-link and per-code cells carry no time bucket today,
        // and must not be added into the campaign's own counts if they ever do.
        let sql =
            variant == nil
            ? """
            SELECT metric, bucket, SUM(value) FROM rollups
            WHERE campaign_id = ? AND metric IN (\(placeholders)) AND dim = '' AND bucket >= 0
            GROUP BY metric, bucket
            """
            : """
            SELECT metric, bucket, value FROM rollups
            WHERE campaign_id = ? AND variant = ? AND metric IN (\(placeholders)) AND dim = '' AND bucket >= 0
            """
        var arguments: [any DatabaseValueConvertible] = [campaignId]
        if let variant { arguments.append(variant) }
        arguments.append(contentsOf: names)
        let args = StatementArguments(arguments)
        return try await db.read { db in
            var out: [RollupBucketCell] = []
            let rows = try Row.fetchCursor(try db.cachedStatement(sql: sql), arguments: args)
            while let r = try rows.next() {
                guard let m = RollupMetric(rawValue: r[0]) else { continue }
                out.append(RollupBucketCell(metric: m, bucket: r[1], value: r[2]))
            }
            return out
        }
    }

    public func deliveryErrorDescriptions(campaignId: String) async throws -> [String: String] {
        try await db.read { db in
            var out: [String: String] = [:]
            let rows = try Row.fetchCursor(
                try db.cachedStatement(sql: "SELECT code, description FROM delivery_error_descriptions WHERE campaign_id = ?"),
                arguments: [campaignId])
            while let r = try rows.next() { out[r[0]] = r[1] }
            return out
        }
    }

    /// Keeps the provider's description of a failed receipt's code for the Errors tab (the
    /// smallest one per code, ``RollupRecount/smaller(_:_:)``, so the result does not depend on
    /// arrival order): ``MessagePlan/failureDescription``.
    func recordFailureDescription(_ db: Database, _ kept: (code: String, description: String), campaignId: String) throws {
        try db.cachedStatement(sql: """
            INSERT INTO delivery_error_descriptions (campaign_id, code, description) VALUES (?, ?, ?)
            ON CONFLICT (campaign_id, code) DO UPDATE SET description = MIN(description, excluded.description)
            """
        ).execute(arguments: [campaignId, kept.code, kept.description])
    }
}
