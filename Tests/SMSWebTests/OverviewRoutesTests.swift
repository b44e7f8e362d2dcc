import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreSQLite
import SMSWeb
import Testing

/// Issue 18: `GET /api/v1/overview`, `GET /api/v1/breakdown` and `GET /api/v1/compare` through the
/// real router, on PITFALLS.md #13's campaign (10 sent to German numbers on 2024-03-09, 8
/// delivered 10 s later, 2 unique clickers) and a second campaign without messages.
@Suite("Overview routes (issue 18)")
struct OverviewRoutesTests {
    static func get(_ client: any TestClientProtocol, _ path: String) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/\(path)", method: .get, headers: [.authorization: "Bearer \(StatsWeb.token)"])
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    static func store() async throws -> SQLiteStore {
        let store = try await StatsRoutesTests.pitfall13Store(callbacks: true)
        try await store.insertCampaign(
            Campaign(
                id: "c2", name: "Quiet <b>", providerId: "p1", body: "x", links: [], audience: .all, timezone: "UTC", goal: nil,
                createdAt: StatsRoutesTests.t))
        return store
    }

    @Test("overview of March 2024: the campaign's numbers, the daily trend, rankings by minSent; April is empty")
    func overviewNumbers() async throws {
        try await StatsWeb.withRouter(store: try await Self.store()) { client in
            let response = try await Self.get(client, "overview?from=2024-03-01&to=2024-03-31&tz=Europe/Berlin")
            #expect(response.status == .ok)
            let o = try StatsWeb.decode(CampaignsOverview.self, response)
            #expect(o.from == "2024-03-01" && o.to == "2024-03-31" && o.timezone == "Europe/Berlin" && o.minSent == 100)
            #expect(o.totals.campaigns == 1 && o.totals.sent == 10 && o.totals.delivered == 8 && o.totals.uniqueClicks == 2)
            #expect(o.totals.deliveryRate == 80 && o.totals.ctr == 25 && o.totals.failed == 0)
            #expect(o.campaigns.map(\.id) == ["c1"] && o.campaigns[0].periodSent == 10 && o.campaigns[0].cost == nil)
            #expect(o.trend.count == 31)
            #expect(o.trend.first { $0.sent > 0 }?.start == "2024-03-09" && o.trend.reduce(0) { $0 + $1.sent } == 10)
            #expect(o.rankings.ctr == nil && o.rankings.deliveryRate == nil)
            let body = try Self.json(response)
            #expect((body["rankings"] as? [String: Any])?["ctr"] is NSNull)
            #expect(((body["campaigns"] as? [[String: Any]])?.first?["cost"]) is NSNull)

            let ranked = try StatsWeb.decode(CampaignsOverview.self, try await Self.get(client, "overview?from=2024-03-01&to=2024-03-31&minSent=10"))
            #expect(ranked.rankings.ctr?.best.id == "c1" && ranked.rankings.ctr?.best.value == 25 && ranked.rankings.ctr?.worst.id == "c1")
            #expect(ranked.rankings.deliveryRate?.best.value == 80 && ranked.rankings.deliveryRate?.best.name == "Spring")

            let april = try StatsWeb.decode(CampaignsOverview.self, try await Self.get(client, "overview?from=2024-04-01&to=2024-04-30"))
            #expect(april.totals.campaigns == 0 && april.totals.sent == 0 && april.campaigns.isEmpty && april.trend.count == 30)

            let put = try await CostRoutesTests.put(client, "p1", #"{"currency": "EUR", "defaultPerSegment": 0.05}"#)
            #expect(put.status == .ok)
            let priced = try StatsWeb.decode(CampaignsOverview.self, try await Self.get(client, "overview?from=2024-03-09&to=2024-03-09"))
            #expect(priced.cost.map(\.currency) == ["EUR"] && priced.cost.first?.totalMicros == 500_000 && priced.cost.first?.total == 0.5)
            #expect(priced.campaigns.first?.cost == CampaignsOverview.Cost(currency: "EUR", totalMicros: 500_000))
        }
    }

    @Test("bad from, to, tz, minSent, by or ids: a 400 naming the parameter")
    func refusals() async throws {
        try await StatsWeb.withRouter(store: try await Self.store()) { client in
            let cases: [(String, String)] = [
                ("overview?from=2024-02-30", "from must be a date YYYY-MM-DD from 1970-01-01 to 2099-12-31 (got '2024-02-30')"),
                ("overview?from=2024-03-02&to=2024-03-01", "from must be on or before to (got from '2024-03-02', to '2024-03-01')"),
                ("overview?to=tomorrow", "to must be a date YYYY-MM-DD from 1970-01-01 to 2099-12-31 (got 'tomorrow')"),
                ("overview?tz=Mars/Base", "tz must be an IANA time zone name such as Europe/Berlin, or UTC (got 'Mars/Base')"),
                ("overview?minSent=0", "minSent must be an integer from 1 to 1000000000 messages (got '0')"),
                ("breakdown?from=2024-03-01", "by is required: one of country, provider, variant, carrier"),
                ("compare?ids=c1", "ids must be 2 to 5 campaign ids separated by commas (got 1)"),
                ("compare?ids=c1,c1", "ids must be 2 to 5 campaign ids separated by commas, each once (got 'c1' twice)"),
                ("compare?ids=c1,zz,yy", "ids names unknown campaign(s): 'zz', 'yy'"),
            ]
            for (path, message) in cases {
                let r = try await Self.get(client, path)
                #expect(r.status == .badRequest, "\(path)")
                #expect(StatsWeb.errorMessage(r) == message, "\(path)")
            }
        }
    }

    @Test("breakdown across campaigns and the comparison: the per-campaign routes' numbers")
    func breakdownAndCompare() async throws {
        try await StatsWeb.withRouter(store: try await Self.store()) { client in
            let country = try StatsWeb.decode(CampaignBreakdown.self, try await Self.get(client, "breakdown?by=country&from=2024-03-01&to=2024-03-31"))
            #expect(country.by == .country && country.rows.map(\.key) == ["DE"] && country.rows[0].sent == 10 && country.rows[0].ctr == 25)
            let provider = try StatsWeb.decode(CampaignBreakdown.self, try await Self.get(client, "breakdown?by=provider&from=2024-03-01&to=2024-03-31"))
            #expect(provider.rows.map(\.key) == ["p1"] && provider.rows[0].delivered == 8)
            let none = try StatsWeb.decode(CampaignBreakdown.self, try await Self.get(client, "breakdown?by=variant&from=2024-04-01&to=2024-04-02"))
            #expect(none.rows.isEmpty)

            let response = try await Self.get(client, "compare?ids=c2,c1")
            let cmp = try StatsWeb.decode(CampaignComparison.self, response)
            #expect(cmp.campaigns.map(\.id) == ["c2", "c1"] && cmp.campaigns[0].name == "Quiet <b>")
            #expect(cmp.campaigns[1].stats.sent == 10 && cmp.campaigns[1].stats.ctr == 25 && cmp.campaigns[0].stats.sent == 0)
            #expect(cmp.campaigns[1].latency.delivered == 8 && cmp.campaigns[1].latency.p50Seconds == 10 && cmp.campaigns[1].latency.p90Seconds == 10)
            #expect(cmp.campaigns[0].latency.p50Seconds == nil && cmp.campaigns[1].cost == nil)
            let body = try Self.json(response)
            #expect(((body["campaigns"] as? [[String: Any]])?.first?["cost"]) is NSNull)
        }
    }
}
