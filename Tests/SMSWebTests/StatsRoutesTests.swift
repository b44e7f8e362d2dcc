import CSV
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SMSCore
import SMSStoreSQLite
import SMSWeb
import Testing

/// The stats routes through the real router (`/api/v1/campaigns/{id}/…`).
@Suite("Stats routes")
struct StatsRoutesTests {
    static let t: Int64 = 1_710_000_000
    static let links = ["https://shop.example/p?tags=a,b&q=\"x\"", "https://shop.example/help"]

    /// PITFALLS.md #13's campaign: 10 sent, 8 delivered, 2 unique clickers (3 clicks).
    static func pitfall13Store(callbacks: Bool, name: String = "Spring", timezone: String = "Europe/Berlin") async throws -> SQLiteStore {
        let store = try SQLiteStore.inMemory()
        try await store.insertProvider(
            ProviderConfig(
                id: "p1", name: "Generic", url: "http://127.0.0.1:9/sms", bodyTemplate: #"{"to":"$$To"}"#,
                callbacksEnabled: callbacks, callbackSecret: "s", createdAt: t - 100))
        try await store.insertCampaign(
            Campaign(
                id: "c1", name: name, providerId: "p1", body: "x", links: links, audience: .all, timezone: timezone,
                goal: nil, createdAt: t - 50))
        try await store.insertMessages(
            (0..<10).map { i in
                NewMessage(
                    campaignId: "c1", userId: "u\(i)", phone: "+491511234567\(i)", meta: "m\(i)", body: "x", segments: 1,
                    dispatch: .queued, createdAt: t,
                    links: links.indices.map { NewShortLink(code: "c\(i)x\($0)", linkIndex: $0, url: links[$0], expiresAt: t + 86_400) })
            })
        let queued = try await store.queuedMessages(campaignId: "c1", limit: 100)
        try await store.recordDispatchResults(queued.map { DispatchResult(messageId: $0.messageId, outcome: .sent(providerMessageId: nil), at: t) })
        _ = try await store.applyCallbacks(
            providerId: "p1", items: (0..<8).map { CallbackItem(kind: .delivered, meta: "m\($0)", ts: t + 10) }, receivedAt: t + 11)
        for (i, link) in [(0, 0), (0, 1), (1, 0)] {
            _ = try await store.recordClick(
                ClickInput(code: "c\(i)x\(link)", at: t + 100, userAgent: "Mozilla/5.0", ipHash: nil, isBot: false, botReason: nil))
        }
        _ = try await store.recordClick(
            ClickInput(code: "c2x1", at: t + 3, userAgent: "WhatsApp/2.0", ipHash: nil, isBot: true, botReason: "preview"))
        return store
    }

    @Test(arguments: [(true, 25.0), (false, 20.0)])
    func pitfall13SameCTREverywhere(callbacks: Bool, ctr: Double) async throws {
        let store = try await Self.pitfall13Store(callbacks: callbacks)
        try await StatsWeb.withRouter(store: store) { client in
            let stats = try StatsWeb.decode(StatsSummary.self, try await StatsWeb.get(client, "c1/stats"))
            #expect(stats.all.ctr == ctr)
            #expect(stats.variants.isEmpty)
            for g in ["day", "week", "month"] {
                let trend = try StatsWeb.decode(TrendReport.self, try await StatsWeb.get(client, "c1/trend?granularity=\(g)"))
                #expect(trend.buckets.map(\.ctr) == [ctr], "trend \(g)")
            }
            let funnel = try StatsWeb.decode(CampaignFunnel.self, try await StatsWeb.get(client, "c1/funnel"))
            #expect(funnel.ctr == ctr)
            #expect(funnel.steps.first { $0.step == "clicked" }?.rate == ctr)
            let csv = try await StatsWeb.get(client, "c1/export.csv")
            let rows = try Self.rows(csv)
            #expect(rows.first { $0.first == "ctr" }?[1] == String(ctr))
            let trendHeader = try #require(rows.firstIndex { $0.first == "start" })
            #expect(rows[trendHeader + 1] == ["2024-03-09", "10", "8", "2", "3", String(ctr)])
        }
    }

    @Test func linksAndErrorsHaveTheDocumentedShape() async throws {
        let store = try await Self.pitfall13Store(callbacks: true)
        _ = try await store.applyCallbacks(
            providerId: "p1", items: [CallbackItem(kind: .failed, meta: "m9", ts: Self.t + 20, code: "777", description: "Carrier says no")],
            receivedAt: Self.t + 21)
        try await StatsWeb.withRouter(store: store) { client in
            let links = try await StatsWeb.get(client, "c1/links")
            let json = try JSONSerialization.jsonObject(with: Data(buffer: links.body)) as? [[String: Any]]
            #expect(json?.count == 2)
            #expect(json?[0]["url"] as? String == Self.links[0])
            #expect(json?[0]["clicks"] as? Int == 2)
            #expect(json?[0]["uniqueClicks"] as? Int == 2)
            #expect(json?[0]["share"] as? Double == CampaignStats.percent(2, 3))
            #expect(json?[1]["botHits"] as? Int == 1)
            let errors = try await StatsWeb.get(client, "c1/errors")
            let e = try JSONSerialization.jsonObject(with: Data(buffer: errors.body)) as? [String: Any]
            let delivery = try #require(e?["delivery"] as? [[String: Any]])
            #expect(delivery.count == 1)
            #expect(delivery[0]["code"] as? String == "777")
            #expect(delivery[0]["description"] as? String == "Carrier says no")
            #expect(delivery[0]["category"] as? String == "unknown")
            #expect(delivery[0]["count"] as? Int == 1)
            #expect((e?["dispatch"] as? [Any])?.isEmpty == true)
        }
    }

    /// Issue 18: the latency view and a breakdown in their documented JSON shape. PITFALLS.md
    /// #13's campaign: 8 of 10 delivered 10 s after the send; 2 first clicks at 100 s.
    @Test func latencyAndBreakdownHaveTheDocumentedShape() async throws {
        let store = try await Self.pitfall13Store(callbacks: true)
        try await StatsWeb.withRouter(store: store) { client in
            let latency = try await StatsWeb.get(client, "c1/latency")
            #expect(latency.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: latency.body)) as? [String: Any])
            #expect(json["delivered"] as? Int == 8)
            #expect(json["p50Seconds"] as? Int == 10 && json["p90Seconds"] as? Int == 10 && json["p99Seconds"] as? Int == 10)
            #expect(json["resolutionSeconds"] as? Int == 1)
            let within = try #require(json["within"] as? [String: Any])
            #expect(["10s", "60s", "600s", "3600s"].map { (within[$0] as? NSNumber)?.doubleValue } == [100, 100, 100, 100])
            let firstClick = try #require(json["firstClick"] as? [String: Any])
            #expect(firstClick["clicked"] as? Int == 2 && firstClick["p50Seconds"] as? Int == 105 && firstClick["p90Seconds"] as? Int == 105)
            let breakdown = try await StatsWeb.get(client, "c1/breakdown?by=country")
            #expect(breakdown.status == .ok)
            let b = try #require(try JSONSerialization.jsonObject(with: Data(buffer: breakdown.body)) as? [String: Any])
            #expect(b["by"] as? String == "country")
            let rows = try #require(b["rows"] as? [[String: Any]])
            #expect(rows.map { $0["key"] as? String } == ["DE"])
            #expect(rows[0]["sent"] as? Int == 10 && rows[0]["delivered"] as? Int == 8 && rows[0]["pending"] as? Int == 2)
            #expect((rows[0]["deliveryRate"] as? NSNumber)?.doubleValue == 80 && (rows[0]["ctr"] as? NSNumber)?.doubleValue == 25)
            #expect(rows[0]["uniqueClicks"] as? Int == 2)
            #expect((rows[0]["errors"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func exportIsASpreadsheetSafeCSVFile() async throws {
        let store = try await Self.pitfall13Store(callbacks: true, name: "=HYPERLINK(\"http://evil.example\")")
        try await StatsWeb.withRouter(store: store) { client in
            let response = try await StatsWeb.get(client, "c1/export.csv?granularity=week&tz=Asia/Kathmandu")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(response.headers[.contentDisposition] == "attachment; filename=\"c1-stats.csv\"")
            let bytes = Array(response.body.readableBytesView)
            #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
            let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
            #expect(text.hasPrefix("Campaign,\"'=HYPERLINK(\"\"http://evil.example\"\")\"\r\n"))
            #expect(text.contains("\r\n\"Trend (week, Asia/Kathmandu, CTR on delivered)\"\r\n"))
            #expect(text.contains("1,\"https://shop.example/p?tags=a,b&q=\"\"x\"\"\",2,2,"))
            let rows = try Self.rows(response)
            #expect(rows[0] == ["Campaign", "'=HYPERLINK(\"http://evil.example\")"])
            #expect(rows.first { $0.first == "sent" } == ["sent", "10"])
            #expect(rows.first { $0.first == "lift" } == ["lift", ""])
            #expect(rows.contains(["2024-03-04", "10", "8", "2", "3", "25.0"]))
            #expect(rows.contains(["2", "https://shop.example/help", "1", "1", String(CampaignStats.percent(1, 3)), "1"]))
        }
    }

    @Test func routesAnswer401WithoutTokenAnd404ForAnUnknownCampaign() async throws {
        let store = try await Self.pitfall13Store(callbacks: true)
        try await StatsWeb.withRouter(store: store) { client in
            for view in ["stats", "trend", "funnel", "links", "errors", "latency", "breakdown?by=country", "export.csv"] {
                let anonymous = try await client.execute(uri: "/api/v1/campaigns/c1/\(view)", method: .get)
                #expect(anonymous.status == .unauthorized, "\(view)")
                let missing = try await StatsWeb.get(client, "nope/\(view)")
                #expect(missing.status == .notFound, "\(view)")
                #expect(StatsWeb.errorMessage(missing) == "unknown campaign 'nope'")
            }
        }
    }

    @Test("a campaign stored with a legacy fixed-offset zone (GMT+14, GMT-5, GMT+0530) keeps its trend and export (local to that offset); a query's tz stays strict",
          arguments: [("GMT+14", "2024-03-10"), ("GMT-5", "2024-03-09"), ("GMT+0530", "2024-03-09")])
    func legacyStoredZoneStillReads(zone: String, day: String) async throws {
        // Sent at 2024-03-09T16:00:00Z: 2024-03-10 06:00 at UTC+14, 11:00 at UTC-5, 21:30 at UTC+5:30.
        let store = try await Self.pitfall13Store(callbacks: true, timezone: zone)
        try await StatsWeb.withRouter(store: store) { client in
            let response = try await StatsWeb.get(client, "c1/trend")
            #expect(response.status == .ok, "\(response.body.text)")
            let trend = try StatsWeb.decode(TrendReport.self, response)
            #expect(trend.timezone == zone)
            #expect(trend.buckets.map(\.start) == [day])
            #expect(trend.buckets.map(\.sent) == [10])
            let utc = try StatsWeb.decode(TrendReport.self, try await StatsWeb.get(client, "c1/trend?tz=UTC"))
            #expect(utc.buckets.map(\.start) == ["2024-03-09"])
            #expect(try await StatsWeb.get(client, "c1/export.csv").status == .ok)
            #expect(try await StatsWeb.get(client, "c1/stats").status == .ok)
            let strict = try await StatsWeb.get(client, "c1/trend?tz=\(zone.replacingOccurrences(of: "+", with: "%2B"))")
            #expect(strict.status == .badRequest)
        }
    }

    @Test(arguments: [
        ("c1/trend?granularity=hour", "granularity must be day, week or month (got 'hour')"),
        ("c1/trend?tz=Nowhere/Land", "tz must be an IANA time zone name such as Europe/Berlin, or UTC (got 'Nowhere/Land')"),
        ("c1/export.csv?tz=Nowhere/Land", "tz must be an IANA time zone name such as Europe/Berlin, or UTC (got 'Nowhere/Land')"),
        // Issue 12: fixed offsets Foundation makes up are no zone names.
        ("c1/trend?tz=GMT%2B14", "tz must be an IANA time zone name such as Europe/Berlin, or UTC (got 'GMT+14'); a fixed UTC offset is no zone name (Etc/GMT-14 is the IANA name of UTC+14)"),
        ("c1/export.csv?tz=UTC-5", "tz must be an IANA time zone name such as Europe/Berlin, or UTC (got 'UTC-5'); a fixed UTC offset is no zone name (Etc/GMT-14 is the IANA name of UTC+14)"),
        ("c1/trend?tz=GMT%2B05:30", "tz must be an IANA time zone name such as Europe/Berlin, or UTC (got 'GMT+05:30'); a fixed UTC offset is no zone name (Etc/GMT-14 is the IANA name of UTC+14)"),
        ("c1/trend?tz=utc", "tz must be an IANA time zone name such as Europe/Berlin, or UTC (got 'utc')"),
        ("c1/links?variant=abc", "variant must be an integer from 0 to 4 (got 'abc')"),
        ("c1/funnel?variant=-1", "variant must be an integer from 0 to 4 (got '-1')"),
        ("c1/errors?variant=5", "variant must be an integer from 0 to 4 (got '5')"),
        // One strict reader for query integers (DecimalText): no '+', no spaces, no '-' (so no '-0') in a range from 0.
        ("c1/links?variant=-0", "variant must be an integer from 0 to 4 (got '-0')"),
        ("c1/links?variant=+0", "variant must be an integer from 0 to 4 (got '+0')"),
        ("c1/links?variant=%200", "variant must be an integer from 0 to 4 (got ' 0')"),
        ("c1/links?variant=0%20", "variant must be an integer from 0 to 4 (got '0 ')"),
        ("c1/errors?variant=4", "unknown variant 4; this campaign has variant(s) 0"),
        ("c1/latency?variant=2", "unknown variant 2; this campaign has variant(s) 0"),
        ("c1/latency?variant=9", "variant must be an integer from 0 to 4 (got '9')"),
        ("c1/breakdown", "by is required: one of country, provider, variant, carrier"),
        ("c1/breakdown?by=city", "by must be one of country, provider, variant, carrier (got 'city')"),
        ("c1/trend?variant=3", "unknown variant 3; this campaign has variant(s) 0"),
    ])
    func badParametersAre400WithAMessage(path: String, message: String) async throws {
        let store = try await Self.pitfall13Store(callbacks: true)
        try await StatsWeb.withRouter(store: store) { client in
            let response = try await StatsWeb.get(client, path)
            #expect(response.status == .badRequest)
            #expect(StatsWeb.errorMessage(response) == message)
        }
    }

    @Test("issue 12: a tz with a NUL is 400 even after its prefix was used (the name is checked before any lookup)")
    func timeZoneWithNULIsRefusedAfterItsPrefixWasUsed() async throws {
        let store = try await Self.pitfall13Store(callbacks: true)
        try await StatsWeb.withRouter(store: store) { client in
            #expect(try await StatsWeb.get(client, "c1/trend?tz=Europe/Berlin").status == .ok)
            for path in ["c1/trend?tz=Europe/Berlin%00garbage", "c1/export.csv?tz=Europe/Berlin%00garbage"] {
                let response = try await StatsWeb.get(client, path)
                #expect(response.status == .badRequest, "\(path)")
                #expect(StatsWeb.errorMessage(response) == "tz must be an IANA time zone name such as Europe/Berlin, or UTC (got 'Europe/Berlin\u{0}garbage')")
            }
            let spaced = try await StatsWeb.get(client, "c1/trend?tz=Europe/Berlin%20")
            #expect(spaced.status == .badRequest)
            #expect(StatsWeb.errorMessage(spaced) == "tz must be an IANA time zone name such as Europe/Berlin, or UTC (got 'Europe/Berlin ')")
            // The accepted spellings: IANA names (Etc/GMT-14 is UTC+14) and UTC.
            for zone in ["UTC", "Etc/GMT-14", "Asia/Kathmandu", "America/Argentina/Buenos_Aires"] {
                let accepted = try await StatsWeb.get(client, "c1/trend?tz=\(zone)")
                #expect(accepted.status == .ok, "\(zone)")
            }
        }
    }

    /// The CSV body's rows (BOM dropped), parsed by CSV.swift's reader.
    static func rows(_ response: TestResponse) throws -> [[String]] {
        let text = String(decoding: Array(response.body.readableBytesView).dropFirst(3), as: UTF8.self)
        let reader = try CSVReader(string: text)
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        return rows
    }
}
