import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import Testing

@testable import SMSWeb

/// `POST /api/v1/events` with a body that is not an array of events: a truncated body is "not valid
/// JSON" with the reader's reason and byte offset (worded as on the callback route); valid JSON of
/// another shape is "must be a JSON array". Both are 400, store nothing, and keep the body whole
/// as an ingestion error with the same reason.
@Suite("Events route: broken or non-array bodies")
struct EventBodyErrorRouteTests {
    static func message(_ r: TestResponse) throws -> String {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any])
        return try #require((json["error"] as? [String: Any])?["message"] as? String)
    }

    @Test(arguments: [
        ("[{", "body is not valid JSON: unexpected end of input, expected a member name string at byte 2"),
        (#"[{"eventId":"e1","userId":"u1","name":"purchase","ts":1700000000}"#,
         "body is not valid JSON: unexpected end of input, expected ',' or ']' at byte 65"),
        ("", "body is not valid JSON: the body is empty: expected a JSON value"),
        ("\u{FEFF}", "body is not valid JSON: the body is empty: expected a JSON value"),
        (" \n", "body is not valid JSON: the body holds no JSON value, only 2 bytes of white space: expected a JSON value"),
        (#"{"eventId":"x"}"#, "body must be a JSON array of {eventId, userId, name, ts, properties}"),
        ("42", "body must be a JSON array of {eventId, userId, name, ts, properties}"),
    ])
    func aBodyThatIsNotAnArrayOfEventsIsA400SayingWhich(body: String, expected: String) async throws {
        let app = try await ClickTestApp()
        try await app.withClient { client in
            let r = try await client.execute(
                uri: "/api/v1/events", method: .post, headers: ClickTestApp.auth, body: ByteBuffer(string: body))
            #expect(r.status == .badRequest)
            #expect(try Self.message(r) == expected)
        }
        let errors = try await app.store.ingestionErrors(limit: 10)
        #expect(errors.map(\.source) == ["events"])
        #expect(errors.map(\.reason) == [expected])
        #expect(errors.map(\.raw) == [Array(body.utf8)])
    }

    /// Found by the json fuzzer (Fuzz/Corpus/json): Foundation's JSONDecoder refuses the valid
    /// number `0e3`, so this body was a 400 "not valid JSON: the JSON reader could not read it".
    @Test("a body with a number JSONDecoder refuses (0e3) is read like any JSON")
    func aNumberFoundationsDecoderRefusesIsRead() async throws {
        let app = try await ClickTestApp()
        let body = #"[{"eventId":"e1","userId":"u1","name":"purchase","ts":1700000000,"properties":{"n":0e3,"m":1E2}}]"#
        try await app.withClient { client in
            let r = try await client.execute(
                uri: "/api/v1/events", method: .post, headers: ClickTestApp.auth, body: ByteBuffer(string: body))
            #expect(r.status == .ok)
            #expect(String(buffer: r.body) == #"{"duplicates":0,"invalid":[],"stored":1}"#)
        }
        #expect(try await app.store.ingestionErrors(limit: 10).isEmpty)
    }
}
