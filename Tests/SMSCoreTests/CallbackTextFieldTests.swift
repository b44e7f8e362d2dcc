import Foundation
import Testing

@testable import SMSCore

/// A callback's text fields follow ``CallbackMeta``'s rule (``CallbackMeta/Field``, `docs/DOMAIN.md`
/// §1): a code, description or URL holds no control character and no U+FFFD; a reply's text may
/// hold line feed, carriage return and tab. A refused value makes the item invalid naming the
/// field, in the generic contract and every dialect; it is never stored altered.
@Suite("Callback text fields: control characters refused, naming the field")
struct CallbackTextFieldTests {
    static let textRule = "may hold no control character (U+0000–U+001F, U+007F) and no U+FFFD (bytes that were not UTF-8)"

    @Test("property: every C0 control, DEL and U+FFFD is refused in a code; in a reply text all but LF, CR and TAB")
    func everyControl() {
        for value in Array(0..<0x20) + [0x7F, 0xFFFD] {
            let scalar = Unicode.Scalar(UInt32(value))!
            let text = "a" + String(Character(scalar)) + "b"
            let code = CallbackMeta.problem(text, field: "code", rule: .text)
            let name = TextInput.name(scalar)
            #expect(code == (value == 0xFFFD
                ? "code contains U+FFFD at position 1; code " + Self.textRule
                : "code contains the control character \(name) at position 1; code " + Self.textRule))
            let reply = CallbackMeta.problem(text, field: "incomingText", rule: .messageText)
            #expect((reply == nil) == [0x09, 0x0A, 0x0D].contains(value), "\(name)")
        }
        // Text rules have no length limit (an id's is 256).
        #expect(CallbackMeta.problem(String(repeating: "a", count: 5_000), field: "description", rule: .text) == nil)
        #expect(CallbackMeta.problem("Ünïcödé 😎 ok", field: "incomingText", rule: .messageText) == nil)
    }

    @Test("form dialects: a NUL in the error code or message is an invalid item naming the dialect's field", arguments: [
        (ProviderKind.twilio, "MessageSid=SM1&MessageStatus=undelivered&ErrorCode=30%0003", "ErrorCode", 2),
        (ProviderKind.twilio, "MessageSid=SM1&MessageStatus=delivered&ErrorMessage=o%00k", "ErrorMessage", 1),
        (ProviderKind.plivo, "MessageUUID=u1&Status=failed&ErrorCode=%001", "ErrorCode", 0),
        (ProviderKind.jasmin, "id=j1&message_status=UNDELIV&err=%1B", "err", 0),
    ])
    func formDialects(kind: ProviderKind, form: String, field: String, position: Int) throws {
        let result = try CallbackDialect.parse(
            kind: kind, body: Data(), fields: FormFields.parse(bytes: Array(form.utf8)), bodyIsJSON: false, maxItems: 10)
        #expect(result.items.isEmpty)
        let scalar = form.contains("%1B") ? "U+001B" : "U+0000"
        #expect(result.invalid.map(\.reason) == ["\(field) contains the control character \(scalar) at position \(position); \(field) " + Self.textRule])
    }

    @Test("JSON dialects: Gupshup's cause, Sinch's code, Vonage's err-code with a NUL are refused naming the field")
    func jsonDialects() throws {
        let gupshup = try GupshupCallback.parse(json: Data(#"[{"externalId":"g1","eventType":"FAILED","cause":"X\u0000"},{"externalId":"g2","eventType":"DELIVERED"}]"#.utf8))
        #expect(gupshup.items.map(\.meta) == ["g2"])
        #expect(gupshup.invalid.map(\.reason) == ["cause contains the control character U+0000 at position 1; cause " + Self.textRule])
        let sinch = try SinchCallback.parse(json: Data(#"{"type":"recipient_delivery_report_sms","status":"Failed","batch_id":"b1","code":"\u0000"}"#.utf8))
        #expect(sinch.invalid.map(\.reason) == ["code contains the control character U+0000 at position 0; code " + Self.textRule])
        let vonage = try VonageCallback.parse(json: Data(#"{"messageId":"v1","status":"failed","err-code":"1\u007f"}"#.utf8))
        #expect(vonage.invalid.map(\.reason) == ["err-code contains the control character U+007F at position 1; err-code " + Self.textRule])
    }

    @Test("the generic contract's refused item replays to the same refusal from its stored bytes")
    func replay() throws {
        let body = #"[{"event":"replied","data":[{"meta":"m1","ts":1700000000,"incomingText":"a\u0000"},{"meta":"m2","ts":1700000000,"incomingText":"a\nb"}]}]"#
        let result = try GenericCallbackParser.parse(Data(body.utf8))
        #expect(result.items.map(\.incomingText) == ["a\nb"])
        let stored = CallbackDialect.storedRaw(result.invalid[0], kind: .generic, fields: nil)
        #expect(String(decoding: stored, as: UTF8.self) == #"[{"event":"replied","data":[{"meta":"m1","ts":1700000000,"incomingText":"a\u0000"}]}]"#)
        #expect(try CallbackDialect.reparse(stored, kind: .generic).invalid.map(\.reason) == result.invalid.map(\.reason))
    }

    @Test("InputEcho: at most 64 characters, then …")
    func echo() {
        #expect(InputEcho.text("Europe/Berlin") == "Europe/Berlin")
        #expect(InputEcho.text(String(repeating: "x", count: 64)) == String(repeating: "x", count: 64))
        #expect(InputEcho.text(String(repeating: "é", count: 5_000)) == String(repeating: "é", count: 64) + "…")
    }
}
