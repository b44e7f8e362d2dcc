import Foundation

/// Per-message callback tokens: what `$$DlrUrl` carries instead of the provider-wide callback
/// secret (``DeliveryReportURL``), so that a URL read from a gateway's log (Kannel and Jasmin log
/// every `dlr-url`) can report on that one message only (`docs/DOMAIN.md` §3 "Callbacks are
/// authenticated", `docs/PITFALLS.md` #24).
///
/// The token of a message is `base64url(HMAC-SHA256(key: callbackSecret, "dlr1:" + meta))` cut to
/// its first 16 bytes (128 bits), without padding: 22 characters of `A-Z a-z 0-9 - _`. Secret and
/// meta are read as UTF-8; the `dlr1:` prefix keeps the MAC apart from the body signature's
/// (`X-SMSStats-Signature`, MAC of `timestamp + "." + body` under the same secret). Nothing is
/// stored: the callback route recomputes the token from the `meta` of the URL.
///
/// Rotation: a token is valid under any secret ``CallbackSecretRotation/acceptedSecrets(_:now:)``
/// accepts at `now`, so tokens minted before a rotation keep working until its grace period ends.
///
/// The MAC is given by the caller (SMSCore is Foundation only): `mac(key, message)` must return
/// the 32 bytes of HMAC-SHA256.
public enum CallbackToken {
    /// HMAC-SHA256: `(key, message) → 32 bytes`.
    public typealias MAC = @Sendable (_ key: [UInt8], _ message: [UInt8]) -> [UInt8]

    /// The URL query parameter that carries the token.
    public static let parameter = "token"
    /// The prefix of the MAC's message.
    public static let label = "dlr1:"
    /// Bytes of the MAC kept: 16 (128 bits).
    public static let byteCount = 16

    /// The token of `meta` under `secret`.
    /// - Returns: 22 characters of base64url (RFC 4648 §5), no padding.
    public static func make(secret: String, meta: String, mac: MAC) -> String {
        let full = mac(Array(secret.utf8), Array((label + meta).utf8))
        return Base64URL.encode(full.prefix(byteCount))
    }

    /// Whether `token` is the token of `meta` under a secret `provider` accepts at `now` (epoch
    /// seconds; the current secret, and the previous one during a rotation's grace period).
    /// Compared in constant time.
    public static func isValid(_ token: String, meta: String, provider: ProviderConfig, now: Int64, mac: MAC) -> Bool {
        var valid = false
        for secret in CallbackSecretRotation.acceptedSecrets(provider, now: now) {
            // No early exit: the time does not tell which secret matched.
            if constantTimeEquals(token, make(secret: secret, meta: meta, mac: mac)) { valid = true }
        }
        return valid
    }

    /// Confines the items of a callback authenticated by the token of `meta` to that message.
    ///
    /// An item whose `meta` is `meta` is kept. An item that names its message only by the
    /// provider's own id (`meta == providerMessageId`: Twilio's `MessageSid`, Plivo's
    /// `MessageUUID`, Vonage or Sinch without our client reference) is the token's message: its
    /// `meta` becomes `meta` (its `providerMessageId` is kept). Any other item reports on another
    /// message, which the token does not cover.
    /// - Returns: the items to apply, or the reason to refuse the request (a sentence naming the
    ///   item's 0-based index and both metas, never a secret).
    public static func bind(_ items: [CallbackItem], toMeta meta: String) -> Result<[CallbackItem], Refusal> {
        var bound: [CallbackItem] = []
        bound.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            if item.meta == meta {
                bound.append(item)
            } else if let pid = item.providerMessageId, pid == item.meta {
                var copy = item
                copy.meta = meta
                bound.append(copy)
            } else {
                return .failure(
                    Refusal(reason: "the callback token is for meta '\(meta)', but item \(index) reports on meta '\(item.meta)'"))
            }
        }
        return .success(bound)
    }

    /// Why a token-bound callback was refused.
    public struct Refusal: Error, Equatable, Sendable {
        public let reason: String

        public init(reason: String) { self.reason = reason }
    }

    /// Equal texts, in a time that depends only on their lengths.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
