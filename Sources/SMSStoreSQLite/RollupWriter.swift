import Foundation
import GRDB
import SMSCore

/// Accumulates rollup increments inside one transaction and writes each cell once at the end
/// (`INSERT … ON CONFLICT DO UPDATE SET value = value + excluded.value`).
package struct RollupWriter {
    struct Scope: Hashable {
        var campaignId: String
        var variant: Int
    }
    private(set) var pending: [Scope: RollupDelta] = [:]

    package init() {}

    package mutating func add(_ delta: RollupDelta, campaignId: String, variant: Int) {
        guard !delta.isEmpty else { return }
        pending[Scope(campaignId: campaignId, variant: variant), default: [:]].add(delta)
    }

    /// Adds `contribution(new) − contribution(old)` of one message (``MessageContribution``),
    /// `times` times (that many messages made the same change), summed straight into the buffer
    /// (no intermediate dictionaries: once per callback item).
    mutating func addChange(
        from old: MessageState?, to new: MessageState, segments: Int, campaignId: String, variant: Int, times: Int64 = 1
    ) {
        let scope = Scope(campaignId: campaignId, variant: variant)
        var cells = pending.removeValue(forKey: scope) ?? RollupDelta(minimumCapacity: 16)
        MessageContribution.forEachCell(of: new, segments: segments) { cells.addCell($0, $1 * times) }
        if let old { MessageContribution.forEachCell(of: old, segments: segments) { cells.addCell($0, -$1 * times) } }
        pending[scope] = cells
    }

    package func flush(_ db: Database) throws {
        let stmt = try db.cachedStatement(sql: """
            INSERT INTO rollups (campaign_id, variant, metric, dim, bucket, value) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (campaign_id, variant, metric, dim, bucket) DO UPDATE SET value = value + excluded.value
            """)
        for (scope, delta) in pending {
            for (key, value) in delta where value != 0 {
                try stmt.execute(arguments: [
                    scope.campaignId, scope.variant, key.metric.rawValue, key.dim, key.bucket, value,
                ])
            }
        }
    }
}
