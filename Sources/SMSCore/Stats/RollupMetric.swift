import Foundation

/// The counters kept in the rollup table, per campaign, variant, dimension and time bucket.
/// Reading stats sums a handful of these rows and never scans messages (`docs/DOMAIN.md` §6, PITFALLS.md #20).
public enum RollupMetric: String, Sendable, Codable, CaseIterable {
    /// Messages created for the campaign (every targeted user, control group included).
    case messages
    case queued
    case sent
    /// SMS segments (parts) of sent messages (GSM-7 / UCS-2 counting of the final text).
    case sentSegments = "sent_segments"
    case delivered
    case inferredDelivered = "inferred_delivered"
    case failed
    case pending
    case dispatchErrors = "dispatch_errors"
    case controlGroup = "control_group"
    /// Unique clicked messages (at least one human click).
    case uniqueClicks = "unique_clicks"
    /// Total human clicks.
    case clicks
    /// Bot / link-preview hits (HEAD, crawler or preview user agents).
    case botHits = "bot_hits"
    case replies
    case optOuts = "opt_outs"
    /// Failed messages by delivery error code (dimension: the code, "" when none was given).
    case failedByCode = "failed_by_code"
    /// Dispatch errors by reason (dimension: the reason).
    case dispatchErrorsByReason = "dispatch_errors_by_reason"
    /// Per link (dimension: link index): total human clicks, unique clicked messages, bot hits.
    case linkClicks = "link_clicks"
    case linkUniqueClicks = "link_unique_clicks"
    case linkBotHits = "link_bot_hits"
    /// Conversions (per user; target group): influenced, click-through, revenue in cents.
    case convertedUsers = "converted_users"
    case clickThroughUsers = "click_through_users"
    case revenueCents = "revenue_cents"
    /// Conversions of the control group, and its size in users.
    case controlConvertedUsers = "control_converted_users"
    case controlRevenueCents = "control_revenue_cents"
    /// Sent → delivered latency of messages delivered by a receipt (dimension: the
    /// ``LatencyHistogram`` bucket; all-time cells only), issue 18.
    case deliveryLatency = "delivery_latency"
    /// Sent → first human click latency (dimension: the ``LatencyHistogram`` bucket; all-time cells only).
    case firstClickLatency = "first_click_latency"
}

/// One rollup cell. `bucket` is ``RollupKey/total`` for the all-time counter, else the
/// quarter-hour index `floor(epochSeconds / 900)`: every IANA zone's offset is a multiple of
/// 15 minutes (+05:30, +05:45, DST shifts), so quarter-hours add up to exact local days, ISO weeks
/// and months in any zone.
public struct RollupKey: Hashable, Sendable, Codable {
    public static let total: Int64 = -1
    /// Seconds per time bucket.
    public static let bucketSeconds: Int64 = 900

    public var metric: RollupMetric
    public var dim: String
    public var bucket: Int64

    public init(_ metric: RollupMetric, dim: String = "", bucket: Int64 = RollupKey.total) {
        self.metric = metric
        self.dim = dim
        self.bucket = bucket
    }

    /// The bucket of an epoch-seconds time.
    public static func bucket(of epochSeconds: Int64) -> Int64 {
        epochSeconds >= 0 ? epochSeconds / bucketSeconds : (epochSeconds - bucketSeconds + 1) / bucketSeconds
    }
}

/// A multiset of rollup increments.
public typealias RollupDelta = [RollupKey: Int64]

extension Dictionary where Key == RollupKey, Value == Int64 {
    /// Adds `other` into `self`, dropping cells that reach zero.
    public mutating func add(_ other: RollupDelta, times sign: Int64 = 1) {
        for (k, v) in other {
            let n = (self[k] ?? 0) + sign * v
            self[k] = n == 0 ? nil : n
        }
    }

    /// Increments one cell (total and, when `at` is given, its time bucket).
    public mutating func bump(_ metric: RollupMetric, dim: String = "", at: Int64? = nil, by n: Int64 = 1) {
        addCell(RollupKey(metric, dim: dim), n)
        if let at { addCell(RollupKey(metric, dim: dim, bucket: RollupKey.bucket(of: at)), n) }
    }

    /// Adds `n` to one cell in place (no temporary dictionary: this runs per callback item),
    /// dropping the cell when it reaches zero.
    public mutating func addCell(_ key: RollupKey, _ n: Int64) {
        guard n != 0 else { return }
        let sum = (self[key] ?? 0) + n
        self[key] = sum == 0 ? nil : sum
    }
}
