import Foundation
import Testing
@testable import SMSCore

/// Exact callback response bodies (`docs/DOMAIN.md` §3 "Responses").
@Suite("Callback responses")
struct CallbacksResponseTests {
    @Test("success body is exact, with processed events and epoch-second timestamp")
    func successBody() {
        let response = CallbackResponse.success(processedEvents: 3, timestamp: 1_700_000_000)
        #expect(response.status == 200)
        #expect(response.body == #"{"status":"success","message":"Callback processed successfully","data":{"processed_events":3,"timestamp":1700000000}}"#)
        #expect(response.bodyData == Data(response.body.utf8))
    }

    @Test("error body names the missing fields and every invalid item with its position")
    func invalidItemsBody() {
        let invalid = [
            InvalidCallbackItem(raw: #"{"meta":"b"}"#, event: "delivered", reason: "missing required fields: ts", missingFields: ["ts"], group: 0, index: 1),
            InvalidCallbackItem(raw: "{}", event: "failed", reason: "missing required fields: meta, ts, code", missingFields: ["meta", "ts", "code"], group: 1, index: 0),
            InvalidCallbackItem(raw: #"{"meta":"x","ts":1}"#, event: "sent", reason: "unknown event 'sent'", missingFields: [], group: 2, index: 0),
        ]
        let response = CallbackResponse.invalidItems(invalid, processedEvents: 2)
        #expect(response.status == 400)
        #expect(response.body == #"{"status":"error","error_code":400,"details":{"missing_fields":["ts","meta","code"],"invalid_items":[{"group":0,"index":1,"event":"delivered","reason":"missing required fields: ts","missing_fields":["ts"]},{"group":1,"index":0,"event":"failed","reason":"missing required fields: meta, ts, code","missing_fields":["meta","ts","code"]},{"group":2,"index":0,"event":"sent","reason":"unknown event 'sent'","missing_fields":[]}],"processed_events":2}}"#)
    }

    @Test("unknown positions and events are left out and text is JSON-escaped")
    func invalidItemsWithoutPositions() {
        let invalid = [InvalidCallbackItem(raw: "{}", event: nil, reason: "unknown status 'a\"b'", missingFields: [])]
        #expect(CallbackResponse.invalidItems(invalid, processedEvents: 0).body
            == #"{"status":"error","error_code":400,"details":{"missing_fields":[],"invalid_items":[{"reason":"unknown status 'a\"b'","missing_fields":[]}],"processed_events":0}}"#)
    }

    @Test("an unreadable body gets a 400 with the parse error's message")
    func malformedBody() {
        let response = CallbackResponse.malformedBody(.notAnArray)
        #expect(response.status == 400)
        #expect(response.body == #"{"status":"error","error_code":400,"details":{"missing_fields":[],"message":"the callback body must be a JSON array of groups like [{\"event\":\"delivered\",\"data\":[{...}]}]"}}"#)
    }

    @Test("make(for:) answers 200 for a fully valid result and 400 otherwise")
    func makeForResult() {
        let ok = CallbackParseResult(items: [CallbackItem(kind: .delivered, meta: "a", ts: 1)])
        #expect(CallbackResponse.make(for: ok, timestamp: 5) == .success(processedEvents: 1, timestamp: 5))
        #expect(CallbackResponse.make(for: ok, processedEvents: 0, timestamp: 5) == .success(processedEvents: 0, timestamp: 5))
        let bad = InvalidCallbackItem(raw: "{}", event: "delivered", reason: "missing required fields: meta, ts", missingFields: ["meta", "ts"], group: 0, index: 1)
        let mixed = CallbackParseResult(items: ok.items, invalid: [bad])
        #expect(CallbackResponse.make(for: mixed, timestamp: 5) == .invalidItems([bad], processedEvents: 1))
    }

    @Test("every body is valid JSON")
    func bodiesAreJSON() throws {
        let bodies = [
            CallbackResponse.success(processedEvents: 1, timestamp: 2).body,
            CallbackResponse.invalidItems([InvalidCallbackItem(raw: "{}", event: "é\n", reason: "r\t", missingFields: ["meta"])], processedEvents: 0).body,
            CallbackResponse.malformedBody(.malformedJSON("bad \"quote\" at byte 3")).body,
        ]
        for body in bodies {
            #expect(throws: Never.self) { try CallbackJSONValue.decode(Data(body.utf8)) }
        }
    }
}
