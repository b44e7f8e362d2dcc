import Foundation
import PostgresNIO
import SMSCore

/// The Stats-tab reads (``StatsStore``): the view `rollup_cells` (the `rollups` rows and their
/// slot rows in `rollup_slots`, summed per `(campaign_id, variant, metric, dim, bucket)`:
/// ``PGRollupWriter``) and `delivery_error_descriptions` only; none touches `messages`,
/// `message_events` or `clicks` (PITFALLS.md #20).
extension PostgresStore {
    public func rollupTotalsByVariant(campaignId: String) async throws -> [Int: RollupDelta] {
        try await read { tx in
            var out: [Int: RollupDelta] = [:]
            for r in try await tx.rows(
                "SELECT variant, metric, dim, value FROM rollup_cells WHERE campaign_id = \(campaignId) AND bucket = -1")
            {
                guard let m = RollupMetric(rawValue: try r.get("metric")) else { continue }
                let value: Int64 = try r.get("value")
                guard value != 0 else { continue }
                out[try r.get("variant", Int.self), default: [:]][RollupKey(m, dim: try r.get("dim"))] = value
            }
            return out
        }
    }

    public func rollupBucketCells(campaignId: String, variant: Int?, metrics: [RollupMetric]) async throws
        -> [RollupBucketCell]
    {
        guard !metrics.isEmpty else { return [] }
        let names = metrics.map(\.rawValue)
        return try await read { tx in
            // Only the dimension-less cells (per-link and per-code cells carry no time bucket).
            let rows: [PGRow]
            if let variant {
                rows = try await tx.rows("""
                    SELECT metric, bucket, value FROM rollup_cells
                    WHERE campaign_id = \(campaignId) AND variant = \(variant) AND metric = ANY(\(names)::text[])
                      AND dim = '' AND bucket >= 0
                    """)
            } else {
                rows = try await tx.rows("""
                    SELECT metric, bucket, SUM(value)::bigint AS value FROM rollup_cells
                    WHERE campaign_id = \(campaignId) AND metric = ANY(\(names)::text[]) AND dim = '' AND bucket >= 0
                    GROUP BY metric, bucket
                    """)
            }
            return try rows.compactMap { r in
                guard let m = RollupMetric(rawValue: try r.get("metric")) else { return nil }
                return RollupBucketCell(metric: m, bucket: try r.get("bucket"), value: try r.get("value"))
            }
        }
    }

    public func deliveryErrorDescriptions(campaignId: String) async throws -> [String: String] {
        try await read { tx in
            var out: [String: String] = [:]
            for r in try await tx.rows(
                "SELECT code, description FROM delivery_error_descriptions WHERE campaign_id = \(campaignId)")
            {
                out[try r.get("code")] = try r.get("description")
            }
            return out
        }
    }

    /// Keeps the provider's description of a failed receipt's code (the smallest one per code, in
    /// byte order, so the result does not depend on arrival order).
    func recordFailureDescription(_ tx: PGTx, _ kept: (code: String, description: String), campaignId: String) async throws {
        try await tx.exec("""
            INSERT INTO delivery_error_descriptions (campaign_id, code, description) VALUES (\(campaignId), \(kept.code), \(kept.description))
            ON CONFLICT (campaign_id, code) DO UPDATE
              SET description = LEAST(delivery_error_descriptions.description, excluded.description)
            """)
    }
}
