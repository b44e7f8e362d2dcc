import Foundation

/// Granularity of the Message Trend chart.
public enum TrendGranularity: String, Sendable, Codable, CaseIterable {
    case day, week, month
}

/// One point of the Message Trend (`domain.md` §6): counts in a local day, ISO week or month.
public struct TrendPoint: Sendable, Equatable, Codable {
    /// Local start of the period as `YYYY-MM-DD` in the chosen zone (a Monday for weeks).
    public var start: String
    public var sent: Int64
    public var delivered: Int64
    /// Unique clicked messages whose first human click fell in the period.
    public var clicked: Int64
    /// Total human clicks in the period.
    public var clicks: Int64

    public init(start: String, sent: Int64 = 0, delivered: Int64 = 0, clicked: Int64 = 0, clicks: Int64 = 0) {
        self.start = start
        self.sent = sent
        self.delivered = delivered
        self.clicked = clicked
        self.clicks = clicks
    }
}

/// Folds quarter-hour rollup buckets into local days, ISO weeks (Monday start) or months of an
/// IANA time zone. Exact for every zone whose offsets are multiples of 15 minutes (all current
/// ones, DST transitions included), because a quarter-hour never straddles a local midnight.
public struct TrendBucketer: Sendable {
    public let timeZone: TimeZone
    public let granularity: TrendGranularity
    private let calendar: Calendar

    /// - Throws: ``TrendBucketerError/unknownTimeZone(_:)`` for a name that is not an IANA zone.
    public init(timeZoneIdentifier: String, granularity: TrendGranularity) throws(TrendBucketerError) {
        guard let tz = TimeZone(identifier: timeZoneIdentifier) else {
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

    /// The local period start (`YYYY-MM-DD`) containing the instant `epochSeconds`.
    public func periodStart(ofEpochSeconds epochSeconds: Int64) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(epochSeconds))
        var c = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
        switch granularity {
        case .day: break
        case .month: c.day = 1
        case .week:
            // ISO weekday: Monday = 1 ... Sunday = 7 (Calendar weekday: Sunday = 1).
            let iso = ((c.weekday ?? 2) + 5) % 7 + 1
            let local = calendar.date(from: DateComponents(year: c.year, month: c.month, day: c.day, hour: 12)) ?? date
            let monday = calendar.date(byAdding: .day, value: -(iso - 1), to: local) ?? local
            c = calendar.dateComponents([.year, .month, .day], from: monday)
        }
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    /// Builds the trend from bucketed rollup cells.
    /// - Parameter cells: `(metric, quarter-hour bucket, value)` for metrics sent, delivered,
    ///   unique_clicks and clicks; other metrics are ignored.
    /// - Returns: points sorted by start, one per period that has any count.
    public func trend(cells: [(metric: RollupMetric, bucket: Int64, value: Int64)]) -> [TrendPoint] {
        var points: [String: TrendPoint] = [:]
        for cell in cells where cell.bucket >= 0 {
            let start = periodStart(ofEpochSeconds: cell.bucket * RollupKey.bucketSeconds)
            var p = points[start] ?? TrendPoint(start: start)
            switch cell.metric {
            case .sent: p.sent += cell.value
            case .delivered: p.delivered += cell.value
            case .uniqueClicks: p.clicked += cell.value
            case .clicks: p.clicks += cell.value
            default: continue
            }
            points[start] = p
        }
        return points.values.sorted { $0.start < $1.start }
    }
}

/// Errors of ``TrendBucketer``.
public enum TrendBucketerError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownTimeZone(String)
    public var description: String {
        switch self {
        case .unknownTimeZone(let n): "unknown time zone '\(n)' (use an IANA name such as Europe/Berlin)"
        }
    }
}
