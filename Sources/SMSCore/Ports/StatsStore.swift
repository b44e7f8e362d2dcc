import Foundation

/// The storage port of the Stats tab (part of ``SMSStore``). Reads come from the maintained
/// rollups (and a small table of provider error descriptions) only: they never scan messages or
/// events, so their cost does not grow with the campaign's size (PITFALLS.md #20). Times are epoch
/// seconds; buckets are quarter-hours (``RollupKey``).
public protocol StatsStore: Sendable {
    /// All-time rollup cells (bucket == ``RollupKey/total``) of a campaign, per variant number.
    /// A campaign with no messages yields `[:]`.
    func rollupTotalsByVariant(campaignId: String) async throws -> [Int: RollupDelta]

    /// Quarter-hour cells of the given metrics, summed over variants, or of one variant.
    /// - Parameters:
    ///   - variant: one variant number, or `nil` for all.
    ///   - metrics: the metrics to read (e.g. ``TrendBucketer/metrics``).
    func rollupBucketCells(campaignId: String, variant: Int?, metrics: [RollupMetric]) async throws -> [RollupBucketCell]

    /// The providers' own descriptions of the delivery error codes seen in a campaign
    /// (code → description), kept when failed receipts are applied.
    func deliveryErrorDescriptions(campaignId: String) async throws -> [String: String]

    /// Recounts a campaign from its raw records (messages' dispatch records, the event log,
    /// clicks, conversion events) and reports drift against the stored message states, link
    /// counters, conversions and rollups. With `repair`, rewrites them from the recount in the
    /// same transaction.
    /// - Throws: ``StoreError/notFound(_:)`` for an unknown campaign; driver errors.
    func reconcile(campaignId: String, repair: Bool) async throws -> ReconcileReport
}
