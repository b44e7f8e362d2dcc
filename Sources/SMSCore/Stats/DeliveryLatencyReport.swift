import Foundation

/// The body of `GET /api/v1/campaigns/{id}/latency` (issue 18): how fast a campaign's messages
/// were delivered and first clicked, read from the fixed histograms of ``LatencyHistogram`` in the
/// rollups (a few dozen cells, whatever the campaign's size; `docs/PITFALLS.md` #20).
///
/// - `delivered`: messages delivered **by a receipt** (the histogram's count). An inferred delivery
///   (a human click without a delivered receipt, `docs/DOMAIN.md` §4) has no delivery time of its
///   own and is not in it, so this can be below the Stats tab's Delivered.
/// - Percentiles, **seconds**: the upper bound of the bucket holding the nearest-rank percentile
///   (``LatencyHistogram/percentileBucket(_:of:)``); over 7 days, 604800 ("more than 7 days").
///   `nil` when there is no latency.
/// - `resolutionSeconds`: the widest of the buckets holding the three percentiles (each is at most
///   that much above the true value): 1 while they are all within 60 s; `nil` without data or when
///   one is over 7 days (the open bucket).
/// - `within`: percent 0–100 of `delivered` with a latency of at most 10 s, 60 s, 600 s, 3600 s
///   (exact: each threshold is a bucket bound); `nil` when `delivered` is 0.
/// - `firstClick`: the same for sent → first human click, over the messages with one.
/// - `histogram`: the non-empty delivery buckets, ascending.
public struct DeliveryLatencyReport: Sendable, Equatable, Codable {
    public var delivered: Int64
    public var p50Seconds: Int64?
    public var p90Seconds: Int64?
    public var p99Seconds: Int64?
    public var within: Within
    public var firstClick: FirstClick
    public var resolutionSeconds: Int64?
    public var histogram: [LatencyHistogram.Bucket]

    /// Percent 0–100 of delivered messages within each threshold (JSON keys `10s`, `60s`, `600s`, `3600s`).
    public struct Within: Sendable, Equatable, Codable {
        public var s10: Double?
        public var s60: Double?
        public var s600: Double?
        public var s3600: Double?

        enum CodingKeys: String, CodingKey {
            case s10 = "10s", s60 = "60s", s600 = "600s", s3600 = "3600s"
        }

        public init(s10: Double?, s60: Double?, s600: Double?, s3600: Double?) {
            self.s10 = s10
            self.s60 = s60
            self.s600 = s600
            self.s3600 = s3600
        }

        // Explicit nulls (the synthesized encoder leaves a nil out).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(s10, forKey: .s10)
            try c.encode(s60, forKey: .s60)
            try c.encode(s600, forKey: .s600)
            try c.encode(s3600, forKey: .s3600)
        }
    }

    /// Sent → first human click: messages with one, p50 and p90 (seconds, bucket bounds as above).
    public struct FirstClick: Sendable, Equatable, Codable {
        public var clicked: Int64
        public var p50Seconds: Int64?
        public var p90Seconds: Int64?
        public var resolutionSeconds: Int64?

        public init(clicked: Int64, p50Seconds: Int64?, p90Seconds: Int64?, resolutionSeconds: Int64?) {
            self.clicked = clicked
            self.p50Seconds = p50Seconds
            self.p90Seconds = p90Seconds
            self.resolutionSeconds = resolutionSeconds
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(clicked, forKey: .clicked)
            try c.encode(p50Seconds, forKey: .p50Seconds)
            try c.encode(p90Seconds, forKey: .p90Seconds)
            try c.encode(resolutionSeconds, forKey: .resolutionSeconds)
        }
    }

    public init(
        delivered: Int64, p50Seconds: Int64?, p90Seconds: Int64?, p99Seconds: Int64?, within: Within, firstClick: FirstClick,
        resolutionSeconds: Int64?, histogram: [LatencyHistogram.Bucket]
    ) {
        self.delivered = delivered
        self.p50Seconds = p50Seconds
        self.p90Seconds = p90Seconds
        self.p99Seconds = p99Seconds
        self.within = within
        self.firstClick = firstClick
        self.resolutionSeconds = resolutionSeconds
        self.histogram = histogram
    }

    /// The report of all-time rollup totals (one variant's, or all variants merged).
    public init(totals: RollupDelta) {
        let delivery = LatencyHistogram.buckets(.deliveryLatency, in: totals)
        let clicks = LatencyHistogram.buckets(.firstClickLatency, in: totals)
        let delivered = delivery.reduce(Int64(0)) { $0 + $1.count }
        let p = [50, 90, 99].map { LatencyHistogram.percentileBucket($0, of: delivery) }
        let c = [50, 90].map { LatencyHistogram.percentileBucket($0, of: clicks) }
        func share(_ seconds: Int64) -> Double? {
            delivered == 0 ? nil : Double(LatencyHistogram.count(atMost: seconds, in: delivery)) * 100 / Double(delivered)
        }
        self.init(
            delivered: delivered, p50Seconds: Self.seconds(p[0]), p90Seconds: Self.seconds(p[1]), p99Seconds: Self.seconds(p[2]),
            within: Within(s10: share(10), s60: share(60), s600: share(600), s3600: share(3_600)),
            firstClick: FirstClick(
                clicked: clicks.reduce(Int64(0)) { $0 + $1.count }, p50Seconds: Self.seconds(c[0]), p90Seconds: Self.seconds(c[1]),
                resolutionSeconds: Self.resolution(c)),
            resolutionSeconds: Self.resolution(p), histogram: delivery)
    }

    /// A percentile's reported value: its bucket's upper bound, the last bound for the open bucket.
    static func seconds(_ bucket: LatencyHistogram.Bucket?) -> Int64? {
        guard let bucket else { return nil }
        return bucket.upToSeconds ?? LatencyHistogram.bounds.last!
    }

    /// The widest bucket among the percentiles' (`nil` without data or with the open bucket).
    static func resolution(_ buckets: [LatencyHistogram.Bucket?]) -> Int64? {
        var widest: Int64 = 0
        for b in buckets {
            guard let width = b?.widthSeconds else { return nil }
            widest = max(widest, width)
        }
        return buckets.isEmpty ? nil : widest
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(delivered, forKey: .delivered)
        try c.encode(p50Seconds, forKey: .p50Seconds)
        try c.encode(p90Seconds, forKey: .p90Seconds)
        try c.encode(p99Seconds, forKey: .p99Seconds)
        try c.encode(within, forKey: .within)
        try c.encode(firstClick, forKey: .firstClick)
        try c.encode(resolutionSeconds, forKey: .resolutionSeconds)
        try c.encode(histogram, forKey: .histogram)
    }
}
