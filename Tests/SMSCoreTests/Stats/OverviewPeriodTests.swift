import Foundation
import Testing

@testable import SMSCore

/// Issue 18: the overview's period (``OverviewPeriod``) and its pure rules (``CampaignsOverview``).
@Suite("Overview period and rules (issue 18)")
struct OverviewPeriodTests {
    @Test("from/to are whole local days of tz: start and end instants, bucket bounds, the days")
    func localDays() throws {
        let p = try OverviewPeriod(from: "2026-03-28", to: "2026-03-30", tz: "Europe/Berlin", now: 0)
        // 2026-03-28 00:00 CET = 2026-03-27T23:00Z; 2026-03-31 00:00 CEST = 2026-03-30T22:00Z (DST on the 29th).
        #expect(p.start == 1_774_652_400 && p.end == 1_774_908_000)
        #expect(p.end - p.start == 3 * 86_400 - 3_600)
        #expect(p.days == ["2026-03-28", "2026-03-29", "2026-03-30"])
        #expect(p.firstBucket == p.start / 900 && p.endBucket == p.end / 900)
        #expect(p.contains(bucket: p.firstBucket) && !p.contains(bucket: p.endBucket) && !p.contains(bucket: p.firstBucket - 1))
        let kolkata = try OverviewPeriod(from: "2026-01-01", to: "2026-01-01", tz: "Asia/Kolkata", now: 0)
        #expect(kolkata.start == 1_767_205_800 && kolkata.end - kolkata.start == 86_400)  // 2025-12-31T18:30Z
    }

    @Test("defaults: to = today in tz at now, from = to - 29 days; tz UTC")
    func defaults() throws {
        // 2026-12-07T23:30Z is already 2026-12-08 in Berlin.
        let now: Int64 = 1_796_686_200
        let utc = try OverviewPeriod(from: nil, to: nil, tz: nil, now: now)
        #expect(utc.timezone == "UTC" && utc.to == "2026-12-07" && utc.from == "2026-11-08" && utc.days.count == 30)
        let berlin = try OverviewPeriod(from: nil, to: nil, tz: "Europe/Berlin", now: now)
        #expect(berlin.to == "2026-12-08" && berlin.from == "2026-11-09")
        #expect(try OverviewPeriod(from: nil, to: "2026-03-01", tz: nil, now: now).from == "2026-01-31")
    }

    @Test("refusals name the field and the allowed form or range")
    func refusals() {
        func problem(_ from: String?, _ to: String?, _ tz: String?) -> OverviewPeriodError? {
            do {
                _ = try OverviewPeriod(from: from, to: to, tz: tz, now: 1_796_686_200)
                return nil
            } catch { return error }
        }
        #expect(problem("2026-02-30", "2026-03-01", nil)?.message == "from must be a date YYYY-MM-DD from 1970-01-01 to 2099-12-31 (got '2026-02-30')")
        #expect(problem("2026-02-01", "26-3-1", nil)?.field == "to")
        #expect(problem("2026-02-01", "2100-01-01", nil)?.field == "to")
        #expect(problem("2026-02-01", "2026-0３-01", nil)?.field == "to")
        #expect(problem("2026-03-02", "2026-03-01", nil)?.message == "from must be on or before to (got from '2026-03-02', to '2026-03-01')")
        #expect(problem("2025-01-01", "2026-01-02", nil)?.message == "from to to must span an integer from 1 to 366 days (got 367 days)")
        #expect(problem("2024-01-01", "2024-12-31", nil) == nil)  // 366 days of a leap year
        #expect(problem(nil, nil, "GMT+14")?.field == "tz")
        #expect(problem(nil, nil, "Nowhere/Land")?.message == "tz must be an IANA time zone name such as Europe/Berlin, or UTC (got 'Nowhere/Land')")
    }

    static func input(_ id: String, sent: Int64, delivered: Int64, clicks: Int64, callbacks: Bool) -> CampaignsOverview.Input {
        var totals = RollupDelta()
        totals[RollupKey(.sent)] = sent
        totals[RollupKey(.delivered)] = delivered
        totals[RollupKey(.uniqueClicks)] = clicks
        totals[RollupKey(.failedByCode, dim: "30003")] = 2
        let c = Campaign(
            id: id, name: "N " + id, providerId: "p", body: "b", links: [], audience: .all, timezone: "UTC", goal: nil, createdAt: 0)
        return CampaignsOverview.Input(
            campaign: c, callbacksEnabled: callbacks, stats: CampaignReport.stats(totals: totals, callbacksEnabled: callbacks),
            totals: totals, days: [TrendPoint(start: "2026-03-02", sent: sent, delivered: delivered, clicked: clicks)], cost: nil)
    }

    @Test("rates from sums with each campaign's CTR denominator; rankings by minSent, callbacks and ties")
    func rules() throws {
        let period = try OverviewPeriod(from: "2026-03-01", to: "2026-03-03", tz: "UTC", now: 0)
        let o = CampaignsOverview(
            period: period, minSent: 100,
            inputs: [
                Self.input("a", sent: 200, delivered: 150, clicks: 30, callbacks: true),  // CTR 20 %, DR 75 %
                Self.input("b", sent: 100, delivered: 0, clicks: 10, callbacks: false),  // CTR 10 % on sent
                Self.input("c", sent: 400, delivered: 300, clicks: 60, callbacks: true),  // CTR 20 %, DR 75 %: tie, more sent
                Self.input("d", sent: 99, delivered: 99, clicks: 99, callbacks: true),  // below minSent
            ])
        #expect(o.totals.sent == 799 && o.totals.delivered == 549 && o.totals.uniqueClicks == 199)
        #expect(o.totals.ctrDenominatorCount == 150 + 100 + 300 + 99)
        #expect(o.totals.ctr == CampaignStats.percent(199, 649))
        #expect(o.totals.deliveryRate == CampaignStats.percent(549, 799))
        #expect(o.trend.map(\.start) == ["2026-03-01", "2026-03-02", "2026-03-03"])
        #expect(o.trend[1].sent == 799 && o.trend[1].ctr == CampaignStats.percent(199, 649) && o.trend[0].sent == 0)
        #expect(o.rankings.ctr?.best.id == "c" && o.rankings.ctr?.worst.id == "b")
        #expect(o.rankings.deliveryRate?.best.id == "c" && o.rankings.deliveryRate?.worst.id == "c")
        #expect(o.campaigns.map(\.id) == ["c", "a", "b", "d"])
        #expect(o.topErrors == [CampaignBreakdown.ErrorCount(code: "30003", count: 8)])
        let none = CampaignsOverview(period: period, minSent: 1_000, inputs: [Self.input("a", sent: 200, delivered: 150, clicks: 30, callbacks: true)])
        #expect(none.rankings.ctr == nil && none.rankings.deliveryRate == nil)
        let json = String(decoding: try JSONEncoder().encode(none.rankings), as: UTF8.self)
        #expect(json.contains("\"ctr\":null") && json.contains("\"deliveryRate\":null"))
    }

    @Test("compare ids: 2 to 5, none empty, none twice")
    func compareIds() throws {
        #expect(try OverviewQueries.compareIds("a,b") == ["a", "b"])
        #expect(try OverviewQueries.compareIds("a,b,c,d,e").count == 5)
        for bad in ["a", "a,b,c,d,e,f", "a,,b", "a,b,a", ""] {
            #expect(throws: CompareIdsError.self) { try OverviewQueries.compareIds(bad) }
        }
        #expect(throws: CompareIdsError(description: "ids must be 2 to 5 campaign ids separated by commas (got 6)")) {
            try OverviewQueries.compareIds("a,b,c,d,e,f")
        }
        #expect(throws: CompareIdsError(description: "ids must be 2 to 5 campaign ids separated by commas (ids is required)")) {
            try OverviewQueries.compareIds(nil)
        }
    }
}
