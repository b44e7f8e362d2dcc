import Foundation
import SMSCore
import Testing

@testable import SMSWeb

/// The dashboard in a real browser (Debian's headless Chromium): a live server on loopback seeded
/// through the API with a demo-like campaign, pages opened through one-time sign-in links, the DOM
/// read after the page's scripts ran, numbers compared with the stats API, and a screenshot of each
/// page kept under `$SMSSTATS_TEST_OUTPUT` (default `./test-output`).
@Suite("Dashboard in headless Chromium", .enabled(if: HeadlessChromium.path != nil, "chromium not installed (scripts/setup/chromium.sh)"))
struct DashboardBrowserTests {
    static var outputDirectory: URL {
        let env = ProcessInfo.processInfo.environment["SMSSTATS_TEST_OUTPUT"]
        let dir = URL(fileURLWithPath: env ?? FileManager.default.currentDirectoryPath + "/test-output")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    struct Stats: Decodable {
        var sent, delivered, inferredDelivered, uniqueClicks, clicks, botHits, convertedUsers, clickThroughConversions, revenueCents,
            controlGroup: Int64
        var ctr, convertedPercent, arpu: Double
    }
    struct LinkRow: Decodable {
        var index: Int
        var clicks, uniqueClicks, botHits: Int64
        var share: Double
    }
    struct Errors: Decodable {
        struct D: Decodable { var reason: String; var count: Int64 }
        struct E: Decodable { var code: String; var count: Int64 }
        var dispatch: [D]
        var delivery: [E]
    }
    struct Trend: Decodable {
        struct B: Decodable { var start: String; var sent, delivered, clicked: Int64 }
        var buckets: [B]
    }

    struct LogPage: Decodable {
        struct Item: Decodable { var meta, userId, outcome: String; var phone: String? }
        var items: [Item]
        var nextCursor: String?
    }
    struct LogDetail: Decodable {
        struct Event: Decodable { var type: String }
        var events: [Event]
    }

    struct SegmentId: Decodable { var id: Int64 }
    struct SegmentPreview: Decodable {
        struct P: Decodable { var userId: String }
        var count: Int
        var sample: [P]
    }

    @Test("campaign pages show the stats API's numbers; trend granularity switches; names are escaped; screenshots kept")
    func dashboardInChromium() async throws {
        try await LiveDashboardServer.withBrowser(run)
    }

    func run(_ server: LiveDashboardServer, _ browser: HeadlessChromium) async throws {
        let seeded = try await BrowserScenario.seed(server)
        let out = Self.outputDirectory
        func open(_ path: String, virtualTimeMs: Int = 2_000) async throws -> String {
            try await browser.dumpDOM(try await server.loginLink(path), virtualTimeMs: virtualTimeMs)
        }
        func shoot(_ path: String, _ name: String, size: String = "1280,2000") async throws {
            try await browser.screenshot(try await server.loginLink(path), to: out.appendingPathComponent(name), windowSize: size)
            let png = try Data(contentsOf: out.appendingPathComponent(name))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name) is a PNG")
            #expect(png.count > 10_000, "\(name) has content")
        }
        let id = seeded.mainId
        let stats = try await server.json(Stats.self, .GET, "/api/v1/campaigns/\(id)/stats")
        #expect(stats.sent > 50 && stats.delivered > 0 && stats.uniqueClicks > 0 && stats.botHits > 0 && stats.convertedUsers > 0)

        // 1. The campaign page, after its scripts ran: cards, conversions, funnel, links, errors.
        let page = try await open("/campaigns/\(id)")
        #expect(page.contains(#"role="tablist""#), "the tab script ran")
        #expect(page.contains(#"aria-selected="true""#))
        #expect(DOM.number(page, #"data-stat="sent""#) == Double(stats.sent))
        #expect(DOM.number(page, #"data-stat="delivered""#) == Double(stats.delivered))
        #expect(DOM.number(page, #"data-stat="clicked""#) == Double(stats.uniqueClicks))
        #expect(DOM.text(page, #"data-stat="ctr""#) == String(format: "%.1f%%", stats.ctr))
        #expect(DOM.text(page, #"data-stat="converted""#) == String(format: "%.1f%%", stats.convertedPercent))
        #expect(DOM.number(page, #"data-stat="convertedUsers""#) == Double(stats.convertedUsers))
        #expect(DOM.number(page, #"data-stat="clickThrough""#) == Double(stats.clickThroughConversions))
        #expect(DOM.text(page, #"data-stat="revenue""#) == DisplayFormat.money(cents: stats.revenueCents))
        #expect(DOM.text(page, #"data-stat="arpu""#) == String(format: "%.2f", stats.arpu))
        #expect(DOM.number(page, #"data-stat="controlGroup""#) == Double(stats.controlGroup))
        #expect(DOM.number(page, #"data-funnel="sent""#) == Double(stats.sent))
        #expect(DOM.number(page, #"data-funnel="delivered""#) == Double(stats.delivered))
        #expect(DOM.number(page, #"data-funnel="clicked""#) == Double(stats.uniqueClicks))
        #expect(DOM.number(page, #"data-funnel="converted""#) == Double(stats.convertedUsers))
        #expect(DOM.number(page, #"data-stat="botHits""#) == Double(stats.botHits))
        let links = try await server.json([LinkRow].self, .GET, "/api/v1/campaigns/\(id)/links")
        let linkRows = DOM.rows(page, table: "links-table")
        #expect(linkRows.count == links.count)
        for (row, api) in zip(linkRows, links) {
            #expect(DOM.int(row[2]) == api.clicks && DOM.int(row[3]) == api.uniqueClicks && DOM.int(row[6]) == api.botHits, "\(row)")
            #expect(row[4] == String(format: "%.1f%%", api.share))
        }
        let errors = try await server.json(Errors.self, .GET, "/api/v1/campaigns/\(id)/errors")
        #expect(DOM.rows(page, table: "delivery-errors").map { "\($0[0])=\(DOM.int($0[3]))" } == errors.delivery.map { "\($0.code)=\($0.count)" })
        #expect(DOM.rows(page, table: "dispatch-errors").map { "\($0[0])=\(DOM.int($0[1]))" } == errors.dispatch.map { "\($0.reason)=\($0.count)" })
        let dayTrend = try await server.json(Trend.self, .GET, "/api/v1/campaigns/\(id)/trend?granularity=day")
        let dayRows = DOM.rows(page, table: "trend-table")
        #expect(dayRows.map(\.[0]).filter { r in dayTrend.buckets.contains { $0.start == r } }.count == dayTrend.buckets.count)
        #expect(dayRows.reduce(0) { $0 + DOM.int($1[1]) } == stats.sent)
        #expect(dayTrend.buckets.count >= 3, "sends spread over several days")
        try await shoot("/campaigns/\(id)", "dashboard-2-campaign-stats-trend.png")
        try await shoot("/campaigns/\(id)#conversion", "dashboard-3-conversion-performance.png")
        try await shoot("/campaigns/\(id)#clicks", "dashboard-4-split-of-clicks.png")
        try await shoot("/campaigns/\(id)#errors", "dashboard-5-errors.png")
        try await shoot("/campaigns/\(id)", "dashboard-6-campaign-mobile.png", size: "390,1800")

        // 2. Switch the trend to weekly by following the page's own link.
        let weekHref = try #require(DOM.attribute(page, of: #"data-granularity="week""#, "href"))
        #expect(weekHref == "?granularity=week#trend")
        let weekly = try await open("/campaigns/\(id)" + weekHref)
        #expect(weekly.contains(#"<table id="trend-table" data-granularity="week">"#))
        #expect(DOM.attribute(weekly, of: #"data-tab="trend""#, "aria-selected") == "true", "the #trend hash opens the trend tab")
        let weekTrend = try await server.json(Trend.self, .GET, "/api/v1/campaigns/\(id)/trend?granularity=week")
        let weekRows = DOM.rows(weekly, table: "trend-table").filter { r in weekTrend.buckets.contains { $0.start == r[0] } }
        #expect(weekRows.map { "\($0[0]):\(DOM.int($0[1])):\(DOM.int($0[2])):\(DOM.int($0[3]))" }
            == weekTrend.buckets.map { "\($0.start):\($0.sent):\($0.delivered):\($0.clicked)" })
        let monthly = try await open("/campaigns/\(id)?granularity=month#trend")
        #expect(monthly.contains(#"<table id="trend-table" data-granularity="month">"#))
        try await shoot("/campaigns/\(id)?granularity=week#trend", "dashboard-7-trend-weekly.png")

        // 3. The campaign list: the row's numbers, and the escaping campaign's name as text.
        let list = try await open("/")
        let mainRow = try #require(DOM.rows(list, table: nil, rowAttribute: #"data-campaign="\#(id)""#).first)
        #expect(DOM.int(mainRow[2]) == stats.sent && DOM.int(mainRow[3]) == stats.delivered && mainRow[4] == String(format: "%.1f%%", stats.ctr))
        #expect(list.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!list.contains("<script>alert(1)"))
        #expect(DOM.count(list, "<script") == 1, "only the dashboard's own script element")
        try await shoot("/", "dashboard-1-campaigns.png")

        // 4. The escaping campaign's page: the name is text; callbacks off → not tracked, CTR on Sent.
        let xss = try await open("/campaigns/\(seeded.escapingId)")
        #expect(DOM.text(xss, #"id="campaign-name""#) == "&lt;script&gt;alert(1)&lt;/script&gt;")
        #expect(DOM.count(xss, "<script") == 1)
        #expect(DOM.text(xss, #"data-stat="delivered""#) == "not tracked")
        let xssStats = try await server.json(Stats.self, .GET, "/api/v1/campaigns/\(seeded.escapingId)/stats")
        #expect(DOM.text(xss, #"data-stat="ctr""#) == String(format: "%.1f%%", xssStats.ctr))
        #expect(xss.contains(#"id="note-callbacks-off""#))
        try await shoot("/campaigns/\(seeded.escapingId)", "dashboard-8-escaping-callbacks-off.png")

        // 5. A campaign still sending refreshes itself (the script re-reads the page every 5 s).
        let sending = try await open("/campaigns/\(seeded.sendingId)", virtualTimeMs: 12_000)
        #expect(sending.contains(#"data-live-refresh="5""#))
        #expect(DOM.text(sending, #"id="live-note""#)?.hasPrefix("Updated at") == true, "the live refresh ran")
        try await shoot("/campaigns/\(seeded.sendingId)", "dashboard-9-still-sending.png")

        // 6. The new-campaign form: the live counts (JavaScript) equal the server's (SegmentCounter).
        let bodies = [
            "Hello", String(repeating: "a", count: 161), String(repeating: "😎", count: 70), "Price 5€ {today} ^_^ [x] ~ | \\",
            "Sale https://shop.example.com/a/b?x=1&y=2 and (https://en.wikipedia.org/wiki/Foo_(bar)), bye.",
            "Ünïcödé ç " + String(repeating: "ab", count: 40), "请访问https://例子.com/路径。谢谢", "line one\nline two",
        ]
        for body in bodies {
            let q = body.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let form = try await open("/campaigns/new?body=\(q)")
            let expected = MessagePreview(body: body, linkBaseURL: server.base)
            #expect(DOM.attribute(form, of: #"id="counts""#, "data-live-counts") == "on", "the counter script ran")
            #expect(DOM.text(form, #"data-count="segments""#) == "\(expected.sent.segments)", "\(body)")
            #expect(DOM.text(form, #"data-count="units""#) == "\(expected.sent.units)", "\(body)")
            #expect(DOM.text(form, #"data-count="links""#) == "\(expected.links)", "\(body)")
            #expect(DOM.text(form, #"data-count="characters""#) == "\(expected.characters)", "\(body)")
            #expect(DOM.text(form, #"data-count="perSegment""#) == "\(expected.perSegment)", "\(body)")
        }
        try await shoot("/campaigns/new?name=Spring%20launch&body=" + bodies[4].addingPercentEncoding(withAllowedCharacters: .alphanumerics)!, "dashboard-10-new-campaign.png")

        // 7. Provider setup: the test callback really reaches our own callback route (200).
        let (cookie, csrf) = try await BrowserScenario.signIn(server)
        let test = try await server.call(
            .POST, "/providers/\(seeded.providerId)/test-callback", body: Data("csrf=\(csrf)".utf8), auth: false,
            headers: [("Cookie", cookie), ("Content-Type", "application/x-www-form-urlencoded")])
        let testHTML = String(decoding: test.body, as: UTF8.self)
        #expect(test.status == 200)
        #expect(testHTML.contains("Test callback answer: 200"), "\(testHTML.prefix(300))")
        #expect(testHTML.contains("Callback processed successfully"))
        try await shoot("/providers", "dashboard-11-providers.png")
        try await shoot("/ingestion-errors", "dashboard-12-ingestion-errors.png")
        try await shoot("/profiles/import", "dashboard-13-profile-import.png")
        // 8. Segments: one made through the API; its page shows the API preview's count and sample
        // (phones masked), its name as text; the edit form shows its rules as typed.
        let segment = try await server.json(
            SegmentId.self, .POST, "/api/v1/segments",
            #"{"name":"<i>US & UK</i>","match":"any","rules":[{"field":"country","op":"in","value":["US","GB"]}]}"#)
        let preview = try await server.json(SegmentPreview.self, .GET, "/api/v1/segments/\(segment.id)/preview")
        #expect(preview.count > 30 && preview.sample.count == 10)
        let segmentPage = try await open("/segments/\(segment.id)")
        #expect(DOM.number(segmentPage, #"data-segment="count""#) == Double(preview.count))
        let sampleRows = DOM.rows(segmentPage, table: "sample")
        #expect(sampleRows.map(\.[0]) == preview.sample.map(\.userId))
        #expect(sampleRows.allSatisfy { $0[1].contains("*") && ["US", "GB"].contains($0[2]) }, "\(sampleRows)")
        #expect(DOM.text(segmentPage, #"data-segment="name""#) == "&lt;i&gt;US &amp; UK&lt;/i&gt;")
        let segmentList = try await open("/segments")
        #expect(DOM.number(segmentList, #"data-count="\#(segment.id)""#) == Double(preview.count))
        let segmentEdit = try await open("/segments/\(segment.id)/edit")
        #expect(DOM.attribute(segmentEdit, of: #"id="field0""#, "value") == "country")
        #expect(DOM.attribute(segmentEdit, of: #"id="value0""#, "value") == "US, GB")
        #expect(segmentEdit.contains(#"<option value="in" selected="">in</option>"#) || segmentEdit.contains(#"<option value="in" selected>in</option>"#))
        try await shoot("/segments/\(segment.id)", "dashboard-14-segment.png")
        try await shoot("/segments/\(segment.id)/edit", "dashboard-15-segment-edit.png")

        // 9. The message log (issue 17): the page's rows are the API's page; a filter, a search by
        // phone and by user id; a row opens the message's history (the API's events in order); the
        // export link downloads the filtered CSV with the session cookie.
        func log(_ query: String) async throws -> LogPage {
            try await server.json(LogPage.self, .GET, "/api/v1/campaigns/\(id)/messages?limit=50" + query)
        }
        let apiLog = try await log("")
        let logPage = try await open("/campaigns/\(id)/messages")
        let logRows = DOM.rows(logPage, table: "messages")
        #expect(logRows.count == apiLog.items.count && apiLog.items.count == 50)
        #expect(logRows.map { Array($0.prefix(4)) } == apiLog.items.map { [$0.meta, $0.userId, $0.phone ?? "–", $0.outcome] })
        #expect(logRows.allSatisfy { $0[2].contains("*") || $0[2] == "–" }, "phones masked (– for a profile without one)")
        #expect(logRows.contains { $0[2].contains("*") })
        #expect((DOM.attribute(logPage, of: #"id="next-page""#, "href") != nil) == (apiLog.nextCursor != nil))
        let failedAPI = try await log("&outcome=failed")
        #expect(!failedAPI.items.isEmpty)
        let failedPage = try await open("/campaigns/\(id)/messages?q=&outcome=failed&clicked=&converted=&errorCode=&variant=")
        #expect(DOM.rows(failedPage, table: "messages").map(\.[0]) == failedAPI.items.map(\.meta))
        #expect(DOM.rows(failedPage, table: "messages").allSatisfy { $0[10] != "–" }, "failed rows show their error code")
        #expect(failedPage.contains(#"<option value="failed" selected"#))
        let csvHref = try #require(DOM.attribute(failedPage, of: #"id="export-csv""#, "href"))
        #expect(csvHref == "/campaigns/\(id)/messages.csv?outcome=failed")
        let csv = try await server.call(.GET, csvHref, auth: false, headers: [("Cookie", cookie)])
        #expect(csv.status == 200)
        let csvText = String(decoding: csv.body, as: UTF8.self)
        let csvLines: [String] = csvText.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(csvLines.count == failedAPI.items.count + 1)
        #expect(csvLines.first?.hasPrefix("meta,campaignId,userId,phone,outcome") == true)
        let csvMetas: [String] = csvLines.dropFirst().map { line in String(line.prefix { $0 != "," }) }
        #expect(csvMetas == failedAPI.items.map(\.meta))
        let badFilter = try await server.call(.GET, "/campaigns/\(id)/messages?outcome=bounced", auth: false, headers: [("Cookie", cookie)])
        #expect(badFilter.status == 400 && String(decoding: badFilter.body, as: UTF8.self).contains("outcome must be one of"))
        let one = try #require(try await log("&outcome=delivered&clicked=true&unmask=true").items.first)
        let phone = try #require(one.phone)
        let byPhone = try await open("/campaigns/\(id)/messages?q=" + phone.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        #expect(DOM.rows(byPhone, table: "messages").map(\.[0]) == [one.meta])
        let byUser = try await open("/campaigns/\(id)/messages?q=\(one.userId)")
        #expect(DOM.rows(byUser, table: "messages").map(\.[0]) == [one.meta])
        let href = try #require(DOM.attribute(byUser, of: #"href="/messages/"#, "href"))
        #expect(href == "/messages/\(one.meta)")
        let detailAPI = try await server.json(LogDetail.self, .GET, "/api/v1/messages/\(one.meta)")
        let detail = try await open(href)
        #expect(DOM.rows(detail, table: "events").map(\.[0]) == detailAPI.events.map(\.type))
        #expect(detailAPI.events.map(\.type).contains("click") && detailAPI.events.contains { $0.type == "queued" })
        #expect(DOM.text(detail, #"data-message="outcome""#) == "delivered")
        let campaignPage = try await open("/campaigns/\(id)")
        #expect(DOM.attribute(campaignPage, of: #"id="message-log-link""#, "href") == "/campaigns/\(id)/messages")
        try await shoot("/campaigns/\(id)/messages", "dashboard-16-message-log.png")
        try await shoot("/campaigns/\(id)/messages?outcome=failed", "dashboard-17-message-log-failed.png")
        try await shoot(href, "dashboard-18-message-history.png")

        // Nothing on the pages came from outside: no external CDN.
        for html in [page, list, xss] { #expect(!html.contains("src=\"http") && !html.contains("href=\"http")) }
    }
}
