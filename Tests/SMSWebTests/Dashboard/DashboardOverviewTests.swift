import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SMSCore
import Testing

@testable import SMSWeb

/// Issue 18: the dashboard home's overview and the comparison page show the API's numbers
/// (`GET /api/v1/overview`, `GET /api/v1/compare`), names escaped; bad parameters are the 400 page.
@Suite("Dashboard overview and comparison (issue 18)")
struct DashboardOverviewTests {
    typealias F = DashboardFixture

    static func page(_ client: some TestClientProtocol, _ path: String, cookie: String) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: path, method: .get, headers: [.cookie: cookie]) { r in (r.status, String(buffer: r.body)) }
    }

    static func api<T: Decodable>(_ type: T.Type, _ client: some TestClientProtocol, _ path: String) async throws -> T {
        try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(F.token)"]) { r in
            #expect(r.status == .ok, "\(path): \(String(buffer: r.body))")
            return try JSONDecoder().decode(T.self, from: Data(buffer: r.body))
        }
    }

    @Test("home: the last 30 days' totals, rows and trend as the API has them; compare: both campaigns side by side")
    func homeAndCompare() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let s1 = try await F.seed(client, store: store, name: "<b>Spring</b> & co")
            let s2 = try await F.seed(client, store: store, name: "Autumn", callbacks: false)
            try await F.callback(client, s1, #"[{"event":"delivered","data":[{"meta":"\#(s1.a.meta)","ts":\#(Int64(Date().timeIntervalSince1970))}]}]"#)
            try await F.click(client, s1.a, link: 0)
            let (cookie, _) = try await F.signIn(client)

            let api = try await Self.api(CampaignsOverview.self, client, "/api/v1/overview")
            let stats1 = try await Self.api(StatsSummary.self, client, "/api/v1/campaigns/\(s1.campaignId)/stats").all
            let stats2 = try await Self.api(StatsSummary.self, client, "/api/v1/campaigns/\(s2.campaignId)/stats").all
            #expect(api.totals.campaigns == 2 && api.totals.sent == stats1.sent + stats2.sent && api.totals.sent > 0)
            #expect(api.totals.delivered == stats1.delivered + stats2.delivered && stats1.delivered == 1)

            let (status, html) = try await Self.page(client, "/", cookie: cookie)
            #expect(status == .ok)
            #expect(F.text(html, #"data-overview="sent""#) == DisplayFormat.count(api.totals.sent))
            #expect(F.text(html, #"data-overview="campaigns""#) == "2")
            #expect(F.text(html, #"data-overview="delivered""#) == DisplayFormat.count(api.totals.delivered))
            #expect(html.contains(#"data-overview-campaign="\#(s1.campaignId)""#) && html.contains(#"data-overview-campaign="\#(s2.campaignId)""#))
            #expect(html.contains("&lt;b&gt;Spring&lt;/b&gt; &amp; co") && !html.contains("<b>Spring</b>"))
            #expect(html.contains(#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" id="overview-trend""#))
            #expect(html.contains(#"name="from" value="\#(api.from)""#) && html.contains(#"name="to" value="\#(api.to)""#))
            #expect(html.contains(#"<input type="checkbox" name="id" value="\#(s1.campaignId)""#))

            let (cmpStatus, cmp) = try await Self.page(client, "/compare?id=\(s1.campaignId)&id=\(s2.campaignId)", cookie: cookie)
            #expect(cmpStatus == .ok)
            let api2 = try await Self.api(CampaignComparison.self, client, "/api/v1/compare?ids=\(s1.campaignId),\(s2.campaignId)")
            #expect(api2.campaigns.map(\.stats) == [stats1, stats2])
            #expect(Self.cell(cmp, "sent", s1.campaignId) == DisplayFormat.count(stats1.sent))
            #expect(Self.cell(cmp, "delivered", s2.campaignId) == "not tracked")
            #expect(Self.cell(cmp, "ctr", s1.campaignId) == String(format: "%.1f%% on delivered", stats1.ctr))
            #expect(cmp.contains("&lt;b&gt;Spring&lt;/b&gt; &amp; co") && !cmp.contains("<b>Spring</b>"))

            let (one, onePage) = try await Self.page(client, "/compare?id=\(s1.campaignId)", cookie: cookie)
            #expect(one == .badRequest && onePage.contains("ids must be 2 to 5 campaign ids separated by commas (got 1)"))
            let (bad, badPage) = try await Self.page(client, "/?from=2024-02-30", cookie: cookie)
            #expect(bad == .badRequest && badPage.contains("from must be a date YYYY-MM-DD"))
            // The zone cookie dashboard.js writes is the default zone; a zone that is none is ignored.
            let (_, berlin) = try await Self.page(client, "/", cookie: cookie + "; smsstats_tz=Europe%2FBerlin")
            #expect(berlin.contains(#"data-overview-tz="Europe/Berlin""#))
            let (_, junk) = try await Self.page(client, "/", cookie: cookie + "; smsstats_tz=Mars%2FBase")
            #expect(junk.contains(#"data-overview-tz="UTC""#))
            // The archived list shows no overview.
            let (_, archived) = try await Self.page(client, "/?archived=true", cookie: cookie)
            #expect(!archived.contains(#"id="overview""#))
        }
    }

    /// The text of the comparison's cell of row `row` and campaign `id`.
    static func cell(_ html: String, _ row: String, _ id: String) -> String? {
        guard let r = html.range(of: #"data-row="\#(row)""#) else { return nil }
        return F.text(String(html[r.upperBound...]), #"data-campaign="\#(id)""#)
    }
}
