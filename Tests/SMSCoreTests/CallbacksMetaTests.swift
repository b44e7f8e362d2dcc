import Foundation
import Testing

@testable import SMSCore

/// A callback's `meta` holding a control character can never match a message we sent
/// (``CallbackMeta``): refused as an invalid item naming the field, never kept pending; other text
/// fields keep U+0000 as U+FFFD in the stores (``CallbackItem/withoutNUL``).
@Suite("Callback meta: control characters")
struct CallbacksMetaTests {
    @Test("the reason names the field, the character and its position")
    func reason() {
        #expect(CallbackMeta.problem("mAbc123") == nil)
        #expect(CallbackMeta.problem("m-1 é😎") == nil)
        let allowed = "must be 1 to 256 characters, none of them a control character (U+0000–U+001F, U+007F) or U+FFFD (bytes that were not UTF-8): it is an id handed back unchanged, so it could never match a message"
        #expect(CallbackMeta.problem("ab\u{0}cd") == "meta contains the control character U+0000 at position 2; meta " + allowed)
        #expect(CallbackMeta.problem("é\t")?.hasPrefix("meta contains the control character U+0009 at position 1;") == true)
        #expect(CallbackMeta.problem("x\u{7F}")?.hasPrefix("meta contains the control character U+007F at position 1;") == true)
        #expect(CallbackMeta.problem("\u{1F}")?.hasPrefix("meta contains the control character U+001F at position 0;") == true)
        #expect(CallbackMeta.problem("ab\u{FFFD}", field: "fid") == "fid contains U+FFFD at position 2; fid " + allowed)
        // 256 scalars (an emoji is one) pass, 257 do not.
        #expect(CallbackMeta.problem(String(repeating: "😎", count: 256)) == nil)
        #expect(CallbackMeta.problem(String(repeating: "a", count: 257), field: "MessageSid") == "MessageSid is 257 characters long; MessageSid " + allowed)
    }

    @Test("property: every meta SMSStats generates passes")
    func generatedMetasPass() {
        var rng = SplitMix64(seed: 12)
        for _ in 0..<1_000 {
            let meta = "m" + ShortCode.generate(using: &rng) + ShortCode.generate(using: &rng)
            #expect(CallbackMeta.problem(meta) == nil, "\(meta)")
        }
    }

    @Test("generic contract: a meta with U+0000 is an invalid item with the reason; the other items of the batch stay valid")
    func genericRefuses() throws {
        let body = #"[{"event":"delivered","data":[{"meta":"ab\u0000cd","ts":1700000000},{"meta":"m2","ts":1700000001}]}]"#
        let result = try GenericCallbackParser.parse(Data(body.utf8))
        #expect(result.items == [CallbackItem(kind: .delivered, meta: "m2", ts: 1_700_000_001)])
        #expect(result.invalid == [
            InvalidCallbackItem(
                raw: #"[{"event":"delivered","data":[{"meta":"ab\u0000cd","ts":1700000000}]}]"#, event: "delivered",
                reason: CallbackMeta.problem("ab\u{0}cd")!, missingFields: [], group: 0, index: 0)
        ])
        // Its stored form re-parses to the same refusal (replaying the unchanged bytes refuses again).
        let stored = CallbackDialect.storedRaw(result.invalid[0], kind: .generic, fields: nil)
        #expect(try CallbackDialect.reparse(stored, kind: .generic).invalid.map(\.reason) == [CallbackMeta.problem("ab\u{0}cd")!])
    }

    @Test("Kannel: a meta with a control character (from %00 in the DLR URL) is an invalid item")
    func kannelRefuses() {
        let result = KannelCallback.parse(params: ["meta": "m1\u{0}", "type": "1", "ts": "1700000000"])
        #expect(result.items == [])
        #expect(result.invalid.map(\.reason) == [CallbackMeta.problem("m1\u{0}")!])
        #expect(result.invalid.map(\.event) == ["1"])
    }

    @Test("withoutNUL: U+0000 becomes U+FFFD in every text field, nothing else changes")
    func withoutNUL() {
        let item = CallbackItem(
            kind: .replied, meta: "a\u{0}", ts: 5, code: "c\u{0}", description: "\u{0}d", url: "u", shortURL: "s\u{0}",
            incomingText: "ST\u{0}OP", toPhone: "+1\u{0}", providerStatus: "p\u{0}", providerMessageId: "\u{0}", part: 2)
        #expect(item.withoutNUL == CallbackItem(
            kind: .replied, meta: "a\u{FFFD}", ts: 5, code: "c\u{FFFD}", description: "\u{FFFD}d", url: "u", shortURL: "s\u{FFFD}",
            incomingText: "ST\u{FFFD}OP", toPhone: "+1\u{FFFD}", providerStatus: "p\u{FFFD}", providerMessageId: "\u{FFFD}", part: 2))
        let plain = CallbackItem(kind: .delivered, meta: "m1", ts: 1)
        #expect(plain.withoutNUL == plain)
    }
}
