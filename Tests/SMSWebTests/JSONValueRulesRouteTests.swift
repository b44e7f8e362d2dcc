import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
import SMSWeb
import Testing

/// Issue 12, a new-user tester's findings on batches (`docs/DOMAIN.md` §1 "Numbers and keys from
/// outside", §3): a number beyond a double (`1e309`) or a key given twice inside ONE item of a
/// callback batch (generic contract and every JSON dialect) or an events batch refused the whole
/// batch ("number out of range at byte N") or was guessed (first key here, last key there); now
/// it is a value error of that item's field: the item is invalid naming the field and its range,
/// kept as its own bytes, and the other items are applied. A callback's `code`, `description`,
/// clicked `url` or `incomingText` holding NUL was stored with U+FFFD; now the item is invalid
/// naming the field (`incomingText` may hold line feeds and tabs). SQLite and PostgreSQL.
@Suite("JSON value rules in batches: 1e309 and repeated keys refuse one item; callback text fields refuse control characters")
struct JSONValueRulesRouteTests {
    static let tsRange = "ts must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000"
    static let secret = CallbackItemBytesRouteTests.secret

    static func post(_ client: any TestClientProtocol, _ provider: String, _ body: String) async throws -> (HTTPResponse.Status, [String: Any]) {
        try await client.execute(
            uri: "/callbacks/\(provider)?secret=\(secret)", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: body)
        ) { r in (r.status, (try? JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any]) ?? ["text": String(buffer: r.body)]) }
    }

    static func invalidItems(_ answer: [String: Any]) -> [[String: Any]] {
        ((answer["details"] as? [String: Any])?["invalid_items"] as? [[String: Any]]) ?? []
    }

    static func processed(_ answer: [String: Any]) -> Int? {
        (answer["details"] as? [String: Any])?["processed_events"] as? Int
    }

    @Test("generic: 1e309 in one item's ts is that item's value error naming ts and its range; the 2 others are applied", arguments: StoreKind.allCases)
    func genericBeyondDouble(kind: StoreKind) async throws {
        try await CallbackItemBytesRouteTests.withApp(kind) { client, t in
            let item = #"{"meta":"m2","ts":1e309}"#
            let body = #"[{"event":"delivered","data":[{"meta":"m1","ts":1700000000},"# + item + #",{"meta":"m3","ts":1700000001}]}]"#
            let (status, answer) = try await Self.post(client, "p1", body)
            #expect(status == .badRequest)
            #expect(Self.processed(answer) == 2)
            let invalid = Self.invalidItems(answer)
            #expect(invalid.count == 1)
            #expect(invalid.first?["index"] as? Int == 1)
            #expect(invalid.first?["reason"] as? String == Self.tsRange + " (got '1e309')")
            let errors = try await t.store.ingestionErrors(limit: 10)
            #expect(errors.map(\.reason) == [Self.tsRange + " (got '1e309')"])
            #expect(errors.first?.rawText == #"[{"event":"delivered","data":["# + item + "]}]")
            let pending = try await t.store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 10)
            #expect(Set(pending.map(\.meta)) == ["m1", "m3"])
        }
    }

    @Test("every JSON dialect: a number beyond a double or a key given twice refuses that item (or report) only, naming the field", arguments: StoreKind.allCases)
    func dialects(kind: StoreKind) async throws {
        try await CallbackItemBytesRouteTests.withApp(kind) { client, t in
            // Gupshup batch: the second event's eventTs is 1e309, the third repeats externalId.
            let gupshup = #"[{"externalId":"g1","eventType":"DELIVERED","eventTs":1700000000000},"#
                + #"{"externalId":"g2","eventType":"DELIVERED","eventTs":-1E400},"#
                + #"{"externalId":"g3","externalId":"g4","eventType":"DELIVERED"}]"#
            var (status, answer) = try await Self.post(client, "gupshup", gupshup)
            #expect(status == .badRequest)
            #expect(Self.processed(answer) == 1)
            #expect(Self.invalidItems(answer).map { $0["reason"] as? String } == [
                "eventTs must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000 (got '-1E400')",
                "externalId is given more than once: each key may appear once in an object",
            ])
            var errors = try await t.store.ingestionErrors(limit: 10)
            #expect(Set(errors.compactMap(\.rawText)) == [
                #"{"externalId":"g2","eventType":"DELIVERED","eventTs":-1E400}"#, #"{"externalId":"g3","externalId":"g4","eventType":"DELIVERED"}"#,
            ])
            // Sinch and Vonage send one report per request: the report is the invalid item.
            (status, answer) = try await Self.post(
                client, "sinch", #"{"type":"recipient_delivery_report_sms","status":"Failed","batch_id":"b1","code":1e999}"#)
            #expect(status == .badRequest)
            #expect(Self.invalidItems(answer).map { $0["reason"] as? String } == ["code is beyond the range of a number, ±1.8e308 (got '1e999')"])
            (status, answer) = try await Self.post(client, "vonage", #"{"messageId":"v1","status":"delivered","status":"failed"}"#)
            #expect(status == .badRequest)
            #expect(Self.invalidItems(answer).map { $0["reason"] as? String } == ["status is given more than once: each key may appear once in an object"])
            errors = try await t.store.ingestionErrors(limit: 10)
            #expect(errors.count == 4)
            #expect(errors.first?.rawText == #"{"messageId":"v1","status":"delivered","status":"failed"}"#)
            let pending = try await t.store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 10)
            #expect(pending.map(\.meta) == ["g1"])
        }
    }

    @Test("generic: a key given twice in an item, or in a group, names the key; the other items are applied", arguments: StoreKind.allCases)
    func genericRepeatedKey(kind: StoreKind) async throws {
        try await CallbackItemBytesRouteTests.withApp(kind) { client, t in
            let body = #"[{"event":"delivered","data":[{"meta":"m1","meta":"m9","ts":1700000000},{"meta":"m2","ts":1700000000}]},"#
                + #"{"event":"failed","event":"delivered","data":[{"meta":"m3","ts":1700000000}]}]"#
            let (status, answer) = try await Self.post(client, "p1", body)
            #expect(status == .badRequest)
            #expect(Self.processed(answer) == 1)
            let invalid = Self.invalidItems(answer)
            #expect(invalid.map { $0["reason"] as? String } == [
                "meta is given more than once: each key may appear once in an object",
                "event is given more than once: each key may appear once in an object",
            ])
            #expect(invalid.map { $0["group"] as? Int } == [0, 1])
            #expect(invalid.map { $0["index"] as? Int } == [0, nil])
            let pending = try await t.store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 10)
            #expect(pending.map(\.meta) == ["m2"])
            let raws = Set(try await t.store.ingestionErrors(limit: 10).compactMap(\.rawText))
            #expect(raws == [
                #"[{"event":"delivered","data":[{"meta":"m1","meta":"m9","ts":1700000000}]}]"#,
                #"[{"event":"failed","event":"delivered","data":[{"meta":"m3","ts":1700000000}]}]"#,
            ])
        }
    }

    @Test("generic: a control character in code, description, url or incomingText makes the item invalid naming the field; a reply's line feeds and tabs are kept", arguments: StoreKind.allCases)
    func textFields(kind: StoreKind) async throws {
        try await CallbackItemBytesRouteTests.withApp(kind) { client, t in
            let body = #"[{"event":"failed","data":[{"meta":"m1","ts":1700000000,"code":"E\u00001"},"#
                + #"{"meta":"m2","ts":1700000000,"code":"E2","description":"bad\u001bnews"}]},"#
                + #"{"event":"clicked","data":[{"meta":"m3","ts":1700000000,"url":"https://x.example/\u0000"}]},"#
                + #"{"event":"replied","data":[{"meta":"m4","ts":1700000000,"incomingText":"ST\u0000OP"},"#
                + #"{"meta":"m5","ts":1700000000,"incomingText":"yes\r\nplease\tnow"},"#
                + #"{"meta":"m6","ts":1700000000,"incomingText":"a\u0007b"}]}]"#
            let (status, answer) = try await Self.post(client, "p1", body)
            #expect(status == .badRequest)
            #expect(Self.processed(answer) == 1)
            let text = "may hold no control character (U+0000–U+001F, U+007F) and no U+FFFD (bytes that were not UTF-8)"
            let reply = "incomingText may hold line feed, carriage return and tab but no other control character (U+0000–U+001F, U+007F) and no U+FFFD (bytes that were not UTF-8)"
            #expect(Self.invalidItems(answer).map { $0["reason"] as? String } == [
                "code contains the control character U+0000 at position 1; code " + text,
                "description contains the control character U+001B at position 3; description " + text,
                "url contains the control character U+0000 at position 18; url " + text,
                "incomingText contains the control character U+0000 at position 2; " + reply,
                "incomingText contains the control character U+0007 at position 1; " + reply,
            ])
            let pending = try await t.store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 10)
            #expect(pending.map(\.meta) == ["m5"])
            #expect(pending.first?.item.incomingText == "yes\r\nplease\tnow")
            #expect(try await t.store.ingestionErrors(limit: 10).count == 5)
        }
    }

    @Test("events: 1e309 in one event's ts or a property, or a key given twice, refuses that event naming the field; the others are stored", arguments: StoreKind.allCases)
    func events(kind: StoreKind) async throws {
        try await CallbackItemBytesRouteTests.withApp(kind) { client, t in
            let e2 = #"{"eventId":"e2","userId":"u1","name":"buy","ts":1e309}"#
            let body = #"[{"eventId":"e1","userId":"u1","name":"buy","ts":1700000000},"# + e2 + ","
                + #"{"eventId":"e3","userId":"u1","name":"buy","ts":1700000000,"properties":{"plan":"a","plan":"b","n":-1e400}}]"#
            try await client.execute(
                uri: "/api/v1/events", method: .post,
                headers: [.authorization: "Bearer \(CallbackItemBytesRouteTests.token)", .contentType: "application/json"],
                body: ByteBuffer(string: body)
            ) { r in
                #expect(r.status == .badRequest)
                let answer = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any]
                #expect(answer?["stored"] as? Int == 1)
                let invalid = answer?["invalid"] as? [[String: Any]] ?? []
                #expect(invalid.map { $0["index"] as? Int } == [1, 2])
                #expect(invalid.map { $0["reason"] as? String } == [
                    Self.tsRange + " (got '1e309')",
                    "properties.plan is given more than once: each key may appear once in an object; "
                        + "properties.n is beyond the range of a number, ±1.8e308 (got '-1e400')",
                ])
            }
            let errors = try await t.store.ingestionErrors(limit: 10)
            #expect(errors.contains { $0.rawText == e2 && $0.source == "events" })
        }
    }
}
