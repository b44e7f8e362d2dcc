import Foundation
import Testing

@testable import SMSCore

@Suite("Message Trend: quiet periods filled with zeros")
struct TrendGapTests {
    func bucketer(_ tz: String, _ g: TrendGranularity) throws -> TrendBucketer {
        try TrendBucketer(timeZoneIdentifier: tz, granularity: g)
    }

    @Test("days: the missing days between the first and the last appear as zero points")
    func days() throws {
        let b = try bucketer("UTC", .day)
        let filled = b.filled([TrendPoint(start: "2024-02-27", sent: 5), TrendPoint(start: "2024-03-02", clicked: 1)])
        #expect(filled.map(\.start) == ["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01", "2024-03-02"])
        #expect(filled.map(\.sent) == [5, 0, 0, 0, 0])
        #expect(filled.map(\.clicked) == [0, 0, 0, 0, 1])
    }

    @Test("days across a DST change stay one calendar day apart (Berlin, 31 March 2024 has 23 hours)")
    func dst() throws {
        let b = try bucketer("Europe/Berlin", .day)
        let filled = b.filled([TrendPoint(start: "2024-03-30", sent: 1), TrendPoint(start: "2024-04-02", sent: 1)])
        #expect(filled.map(\.start) == ["2024-03-30", "2024-03-31", "2024-04-01", "2024-04-02"])
        let fall = b.filled([TrendPoint(start: "2024-10-26", sent: 1), TrendPoint(start: "2024-10-28", sent: 1)])
        #expect(fall.map(\.start) == ["2024-10-26", "2024-10-27", "2024-10-28"])
    }

    @Test("ISO weeks step Monday to Monday across the year end; months step to the 1st")
    func weeksAndMonths() throws {
        let w = try bucketer("Asia/Kathmandu", .week)
        #expect(w.filled([TrendPoint(start: "2024-12-23"), TrendPoint(start: "2025-01-13")]).map(\.start)
            == ["2024-12-23", "2024-12-30", "2025-01-06", "2025-01-13"])
        let m = try bucketer("Asia/Kolkata", .month)
        #expect(m.filled([TrendPoint(start: "2024-11-01"), TrendPoint(start: "2025-02-01")]).map(\.start)
            == ["2024-11-01", "2024-12-01", "2025-01-01", "2025-02-01"])
    }

    @Test("filled trends of real buckets keep every count (random cells, compared with the unfilled trend)")
    func keepsCounts() throws {
        var rng = SystemRandomNumberGenerator()
        for tz in ["Europe/Berlin", "Asia/Kolkata", "Asia/Kathmandu", "America/New_York", "UTC"] {
            for g in TrendGranularity.allCases {
                let b = try bucketer(tz, g)
                var cells: [RollupBucketCell] = []
                let base = RollupKey.bucket(of: 1_700_000_000)
                for _ in 0..<50 {
                    cells.append(RollupBucketCell(metric: [.sent, .delivered, .uniqueClicks][Int.random(in: 0..<3, using: &rng)],
                                  bucket: base + Int64.random(in: 0..<(96 * 120), using: &rng), value: Int64.random(in: 1...9, using: &rng)))
                }
                let trend = b.trend(cells: cells)
                let filled = b.filled(trend)
                #expect(filled.filter { $0.sent + $0.delivered + $0.clicked > 0 } == trend)
                #expect(filled.map(\.start) == filled.map(\.start).sorted())
                #expect(Set(filled.map(\.start)).count == filled.count)
                for p in filled { #expect(b.periodStart(ofEpochSeconds: epoch(p.start, tz)) == p.start, "\(tz) \(g) \(p.start)") }
            }
        }
    }

    @Test("a span longer than maxPeriods, an empty trend, or starts off the calendar are returned unchanged")
    func guards() throws {
        let b = try bucketer("UTC", .day)
        let far = [TrendPoint(start: "2020-01-01", sent: 1), TrendPoint(start: "2024-01-01", sent: 1)]
        #expect(b.filled(far, maxPeriods: 100) == far)
        #expect(b.filled([]) == [])
        let w = try bucketer("UTC", .week)
        let offCalendar = [TrendPoint(start: "2024-01-01"), TrendPoint(start: "2024-01-10")]  // a Wednesday
        #expect(w.filled(offCalendar) == offCalendar)
    }

    /// Noon of a local `YYYY-MM-DD` as epoch seconds.
    func epoch(_ day: String, _ tz: String) -> Int64 {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: tz)!
        let p = day.split(separator: "-").map { Int($0)! }
        return Int64(cal.date(from: DateComponents(year: p[0], month: p[1], day: p[2], hour: 12))!.timeIntervalSince1970)
    }
}
