import Foundation
import SMSCore
import Testing

@testable import SMSWeb

/// Issue 18: the campaign page's Delivery tab and the new-campaign form's cost warning in a real
/// browser (Debian's headless Chromium), on the live application: the numbers the tab shows are
/// the API's (`/latency`, `/breakdown?by=…`, `/cost`) and the values the scenario was built to give.
@Suite("Dashboard in headless Chromium: Delivery tab and cost warning", .enabled(if: HeadlessChromium.path != nil, "chromium not installed (scripts/setup/chromium.sh)"))
struct DeliveryTabBrowserTests {
    struct Provider: Decodable { var id: String; var callbackUrl: String }
    struct Campaign: Decodable { var id: String; var warnings: [String]? }

    @Test("the Delivery tab shows the latency, the country / carrier / provider tables and the cost cards the API answers")
    func deliveryTabInChromium() async throws {
        try await LiveDashboardServer.withBrowser(delivery)
    }

    /// 8 German and 4 US numbers, one segment each, priced 0.07 EUR (DE) and 0.05 EUR (default).
    /// Receipts: DE 0–5 delivered after 5, 5, 5, 12, 12, 30 s (networks 26202 ×5, 26201), DE 6
    /// failed 914 on 26202, DE 7 none; US 0 delivered after 70 s on 310260, US 1 after 400 s with
    /// a bad network "xx", US 2 none, US 3 failed 901 without a network. One human click (DE 0).
    func delivery(_ s: LiveDashboardServer, _ browser: HeadlessChromium) async throws {
        let acme = try await s.json(
            Provider.self, .POST, "/api/v1/providers",
            #"{"name":"Acme <SMS>","url":"http://127.0.0.1:9/send","callbacksEnabled":true,"bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\",\"id\":\"$$MessageID\"}"}"#)
        var profiles: [String] = []
        for i in 0..<8 { profiles.append(#"{"userId":"de-\#(i)","phone":"+49 151 2345 67\#(10 + i)"}"#) }
        for i in 0..<4 { profiles.append(#"{"userId":"us-\#(i)","phone":"+1 650 253 00\#(10 + i)"}"#) }
        _ = try await s.call(.POST, "/api/v1/profiles", body: Data(("[" + profiles.joined(separator: ",") + "]").utf8))
        let put = try await s.call(
            .PUT, "/api/v1/providers/\(acme.id)/prices", body: Data(#"{"currency":"EUR","defaultPerSegment":0.05,"perCountry":{"DE":0.07}}"#.utf8))
        #expect(put.status == 200)
        let users = (0..<8).map { "\"de-\($0)\"" } + (0..<4).map { "\"us-\($0)\"" }
        let campaign = try await s.json(
            Campaign.self, .POST, "/api/v1/campaigns",
            #"{"name":"Speed test","providerId":"\#(acme.id)","body":"Sale today https://shop.example.com/x","audience":{"userIds":[\#(users.joined(separator: ","))]},"timezone":"Europe/Berlin"}"#)
        _ = try await s.call(.POST, "/api/v1/campaigns/\(campaign.id)/publish")
        try await s.waitDispatched(campaign.id)

        let sent = Dictionary(uniqueKeysWithValues: s.gateway.sent.withLock { $0 }.map { ($0.userId, $0) })
        #expect(sent.count == 12)
        func item(_ user: String, _ extra: String, after seconds: Int64) throws -> String {
            let m = try #require(sent[user])
            return #"{"meta":"\#(m.meta)","ts":\#(m.at + seconds)\#(extra)}"#
        }
        var delivered: [String] = []
        for (i, latency) in [5, 5, 5, 12, 12, 30].enumerated() {
            delivered.append(try item("de-\(i)", #","network":"\#(i == 5 ? "26201" : "26202")""#, after: Int64(latency)))
        }
        delivered.append(try item("us-0", #","network":310260"#, after: 70))
        delivered.append(try item("us-1", #","network":"xx""#, after: 400))
        let failed = [try item("de-6", #","code":"914","network":"26202""#, after: 20), try item("us-3", #","code":"901""#, after: 20)]
        let body = #"[{"event":"delivered","data":[\#(delivered.joined(separator: ","))]},{"event":"failed","data":[\#(failed.joined(separator: ","))]}]"#
        let cb = try await s.call(.POST, String(acme.callbackUrl.dropFirst(s.base.count)), body: Data(body.utf8), auth: false)
        #expect(cb.status == 200, "\(String(decoding: cb.body, as: UTF8.self))")
        let de0 = try #require(sent["de-0"])
        let link = try #require(de0.body.components(separatedBy: " ").first { $0.contains("/l/") })
        try await s.hit(link)

        // The API's answers.
        let latency = try await s.json(DeliveryLatencyReport.self, .GET, "/api/v1/campaigns/\(campaign.id)/latency")
        #expect(latency.delivered == 8)
        #expect(latency.p50Seconds == 12 && latency.p90Seconds == 420 && latency.p99Seconds == 420)
        #expect(latency.within.s10 == 37.5 && latency.within.s60 == 75 && latency.within.s600 == 100)
        let country = try await s.json(CampaignBreakdown.self, .GET, "/api/v1/campaigns/\(campaign.id)/breakdown?by=country")
        let carrier = try await s.json(CampaignBreakdown.self, .GET, "/api/v1/campaigns/\(campaign.id)/breakdown?by=carrier")
        #expect(country.rows.map(\.key) == ["DE", "US"] && country.rows.map(\.sent) == [8, 4])
        #expect(carrier.rows.map(\.key) == ["26202", "unknown", "26201", "310260"])
        #expect(carrier.rows.map(\.sent) == [6, 4, 1, 1] && carrier.rows.map(\.delivered) == [5, 1, 1, 1])
        #expect(carrier.rows.map(\.failed) == [1, 1, 0, 0] && carrier.rows.map(\.pending) == [0, 2, 0, 0])
        let cost = try await s.json(CampaignCost.self, .GET, "/api/v1/campaigns/\(campaign.id)/cost")
        #expect(cost.totalMicros == 760_000 && cost.perDelivered == 0.095 && cost.perClick == 0.76)

        // The page shows the same numbers.
        let dom = try await browser.dumpDOM(try await s.loginLink("/campaigns/\(campaign.id)#delivery"), virtualTimeMs: 1_000)
        #expect(DOM.text(dom, #"data-latency="p50""#) == "≤ 12 s")
        #expect(DOM.text(dom, #"data-latency="p90""#) == "≤ 7 min")
        #expect(DOM.text(dom, #"data-latency="p99""#) == DeliveryTabModel.seconds(latency.p99Seconds))
        #expect(DOM.text(dom, #"data-within="10s""#) == "37.5%")
        #expect(DOM.text(dom, #"data-within="60s""#) == "75.0%")
        #expect(DOM.text(dom, #"data-within="600s""#) == "100.0%")
        #expect(DOM.text(dom, #"data-first-click="p50""#) == DeliveryTabModel.seconds(latency.firstClick.p50Seconds))
        let histogram = DOM.rows(dom, table: "latency-histogram")
        #expect(histogram.map { $0.first ?? "" } == ["5 s", "12 s", "30 s", "60–75 s", "6–7 min"])
        #expect(histogram.map { $0.count > 1 ? $0[1] : "" } == ["3", "2", "1", "1", "1"])
        for (table, api) in [("breakdown-country", country), ("breakdown-carrier", carrier)] {
            let rows = DOM.rows(dom, table: table)
            #expect(rows.map { $0.first ?? "" } == api.rows.map(\.key), "\(table)")
            #expect(rows.map { $0.count > 5 ? $0[1] : "" } == api.rows.map { DisplayFormat.count($0.sent) }, "\(table) sent")
            #expect(rows.map { $0.count > 5 ? $0[2] : "" } == api.rows.map { DisplayFormat.count($0.delivered) }, "\(table) delivered")
            #expect(rows.map { $0.count > 5 ? $0[5] : "" } == api.rows.map { DisplayFormat.percent($0.deliveryRate) }, "\(table) rate")
        }
        #expect(DOM.rows(dom, table: "breakdown-country").first?[5] == "75.0%")
        let provider = DOM.rows(dom, table: "breakdown-provider")
        #expect(provider.first?.first == "Acme &lt;SMS&gt; (\(acme.id))", "the provider's name as text")
        #expect(!dom.contains("Acme <SMS>") && dom.contains("Acme &lt;SMS&gt;"), "escaped in the markup")
        #expect(DOM.text(dom, #"data-cost="total""#) == "0.76 EUR")
        #expect(DOM.text(dom, #"data-cost="perDelivered""#) == "0.095 EUR")
        #expect(DOM.text(dom, #"data-cost="perClick""#) == "0.76 EUR")
        #expect(DOM.text(dom, #"data-cost="perConversion""#) == "–")
        #expect(DOM.attribute(dom, of: #"data-csv="carrier""#, "href") == "/campaigns/\(campaign.id)/breakdown.csv?by=carrier")

        // The CSV the tab links to, fetched as the signed-in user's browser would (the session
        // cookie, no bearer token: the tester's 401 when the links pointed at /api/v1), and the API's
        // own route with the token: the same bytes.
        let (cookie, _) = try await BrowserScenario.signIn(s)
        #expect(try await s.call(.GET, "/campaigns/\(campaign.id)/breakdown.csv?by=carrier", auth: false).status != 200)
        let csv = try await s.call(.GET, "/campaigns/\(campaign.id)/breakdown.csv?by=carrier", auth: false, headers: [("Cookie", cookie)])
        #expect(csv.status == 200)
        let api = try await s.call(.GET, "/api/v1/campaigns/\(campaign.id)/breakdown.csv?by=carrier")
        #expect(api.body == csv.body)
        let latencyCSV = try await s.call(.GET, "/campaigns/\(campaign.id)/latency.csv", auth: false, headers: [("Cookie", cookie)])
        #expect(latencyCSV.status == 200 && String(decoding: latencyCSV.body, as: UTF8.self).contains("overSeconds,upToSeconds,count,percentOfDelivered"))
        let lines = String(decoding: csv.body.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.prefix(3) == [
            "carrier,sent,delivered,failed,pending,deliveryRate,uniqueClicks,ctr,errors",
            "26202,6,5,1,0,\(CampaignStats.percent(5, 6)),1,20.0,914:1", "unknown,4,1,1,2,25.0,0,0.0,901:1",
        ])
        try await browser.screenshot(
            try await s.loginLink("/campaigns/\(campaign.id)#delivery"),
            to: DashboardBrowserTests.outputDirectory.appendingPathComponent("dashboard-20-delivery-tab.png"))
    }

    @Test("the new-campaign form names the character that makes the body UCS-2 and what it costs; the API answers the same warning")
    func costWarningInChromium() async throws {
        try await LiveDashboardServer.withBrowser { s, browser in
            let acme = try await s.json(
                Provider.self, .POST, "/api/v1/providers",
                #"{"name":"Acme","url":"http://127.0.0.1:9/send","callbacksEnabled":true,"bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\"}"}"#)
            // 80 GSM-7 characters and one right single quotation mark: 81 UCS-2 units, 2 segments (1 in GSM-7).
            let text = "It\u{2019}s <b>spring</b>: " + String(repeating: "a", count: 80 - 20)
            let query = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let dom = try await browser.dumpDOM(try await s.loginLink("/campaigns/new?providerId=\(acme.id)&body=\(query)"), virtualTimeMs: 1_000)
            let expected = "\u{2019} (U+2019) makes this UCS-2 (Unicode): 2 segments instead of 1 per recipient; replace it with GSM-7 characters to pay 1"
            #expect(DOM.text(dom, #"id="cost-warning""#) == "Costs more: " + expected)
            #expect(DOM.text(dom, #"data-count="segments""#) == "2")
            #expect(!dom.contains("<b>spring</b>") && dom.contains("&lt;b&gt;spring&lt;/b&gt;"), "the body escaped")

            _ = try await s.call(.POST, "/api/v1/profiles", body: Data(#"[{"userId":"q-1","phone":"+4915123456789"}]"#.utf8))
            let bodyJSON = String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
            let created = try await s.json(
                Campaign.self, .POST, "/api/v1/campaigns",
                #"{"name":"Quote","providerId":"\#(acme.id)","body":\#(bodyJSON),"audience":{"all":true}}"#)
            #expect(created.warnings?.contains(expected) == true, "\(created.warnings ?? [])")

            // A plain GSM-7 body: no warning.
            let plain = try await browser.dumpDOM(try await s.loginLink("/campaigns/new?providerId=\(acme.id)&body=Hello"), virtualTimeMs: 1_000)
            #expect(!plain.contains(#"id="cost-warning""#))
        }
    }
}
