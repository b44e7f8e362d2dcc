import Foundation

/// The period of the overview across campaigns (issue 18, `GET /api/v1/overview?from=&to=&tz=`):
/// whole local days `from` to `to` (inclusive, `YYYY-MM-DD`) of an IANA zone, i.e. the instants
/// `[start, end)` from the first instant of `from` to the first instant of the day after `to`.
/// Every zone's offset is a multiple of 15 minutes, so the period is a whole run of quarter-hour
/// rollup buckets (``RollupKey``): `[firstBucket, endBucket)`.
///
/// Decision (the task named no format): dates, not instants, because the dashboard's period picker
/// and the daily trend are days of the operator's zone; both optional: `to` defaults to today in
/// the zone, `from` to `to` − 29 days (the last 30 days); at most ``InputLimits/overviewDays``.
public struct OverviewPeriod: Sendable, Equatable {
    /// `YYYY-MM-DD`, the first local day.
    public var from: String
    /// `YYYY-MM-DD`, the last local day (inclusive).
    public var to: String
    /// The IANA zone the days are local to.
    public var timezone: String
    /// First instant of `from`, epoch seconds.
    public var start: Int64
    /// First instant of the day after `to`, epoch seconds.
    public var end: Int64

    /// Days in a default period (today and the 29 days before).
    public static let defaultDays = 30

    /// The first quarter-hour bucket of the period.
    public var firstBucket: Int64 { RollupKey.bucket(of: start) }
    /// The first quarter-hour bucket after the period.
    public var endBucket: Int64 { RollupKey.bucket(of: end) }

    /// Whether a quarter-hour bucket lies in the period.
    public func contains(bucket: Int64) -> Bool { bucket >= firstBucket && bucket < endBucket }

    /// Reads `from`, `to` and `tz` as given in a query.
    /// - Parameters:
    ///   - from: `YYYY-MM-DD` or `nil` (`to` − 29 days).
    ///   - to: `YYYY-MM-DD` or `nil` (today in the zone at `now`).
    ///   - tz: an IANA name (``IANAZone/named(_:)``) or `nil` (`UTC`).
    ///   - now: epoch seconds, for the default `to`.
    /// - Throws: ``OverviewPeriodError`` naming the field: a zone that is not an IANA name, a
    ///   date not of the form or not in the calendar, `from` after `to`, more than 366 days.
    public init(from: String?, to: String?, tz: String?, now: Int64) throws(OverviewPeriodError) {
        let zone = tz ?? "UTC"
        if let problem = IANAZone.problem(zone, field: "tz") { throw OverviewPeriodError(field: "tz", message: problem) }
        guard let timeZone = IANAZone.named(zone) else { throw OverviewPeriodError(field: "tz", message: "tz is no zone") }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        let toDay: DateComponents
        if let to {
            toDay = try Self.date(to, field: "to", calendar: cal)
        } else {
            toDay = cal.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(now)))
        }
        let fromDay: DateComponents
        if let from {
            fromDay = try Self.date(from, field: "from", calendar: cal)
        } else {
            fromDay = Self.adding(days: -(Self.defaultDays - 1), to: toDay, calendar: cal)
        }
        let startDate = Self.startOfDay(fromDay, calendar: cal)
        let lastDate = Self.startOfDay(toDay, calendar: cal)
        let endDate = Self.startOfDay(Self.adding(days: 1, to: toDay, calendar: cal), calendar: cal)
        guard startDate <= lastDate else {
            throw OverviewPeriodError(
                field: "from", message: "from must be on or before to (got from '\(Self.label(fromDay))', to '\(Self.label(toDay))')")
        }
        let days = (cal.dateComponents([.day], from: cal.date(from: Self.noon(fromDay))!, to: cal.date(from: Self.noon(toDay))!).day ?? 0) + 1
        guard InputLimits.overviewDays.contains(Int64(days)) else {
            throw OverviewPeriodError(
                field: "from", message: "from to to must span \(InputLimits.overviewDays.description) (got \(days) days)")
        }
        self.from = Self.label(fromDay)
        self.to = Self.label(toDay)
        timezone = zone
        start = Int64(startDate.timeIntervalSince1970.rounded(.down))
        end = Int64(endDate.timeIntervalSince1970.rounded(.down))
    }

    /// The local days of the period, `YYYY-MM-DD`, in order (the overview's trend has one point each).
    public var days: [String] {
        guard let tz = IANAZone.named(timezone) else { return [] }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = tz
        var out: [String] = []
        guard var day = try? Self.date(from, field: "from", calendar: cal) else { return [] }
        while out.count <= Int(InputLimits.overviewDays.maximum) {
            let label = Self.label(day)
            out.append(label)
            if label >= to { break }
            day = Self.adding(days: 1, to: day, calendar: cal)
        }
        return out
    }

    /// `YYYY-MM-DD` of a real calendar date, as components. - Throws: naming `field`.
    static func date(_ text: String, field: String, calendar: Calendar) throws(OverviewPeriodError) -> DateComponents {
        let bytes = Array(text.utf8)
        let digit: (UInt8) -> Bool = { (0x30...0x39).contains($0) }
        let shaped = bytes.count == 10 && bytes[4] == 0x2D && bytes[7] == 0x2D
            && [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { digit(bytes[$0]) }
        let parts = shaped ? text.split(separator: "-").compactMap { Int($0) } : []
        let problem = OverviewPeriodError(
            field: field, message: "\(field) must be a date YYYY-MM-DD from 1970-01-01 to 2099-12-31 (got '\(InputEcho.text(text))')")
        guard parts.count == 3, (1970...2099).contains(parts[0]) else { throw problem }
        let c = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        // A date the calendar normalises (2026-02-30 → 2026-03-02) is no date.
        guard let d = calendar.date(from: noon(c)), label(calendar.dateComponents([.year, .month, .day], from: d)) == text else {
            throw problem
        }
        return c
    }

    static func noon(_ c: DateComponents) -> DateComponents {
        DateComponents(year: c.year, month: c.month, day: c.day, hour: 12)
    }

    static func adding(days: Int, to c: DateComponents, calendar: Calendar) -> DateComponents {
        let d = calendar.date(byAdding: .day, value: days, to: calendar.date(from: noon(c))!)!
        return calendar.dateComponents([.year, .month, .day], from: d)
    }

    /// The first instant of a local day (a day without a local midnight starts at its first instant).
    static func startOfDay(_ c: DateComponents, calendar: Calendar) -> Date {
        calendar.startOfDay(for: calendar.date(from: noon(c))!)
    }

    static func label(_ c: DateComponents) -> String {
        String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}

/// A bad `from`, `to` or `tz` of the overview (a 400 with ``message``, naming ``field``).
public struct OverviewPeriodError: Error, Equatable, Sendable, CustomStringConvertible {
    public var field: String
    public var message: String
    public var description: String { message }
}
