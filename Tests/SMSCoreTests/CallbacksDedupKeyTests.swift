import Foundation
import Testing
@testable import SMSCore

/// Callback dedup key (exact re-delivery collides, different events do not).
@Suite("Callback dedup key")
struct CallbacksDedupKeyTests {
    private let base = CallbackItem(kind: .failed, meta: "m-1", ts: 1_700_000_000, code: "914")

    @Test("FNV-1a 128 matches the published test vectors")
    func fnvVectors() {
        func hex(_ text: String) -> String {
            let h = CallbackDedupKey.fnv1a128(Array(text.utf8))
            return [h.high, h.low].map { String($0, radix: 16) }.map { String(repeating: "0", count: 16 - $0.count) + $0 }.joined()
        }
        #expect(hex("") == "6c62272e07bb014262b821756295c58d")
        #expect(hex("a") == "d228cb696f1a8caf78912b704e4a8964")
        #expect(hex("foobar") == "343e1662793c64bf6f0d3597ba446f18")
    }

    @Test("the key is stable: canonical text and hash are fixed")
    func goldenKey() {
        #expect(CallbackDedupKey.canonicalString(providerId: "generic", item: base)
            == "provider=7:generic;meta=3:m-1;kind=6:failed;ts=10:1700000000;code=3:914;url=-;incomingText=-;part=-;providerStatus=-;")
        #expect(CallbackDedupKey.make(providerId: "generic", item: base) == "cb1-e73362cc34773b5adbca4ea3b8f6ae6a")
    }

    @Test("an exact duplicate delivery gets the same key")
    func duplicatesCollide() {
        let again = CallbackItem(kind: .failed, meta: "m-1", ts: 1_700_000_000, code: "914")
        #expect(CallbackDedupKey.make(providerId: "p1", item: base) == CallbackDedupKey.make(providerId: "p1", item: again))
    }

    @Test("fields outside the key do not make a new event")
    func nonKeyFieldsIgnored() {
        var other = base
        other.description = "different text"
        other.toPhone = "+4917000000"
        other.shortURL = "https://s.example/x"
        other.providerMessageId = "SM123"
        #expect(CallbackDedupKey.make(providerId: "p1", item: base) == CallbackDedupKey.make(providerId: "p1", item: other))
    }

    @Test("events that differ in any key field get different keys", arguments: [
        "provider", "meta", "kind", "ts", "tsNil", "code", "codeNil", "url", "incomingText", "part", "providerStatus",
    ])
    func differentEventsDiffer(field: String) {
        var other = base
        var provider = "p1"
        switch field {
        case "provider": provider = "p2"
        case "meta": other.meta = "m-2"
        case "kind": other.kind = .delivered
        case "ts": other.ts = 1_700_000_001
        case "tsNil": other.ts = nil
        case "code": other.code = "915"
        case "codeNil": other.code = nil
        case "url": other.url = "https://x.example"
        case "incomingText": other.incomingText = "STOP"
        case "part": other.part = 2
        case "providerStatus": other.providerStatus = "undelivered"
        default: Issue.record("unknown field \(field)")
        }
        #expect(CallbackDedupKey.make(providerId: "p1", item: base) != CallbackDedupKey.make(providerId: provider, item: other))
    }

    @Test("field boundaries cannot be shifted to forge a collision")
    func lengthPrefixedFields() {
        let a = CallbackItem(kind: .replied, meta: "m", ts: 1, incomingText: "a;part=1:")
        var b = CallbackItem(kind: .replied, meta: "m", ts: 1, incomingText: "a")
        b.part = 1
        #expect(CallbackDedupKey.make(providerId: "p", item: a) != CallbackDedupKey.make(providerId: "p", item: b))
    }

    @Test("three delivered receipts with different times are three keys (outcome dedup is the state machine's job)")
    func sameOutcomeDifferentEvents() {
        let keys = Set((0..<3).map { CallbackDedupKey.make(providerId: "p", item: CallbackItem(kind: .delivered, meta: "m", ts: 1_700_000_000 + $0)) })
        #expect(keys.count == 3)
    }

    @Test("keys are cb1- followed by 32 lower-case hex digits")
    func keyFormat() {
        let key = CallbackDedupKey.make(providerId: "", item: CallbackItem(kind: .delivered, meta: ""))
        #expect(key.count == 36)
        #expect(key.hasPrefix("cb1-"))
        #expect(key.dropFirst(4).allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }
}
