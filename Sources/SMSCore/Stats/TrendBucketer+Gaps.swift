import Foundation

extension TrendBucketer {
    /// The trend with every period between the first and the last point present, the missing ones
    /// as zero points, so a line chart shows quiet days as 0 instead of joining across them.
    ///
    /// Periods follow the bucketer's calendar: local days, ISO weeks (Monday starts), or months of
    /// its time zone; steps are calendar steps (a DST day is one day, not 24 h).
    /// - Parameters:
    ///   - points: points as returned by ``trend(cells:)`` (sorted by `start`, `YYYY-MM-DD`).
    ///   - maxPeriods: when the span holds more periods than this, `points` are returned as they
    ///     are (a guard against a stray far-away bucket drawing thousands of empty periods).
    /// - Returns: sorted points, one per period from the first start to the last start.
    public func filled(_ points: [TrendPoint], maxPeriods: Int = 1_000) -> [TrendPoint] {
        guard let first = points.first, let last = points.last else { return points }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        func date(_ start: String) -> Date? {
            let p = start.split(separator: "-").compactMap { Int($0) }
            guard p.count == 3 else { return nil }
            return cal.date(from: DateComponents(year: p[0], month: p[1], day: p[2], hour: 12))
        }
        func string(_ d: Date) -> String {
            let c = cal.dateComponents([.year, .month, .day], from: d)
            return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
        }
        guard var cursor = date(first.start) else { return points }
        let byStart = Dictionary(points.map { ($0.start, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [TrendPoint] = []
        while true {
            let s = string(cursor)
            out.append(byStart[s] ?? TrendPoint(start: s))
            if s >= last.start { break }
            if out.count >= maxPeriods { return points }
            let step: DateComponents =
                switch granularity {
                case .day: DateComponents(day: 1)
                case .week: DateComponents(day: 7)
                case .month: DateComponents(month: 1)
                }
            guard let next = cal.date(byAdding: step, to: cursor) else { return points }
            cursor = next
        }
        // Every given point must sit on a period start of this calendar; otherwise leave them be.
        return out.count(where: { byStart[$0.start] != nil }) == byStart.count ? out : points
    }
}
