import Foundation
import Testing
@testable import SMSCore

/// A generator replaying fixed 64-bit words, cycling when exhausted.
private struct ReplayGenerator: RandomNumberGenerator {
    var words: [UInt64]
    var position = 0
    init(_ words: [UInt64]) { self.words = words }
    mutating func next() -> UInt64 {
        defer { position = (position + 1) % words.count }
        return words[position]
    }
}

/// Packs 6-bit chunk values into one word, first value in the lowest bits.
private func word(_ chunks: [UInt64]) -> UInt64 {
    chunks.enumerated().reduce(0) { $0 | ($1.element << UInt64($1.offset * 6)) }
}

@Suite("ShortCode")
struct ShortCodeTests {
    @Test("a code has 10 base62 characters")
    func lengthAndAlphabet() {
        let code = ShortCode.generate()
        #expect(code.count == 10)
        #expect(code.utf8.count == 10)
        #expect(ShortCode.isWellFormed(code))
        #expect(ShortCode.length == 10)
    }

    @Test("10 characters of base62 carry at least 47 bits of entropy")
    func entropy() {
        let bits = Double(ShortCode.length) * log2(62.0)
        #expect(bits > 59.5 && bits < 59.6)
        #expect(bits >= 47)
    }

    @Test("6-bit chunks map to 0-9, A-Z, a-z in order")
    func chunkMapping() {
        var rng = ReplayGenerator([word([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])])
        #expect(ShortCode.generate(using: &rng) == "0123456789")
        var mixed = ReplayGenerator([word([10, 11, 35, 36, 37, 60, 61, 0, 1, 9])])
        #expect(ShortCode.generate(using: &mixed) == "ABZabyz019")
    }

    @Test("chunks 62 and 63 are rejected, not folded with a modulo")
    func rejectsOutOfRangeChunks() {
        // First word: all chunks 63 (rejected). Second: 62, 63 (rejected), eight 61s ("z"); third: two more.
        var rng = ReplayGenerator([UInt64.max, word([62, 63, 61, 61, 61, 61, 61, 61, 61, 61]), word([61, 61, 5])])
        #expect(ShortCode.generate(using: &rng) == "zzzzzzzzzz")
        #expect(rng.position == 0) // three words consumed, then wrapped
    }

    @Test("a seeded generator gives reproducible codes")
    func seededIsReproducible() {
        var a = SplitMix64(seed: 42)
        var b = SplitMix64(seed: 42)
        #expect(ShortCode.generate(using: &a) == ShortCode.generate(using: &b))
    }

    @Test("10,000 generated codes are unique and well-formed")
    func uniqueness() {
        var codes = Set<String>()
        for _ in 0..<10_000 {
            let code = ShortCode.generate()
            #expect(ShortCode.isWellFormed(code))
            codes.insert(code)
        }
        #expect(codes.count == 10_000)
    }

    @Test("characters are spread over the whole alphabet")
    func coversAlphabet() {
        var rng = SplitMix64(seed: 7)
        var seen = Set<Character>()
        for _ in 0..<1_000 { seen.formUnion(ShortCode.generate(using: &rng)) }
        #expect(seen.count == 62)
    }

    @Test("well-formedness", arguments: [
        ("0123456789", true), ("abcXYZ0189", true), ("zzzzzzzzzz", true),
        ("012345678", false), ("01234567890", false), ("", false),
        ("01234-6789", false), ("01234_6789", false), ("0123456789\n", false), (" 123456789", false),
        ("é123456789", false), ("０123456789", false), ("012345678😎", false),
    ] as [(String, Bool)])
    func wellFormedness(_ candidate: String, _ expected: Bool) {
        #expect(ShortCode.isWellFormed(candidate) == expected)
    }

    @Test("a provider click is matched to a campaign link by URL, else by our short code in url or shorturl, else -1")
    func providerClickLink() {
        let links = ["https://shop.example/a", "https://shop.example/b"]
        let short = ["Abc123XYZ0": 1, "Zzz999aaa1": 0]
        #expect(ShortCode.providerClickLink(url: "https://shop.example/b", shortURL: nil, campaignLinks: links, shortLinks: short) == .init(index: 1, code: nil))
        #expect(ShortCode.providerClickLink(url: "https://sms.example.com/l/Abc123XYZ0", shortURL: nil, campaignLinks: links, shortLinks: short) == .init(index: 1, code: "Abc123XYZ0"))
        #expect(ShortCode.providerClickLink(url: "https://x.example/", shortURL: "http://h/l/Zzz999aaa1?u=1#f", campaignLinks: links, shortLinks: short) == .init(index: 0, code: "Zzz999aaa1"))
        // A well-formed code that is not this message's, a malformed one, and an unknown URL.
        #expect(ShortCode.providerClickLink(url: "https://sms.example.com/l/Qqq111www2", shortURL: nil, campaignLinks: links, shortLinks: short) == .init(index: -1, code: nil))
        #expect(ShortCode.providerClickLink(url: "https://sms.example.com/l/short", shortURL: nil, campaignLinks: links, shortLinks: short) == .init(index: -1, code: nil))
        #expect(ShortCode.providerClickLink(url: nil, shortURL: nil, campaignLinks: links, shortLinks: short) == .init(index: -1, code: nil))
        #expect(ShortCode.code(inURL: "https://a.example/l/Abc123XYZ0/") == nil)
    }
}
