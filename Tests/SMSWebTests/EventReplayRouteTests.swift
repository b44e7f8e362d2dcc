import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Issue 12 (a new user's findings): an ingestion error of `POST /api/v1/events` is replayable
/// through the one replay route, read again by the events route's own rules, stored once
/// (idempotent by `eventId`), replayed at most once. SQLite and PostgreSQL.
@Suite("Events ingestion errors: replayed like callback ones")
struct EventReplayRouteTests {
    static let token = IngestionErrorBytesRouteTests.token

    static func call(_ client: any TestClientProtocol, _ uri: String, _ body: String? = nil) async throws -> (HTTPResponse.Status, [String: Any]) {
        try await IngestionErrorBytesRouteTests.post(client, uri, Array((body ?? "").utf8), admin: true)
    }

    static func newestError(_ client: any TestClientProtocol) async throws -> [String: Any] {
        let listed = try #require(try await IngestionErrorBytesRouteTests.get(client, "/api/v1/ingestion-errors?limit=1") as? [[String: Any]])
        return try #require(listed.first)
    }

    static func message(_ answer: [String: Any]) -> String? { (answer["error"] as? [String: Any])?["message"] as? String }

    @Test("an invalid event: replayed as stored it is still invalid (422); fixed up it is stored once; a second replay is a 409; the id is then a duplicate", arguments: StoreKind.allCases)
    func fixedUpReplay(kind: StoreKind) async throws {
        try await IngestionErrorBytesRouteTests.withApp(kind) { client, t in
            let element = #"{"eventId":"e1","userId":"u1", "name":"purchase"}"#
            let (status, answer) = try await Self.call(client, "/api/v1/events", "[" + element + #",{"eventId":"e0","userId":"u1","name":"purchase","ts":1700000000}]"#)
            #expect(status == .badRequest)
            #expect(answer["stored"] as? Int == 1)
            let e = try await Self.newestError(client)
            let id = try #require(e["id"] as? Int)
            #expect(e["source"] as? String == "events")
            #expect(e["raw"] as? String == element)  // the event's own bytes, spacing kept

            let same = try await Self.call(client, "/api/v1/ingestion-errors/\(id)/replay")
            #expect(same.0 == .unprocessableContent)
            #expect(Self.message(same.1) == "still invalid: missing fields: ts")

            let fixed = #"{"raw":"{\"eventId\":\"e1\",\"userId\":\"u1\",\"name\":\"purchase\",\"ts\":1700000100}"}"#
            let replayed = try await Self.call(client, "/api/v1/ingestion-errors/\(id)/replay", fixed)
            #expect(replayed.0 == .ok, "\(replayed.1)")
            #expect(replayed.1["applied"] as? Int == 1)
            #expect(replayed.1["duplicates"] as? Int == 0)
            #expect(replayed.1["pending"] as? Int == 0)
            let at = try #require(replayed.1["replayedAt"] as? Int)
            #expect(try await t.store.ingestionError(id: Int64(id))?.replayedAt == Int64(at))

            let again = try await Self.call(client, "/api/v1/ingestion-errors/\(id)/replay", fixed)
            #expect(again.0 == .conflict)
            #expect(Self.message(again.1) == "ingestion error \(id) was replayed at \(at)")
            // Stored exactly once: the same event id sent again is a duplicate.
            let resent = try await Self.call(client, "/api/v1/events", #"[{"eventId":"e1","userId":"u1","name":"purchase","ts":1700000100}]"#)
            #expect(resent.0 == .ok)
            #expect((resent.1["stored"] as? Int, resent.1["duplicates"] as? Int) == (0, 1))
        }
    }

    @Test("a whole body kept (an object, not an array) replays as stored: its event is stored; an id stored meanwhile is a duplicate", arguments: StoreKind.allCases)
    func wholeBodyReplay(kind: StoreKind) async throws {
        try await IngestionErrorBytesRouteTests.withApp(kind) { client, _ in
            let body = #"{"eventId":"e2","userId":"u1","name":"purchase","ts":1700000000}"#
            let (status, answer) = try await Self.call(client, "/api/v1/events", body)
            #expect(status == .badRequest)
            #expect(Self.message(answer) == EventController.notAnArrayMessage)
            let first = try #require(try await Self.newestError(client)["id"] as? Int)
            let replayed = try await Self.call(client, "/api/v1/ingestion-errors/\(first)/replay")
            #expect(replayed.0 == .ok, "\(replayed.1)")
            #expect((replayed.1["applied"] as? Int, replayed.1["duplicates"] as? Int) == (1, 0))

            // The same refused body again: its replay finds the id stored and stores nothing.
            _ = try await Self.call(client, "/api/v1/events", body)
            let second = try #require(try await Self.newestError(client)["id"] as? Int)
            #expect(second != first)
            let dup = try await Self.call(client, "/api/v1/ingestion-errors/\(second)/replay")
            #expect(dup.0 == .ok, "\(dup.1)")
            #expect((dup.1["applied"] as? Int, dup.1["duplicates"] as? Int) == (0, 1))

            // A body that is not JSON stays invalid, named as the events route names it.
            _ = try await Self.call(client, "/api/v1/events", "[{")
            let broken = try #require(try await Self.newestError(client)["id"] as? Int)
            let still = try await Self.call(client, "/api/v1/ingestion-errors/\(broken)/replay")
            #expect(still.0 == .unprocessableContent)
            #expect(Self.message(still.1) == "still invalid: " + EventController.notJSONMessage(Data("[{".utf8)))
        }
    }
}
