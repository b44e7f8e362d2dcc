import Foundation

/// A subscription's signing secret in the Standard Webhooks form, `whsec_` + the base64 of
/// ``byteCount`` random bytes (https://www.standardwebhooks.com, "Signature scheme"): the HMAC
/// key is the decoded bytes, not the text.
public enum WebhookSecret {
    /// Random bytes per secret (192 bits; the scheme asks for 24 to 64).
    public static let byteCount = 32
    public static let prefix = "whsec_"

    /// A new secret from the system's cryptographic random source.
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return prefix + Data(bytes).base64EncodedString()
    }

    /// The HMAC key of a secret: the bytes its base64 part decodes to, or `nil` when it is no
    /// `whsec_<base64>` text.
    public static func key(of secret: String) -> Data? {
        guard secret.hasPrefix(prefix) else { return nil }
        return Data(base64Encoded: String(secret.dropFirst(prefix.count)))
    }
}
