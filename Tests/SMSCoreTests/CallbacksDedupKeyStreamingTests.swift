import Foundation
import Testing

@testable import SMSCore

/// ``CallbackDedupKey/make(providerId:item:)`` hashes the canonical text as it is produced (the
/// callback hot path); it must equal the key of the canonical string built whole, for any item —
/// stored keys of earlier versions keep deduplicating.
@Suite("Callback dedup key, streamed")
struct CallbacksDedupKeyStreamingTests {
    /// The key as version 1 built it: the whole canonical string, hashed, then hex.
    static func reference(providerId: String, item: CallbackItem) -> String {
        let h = CallbackDedupKey.fnv1a128(Array(CallbackDedupKey.canonicalString(providerId: providerId, item: item).utf8))
        func hex(_ v: UInt64) -> String {
            let d = String(v, radix: 16)
            return String(repeating: "0", count: 16 - d.count) + d
        }
        return "cb1-" + hex(h.high) + hex(h.low)
    }

    @Test("random items (empty, long, non-ASCII, absent fields, negative ts): streamed key == key of the whole string")
    func streamedEqualsWhole() {
        var rng = SystemRandomNumberGenerator()
        let samples = ["", "m", "bench12345", "ä€😀", String(repeating: "x", count: 300), "a;b=c:d", "0"]
        func text() -> String? {
            Bool.random(using: &rng) ? nil : samples.randomElement(using: &rng)! + String(Int.random(in: 0..<1_000, using: &rng))
        }
        let kinds: [CallbackEventKind] = [.submitted, .delivered, .failed, .clicked, .replied]
        for _ in 0..<2_000 {
            let item = CallbackItem(
                kind: kinds.randomElement(using: &rng)!, meta: text() ?? "",
                ts: Bool.random(using: &rng) ? nil : Int64.random(in: -5_000_000_000...5_000_000_000, using: &rng),
                code: text(), description: text(), url: text(), shortURL: text(), incomingText: text(), toPhone: text(),
                providerStatus: text(), providerMessageId: text(),
                part: Bool.random(using: &rng) ? nil : Int.random(in: -3...1_000, using: &rng))
            let provider = text() ?? ""
            #expect(CallbackDedupKey.make(providerId: provider, item: item) == Self.reference(providerId: provider, item: item))
        }
    }

    @Test("the hex form: zero halves and all-ones halves")
    func hexEdges() {
        #expect(CallbackDedupKey.key(0, 0) == "cb1-" + String(repeating: "0", count: 32))
        #expect(CallbackDedupKey.key(.max, 1) == "cb1-ffffffffffffffff0000000000000001")
        #expect(CallbackDedupKey.key(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210) == "cb1-0123456789abcdeffedcba9876543210")
    }
}
