import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SMSCore
import SMSStoreTestSupport
import Testing

@testable import SMSWeb

/// The dashboard shows what the stats API answers (`docs/DOMAIN.md` §6: one read path,
/// ``CampaignStatsQueries``): for the same campaign, the campaign page's cards, trend table and
/// split of clicks carry the numbers of `/stats`, `/trend`, `/links`, and the page's data equals
/// the API's bodies value for value. Run on SQLite and PostgreSQL over a history with every kind
/// of record, plus a stray time-bucketed cell with a dimension (which the old dashboard path added
/// into the trend and the API did not).
@Suite("Dashboard numbers equal the stats API's")
struct DashboardMatchesAPITests {
    @Test("campaign page and stats API agree on the same campaign", arguments: StoreKind.allCases)
    func dashboardEqualsAPI(kind: StoreKind) async throws {
        let f = try await StatsFixture.busyHistory(kind)
        // A dimensioned cell in a quarter-hour bucket of a trend metric: not a campaign-level count.
        try await f.testStore.query(
            "INSERT INTO rollups (campaign_id, variant, metric, dim, bucket, value) VALUES ('c1', 0, 'delivered', 'stray', ?, 7)",
            [.int(RollupKey.bucket(of: StatsFixture.t + 5))])
        let campaign = f.campaign

        try await StatsWeb.withRouter(store: f.store) { client in
            let summary = try StatsWeb.decode(StatsSummary.self, try await StatsWeb.get(client, "c1/stats"))
            let trend = try StatsWeb.decode(TrendReport.self, try await StatsWeb.get(client, "c1/trend?granularity=day"))
            let links = try StatsWeb.decode([LinkStats].self, try await StatsWeb.get(client, "c1/links"))
            let errors = try StatsWeb.decode(ErrorsReport.self, try await StatsWeb.get(client, "c1/errors"))

            // The history's own numbers, so the comparison is not between two empty pages.
            #expect(summary.all.sent == 6)
            #expect((summary.all.delivered, summary.all.uniqueClicks, summary.all.clicks, summary.all.botHits) == (2, 2, 3, 1))
            #expect(trend.buckets.map(\.delivered).reduce(0, +) == summary.all.delivered)

            // The page's data is the API's, value for value.
            let overview = try await CampaignStatsQueries(store: f.store).overview(campaign, granularity: .day)
            #expect(overview.summary == summary)
            #expect(overview.trend == trend)
            #expect(overview.links == links)
            #expect(overview.errors == errors)

            // And the rendered page shows them.
            let (cookie, _) = try await DashboardFixture.signIn(client, secret: StatsWeb.token)
            let html = try await client.execute(uri: "/campaigns/c1?granularity=day", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.status == .ok)
                return String(buffer: r.body)
            }
            let cards = Self.captures(#"data-stat="(\w+)">([^<]*)<"#, in: html)
            let card = Dictionary(cards.map { ($0[0], $0[1]) }, uniquingKeysWith: { first, _ in first })
            #expect(card["sent"] == DisplayFormat.count(summary.all.sent))
            #expect(card["delivered"] == DisplayFormat.count(summary.all.delivered))
            #expect(card["clicked"] == DisplayFormat.count(summary.all.uniqueClicks))
            #expect(card["ctr"] == DisplayFormat.percent(summary.all.ctr))
            #expect(card["converted"] == DisplayFormat.percent(summary.all.convertedPercent))
            #expect(card["botHits"] == DisplayFormat.count(summary.all.botHits))

            let rows = Self.captures(
                #"<tr><th scope="row">([0-9-]+)</th><td class="num">([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td></tr>"#,
                in: html)
            #expect(rows == trend.buckets.map {
                [$0.start, DisplayFormat.count($0.sent), DisplayFormat.count($0.delivered), DisplayFormat.count($0.clicked)]
            })
            #expect(Self.captures(#"data-link-clicks>([^<]*)<"#, in: html).map(\.[0]) == links.map { DisplayFormat.count($0.clicks) })
            #expect(Self.captures(#"data-link-unique>([^<]*)<"#, in: html).map(\.[0]) == links.map { DisplayFormat.count($0.uniqueClicks) })
            #expect(Self.captures(#"data-link-bots>([^<]*)<"#, in: html).map(\.[0]) == links.map { DisplayFormat.count($0.botHits) })
        }
    }

    /// The capture groups of every match of `pattern` in `text`.
    static func captures(_ pattern: String, in text: String) -> [[String]] {
        let regex = try! NSRegularExpression(pattern: pattern)
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
            (1..<m.numberOfRanges).map { ns.substring(with: m.range(at: $0)) }
        }
    }
}
