import Foundation
import PostgresNIO
import SMSCore

/// Accumulates rollup increments inside one transaction and writes each cell once at the end,
/// in sorted key order (two transactions touching the same cells lock them in the same order:
/// no deadlock), with `INSERT … ON CONFLICT DO UPDATE SET value = value + excluded.value`.
///
/// Slotted counter rows: the increments go to one of ``slotCount`` rows per cell in
/// `rollup_slots` (the writer's ``slot``, chosen at random per transaction), so concurrent
/// transactions for one campaign (several nodes, or one node's connections) do not queue on the
/// same few rows until each other's commit (measured in BENCHMARKS.md "cluster": with one row per
/// cell, most active backends waited on the campaign's total cells). Readers fold the slots with
/// `SUM` through the view `rollup_cells` (the base `rollups` rows plus the slot rows); the base
/// table holds folded values (reconcile's repair, and rows written before the slots). Which cells
/// change is SMSCore's rule (``MessageContribution``); the store only picks the slot row.
///
/// It is also the transaction's buffer of message states on the hot paths (callback batches,
/// dispatch results): with ``defersStates`` set, ``PostgresStore/apply(_:fact:to:rollups:cache:)``
/// leaves the new state in ``states``, written with one statement by ``flushStates(_:)`` or
/// ``flush(_:)``; whoever sets it flushes before a statement reads message states again.
struct PGRollupWriter: Sendable {
    /// Buffer message states instead of saving each at once.
    var defersStates = false
    /// How many slot rows a cell may have in `rollup_slots` (a read folds at most this many per
    /// cell): 4, or `SMSSTATS_ROLLUP_SLOTS` (1–16; 1 is one row per cell, as before the slots,
    /// which the cluster benchmark measures against).
    static let slotCount: Int = {
        guard let text = ProcessInfo.processInfo.environment["SMSSTATS_ROLLUP_SLOTS"], let n = Int(text) else { return 4 }
        return min(max(n, 1), 16)
    }()
    /// The slot row this transaction's increments go to, `0..<slotCount`; `nil` writes the folded
    /// base table `rollups` (reconcile's repair).
    var slot: Int? = Int.random(in: 0..<PGRollupWriter.slotCount)
    /// The buffered message states.
    var states = PGStateWriter()

    /// Writes the buffered message states.
    mutating func flushStates(_ tx: PGTx) async throws { try await states.flush(tx) }

    /// Webhook events buffered with the states (``queueWebhookEvents(_:_:routes:)``), written in one
    /// statement by ``flush(_:)``.
    private(set) var webhookEvents: [WebhookOutboxEntry] = []
    private var webhookRoutes: WebhookRouteCache?

    /// With ``defersStates``, buffers `entries` for ``flush(_:)`` (one `INSERT` for the
    /// transaction's events instead of one per message: BENCHMARKS.md "webhooks"); otherwise
    /// writes them at once. Either way in this transaction, under the messages' locks.
    mutating func queueWebhookEvents(_ tx: PGTx, _ entries: [WebhookOutboxEntry], routes: WebhookRouteCache) async throws {
        guard !entries.isEmpty else { return }
        guard defersStates else {
            try await PGWebhookOutbox.write(tx, entries, routes: routes)
            return
        }
        webhookEvents += entries
        webhookRoutes = routes
    }

    struct Scope: Hashable, Sendable {
        var campaignId: String
        var variant: Int
    }
    private(set) var pending: [Scope: RollupDelta] = [:]

    mutating func add(_ delta: RollupDelta, campaignId: String, variant: Int) {
        guard !delta.isEmpty else { return }
        pending[Scope(campaignId: campaignId, variant: variant), default: [:]].add(delta)
    }

    /// Adds `contribution(new) − contribution(old)` of one message (``MessageContribution``).
    mutating func addChange(from old: MessageState?, to new: MessageState, segments: Int, campaignId: String, variant: Int) {
        let scope = Scope(campaignId: campaignId, variant: variant)
        var cells = pending.removeValue(forKey: scope) ?? RollupDelta(minimumCapacity: 16)
        MessageContribution.forEachCell(of: new, segments: segments) { cells.addCell($0, $1) }
        if let old { MessageContribution.forEachCell(of: old, segments: segments) { cells.addCell($0, -$1) } }
        pending[scope] = cells
    }

    /// One row per non-zero cell, sorted by (campaign, variant, metric, dim, bucket): the table's key order.
    var sortedCells: [(campaign: String, variant: Int, metric: String, dim: String, bucket: Int64, value: Int64)] {
        var out: [(campaign: String, variant: Int, metric: String, dim: String, bucket: Int64, value: Int64)] = []
        for (scope, delta) in pending {
            for (key, value) in delta where value != 0 {
                out.append((scope.campaignId, scope.variant, key.metric.rawValue, key.dim, key.bucket, value))
            }
        }
        // Byte order, as the "C" collation of the key columns.
        out.sort {
            if $0.campaign != $1.campaign { return Array($0.campaign.utf8).lexicographicallyPrecedes(Array($1.campaign.utf8)) }
            if $0.variant != $1.variant { return $0.variant < $1.variant }
            if $0.metric != $1.metric { return Array($0.metric.utf8).lexicographicallyPrecedes(Array($1.metric.utf8)) }
            if $0.dim != $1.dim { return Array($0.dim.utf8).lexicographicallyPrecedes(Array($1.dim.utf8)) }
            return $0.bucket < $1.bucket
        }
        return out
    }

    /// Writes the buffered message states, then upserts the cells with one statement (arrays
    /// unnested in the sorted order) into this writer's ``slot`` row of `rollup_slots`, or into
    /// `rollups` when ``slot`` is `nil`.
    mutating func flush(_ tx: PGTx) async throws {
        try await states.flush(tx)
        if let routes = webhookRoutes, !webhookEvents.isEmpty {
            try await PGWebhookOutbox.write(tx, webhookEvents, routes: routes)
            webhookEvents = []
        }
        let cells = sortedCells
        guard !cells.isEmpty else { return }
        let campaigns = cells.map(\.campaign)
        let variants = cells.map { Int64($0.variant) }
        let metrics = cells.map(\.metric)
        let dims = cells.map(\.dim)
        let buckets = cells.map(\.bucket)
        let values = cells.map(\.value)
        guard let slot else {
            try await tx.exec("""
                INSERT INTO rollups (campaign_id, variant, metric, dim, bucket, value)
                SELECT c, v, m, d, b, x FROM unnest(\(campaigns)::text[], \(variants)::bigint[], \(metrics)::text[],
                  \(dims)::text[], \(buckets)::bigint[], \(values)::bigint[]) WITH ORDINALITY AS t(c, v, m, d, b, x, n)
                ORDER BY n
                ON CONFLICT (campaign_id, variant, metric, dim, bucket) DO UPDATE SET value = rollups.value + excluded.value
                """)
            return
        }
        try await tx.exec("""
            INSERT INTO rollup_slots (campaign_id, variant, metric, dim, bucket, slot, value)
            SELECT c, v, m, d, b, \(Int64(slot)), x FROM unnest(\(campaigns)::text[], \(variants)::bigint[], \(metrics)::text[],
              \(dims)::text[], \(buckets)::bigint[], \(values)::bigint[]) WITH ORDINALITY AS t(c, v, m, d, b, x, n)
            ORDER BY n
            ON CONFLICT (campaign_id, variant, metric, dim, bucket, slot) DO UPDATE SET value = rollup_slots.value + excluded.value
            """)
    }
}
