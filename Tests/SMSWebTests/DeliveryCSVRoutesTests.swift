import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreSQLite
import Testing

@testable import SMSWeb

/// Issue 18: the Delivery tab's CSV downloads, `GET /api/v1/campaigns/{id}/breakdown.csv?by=…` and
/// `latency.csv`, through the real router; formula injection guarded as in the other exports.
@Suite("Delivery CSV routes (issue 18)")
struct DeliveryCSVRoutesTests {
    static func lines(_ response: TestResponse) -> [String] {
        let bytes = Array(Data(buffer: response.body))
        #expect(bytes.prefix(3) == [0xEF, 0xBB, 0xBF], "UTF-8 byte-order mark")
        return String(decoding: bytes.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
    }

    /// PITFALLS.md #13's campaign: 10 sent to German numbers, 8 delivered 10 s after the send, 2
    /// unique clickers; the carrier of 3 reported by receipts (26202 twice, 26203 once).
    @Test func breakdownAndLatencyCSVHoldTheAPIsRows() async throws {
        let t = StatsRoutesTests.t
        let store = try await StatsRoutesTests.pitfall13Store(callbacks: true)
        _ = try await store.applyCallbacks(
            providerId: "p1",
            items: [
                CallbackItem(kind: .delivered, meta: "m0", ts: t + 10, network: "26202"),
                CallbackItem(kind: .delivered, meta: "m1", ts: t + 10, network: "26202"),
                CallbackItem(kind: .delivered, meta: "m2", ts: t + 10, network: "26203"),
            ],
            receivedAt: t + 11)
        try await StatsWeb.withRouter(store: store) { client in
            let country = try await StatsWeb.get(client, "c1/breakdown.csv?by=country")
            #expect(country.status == .ok)
            #expect(country.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(country.headers[.contentDisposition] == #"attachment; filename="c1-breakdown-country.csv""#)
            #expect(Self.lines(country) == [
                "country,sent,delivered,failed,pending,deliveryRate,uniqueClicks,ctr,errors", "DE,10,8,0,2,80.0,2,25.0,",
            ])
            let carrier = try await StatsWeb.get(client, "c1/breakdown.csv?by=carrier")
            #expect(Self.lines(carrier) == [
                "carrier,sent,delivered,failed,pending,deliveryRate,uniqueClicks,ctr,errors",
                "unknown,7,5,0,2,\(CampaignStats.percent(5, 7)),0,0.0,", "26202,2,2,0,0,100.0,2,100.0,", "26203,1,1,0,0,100.0,0,0.0,",
            ])
            let latency = try await StatsWeb.get(client, "c1/latency.csv")
            #expect(latency.status == .ok)
            #expect(Self.lines(latency) == ["overSeconds,upToSeconds,count,percentOfDelivered", "9,10,8,100.0"])
            let bad = try await StatsWeb.get(client, "c1/breakdown.csv?by=city")
            #expect(bad.status == .badRequest)
            #expect(StatsWeb.errorMessage(bad) == "by must be one of country, provider, variant, carrier (got 'city')")
            #expect(try await StatsWeb.get(client, "nope/latency.csv").status == .notFound)
            #expect(try await StatsWeb.get(client, "c1/latency.csv?variant=7").status == .badRequest)
        }
    }

    @Test("a key or an error code that a spreadsheet would run as a formula gets a leading quote")
    func formulaInjectionGuarded() throws {
        let row = CampaignBreakdown.Row(key: "=HYPERLINK(\"http://x\")", totals: [:], callbacksEnabled: true)
        var withError = row
        withError.errors = [CampaignBreakdown.ErrorCount(code: "-1+1", count: 2)]
        let data = try DeliveryCSVExport.breakdown(CampaignBreakdown(by: .provider, rows: [withError]))
        let text = String(decoding: data.dropFirst(3), as: UTF8.self)
        #expect(text.contains(#""'=HYPERLINK(""http://x"")",0,0,0,0,0.0,0,0.0,'-1+1:2"#), "\(text)")
    }
}
