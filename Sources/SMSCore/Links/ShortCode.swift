import Foundation

/// Random codes for short tracking links `{public base URL}/l/{code}` (`docs/DOMAIN.md` §2 "Links": one
/// code per (message, link), so a code must be unguessable and collisions negligible).
///
/// Shape: ``length`` (10) characters of base62, `0-9A-Za-z` in that order, i.e.
/// 10 × log2(62) ≈ 59.5 bits of entropy (the project requires ≥ 47 bits).
///
/// Uniformity: each character is drawn from a 6-bit chunk of the generator's output; chunks 62 and 63
/// are rejected and redrawn (rejection sampling), so every character is exactly uniform over the 62
/// symbols, with no modulo bias.
public enum ShortCode {
    /// Number of characters in a code.
    public static let length = 10

    /// The base62 alphabet, in symbol order: digits, upper case, lower case (ASCII).
    static let alphabet: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// Generates a code from the given generator.
    /// - Parameter rng: the source of randomness; must be cryptographically secure for production
    ///   codes (tests may pass a seeded generator for reproducible codes).
    /// - Returns: ``length`` base62 characters. Consumes as many 64-bit words as rejection needs
    ///   (each word yields ten 6-bit chunks; on average about 1.03 words per code).
    public static func generate<R: RandomNumberGenerator>(using rng: inout R) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        while bytes.count < length {
            let word = rng.next()
            for chunk in 0..<10 where bytes.count < length {
                let value = Int((word >> UInt64(chunk * 6)) & 0x3F)
                if value < alphabet.count {
                    bytes.append(alphabet[value])
                }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Generates a code from `SystemRandomNumberGenerator` (the operating system's CSPRNG:
    /// `getrandom(2)` on Linux, `arc4random_buf` on Apple platforms).
    /// - Returns: ``length`` base62 characters.
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        return generate(using: &rng)
    }

    /// Whether a string has the shape of a code: exactly ``length`` ASCII characters from `0-9A-Za-z`.
    /// Use it to reject malformed `/l/{code}` requests before a store lookup.
    /// - Parameter s: the candidate code.
    public static func isWellFormed(_ s: String) -> Bool {
        let utf8 = s.utf8
        guard utf8.count == length else { return false }
        return utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
    }

    /// The code of a URL shaped like our short links, `{base}/l/{code}` (query and fragment
    /// ignored), or `nil` — how a provider-reported click on our own short link is recognised.
    public static func code(inURL url: String) -> String? {
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        let noFragment = path.split(separator: "#", maxSplits: 1).first.map(String.init) ?? path
        guard let r = noFragment.range(of: "/l/", options: .backwards) else { return nil }
        let code = String(noFragment[r.upperBound...])
        return isWellFormed(code) ? code : nil
    }

    /// The campaign link a provider-reported click is about (`docs/DOMAIN.md` §4; the live stores and
    /// the recount share this rule): the campaign link equal to `url`; else the message's short
    /// link whose code is in `url` or `shortURL`; else `-1` (counted in the campaign's clicks, in
    /// no link's row).
    /// - Parameters:
    ///   - campaignLinks: the campaign's links, by link number.
    ///   - shortLinks: the message's short links, code → link number.
    /// - Returns: the link number (`-1`: none) and, when matched through one of our short links,
    ///   its code (the stores count the click on that short link).
    public static func providerClickLink(url: String?, shortURL: String?, campaignLinks: [String], shortLinks: [String: Int])
        -> ProviderClickLink
    {
        if let url, let i = campaignLinks.firstIndex(of: url) { return ProviderClickLink(index: i, code: nil) }
        for candidate in [url, shortURL].compactMap({ $0 }) {
            if let code = code(inURL: candidate), let i = shortLinks[code] { return ProviderClickLink(index: i, code: code) }
        }
        return ProviderClickLink(index: -1, code: nil)
    }

    /// The link a provider-reported click is about (``providerClickLink(url:shortURL:campaignLinks:shortLinks:)``).
    public struct ProviderClickLink: Sendable, Equatable {
        /// The campaign link number, `-1` for none ("other links").
        public var index: Int
        /// Our short code, when the click was matched through it.
        public var code: String?
        public init(index: Int, code: String?) {
            self.index = index
            self.code = code
        }
    }
}
