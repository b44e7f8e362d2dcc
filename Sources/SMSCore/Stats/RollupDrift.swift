import Foundation

/// One rollup cell whose stored value differs from the recount.
public struct RollupCellDrift: Sendable, Equatable, Codable {
    public var variant: Int
    public var metric: RollupMetric
    public var dim: String
    /// ``RollupKey/total`` (-1) or a quarter-hour bucket.
    public var bucket: Int64
    public var stored: Int64
    public var expected: Int64

    public init(variant: Int, metric: RollupMetric, dim: String, bucket: Int64, stored: Int64, expected: Int64) {
        self.variant = variant
        self.metric = metric
        self.dim = dim
        self.bucket = bucket
        self.stored = stored
        self.expected = expected
    }
}

/// Drift of one metric, summed over variants and dimensions.
public struct MetricDrift: Sendable, Equatable, Codable {
    public var metric: RollupMetric
    /// The all-time value (bucket -1 cells, all variants and dimensions) in the rollups.
    public var stored: Int64
    /// The same value by the recount.
    public var expected: Int64
    /// How many cells of this metric (any variant, dimension or bucket) differ.
    public var cells: Int

    public init(metric: RollupMetric, stored: Int64, expected: Int64, cells: Int) {
        self.metric = metric
        self.stored = stored
        self.expected = expected
        self.cells = cells
    }
}

/// Compares stored rollups with a recount (pure).
public enum RollupComparison {
    /// Every cell whose stored and recounted values differ (a missing cell is 0), sorted by
    /// variant, metric, dimension, bucket.
    public static func drifts(stored: [Int: RollupDelta], expected: [Int: RollupDelta]) -> [RollupCellDrift] {
        var out: [RollupCellDrift] = []
        for variant in Set(stored.keys).union(expected.keys) {
            let s = stored[variant] ?? [:]
            let e = expected[variant] ?? [:]
            for key in Set(s.keys).union(e.keys) {
                let a = s[key] ?? 0
                let b = e[key] ?? 0
                if a != b {
                    out.append(
                        RollupCellDrift(
                            variant: variant, metric: key.metric, dim: key.dim, bucket: key.bucket, stored: a, expected: b))
                }
            }
        }
        return out.sorted {
            ($0.variant, $0.metric.rawValue, $0.dim, $0.bucket) < ($1.variant, $1.metric.rawValue, $1.dim, $1.bucket)
        }
    }

    /// Per-metric summary of `drifts`: only metrics with at least one differing cell, in
    /// ``RollupMetric`` declaration order.
    public static func byMetric(_ drifts: [RollupCellDrift], stored: [Int: RollupDelta], expected: [Int: RollupDelta])
        -> [MetricDrift]
    {
        var cells: [RollupMetric: Int] = [:]
        for d in drifts { cells[d.metric, default: 0] += 1 }
        func total(_ m: RollupMetric, _ byVariant: [Int: RollupDelta]) -> Int64 {
            byVariant.values.reduce(0) { sum, delta in
                sum + delta.reduce(0) { $0 + ($1.key.metric == m && $1.key.bucket == RollupKey.total ? $1.value : 0) }
            }
        }
        return RollupMetric.allCases.compactMap { m in
            guard let n = cells[m] else { return nil }
            return MetricDrift(metric: m, stored: total(m, stored), expected: total(m, expected), cells: n)
        }
    }
}

/// What `smsstats reconcile` found for one campaign (and whether it repaired it).
public struct ReconcileReport: Sendable, Equatable, Codable {
    public var campaignId: String
    /// Messages recounted.
    public var messages: Int
    /// Messages whose stored state differs from the one re-derived from their events and clicks.
    public var stateDrifts: Int
    /// Short links whose stored human-click count differs from the clicks table.
    public var linkCounterDrifts: Int
    /// Users whose stored conversion for the campaign differs from a re-attribution.
    public var conversionDrifts: Int
    /// Error codes whose stored provider description differs from the event log.
    public var descriptionDrifts: Int
    /// Differing rollup cells.
    public var cells: [RollupCellDrift]
    /// The same per metric.
    public var metrics: [MetricDrift]
    /// Whether the stored data was rewritten from the recount.
    public var repaired: Bool

    public init(
        campaignId: String, messages: Int, stateDrifts: Int, linkCounterDrifts: Int, conversionDrifts: Int,
        descriptionDrifts: Int, cells: [RollupCellDrift], metrics: [MetricDrift], repaired: Bool
    ) {
        self.campaignId = campaignId
        self.messages = messages
        self.stateDrifts = stateDrifts
        self.linkCounterDrifts = linkCounterDrifts
        self.conversionDrifts = conversionDrifts
        self.descriptionDrifts = descriptionDrifts
        self.cells = cells
        self.metrics = metrics
        self.repaired = repaired
    }

    /// No drift of any kind.
    public var isClean: Bool {
        stateDrifts == 0 && linkCounterDrifts == 0 && conversionDrifts == 0 && descriptionDrifts == 0 && cells.isEmpty
    }
}
