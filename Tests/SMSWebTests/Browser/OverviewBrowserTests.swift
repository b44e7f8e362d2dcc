import Foundation
import SMSCore
import Testing

@testable import SMSWeb

/// Issue 18: the dashboard home's overview and the comparison page in a real browser (Debian's
/// headless Chromium): two campaigns sent over the last days (the live gateway stamps sends up to
/// 5 days back), receipts and clicks through the real routes; the home's cards, campaign rows,
/// trend table and rankings, and the comparison's cells, read from the DOM after the scripts ran,
/// equal `GET /api/v1/overview` and `GET /api/v1/compare`; names are text; screenshots kept under
/// `$SMSSTATS_TEST_OUTPUT`.
@Suite("Dashboard in headless Chromium: overview and comparison", .enabled(if: HeadlessChromium.path != nil, "chromium not installed (scripts/setup/chromium.sh)"))
struct OverviewBrowserTests {
    struct Campaign: Decodable { var id: String }

    @Test("home overview and comparison show the API's numbers")
    func overviewInChromium() async throws {
        try await LiveDashboardServer.withBrowser(run)
    }

    func run(_ server: LiveDashboardServer, _ browser: HeadlessChromium) async throws {
        let acme = try await BrowserScenario.provider(server, "Acme SMS", callbacks: true)
        let plain = try await BrowserScenario.provider(server, "Plain SMS", callbacks: false)
        var profiles: [String] = []
        for i in 0..<60 { profiles.append(#"{"userId":"o-\#(i)","phone":"+49 151 2345 \#(String(format: "%04d", i))"}"#) }
        _ = try await server.call(.POST, "/api/v1/profiles", body: Data(("[" + profiles.joined(separator: ",") + "]").utf8))
        let users = (0..<60).map { "\"o-\($0)\"" }
        let first = try await server.json(
            Campaign.self, .POST, "/api/v1/campaigns",
            #"{"name":"Spring <em>launch</em>","providerId":"\#(acme.id)","body":"Spring https://shop.example.com/s","audience":{"userIds":[\#(users.prefix(40).joined(separator: ","))]},"timezone":"UTC"}"#)
        let second = try await server.json(
            Campaign.self, .POST, "/api/v1/campaigns",
            #"{"name":"Autumn","providerId":"\#(plain.id)","body":"Autumn https://shop.example.com/a","audience":{"userIds":[\#(users.suffix(20).joined(separator: ","))]},"timezone":"UTC"}"#)
        for c in [first, second] {
            _ = try await server.call(.POST, "/api/v1/campaigns/\(c.id)/publish")
            try await server.waitDispatched(c.id)
        }
        let sent = server.gateway.sent.withLock { $0 }.sorted { $0.meta < $1.meta }
        var groups: [String] = []
        for (i, m) in sent.enumerated() where m.body.hasPrefix("Spring") {
            switch i % 4 {
            case 0, 1: groups.append(#"{"event":"delivered","data":[{"meta":"\#(m.meta)","ts":\#(m.at + 20)}]}"#)
            case 2: groups.append(#"{"event":"failed","data":[{"meta":"\#(m.meta)","ts":\#(m.at + 20),"code":"\#(i % 3 == 0 ? "914" : "30003")"}]}"#)
            default: break
            }
        }
        let cb = try await server.call(.POST, String(acme.callbackUrl.dropFirst(server.base.count)), body: Data(("[" + groups.joined(separator: ",") + "]").utf8), auth: false)
        #expect(cb.status == 200)
        for (i, m) in sent.enumerated() where i % 3 == 0 {
            if let link = m.body.split(separator: " ").last { try await server.hit(String(link)) }
        }

        let api = try await server.json(CampaignsOverview.self, .GET, "/api/v1/overview?minSent=10")
        #expect(api.totals.campaigns == 2 && api.totals.sent == 60 && api.totals.failed > 0 && api.totals.uniqueClicks > 0)
        func open(_ path: String) async throws -> String {
            try await browser.dumpDOM(try await server.loginLink(path), virtualTimeMs: 1_000)
        }
        let home = try await open("/")
        #expect(DOM.number(home, #"data-overview="campaigns""#) == 2)
        #expect(DOM.number(home, #"data-overview="sent""#) == Double(api.totals.sent))
        #expect(DOM.number(home, #"data-overview="delivered""#) == Double(api.totals.delivered))
        #expect(DOM.number(home, #"data-overview="failed""#) == Double(api.totals.failed))
        #expect(DOM.number(home, #"data-overview="uniqueClicks""#) == Double(api.totals.uniqueClicks))
        #expect(home.contains("CTR \(String(format: "%.1f%%", api.totals.ctr))"))
        let rows = DOM.rows(home, table: "overview-campaigns")
        #expect(rows.count == 2)
        for c in api.campaigns {
            let row = try #require(DOM.rows(home, table: "overview-campaigns", rowAttribute: #"data-overview-campaign="\#(c.id)""#).first)
            #expect(DOM.int(row[4]) == c.sent && DOM.int(row[3]) == c.periodSent && DOM.int(row[7]) == c.failed, "\(row)")
            #expect(row[8] == String(format: "%.1f%%", c.ctr), "\(row)")
        }
        #expect(home.contains("Spring &lt;em&gt;launch&lt;/em&gt;") && !home.contains("<em>launch</em>"))
        let trendRows = DOM.rows(home, table: "overview-trend-table")
        #expect(trendRows.count == 30 && trendRows.map(\.[0]) == api.trend.map(\.start))
        #expect(trendRows.reduce(0) { $0 + DOM.int($1[1]) } == 60)
        #expect(zip(trendRows, api.trend).allSatisfy { DOM.int($0[1]) == $1.sent && DOM.int($0[2]) == $1.delivered && DOM.int($0[3]) == $1.clicked })
        #expect(DOM.count(home, "<polyline") == 3, "the trend's three series")
        let errors = DOM.rows(home, table: "overview-errors").map { "\($0[0])=\(DOM.int($0[1]))" }
        #expect(errors == api.topErrors.map { "\($0.code)=\($0.count)" } && !errors.isEmpty)
        // The dashboard ranks with the default minSent (100): neither campaign qualifies.
        #expect(DOM.rows(home, table: "overview-rankings").allSatisfy { $0[1] == "No campaign qualifies" })
        #expect(api.rankings.ctr != nil, "with minSent=10 the API ranks them")

        let compare = try await open("/compare?id=\(first.id)&id=\(second.id)")
        let cmp = try await server.json(CampaignComparison.self, .GET, "/api/v1/compare?ids=\(first.id),\(second.id)")
        let cells = DOM.rows(compare, table: "comparison")
        func row(_ label: String) -> [String]? { cells.first { $0.first == label } }
        #expect(row("Sent").map { $0.dropFirst().map(DOM.int) } == cmp.campaigns.map(\.stats.sent))
        #expect(row("Failed").map { $0.dropFirst().map(DOM.int) } == cmp.campaigns.map(\.stats.failed))
        #expect(row("Delivered")?.last == "not tracked" && DOM.int(row("Delivered")?[1] ?? "") == cmp.campaigns[0].stats.delivered)
        #expect(row("Delivery time p50")?[1] == cmp.campaigns[0].latency.p50Seconds.map { "\($0) s" } && cmp.campaigns[0].latency.p50Seconds == 20)
        #expect(row("Cost")?.dropFirst().allSatisfy { $0 == "no price table" } == true)
        #expect(compare.contains("Spring &lt;em&gt;launch&lt;/em&gt;"))

        let out = DashboardBrowserTests.outputDirectory
        for (path, name) in [("/", "dashboard-16-overview.png"), ("/compare?id=\(first.id)&id=\(second.id)", "dashboard-17-compare.png")] {
            try await browser.screenshot(try await server.loginLink(path), to: out.appendingPathComponent(name), windowSize: "1280,2200")
            let png = try Data(contentsOf: out.appendingPathComponent(name))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000, "\(name)")
        }
    }
}
