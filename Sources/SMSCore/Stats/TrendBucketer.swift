import Foundation

/// Granularity of the Message Trend chart.
public enum TrendGranularity: String, Sendable, Codable, CaseIterable {
    case day, week, month
}

/// One point of the Message Trend (`docs/DOMAIN.md` §6): counts in a local day, ISO week or month.
public struct TrendPoint: Sendable, Equatable, Codable {
    /// Local start of the period as `YYYY-MM-DD` in the chosen zone (a Monday for weeks, the 1st
    /// for months).
    public var start: String
    /// Messages whose sent time fell in the period.
    public var sent: Int64
    /// Messages whose delivered time (receipt, else first human click) fell in the period.
    public var delivered: Int64
    /// Unique clicked messages whose first human click fell in the period.
    public var clicked: Int64
    /// Total human clicks in the period.
    public var clicks: Int64
    /// The period's CTR, percent 0–100: `clicked / delivered × 100` with callbacks, else
    /// `clicked / sent × 100`; 0 when the denominator is 0. The same formula and denominator as
    /// the summary (``CampaignStats/ctr``, PITFALLS.md #13). Filled by ``withCTR(callbacksEnabled:)``.
    public var ctr: Double

    public init(
        start: String, sent: Int64 = 0, delivered: Int64 = 0, clicked: Int64 = 0, clicks: Int64 = 0, ctr: Double = 0
    ) {
        self.start = start
        self.sent = sent
        self.delivered = delivered
        self.clicked = clicked
        self.clicks = clicks
        self.ctr = ctr
    }

    /// This point with ``ctr`` computed by the campaign's CTR rule.
    public func withCTR(callbacksEnabled: Bool) -> TrendPoint {
        var p = self
        p.ctr = CampaignStats.ctr(uniqueClicks: clicked, delivered: delivered, sent: sent, callbacksEnabled: callbacksEnabled)
        return p
    }
}

/// One local period of a trend: `[start, end)` in epoch seconds and its label.
public struct TrendPeriod: Sendable, Equatable {
    /// First instant of the period, epoch seconds.
    public var start: Int64
    /// First instant of the next period, epoch seconds.
    public var end: Int64
    /// The local date of `start`, `YYYY-MM-DD`.
    public var label: String
    public init(start: Int64, end: Int64, label: String) {
        self.start = start
        self.end = end
        self.label = label
    }
}

/// A rollup cell of a time bucket, as read for the trend.
public struct RollupBucketCell: Sendable, Equatable {
    public var metric: RollupMetric
    /// Quarter-hour bucket, `floor(epochSeconds / 900)`.
    public var bucket: Int64
    public var value: Int64
    public init(metric: RollupMetric, bucket: Int64, value: Int64) {
        self.metric = metric
        self.bucket = bucket
        self.value = value
    }
}

/// Folds quarter-hour rollup buckets into local days, ISO weeks (Monday start, ISO 8601) or months
/// of an IANA time zone. Exact for every zone whose offsets are multiples of 15 minutes (all
/// current ones, DST transitions included; +05:30 and +05:45 too), because a quarter-hour bucket
/// never straddles a local midnight. Periods come from `Calendar.dateInterval(of:for:)` in the
/// zone, so a DST day is 23 or 25 hours long and a day that has no local midnight still starts
/// at its first instant.
public struct TrendBucketer: Sendable {
    public let timeZone: TimeZone
    public let granularity: TrendGranularity
    private let calendar: Calendar

    /// The metrics a trend reads.
    public static let metrics: [RollupMetric] = [.sent, .delivered, .uniqueClicks, .clicks]
    /// - Parameters:
    ///   - timeZoneIdentifier: an IANA name such as `Europe/Berlin` (`UTC` and `GMT` also work), or
    ///     a stored legacy offset such as `GMT+14` (``IANAZone/stored(_:)``).
    ///   - granularity: day, ISO week or month.
    /// - Throws: ``TrendBucketerError/unknownTimeZone(_:)`` for a name that is not an IANA zone.
    public init(timeZoneIdentifier: String, granularity: TrendGranularity) throws(TrendBucketerError) {
        // A campaign's stored zone may be a legacy offset (``IANAZone/stored(_:)``); a query's `tz`
        // is checked strictly before it gets here (StatsController).
        guard let tz = IANAZone.stored(timeZoneIdentifier) else {
            throw .unknownTimeZone(timeZoneIdentifier)
        }
        self.timeZone = tz
        self.granularity = granularity
        var cal = Calendar(identifier: .iso8601)
        cal.timeZone = tz
        cal.firstWeekday = 2
        cal.minimumDaysInFirstWeek = 4
        self.calendar = cal
    }

    /// The local period (day, ISO week or month) containing the instant `epochSeconds`.
    public func period(containing epochSeconds: Int64) -> TrendPeriod {
        let date = Date(timeIntervalSince1970: TimeInterval(epochSeconds))
        let component: Calendar.Component
        switch granularity {
        case .day: component = .day
        case .week: component = .weekOfYear
        case .month: component = .month
        }
        guard let interval = calendar.dateInterval(of: component, for: date) else {
            // Not reached for real zones; fall back to the UTC day.
            let day = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
            return TrendPeriod(start: day * 86_400, end: day * 86_400 + 86_400, label: "1970-01-01")
        }
        let c = calendar.dateComponents([.year, .month, .day], from: interval.start)
        let start = Int64(interval.start.timeIntervalSince1970.rounded(.down))
        let end = Int64(interval.end.timeIntervalSince1970.rounded(.down))
        return TrendPeriod(
            start: start, end: max(end, start + 1),
            label: String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0))
    }

    /// The local period start (`YYYY-MM-DD`) containing the instant `epochSeconds`.
    public func periodStart(ofEpochSeconds epochSeconds: Int64) -> String {
        period(containing: epochSeconds).label
    }

    /// Builds the trend from bucketed rollup cells.
    /// - Parameter cells: quarter-hour cells of metrics sent, delivered, unique_clicks and clicks;
    ///   other metrics and the all-time bucket (-1) are ignored.
    /// - Returns: points sorted by start, one per period that has a count (``filled(_:maxPeriods:)``
    ///   adds the quiet ones). `ctr` is left 0: see ``TrendPoint/withCTR(callbacksEnabled:)``.
    /// - Complexity: one calendar computation per period, not per cell.
    public func trend(cells: [RollupBucketCell]) -> [TrendPoint] {
        let relevant = cells.filter { $0.bucket >= 0 && $0.value != 0 && Self.metrics.contains($0.metric) }
            .sorted { $0.bucket < $1.bucket }
        var points: [TrendPoint] = []
        var current: TrendPeriod?
        for cell in relevant {
            let t = cell.bucket * RollupKey.bucketSeconds
            if current == nil || t >= current!.end || t < current!.start {
                let next = period(containing: t)
                current = next
                points.append(TrendPoint(start: next.label))
            }
            switch cell.metric {
            case .sent: points[points.count - 1].sent += cell.value
            case .delivered: points[points.count - 1].delivered += cell.value
            case .uniqueClicks: points[points.count - 1].clicked += cell.value
            case .clicks: points[points.count - 1].clicks += cell.value
            default: break
            }
        }
        return points
    }
}

/// Errors of ``TrendBucketer``.
public enum TrendBucketerError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownTimeZone(String)
    public var description: String {
        switch self {
        case .unknownTimeZone(let n): "unknown time zone '\(InputEcho.text(n))' (use an IANA name such as Europe/Berlin)"
        }
    }
}
