import Foundation

/// A stable key per received callback event, so an exact re-delivery of the same event (providers
/// retry 5xx and do not deduplicate, `domain.md` §3) can be ignored by a unique index.
///
/// The key is `"cb1-"` followed by 32 lower-case hex digits: the 128-bit FNV-1a hash of a canonical
/// string of the provider id and the item's `meta`, `kind`, `ts`, `code`, `url`, `incomingText`,
/// `part` and `providerStatus`. Each field is written as `name=<length>:<value>;` (or `name=-;`
/// when absent), so no two different field sets produce the same canonical string.
///
/// What it does and does not do:
/// - The same event delivered twice (same provider, same fields) gets the same key.
/// - Events differing in any of those fields get different keys: `delivered` at two different
///   `ts`, `failed` with and without a code, two parts of one message.
/// - Outcome-level deduplication is **not** this key's job: three `delivered` receipts for one
///   message with different timestamps or provider event ids still make three keys, and the
///   message state machine counts the message Delivered once (`domain.md` §4, `pitfalls.md` 5).
/// - Fields not in the key (`description`, `shortURL`, `toPhone`, `providerMessageId`) do not
///   make an event new.
public enum CallbackDedupKey {
    /// The dedup key of `item` received from the provider (configuration) `providerId`.
    ///
    /// - Parameters:
    ///   - providerId: our id of the provider configuration the callback arrived for.
    ///   - item: the normalised callback item.
    /// - Returns: `"cb1-"` + 32 hex digits; stable across processes and platforms.
    public static func make(providerId: String, item: CallbackItem) -> String {
        let hash = fnv1a128(Array(canonicalString(providerId: providerId, item: item).utf8))
        return "cb1-" + hex(hash.high) + hex(hash.low)
    }

    /// The canonical text that is hashed (exposed to the module for tests and diagnostics).
    static func canonicalString(providerId: String, item: CallbackItem) -> String {
        var out = ""
        func field(_ name: String, _ value: String?) {
            out += name
            if let value {
                out += "=\(value.utf8.count):" + value + ";"
            } else {
                out += "=-;"
            }
        }
        field("provider", providerId)
        field("meta", item.meta)
        field("kind", item.kind.rawValue)
        field("ts", item.ts.map { String($0) })
        field("code", item.code)
        field("url", item.url)
        field("incomingText", item.incomingText)
        field("part", item.part.map { String($0) })
        field("providerStatus", item.providerStatus)
        return out
    }

    /// 128-bit FNV-1a (offset basis 0x6c62272e07bb014262b821756295c58d, prime 2^88 + 0x13b),
    /// computed on two 64-bit halves (`high`, `low`) modulo 2^128.
    static func fnv1a128(_ bytes: [UInt8]) -> (high: UInt64, low: UInt64) {
        var high: UInt64 = 0x6c62_272e_07bb_0142
        var low: UInt64 = 0x62b8_2175_6295_c58d
        for byte in bytes {
            low ^= UInt64(byte)
            // (high, low) * (2^88 + 0x13b) mod 2^128
            let product = low.multipliedFullWidth(by: 0x13b)
            let newHigh = high &* 0x13b &+ product.high &+ (low << 24)
            low = product.low
            high = newHigh
        }
        return (high, low)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
