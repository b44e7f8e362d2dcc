import Foundation
import SMSCore
import Testing

@Suite("Callback dialect dispatch and replay form")
struct CallbacksDialectTests {
    @Test("each kind reads its input: JSON body or fields", arguments: [
        (ProviderKind.generic, false), (.sinch, false), (.gupshup, false), (.twilio, true), (.plivo, true), (.jasmin, true), (.kannel, true),
    ])
    func readsFields(kind: ProviderKind, fields: Bool) {
        #expect(CallbackDialect.readsFields(kind, bodyIsJSON: true) == fields)
    }

    @Test("vonage reads JSON when the body is JSON, else fields (GET query)")
    func vonage() throws {
        #expect(CallbackDialect.readsFields(.vonage, bodyIsJSON: true) == false)
        #expect(CallbackDialect.readsFields(.vonage, bodyIsJSON: false) == true)
        let viaFields = try CallbackDialect.parse(
            kind: .vonage, body: Data(), fields: ["messageId": "0A1", "status": "delivered"], bodyIsJSON: false, maxItems: 10)
        #expect(viaFields.items.map(\.kind) == [.delivered])
        let viaJSON = try CallbackDialect.parse(
            kind: .vonage, body: Data(#"{"messageId":"0A1","status":"expired","err-code":"5"}"#.utf8), fields: [:], bodyIsJSON: true, maxItems: 10)
        #expect(viaJSON.items.map(\.code) == ["5"])
    }

    @Test("a generic invalid item is stored inside its group as received, and re-parses to the same problem")
    func genericStoredRaw() throws {
        let parsed = try GenericCallbackParser.parse(Data(#"[{"event":"failed","data":[{"meta":"m1","ts":1700000000}]}]"#.utf8))
        let invalid = try #require(parsed.invalid.first)
        let raw = CallbackDialect.storedRaw(invalid, kind: .generic, fields: nil)
        #expect(raw == Array(#"[{"event":"failed","data":[{"meta":"m1","ts":1700000000}]}]"#.utf8))
        #expect(try CallbackDialect.reparse(raw, kind: .generic).invalid.map(\.reason) == ["missing required fields: code"])
        let fixed = try CallbackDialect.reparse(#"[{"data":[{"meta":"m1","ts":1700000000,"code":"914"}],"event":"failed"}]"#, kind: .generic)
        #expect(fixed.items == [CallbackItem(kind: .failed, meta: "m1", ts: 1_700_000_000, code: "914")])
    }

    @Test("a whole invalid group is stored as a one-group body")
    func genericGroup() throws {
        let parsed = try GenericCallbackParser.parse(Data(#"[{"event":"delivered"}]"#.utf8))
        let invalid = try #require(parsed.invalid.first)
        #expect(CallbackDialect.storedRaw(invalid, kind: .generic, fields: nil) == Array(#"[{"event":"delivered"}]"#.utf8))
    }

    /// Found by the callback-json fuzzer (Fuzz/Corpus/callback-json): the element `"operator"`
    /// was stored as `"operator"`, which is no batch, so its replay failed with "must be a JSON array".
    @Test("a Gupshup batch element that is not an object is stored in a batch of one and replays to the same problem")
    func gupshupNonObjectElement() throws {
        let parsed = try CallbackDialect.parse(
            kind: .gupshup, body: Data(#"["operator","provider"]"#.utf8), fields: [:], bodyIsJSON: true, maxItems: 10)
        #expect(parsed.items.isEmpty)
        #expect(parsed.invalid.map(\.reason) == ["event must be a JSON object, got a string", "event must be a JSON object, got a string"])
        let stored = parsed.invalid.map { CallbackDialect.storedRaw($0, kind: .gupshup, fields: nil) }
        #expect(stored == [Array(#"["operator"]"#.utf8), Array(#"["provider"]"#.utf8)])
        let replayed = try CallbackDialect.reparse(stored[0], kind: .gupshup)
        #expect(replayed == CallbackParseResult(invalid: [InvalidCallbackItem(
            raw: #""operator""#, event: nil, reason: "event must be a JSON object, got a string", missingFields: [], index: 0)]))
        // An object element is stored as the object's bytes as received.
        let object = try CallbackDialect.parse(
            kind: .gupshup, body: Data(#"[{"externalId":"9", "eventType":"LOST"}]"#.utf8), fields: [:], bodyIsJSON: true, maxItems: 10)
        #expect(object.invalid.map { CallbackDialect.storedRaw($0, kind: .gupshup, fields: nil) } == [Array(#"{"externalId":"9", "eventType":"LOST"}"#.utf8)])
    }

    @Test("field dialects replay from the form or query text as received, and from an older row's JSON object of strings", arguments: [
        (ProviderKind.twilio, "MessageStatus=undelivered&MessageSid=SM1&ErrorCode=30003", CallbackEventKind.failed),
        (.plivo, "MessageUUID=u1&Status=delivered&Sequence=2", .delivered),
        (.jasmin, "id=j1&message_status=ENROUTE", .submitted),
        (.kannel, "meta=m1&type=16&answer=NACK%2F0x00000045%2FSubmit+failed", .failed),
        (.vonage, "messageId=0A1&status=delivered&message-timestamp=2024-01-01+00%3A00%3A00", .delivered),
        (.twilio, #"{"MessageSid":"SM1","MessageStatus":"undelivered","ErrorCode":"30003"}"#, .failed),
        (.plivo, #"{"MessageUUID":"u1","Status":"delivered","Sequence":"2"}"#, .delivered),
        (.jasmin, #"{"id":"j1","message_status":"ENROUTE"}"#, .submitted),
        (.kannel, #"{"meta":"m1","type":"16","answer":"NACK/0x00000045/Submit failed"}"#, .failed),
        (.sinch, #"{"batch_id":"B1","status":"Dispatched","type":"recipient_delivery_report_sms"}"#, .submitted),
        (.gupshup, #"{"externalId":"9","eventType":"SENT"}"#, .submitted),
    ])
    func replayFields(kind: ProviderKind, raw: String, expected: CallbackEventKind) throws {
        let result = try CallbackDialect.reparse(raw, kind: kind)
        #expect(result.invalid.isEmpty)
        #expect(result.items.map(\.kind) == [expected])
    }

    @Test("an unreadable stored JSON text throws the JSON reader's error; a field dialect's text is form text")
    func unreadable() throws {
        // Vonage's stored text that is not JSON is its form text (fields arrive as a form or query).
        #expect(try CallbackDialect.reparse("{not json", kind: .vonage).items.isEmpty)
        #expect(try CallbackDialect.reparse(Array("[mm".utf8) + [0xF2], kind: .vonage).items.isEmpty)
        #expect(throws: CallbackParseError.notAnArray) { try CallbackDialect.reparse("{}", kind: .generic) }
        #expect(try CallbackDialect.reparse("not json", kind: .twilio).invalid.map(\.reason) == ["missing required fields: MessageSid, MessageStatus"])
    }

    @Test("a stored body kind decides how Vonage bytes replay; without one the bytes are guessed from")
    func replayByStoredBodyKind() throws {
        let json = Array(#"{"messageId":"0A1","status":"delivered"}"#.utf8)
        // Read as JSON when it arrived: one item. Read as form fields (a form body that happens to
        // look like JSON): the fields are that text, so no messageId: still invalid, as on arrival.
        #expect(try CallbackDialect.reparse(json, kind: .vonage, bodyKind: .json).items.map(\.kind) == [.delivered])
        #expect(try CallbackDialect.reparse(json, kind: .vonage, bodyKind: .fields).items.isEmpty)
        #expect(try CallbackDialect.reparse(json, kind: .vonage, bodyKind: .fields).invalid.count == 1)
        // Form text starting with `[` replays as form fields; a Vonage JSON body refused whole
        // (bad UTF-8) is refused whole again, never read as form fields.
        let form = Array("[x=1&messageId=0A1&status=delivered&message-timestamp=2024-01-01+00%3A00%3A00".utf8)
        #expect(try CallbackDialect.reparse(form, kind: .vonage, bodyKind: .fields).items.map(\.kind) == [.delivered])
        let badJSON = Array(#"{"messageId":""#.utf8) + [0xF2] + Array(#"","status":"delivered"}"#.utf8)
        #expect(throws: CallbackParseError.self) { try CallbackDialect.reparse(badJSON, kind: .vonage, bodyKind: .json) }
        #expect(try CallbackDialect.reparse(badJSON, kind: .vonage).items.isEmpty)  // the older guess: form fields
        // A field dialect with a stored kind reads its text as fields, whatever it looks like.
        #expect(try CallbackDialect.reparse(Array("MessageSid=SM1&MessageStatus=sent".utf8), kind: .twilio, bodyKind: .fields).items.map(\.kind) == [.submitted])
    }

    @Test("a field dialect's invalid item is stored as the text its fields were read from, byte for byte")
    func fieldText() throws {
        let utf16 = Array("MessageSid=SM1&MessageStatus=sent".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let text = FormFields.received(form: utf16, query: "")
        #expect(text == utf16)
        let parsed = try CallbackDialect.parse(kind: .twilio, body: Data(), fields: FormFields.parse(bytes: text), bodyIsJSON: false, maxItems: 10)
        let invalid = try #require(parsed.invalid.first)
        #expect(CallbackDialect.storedRaw(invalid, kind: .twilio, fields: text) == utf16)
        // Form first, then the query without our secret: the form wins a name both carry.
        let both = FormFields.received(form: Array("type=1&meta=m1".utf8), query: FormFields.removing("secret", from: "secret=x&type=16&fid=F%31"))
        #expect(both == Array("type=1&meta=m1&type=16&fid=F%31".utf8))
        #expect(FormFields.parse(bytes: both) == ["type": "1", "meta": "m1", "fid": "F1"])
        #expect(FormFields.removing("secret", from: "a=1&sec%72et=x&b=%2B&secret") == "a=1&b=%2B")
    }
}
