import Foundation
import SMSCore
import Testing

/// The replay rule of native callback signatures (``SignatureReplay``): the key names scheme,
/// provider and value without ambiguity, and a nonce is remembered for the window after its signed
/// time. The digest here is the identity, so the key shows the exact text that is hashed (the web
/// layer passes SHA-256: `NativeSignatureReplayClusterTests`).
@Suite("Signature replay rule: nonce keys and expiry")
struct SignatureReplayTests {
    static let identity: SignatureReplay.Digest = { $0 }

    static func text(_ nonce: SignatureReplay.Nonce) -> String {
        var bytes: [UInt8] = []
        var i = nonce.key.startIndex
        while i < nonce.key.endIndex {
            let j = nonce.key.index(i, offsetBy: 2)
            bytes.append(UInt8(nonce.key[i..<j], radix: 16)!)
            i = j
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("the hashed text is scheme | provider id's UTF-8 length | provider id | value")
    func keyText() {
        let n = SignatureReplay.nonce(scheme: .sinch, providerId: "p1", value: "nonce-1", signedAt: 1_000, now: 1_010, sha256: Self.identity)
        #expect(Self.text(n) == "sinch|2|p1|nonce-1")
        let p = SignatureReplay.nonce(scheme: .plivoV3, providerId: "Zoë", value: "0542", signedAt: nil, now: 1_010, sha256: Self.identity)
        #expect(Self.text(p) == "plivo-v3|4|Zoë|0542")
        #expect(SignatureReplay.Scheme.allCases.map(\.rawValue) == ["plivo-v3", "vonage-sig", "vonage-jwt", "sinch"])
    }

    @Test("expiry: signed time + 300 s; without a signed time (Plivo) first sight + 300 s; never before now + 1; saturating")
    func expiry() {
        func at(_ signedAt: Int64?, now: Int64) -> Int64 {
            SignatureReplay.nonce(scheme: .sinch, providerId: "p", value: "n", signedAt: signedAt, now: now, sha256: Self.identity).expiresAt
        }
        #expect(SignatureReplay.windowSeconds == 300)
        #expect(at(1_000, now: 1_000) == 1_300)
        #expect(at(1_250, now: 1_000) == 1_550)  // signed 250 s ahead of our clock: still inside the window then
        #expect(at(800, now: 1_000) == 1_100)
        #expect(at(nil, now: 1_000) == 1_300)
        #expect(at(600, now: 1_000) == 1_001)  // already stale: the check refuses it before, yet never in the past
        #expect(at(Int64.max - 10, now: 1_000) == Int64.max)
        #expect(at(nil, now: Int64.max) == Int64.max)
    }

    @Test("seen while now < expiresAt: a replay at expiresAt - 1 is one, at expiresAt it is not")
    func seen() {
        #expect(SignatureReplay.isSeen(expiresAt: 1_300, now: 1_299))
        #expect(!SignatureReplay.isSeen(expiresAt: 1_300, now: 1_300))
        #expect(!SignatureReplay.isSeen(expiresAt: 1_300, now: 5_000))
    }

    /// Property: two different (scheme, provider, value) never share a key, whatever `|` and
    /// digits they contain (the provider id is length-prefixed); equal inputs always do.
    @Test("distinct inputs give distinct keys, equal inputs the same key (2,000 random triples over a small alphabet)")
    func injective() {
        var rng = SplitMix64(seed: 16)
        let alphabet = Array("a|1|2é")
        func word() -> String { String((0..<Int(rng.next() % 5)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }) }
        var seen: [String: String] = [:]
        for _ in 0..<2_000 {
            let scheme = SignatureReplay.Scheme.allCases[Int(rng.next() % 4)]
            let provider = word(), value = word()
            let input = "\(scheme)/\(provider.unicodeScalars.map { "\($0.value)" })/\(value.unicodeScalars.map { "\($0.value)" })"
            let key = SignatureReplay.nonce(scheme: scheme, providerId: provider, value: value, signedAt: 0, now: 0, sha256: Self.identity).key
            if let earlier = seen[key] { #expect(earlier == input, "\(earlier) and \(input) share the key \(key)") }
            seen[key] = input
        }
        #expect(seen.count > 500)
    }
}
