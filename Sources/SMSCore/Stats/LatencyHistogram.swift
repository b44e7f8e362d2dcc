import Foundation

/// The fixed buckets of the latency histograms kept in the rollups (issue 18): sent → delivered
/// (``RollupMetric/deliveryLatency``) and sent → first human click (``RollupMetric/firstClickLatency``).
/// A latency is a whole number of **seconds** (every time in ``MessageState`` is epoch seconds).
///
/// Resolution: **1 s up to 60 s** (bucket `n` holds exactly `n` seconds; bucket `0` also holds a
/// negative latency, a receipt timed before the send by clock skew), then coarser bounds growing
/// by roughly ×1.25 to ×2 each (75 s, 90 s, … 10 min, … 1 h, … 7 days). The within-N thresholds of
/// the latency view, 10 s, 60 s, 600 s and 3600 s, are bounds, so their shares are exact counts.
/// Everything over 7 days is one open bucket (``overflow``). A bucket is named in the rollup's
/// `dim` column by its upper bound in decimal seconds (`"0"`, `"1"`, … `"604800"`), the open one
/// `"inf"`.
public enum LatencyHistogram {
    /// The upper bounds (inclusive), ascending; a latency `s` falls in the first bucket whose bound
    /// is ≥ `s`, or in ``overflow`` beyond the last.
    public static let bounds: [Int64] = Array(0...60) + [
        75, 90, 105, 120, 150, 180, 240, 300, 360, 420, 480, 540, 600, 720, 900, 1_200, 1_500, 1_800,
        2_400, 3_000, 3_600, 5_400, 7_200, 10_800, 14_400, 21_600, 28_800, 43_200, 86_400, 172_800, 259_200, 604_800,
    ]
    /// The `dim` of the open bucket over the last bound.
    public static let overflow = "inf"
    /// The rollup metrics holding a latency histogram.
    public static let metrics: Set<RollupMetric> = [.deliveryLatency, .firstClickLatency]
    /// The within-N thresholds of the latency view, seconds (each one of ``bounds``).
    public static let withinThresholds: [Int64] = [10, 60, 600, 3_600]

    /// The `dim` of the bucket holding a latency of `seconds`.
    public static func dim(ofSeconds seconds: Int64) -> String {
        if seconds <= 60 { return String(max(seconds, 0)) }
        guard let index = upperIndex(of: seconds) else { return overflow }
        return String(bounds[index])
    }

    /// The index in ``bounds`` of the first bound ≥ `seconds`; `nil` past the last (binary search).
    static func upperIndex(of seconds: Int64) -> Int? {
        var lo = 0
        var hi = bounds.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if bounds[mid] >= seconds { hi = mid } else { lo = mid + 1 }
        }
        return lo < bounds.count ? lo : nil
    }

    /// One bucket of a histogram read back from rollup cells.
    public struct Bucket: Sendable, Equatable, Codable {
        /// The bucket's upper bound, seconds (inclusive); `nil` for the open bucket over 7 days.
        public var upToSeconds: Int64?
        /// The width of the bucket, seconds (1 for bucket 0); `nil` for the open bucket.
        public var widthSeconds: Int64?
        public var count: Int64

        public init(upToSeconds: Int64?, widthSeconds: Int64?, count: Int64) {
            self.upToSeconds = upToSeconds
            self.widthSeconds = widthSeconds
            self.count = count
        }
    }

    /// The non-empty buckets of one histogram metric in all-time totals, ascending by bound. A
    /// cell whose `dim` is none of the bucket names (none are written) is ignored.
    public static func buckets(_ metric: RollupMetric, in totals: RollupDelta) -> [Bucket] {
        var counts = [Int64](repeating: 0, count: bounds.count + 1)
        for (key, value) in totals where key.metric == metric && key.bucket == RollupKey.total {
            if key.dim == overflow {
                counts[bounds.count] += value
            } else if let s = Int64(key.dim), let i = upperIndex(of: s), bounds[i] == s {
                counts[i] += value
            }
        }
        return counts.indices.compactMap { i -> Bucket? in
            guard counts[i] != 0 else { return nil }
            guard i < bounds.count else { return Bucket(upToSeconds: nil, widthSeconds: nil, count: counts[i]) }
            return Bucket(upToSeconds: bounds[i], widthSeconds: i == 0 ? 1 : bounds[i] - bounds[i - 1], count: counts[i])
        }
    }

    /// The bucket holding the `percent`-th percentile (nearest rank: the smallest bucket whose
    /// cumulative count reaches ⌈percent / 100 × total⌉, at least 1); `nil` for an empty histogram.
    public static func percentileBucket(_ percent: Int, of buckets: [Bucket]) -> Bucket? {
        let total = buckets.reduce(Int64(0)) { $0 + $1.count }
        guard total > 0 else { return nil }
        let rank = max(1, (Int64(percent) * total + 99) / 100)
        var running: Int64 = 0
        for b in buckets {
            running += b.count
            if running >= rank { return b }
        }
        return buckets.last
    }

    /// How many latencies are at most `seconds` (a bound of ``bounds``).
    public static func count(atMost seconds: Int64, in buckets: [Bucket]) -> Int64 {
        buckets.reduce(Int64(0)) { sum, b in
            guard let up = b.upToSeconds, up <= seconds else { return sum }
            return sum + b.count
        }
    }
}
