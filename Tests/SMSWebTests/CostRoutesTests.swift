import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreSQLite
import SMSWeb
import Testing

/// Issue 18, cost: `PUT|GET /api/v1/providers/{id}/prices` and `GET /api/v1/campaigns/{id}/cost`
/// through the real router.
@Suite("Cost routes (issue 18)")
struct CostRoutesTests {
    static func put(_ client: any TestClientProtocol, _ provider: String, _ json: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/v1/providers/\(provider)/prices", method: .put,
            headers: [.authorization: "Bearer \(StatsWeb.token)", .contentType: "application/json"],
            body: ByteBuffer(string: json))
    }

    static func getPrices(_ client: any TestClientProtocol, _ provider: String) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/providers/\(provider)/prices", method: .get, headers: [.authorization: "Bearer \(StatsWeb.token)"])
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    /// PITFALLS.md #13's campaign (10 sent to German numbers, 1 segment each, 8 delivered, 2
    /// unique clickers) at 0.07 EUR per segment to DE: 0.70 EUR, 0.0875 per delivered, 0.35 per click.
    @Test func pricesAndCostInTheirDocumentedShape() async throws {
        let store = try await StatsRoutesTests.pitfall13Store(callbacks: true)
        try await StatsWeb.withRouter(store: store) { client in
            #expect(try await Self.getPrices(client, "p1").status == .notFound)
            let noTable = try await StatsWeb.get(client, "c1/cost")
            #expect(noTable.status == .notFound)
            #expect(StatsWeb.errorMessage(noTable) == "provider 'p1' of campaign 'c1' has no price table (PUT /api/v1/providers/{id}/prices)")

            let put = try await Self.put(client, "p1", #"{"currency": "EUR", "defaultPerSegment": 0.05, "perCountry": {"DE": 0.07}}"#)
            #expect(put.status == .ok)
            #expect(String(buffer: put.body).contains(#""perCountry":{"DE":0.07}"#))
            let prices = try Self.json(try await Self.getPrices(client, "p1"))
            #expect(prices["currency"] as? String == "EUR")
            #expect((prices["defaultPerSegment"] as? NSNumber)?.doubleValue == 0.05)
            #expect(((prices["perCountry"] as? [String: Any])?["DE"] as? NSNumber)?.doubleValue == 0.07)

            let response = try await StatsWeb.get(client, "c1/cost")
            #expect(response.status == .ok)
            let cost = try Self.json(response)
            #expect(cost["currency"] as? String == "EUR")
            #expect((cost["total"] as? NSNumber)?.doubleValue == 0.7)
            #expect(cost["totalMicros"] as? Int == 700_000)
            let rows = try #require(cost["byCountry"] as? [[String: Any]])
            #expect(rows.count == 1)
            #expect(rows[0]["country"] as? String == "DE" && rows[0]["segments"] as? Int == 10)
            #expect((rows[0]["cost"] as? NSNumber)?.doubleValue == 0.7)
            #expect((cost["perDelivered"] as? NSNumber)?.doubleValue == 0.0875)
            #expect((cost["perClick"] as? NSNumber)?.doubleValue == 0.35)
            #expect(cost["perConversion"] is NSNull && cost["return"] is NSNull)
        }
    }

    @Test(arguments: [
        (#"{"currency":"EUR","defaultPerSegment":0.0000001}"#,
         "invalid price table: defaultPerSegment must be a number from 0 to 1000 major units per segment with at most 6 fraction digits (got 1e-07)"),
        (#"{"currency":"EUR","defaultPerSegment":0.05,"perCountry":{"DE":1e9}}"#,
         "invalid price table: perCountry.DE must be a number from 0 to 1000 major units per segment with at most 6 fraction digits (got 1000000000)"),
        (#"{"currency":"EUR","defaultPerSegment":"0.05"}"#,
         "invalid price table: defaultPerSegment must be a number from 0 to 1000 major units per segment with at most 6 fraction digits (got \"0.05\")"),
        (#"{"currency":"eur","defaultPerSegment":0.05}"#,
         "invalid price table: currency must be an ISO 4217 code of three capital letters such as EUR (got 'eur')"),
        (#"{"currency":"EUR","defaultPerSegment":0.05,"perCountry":{"Germany":0.07}}"#,
         "invalid price table: perCountry keys must be ISO 3166-1 alpha-2 regions in capitals such as DE (got 'Germany')"),
    ])
    func badPriceTablesAre400NamingTheField(json: String, message: String) async throws {
        let store = try await StatsRoutesTests.pitfall13Store(callbacks: true)
        try await StatsWeb.withRouter(store: store) { client in
            let response = try await Self.put(client, "p1", json)
            #expect(response.status == .badRequest)
            #expect(StatsWeb.errorMessage(response) == message)
            #expect(try await Self.getPrices(client, "p1").status == .notFound)
        }
    }

    @Test func anUnknownProviderIs404AndNoTokenIs401() async throws {
        let store = try await StatsRoutesTests.pitfall13Store(callbacks: true)
        try await StatsWeb.withRouter(store: store) { client in
            let put = try await Self.put(client, "nope", #"{"currency":"EUR","defaultPerSegment":0.05}"#)
            #expect(put.status == .notFound)
            #expect(StatsWeb.errorMessage(put) == "unknown provider 'nope'")
            let anonymous = try await client.execute(uri: "/api/v1/providers/p1/prices", method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(try await client.execute(uri: "/api/v1/campaigns/c1/cost", method: .get).status == .unauthorized)
            #expect(try await StatsWeb.get(client, "nope/cost").status == .notFound)
        }
    }
}
