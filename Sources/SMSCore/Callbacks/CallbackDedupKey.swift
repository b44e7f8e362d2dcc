import Foundation

/// A stable key per received callback event, so an exact re-delivery of the same event (providers
/// retry 5xx and do not deduplicate, `docs/DOMAIN.md` §3) can be ignored by a unique index.
///
/// The key is `"cb1-"` followed by 32 lower-case hex digits: the 128-bit FNV-1a hash of a canonical
/// string of the provider id and the item's `meta`, `kind`, `ts`, `code`, `url`, `incomingText`,
/// `part` and `providerStatus`, and `network` when the item carries one. Each field is written as
/// `name=<length>:<value>;` (or `name=-;` when absent; `network` is left out when absent, so keys
/// of items without it are what they were before it existed), so no two different field sets
/// produce the same canonical string.
///
/// What it does and does not do:
/// - The same event delivered twice (same provider, same fields) gets the same key.
/// - Events differing in any of those fields get different keys: `delivered` at two different
///   `ts`, `failed` with and without a code, two parts of one message, two receipts naming two
///   networks (both are logged, so the message's network, ``NetworkCode/merged(_:_:)``, is the
///   same in any arrival order).
/// - Outcome-level deduplication is **not** this key's job: three `delivered` receipts for one
///   message with different timestamps or provider event ids still make three keys, and the
///   message state machine counts the message Delivered once (`docs/DOMAIN.md` §4, `docs/PITFALLS.md` #5).
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
        // The canonical string's bytes are hashed as they are produced (no string built): this
        // runs once per callback item. Equal to hashing ``canonicalString(providerId:item:)``
        // (tested).
        var h = FNV128()
        forEachField(providerId: providerId, item: item) { name, value in
            h.add(name)
            if let value {
                h.add("=")
                h.add(decimal: value.utf8.count)
                h.add(":")
                h.add(value)
                h.add(";")
            } else {
                h.add("=-;")
            }
        }
        return key(h.high, h.low)
    }

    /// `"cb1-"` + the two halves as 16 lower-case hex digits each.
    static func key(_ high: UInt64, _ low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 36) { out in
            let digits: StaticString = "0123456789abcdef"
            let d = digits.utf8Start
            out[0] = UInt8(ascii: "c")
            out[1] = UInt8(ascii: "b")
            out[2] = UInt8(ascii: "1")
            out[3] = UInt8(ascii: "-")
            for i in 0..<16 {
                out[4 + i] = d[Int((high >> UInt64(60 - 4 * i)) & 0xF)]
                out[20 + i] = d[Int((low >> UInt64(60 - 4 * i)) & 0xF)]
            }
            return 36
        }
    }

    /// The 128-bit FNV-1a state of ``fnv1a128(_:)``, fed piece by piece.
    struct FNV128 {
        var high: UInt64 = 0x6c62_272e_07bb_0142
        var low: UInt64 = 0x62b8_2175_6295_c58d

        mutating func add(byte: UInt8) {
            low ^= UInt64(byte)
            // (high, low) * (2^88 + 0x13b) mod 2^128
            let product = low.multipliedFullWidth(by: 0x13b)
            let newHigh = high &* 0x13b &+ product.high &+ (low << 24)
            low = product.low
            high = newHigh
        }

        mutating func add(_ s: String) {
            var s = s
            s.withUTF8 { for b in $0 { add(byte: b) } }
        }

        mutating func add(_ s: StaticString) {
            let p = s.utf8Start
            for i in 0..<s.utf8CodeUnitCount { add(byte: p[i]) }
        }

        /// A non-negative integer's decimal digits.
        mutating func add(decimal n: Int) {
            if n >= 10 { add(decimal: n / 10) }
            add(byte: UInt8(ascii: "0") + UInt8(n % 10))
        }
    }

    /// The key's fields in their canonical order (name, value; `nil` when absent): the one list both
    /// ``make(providerId:item:)`` and ``canonicalString(providerId:item:)`` write.
    @inline(__always)
    static func forEachField(providerId: String, item: CallbackItem, _ field: (StaticString, String?) -> Void) {
        field("provider", providerId)
        field("meta", item.meta)
        field("kind", item.kind.rawValue)
        field("ts", item.ts.map { String($0) })
        field("code", item.code)
        field("url", item.url)
        field("incomingText", item.incomingText)
        field("part", item.part.map { String($0) })
        field("providerStatus", item.providerStatus)
        if let network = item.network { field("network", network) }
    }

    /// The canonical text that is hashed (exposed to the module for tests and diagnostics).
    static func canonicalString(providerId: String, item: CallbackItem) -> String {
        var out = ""
        forEachField(providerId: providerId, item: item) { name, value in
            out += name.description
            if let value {
                out += "=\(value.utf8.count):" + value + ";"
            } else {
                out += "=-;"
            }
        }
        return out
    }

    /// 128-bit FNV-1a (offset basis 0x6c62272e07bb014262b821756295c58d, prime 2^88 + 0x13b),
    /// computed on two 64-bit halves (`high`, `low`) modulo 2^128.
    static func fnv1a128(_ bytes: [UInt8]) -> (high: UInt64, low: UInt64) {
        var h = FNV128()
        for byte in bytes { h.add(byte: byte) }
        return (h.high, h.low)
    }
}
