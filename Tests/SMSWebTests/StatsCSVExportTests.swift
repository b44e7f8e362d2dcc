import CSV
import Foundation
import SMSCore
import Testing

@testable import SMSWeb

/// RFC 4180 output and CSV-injection guarding of the stats export.
@Suite("Stats CSV export")
struct StatsCSVExportTests {
    @Test(arguments: [
        ("=1+2", "'=1+2"), ("+33 6 12", "'+33 6 12"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
        ("\rx", "'\rx"), ("a=b", "a=b"), ("https://x.example/?a=1", "https://x.example/?a=1"), ("", ""),
    ])
    func textThatLooksLikeAFormulaIsPrefixed(input: String, output: String) {
        #expect(StatsCSVExport.safeText(input) == output)
    }

    @Test func fieldsAreQuotedPerRFC4180WithCRLF() throws {
        let data = try StatsCSVExport.write([
            [.text("plain"), .text("a,b"), .text("say \"hi\""), .text("line1\nline2"), .text("=HYPERLINK(\"http://x\")"),
             .number("-3.5")],
            [],
            [.text("ünïcödé 😎"), .text("cr\r\nlf")],
        ])
        let expected =
            "\u{FEFF}plain,\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\",\"'=HYPERLINK(\"\"http://x\"\")\",-3.5\r\n"
            + "\r\n"
            + "ünïcödé 😎,\"cr\r\nlf\"\r\n"
        #expect(String(decoding: data, as: UTF8.self) == expected)
        #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF])
        // A CSV reader gets the same fields back (numbers unchanged, formula text prefixed).
        let reader = try CSVReader(string: String(decoding: data.dropFirst(3), as: UTF8.self))
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        #expect(rows.first == ["plain", "a,b", "say \"hi\"", "line1\nline2", "'=HYPERLINK(\"http://x\")", "-3.5"])
        #expect(rows.last == ["ünïcödé 😎", "cr\r\nlf"])
    }

    @Test func renderWritesSummaryWithVariantColumnsTrendAndLinks() throws {
        let stats = CampaignStats(totals: [.sent: 10, .delivered: 8, .uniqueClicks: 2, .clicks: 3], callbacksEnabled: true)
        let v0 = CampaignStats(totals: [.sent: 4, .delivered: 4, .uniqueClicks: 1, .clicks: 1], callbacksEnabled: true)
        let v1 = CampaignStats(totals: [.sent: 6, .delivered: 4, .uniqueClicks: 1, .clicks: 2], callbacksEnabled: true)
        let campaign = Campaign(
            id: "c1", name: "Spring, 2024", providerId: "p", body: "", links: ["https://a.example/?x=1,2", "-https://b.example"],
            audience: .all, timezone: "Europe/Berlin", goal: nil, createdAt: 0)
        let data = try StatsCSVExport.render(
            campaign: campaign,
            summary: StatsSummary(all: stats, variants: [VariantStats(variant: 0, stats: v0), VariantStats(variant: 1, stats: v1)]),
            trend: TrendReport(
                granularity: .day, timezone: "Europe/Berlin", callbacksEnabled: true, ctrDenominator: "delivered",
                buckets: [TrendPoint(start: "2024-03-10", sent: 10, delivered: 8, clicked: 2, clicks: 3, ctr: 25)]),
            links: [
                LinkStats(index: 0, url: "https://a.example/?x=1,2", clicks: 2, uniqueClicks: 2, share: 200.0 / 3.0, botHits: 0),
                LinkStats(index: 1, url: "-https://b.example", clicks: 1, uniqueClicks: 1, share: 100.0 / 3.0, botHits: 4),
            ])
        let reader = try CSVReader(string: String(decoding: data.dropFirst(3), as: UTF8.self))
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        #expect(rows[0] == ["Campaign", "Spring, 2024"])
        #expect(rows[1] == ["Campaign ID", "c1"])
        #expect(rows.contains(["metric", "all", "variant 0", "variant 1"]))
        #expect(rows.contains(["sent", "10", "4", "6"]))
        #expect(rows.contains(["ctr", "25.0", "25.0", "25.0"]))
        #expect(rows.contains(["ctrDenominator", "delivered", "delivered", "delivered"]))
        #expect(rows.contains(["Trend (day, Europe/Berlin, CTR on delivered)"]))
        #expect(rows.contains(["start", "sent", "delivered", "clicked", "clicks", "ctr"]))
        #expect(rows.contains(["2024-03-10", "10", "8", "2", "3", "25.0"]))
        #expect(rows.contains(["link", "url", "clicks", "uniqueClicks", "share", "botHits"]))
        #expect(rows.contains(["1", "https://a.example/?x=1,2", "2", "2", String(200.0 / 3.0), "0"]))
        #expect(rows.contains(["2", "'-https://b.example", "1", "1", String(100.0 / 3.0), "4"]))
        let summary = try #require(rows.firstIndex(of: ["Summary"]))
        let trend = try #require(rows.firstIndex(of: ["Trend (day, Europe/Berlin, CTR on delivered)"]))
        let links = try #require(rows.firstIndex(of: ["Links"]))
        #expect(summary < trend && trend < links)
        #expect(rows[(summary + 2)...].prefix(StatsCSVExport.summaryFields.count).map { $0[0] } == StatsCSVExport.summaryFields.map(\.0))
    }

    @Test func theOtherLinksRowIsLabelledAndHasNoURL() throws {
        let campaign = Campaign(
            id: "c1", name: "C", providerId: "p", body: "", links: ["https://a.example/"], audience: .all, timezone: "UTC",
            goal: nil, createdAt: 0)
        let data = try StatsCSVExport.render(
            campaign: campaign, summary: StatsSummary(all: CampaignStats(totals: [:], callbacksEnabled: true), variants: []),
            trend: TrendReport(granularity: .day, timezone: "UTC", callbacksEnabled: true, ctrDenominator: "delivered", buckets: []),
            links: CampaignReport.links(
                totals: [RollupKey(.linkClicks, dim: "0"): 3, RollupKey(.linkClicks, dim: "-1"): 1], urls: ["https://a.example/"]))
        let reader = try CSVReader(string: String(decoding: data.dropFirst(3), as: UTF8.self))
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        let links = try #require(rows.firstIndex(of: ["Links"]))
        #expect(
            Array(rows[(links + 2)...])
                == [["1", "https://a.example/", "3", "0", "75.0", "0"], ["Other links (reported by the provider)", "", "1", "0", "25.0", "0"]])
    }
}
