import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Issue 12 (a new user's findings): revenue finer than the goal's unit is refused naming the
/// property and the precision (never rounded without notice), an out-of-range amount is echoed as
/// sent, and a revenue that is present but not an amount (`" 5"`, `"NaN"`, `"1e3"`) is an invalid
/// event naming the property and the allowed form, its bytes kept (one rule). SQLite and PostgreSQL.
@Suite("Events: revenue precision and text")
struct RevenueTextRouteTests {
    typealias R = EventReplayRouteTests
    typealias M = ProviderManagementRouteTests

    static func campaign(_ client: any TestClientProtocol, _ t: TestStore, unit: String) async throws {
        try await CampaignManagementRouteTests.seed(t)
        _ = try await CampaignManagementRouteTests.create(
            client, #","goal":{"event":"purchase","windowMinutes":60,"revenueProperty":"amount","revenueUnit":"\#(unit)"}"#)
    }

    static func event(_ id: String, _ amount: String) -> String {
        #"{"eventId":"\#(id)","userId":"u1","name":"purchase","ts":1700000000,"properties":{"amount":\#(amount)}}"#
    }

    @Test("major: 5.555 is invalid naming the precision, ' 5', 'NaN', '1e3' naming the form, kept and replayable; 5.500 and null are stored", arguments: StoreKind.allCases)
    func major(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await Self.campaign(client, t, unit: "major")
            let body = "[" + [Self.event("e1", #""5.555""#), Self.event("e2", "5.555"), Self.event("e3", #""5.500""#), Self.event("e4", #""1e3""#),
                              Self.event("e5", #""99999999999999999999.99""#), Self.event("e6", #"" 5""#), Self.event("e7", #""NaN""#),
                              Self.event("e8", "1e300"), Self.event("e9", "null")].joined(separator: ",") + "]"
            let (status, answer) = try await R.call(client, "/api/v1/events", body)
            #expect(status == .badRequest)
            #expect(answer["stored"] as? Int == 2)
            let invalid = try #require(answer["invalid"] as? [[String: Any]])
            #expect(invalid.map { $0["index"] as? Int } == [0, 1, 3, 4, 5, 6, 7])
            let form = #"properties.amount must be an amount: a number or a plain decimal text such as 49.99 or "49.99", from -10000000000 to 10000000000 major units with at most 2 fraction digits"#
            #expect(invalid.map { $0["reason"] as? String } == [
                "properties.amount must have at most 2 fraction digits (cents) for revenueUnit major (got '5.555')",
                "properties.amount must have at most 2 fraction digits (cents) for revenueUnit major (got 5.555)",
                form + " (got '1e3')",
                "properties.amount must be a number from -10000000000 to 10000000000 major units (got '99999999999999999999.99')",
                form + " (got ' 5')",
                form + " (got 'NaN')",
                "properties.amount must be a number from -10000000000 to 10000000000 major units (got '1e300')",
            ])
            // The first refused event, kept, replayed with the amount corrected: stored once.
            let errors = try #require(try await IngestionErrorBytesRouteTests.get(client, "/api/v1/ingestion-errors?limit=10") as? [[String: Any]])
            #expect(errors.count == 7)
            // A refused text amount is kept as the event's bytes as sent.
            #expect(errors.contains { ($0["raw"] as? String) == Self.event("e6", #"" 5""#) })
            let first = try #require(errors.first { ($0["raw"] as? String)?.contains(#""e1""#) == true })
            let id = try #require(first["id"] as? Int)
            let fixed = try String(decoding: JSONSerialization.data(withJSONObject: ["raw": Self.event("e1", #""5.56""#)]), as: UTF8.self)
            let replayed = try await R.call(client, "/api/v1/ingestion-errors/\(id)/replay", fixed)
            #expect(replayed.0 == .ok, "\(replayed.1)")
            #expect(replayed.1["applied"] as? Int == 1)
            // e1 (replayed), e3, e9 are stored: sent again they are duplicates; the others are not.
            let again = try await R.call(
                client, "/api/v1/events", "[" + (1...9).map { Self.event("e\($0)", "1") }.joined(separator: ",") + "]")
            #expect((again.1["stored"] as? Int, again.1["duplicates"] as? Int) == (6, 3))
        }
    }

    @Test("minor: a fraction of a cent is invalid naming it; whole cents are stored", arguments: StoreKind.allCases)
    func minor(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await Self.campaign(client, t, unit: "minor")
            let (status, answer) = try await R.call(client, "/api/v1/events", "[" + Self.event("e1", "49.5") + "," + Self.event("e2", #""4999""#) + "]")
            #expect(status == .badRequest)
            #expect(answer["stored"] as? Int == 1)
            let invalid = try #require(answer["invalid"] as? [[String: Any]])
            #expect(invalid.map { $0["reason"] as? String } == ["properties.amount must be a whole number of minor units (cents) for revenueUnit minor (got 49.5)"])
        }
    }
}
