import Foundation
import SMSCore
import SMSTestSupport
import Testing

/// Local days, ISO weeks and months of the Message Trend (`docs/DOMAIN.md` §6, PITFALLS.md #14). Expected
/// instants were computed independently (Python `zoneinfo`) and are written out here.
@Suite("Trend buckets in the campaign's time zone")
struct TrendBucketerTests {
    static func bucketer(_ zone: String, _ g: TrendGranularity = .day) throws -> TrendBucketer {
        try TrendBucketer(timeZoneIdentifier: zone, granularity: g)
    }

    /// One cell of `metric` at the quarter-hour containing `epoch`.
    static func cell(_ metric: RollupMetric, at epoch: Int64, _ value: Int64 = 1) -> RollupBucketCell {
        RollupBucketCell(metric: metric, bucket: RollupKey.bucket(of: epoch), value: value)
    }

    @Test func pitfall14ClickLateOnMarch9UTCCountsOnMarch10InBerlin() throws {
        let click: Int64 = 1_710_027_000  // 2024-03-09T23:30:00Z = 00:30 on 10 March in Berlin (CET, +01:00)
        let berlin = try Self.bucketer("Europe/Berlin").trend(cells: [Self.cell(.uniqueClicks, at: click)])
        #expect(berlin == [TrendPoint(start: "2024-03-10", clicked: 1)])
        let utc = try Self.bucketer("UTC").trend(cells: [Self.cell(.uniqueClicks, at: click)])
        #expect(utc == [TrendPoint(start: "2024-03-09", clicked: 1)])
    }

    /// (zone, an instant inside the local day, the day's first instant, the next day's first
    /// instant, the label).
    static let dayBoundaries: [(String, Int64, Int64, Int64, String)] = [
        // Spring forward: 23-hour day.
        ("Europe/Berlin", 1_711_886_400, 1_711_839_600, 1_711_922_400, "2024-03-31"),
        // Fall back: 25-hour day.
        ("Europe/Berlin", 1_730_030_400, 1_729_980_000, 1_730_070_000, "2024-10-27"),
        ("America/Toronto", 1_710_086_400, 1_710_046_800, 1_710_129_600, "2024-03-10"),
        ("America/Toronto", 1_730_650_000, 1_730_606_400, 1_730_696_400, "2024-11-03"),
        // +05:30 and +05:45 (no DST).
        ("Asia/Kolkata", 1_710_050_000, 1_710_009_000, 1_710_095_400, "2024-03-10"),
        ("Asia/Kathmandu", 1_710_050_000, 1_710_008_100, 1_710_094_500, "2024-03-10"),
    ]

    @Test(arguments: dayBoundaries)
    func localDayHasItsRealLength(zone: String, inside: Int64, start: Int64, end: Int64, label: String) throws {
        let period = try Self.bucketer(zone).period(containing: inside)
        #expect(period == TrendPeriod(start: start, end: end, label: label))
        // The quarter-hours on either side of each boundary fall in different days.
        let b = try Self.bucketer(zone)
        #expect(b.periodStart(ofEpochSeconds: start) == label)
        #expect(b.periodStart(ofEpochSeconds: start - 900) != label)
        #expect(b.periodStart(ofEpochSeconds: end - 900) == label)
        #expect(b.periodStart(ofEpochSeconds: end) != label)
    }

    @Test func dstDaysSumTheirOwnQuarterHoursInBerlin() throws {
        // One `sent` per quarter-hour from 2024-03-30T23:00Z (local midnight of the 23-hour day)
        // for 24 hours: 92 fall on 31 March, the last 4 on 1 April.
        let start: Int64 = 1_711_839_600
        let cells = (0..<96).map { Self.cell(.sent, at: start + Int64($0) * 900) }
        let points = try Self.bucketer("Europe/Berlin").trend(cells: cells)
        #expect(points == [TrendPoint(start: "2024-03-31", sent: 92), TrendPoint(start: "2024-04-01", sent: 4)])
        // 25-hour day: 100 quarter-hours from 2024-10-26T22:00Z.
        let fall: Int64 = 1_729_980_000
        let autumn = try Self.bucketer("Europe/Berlin").trend(cells: (0..<104).map { Self.cell(.delivered, at: fall + Int64($0) * 900) })
        #expect(autumn == [TrendPoint(start: "2024-10-27", delivered: 100), TrendPoint(start: "2024-10-28", delivered: 4)])
    }

    @Test func kolkataAndKathmanduDaysStartAtTheirOffsets() throws {
        // 18:15Z and 18:30Z on 9 March 2024: Kathmandu's day 10 starts at 18:15Z, Kolkata's at 18:30Z.
        let a: Int64 = 1_710_008_100
        let b: Int64 = 1_710_009_000
        let cells = [Self.cell(.sent, at: a - 900), Self.cell(.sent, at: a), Self.cell(.sent, at: b)]
        #expect(
            try Self.bucketer("Asia/Kathmandu").trend(cells: cells) == [
                TrendPoint(start: "2024-03-09", sent: 1), TrendPoint(start: "2024-03-10", sent: 2),
            ])
        #expect(
            try Self.bucketer("Asia/Kolkata").trend(cells: cells) == [
                TrendPoint(start: "2024-03-09", sent: 2), TrendPoint(start: "2024-03-10", sent: 1),
            ])
    }

    /// (zone, instant, ISO week's Monday).
    static let weeks: [(String, Int64, String)] = [
        ("UTC", 1_710_072_000, "2024-03-04"),  // Sunday 2024-03-10T12:00Z
        ("UTC", 1_710_115_200, "2024-03-11"),  // Monday 2024-03-11T00:00Z
        ("Europe/Berlin", 1_710_113_400, "2024-03-11"),  // Sunday 23:30Z = Monday 00:30 in Berlin
        ("America/Toronto", 1_710_115_200, "2024-03-04"),  // Monday 00:00Z = Sunday 20:00 in Toronto
        ("UTC", 1_735_646_400, "2024-12-30"),  // Tuesday 2024-12-31 (ISO week 2025-W01)
        ("UTC", 1_735_732_800, "2024-12-30"),  // Wednesday 2025-01-01
        ("UTC", 1_736_078_400, "2024-12-30"),  // Sunday 2025-01-05
        ("UTC", 1_609_502_400, "2020-12-28"),  // Friday 2021-01-01 (ISO week 2020-W53)
    ]

    @Test(arguments: weeks)
    func isoWeeksStartOnMonday(zone: String, instant: Int64, monday: String) throws {
        #expect(try Self.bucketer(zone, .week).periodStart(ofEpochSeconds: instant) == monday)
    }

    @Test func weekSpanningNewYearIsOnePoint() throws {
        let cells = [1_735_646_400, 1_735_732_800, 1_736_078_400].map { Self.cell(.sent, at: Int64($0)) }
        #expect(try Self.bucketer("UTC", .week).trend(cells: cells) == [TrendPoint(start: "2024-12-30", sent: 3)])
        // The following Monday starts the next week.
        let next = try Self.bucketer("UTC", .week).trend(cells: cells + [Self.cell(.sent, at: 1_736_121_600)])
        #expect(next == [TrendPoint(start: "2024-12-30", sent: 3), TrendPoint(start: "2025-01-06", sent: 1)])
    }

    @Test func monthsFollowTheLocalCalendar() throws {
        // 2024-03-31T22:30Z is 00:30 on 1 April in Berlin (CEST).
        let b = try Self.bucketer("Europe/Berlin", .month)
        #expect(b.periodStart(ofEpochSeconds: 1_711_924_200) == "2024-04-01")
        #expect(try Self.bucketer("UTC", .month).periodStart(ofEpochSeconds: 1_711_924_200) == "2024-03-01")
        let p = b.period(containing: 1_711_924_200)
        #expect(p.start == 1_711_922_400)  // 2024-03-31T22:00Z
        #expect(p.end == 1_714_514_400)  // 2024-04-30T22:00Z
    }

    @Test func trendHasPeriodsWithCountsAndFilledAddsTheQuietOnes() throws {
        let cells = [Self.cell(.sent, at: 1_709_294_400, 3), Self.cell(.clicks, at: 1_709_553_600, 2)]  // 1 and 4 March, 12:00Z
        let b = try Self.bucketer("UTC")
        #expect(b.trend(cells: cells) == [TrendPoint(start: "2024-03-01", sent: 3), TrendPoint(start: "2024-03-04", clicks: 2)])
        #expect(
            b.filled(b.trend(cells: cells)) == [
                TrendPoint(start: "2024-03-01", sent: 3), TrendPoint(start: "2024-03-02"), TrendPoint(start: "2024-03-03"),
                TrendPoint(start: "2024-03-04", clicks: 2),
            ])
    }

    @Test func metricsLandInTheirColumnsAndOthersAreIgnored() throws {
        let t: Int64 = 1_709_294_400
        let cells = [
            Self.cell(.sent, at: t, 10), Self.cell(.sent, at: t + 900, 5), Self.cell(.delivered, at: t, 8),
            Self.cell(.uniqueClicks, at: t, 2), Self.cell(.clicks, at: t, 7), Self.cell(.failed, at: t, 4),
            RollupBucketCell(metric: .sent, bucket: RollupKey.total, value: 99),
        ]
        let point = try #require(try Self.bucketer("UTC").trend(cells: cells).first)
        #expect(point == TrendPoint(start: "2024-03-01", sent: 15, delivered: 8, clicked: 2, clicks: 7))
        // PITFALLS.md #13 in the trend: CTR on delivered with callbacks (2/8), on sent without (2/15).
        #expect(point.withCTR(callbacksEnabled: true).ctr == 25)
        #expect(point.withCTR(callbacksEnabled: false).ctr == CampaignStats.percent(2, 15))
    }

    @Test(arguments: ["Mars/Olympus", "", "Europe/Berlinn"])
    func unknownZoneIsRejectedByName(_ zone: String) {
        #expect(throws: TrendBucketerError.unknownTimeZone(zone)) { try Self.bucketer(zone) }
    }

    /// Property: for random instants of 2024 in Berlin, the day and the week equal a computation
    /// from the EU DST rule written out here (CEST from 2024-03-31T01:00Z to 2024-10-27T01:00Z).
    @Test func berlinDaysAndWeeksMatchTheDSTRuleForRandomInstants() throws {
        var rng = SystemRandomNumberGenerator()
        let day = try Self.bucketer("Europe/Berlin")
        let week = try Self.bucketer("Europe/Berlin", .week)
        let jan1: Int64 = 1_704_067_200
        for _ in 0..<2_000 {
            let t = jan1 + Int64.random(in: 0..<(366 * 86_400), using: &rng)
            let offset: Int64 = (t >= 1_711_846_800 && t < 1_729_990_800) ? 7_200 : 3_600
            let localDays = (t + offset) / 86_400  // days since 1970-01-01, local
            #expect(day.periodStart(ofEpochSeconds: t) == CivilDate.label(days: localDays))
            // 1970-01-01 was a Thursday: Monday-based weekday index = (days + 3) % 7.
            #expect(week.periodStart(ofEpochSeconds: t) == CivilDate.label(days: localDays - (localDays + 3) % 7))
        }
    }

}
