import Foundation

/// The replay rule of providers' native callback signatures (`docs/DOMAIN.md` §3 "Callbacks are
/// authenticated"): a signed callback is accepted once. What identifies it (its *nonce*) is the
/// value the provider makes unique per request: Plivo V3's `X-Plivo-Signature-V3-Nonce`, Sinch's
/// `x-sinch-webhook-signature-nonce`, a Vonage signed webhook's JWT `jti` (its signature when it has
/// none), the Vonage SMS API's `sig`. A nonce is remembered until the end of the window its
/// signature is accepted in (``windowSeconds`` after the signed time; Plivo's scheme has no time,
/// so ``windowSeconds`` after it was first seen): a replay inside the window is refused, one after
/// it is stale anyway (Plivo's excepted: accepted again, as the scheme allows).
///
/// The nonces live in the database (``SignatureNonceStore``), so a replay is refused by every
/// server of a cluster, not only by the one that saw the request first. The store keeps a
/// ``Nonce/key``: the hex SHA-256 of scheme, provider and value (64 characters whatever the
/// provider sends; a database dump shows no signature). The digest is given by the caller
/// (SMSCore is Foundation only): `sha256(bytes)` must return the 32 bytes of SHA-256.
public enum SignatureReplay {
    /// How long a signature is accepted around its signed time, and a nonce remembered: 300 s.
    public static let windowSeconds: Int64 = 300

    /// SHA-256: `bytes → 32 bytes`.
    public typealias Digest = @Sendable (_ bytes: [UInt8]) -> [UInt8]

    /// The signature schemes whose callbacks carry a nonce.
    public enum Scheme: String, Sendable, CaseIterable {
        /// Plivo V3 (`X-Plivo-Signature-V3-Nonce`); no signed time.
        case plivoV3 = "plivo-v3"
        /// The Vonage SMS API's `sig` (the signature itself is the nonce), signed time `timestamp`.
        case vonageSig = "vonage-sig"
        /// A Vonage signed webhook (JWT `jti`, else its signature), signed time `iat`.
        case vonageJWT = "vonage-jwt"
        /// Sinch (`x-sinch-webhook-signature-nonce`), signed time `x-sinch-webhook-signature-timestamp`.
        case sinch
    }

    /// A nonce as stored: its key and the first second at which it is forgotten.
    public struct Nonce: Sendable, Equatable, Hashable {
        /// Hex SHA-256 (64 lowercase characters) of scheme, provider id and value.
        public var key: String
        /// Epoch seconds; from then on the nonce counts as never seen (and may be swept).
        public var expiresAt: Int64

        public init(key: String, expiresAt: Int64) {
            self.key = key
            self.expiresAt = expiresAt
        }
    }

    /// The nonce of a signed callback whose signature was found valid.
    /// - Parameters:
    ///   - scheme: the provider's signature scheme.
    ///   - providerId: our provider id (the same nonce from two providers is two nonces).
    ///   - value: the nonce as the provider sent it.
    ///   - signedAt: the signed time (epoch seconds), `nil` for a scheme without one (Plivo V3).
    ///   - now: server time, epoch seconds.
    ///   - sha256: SHA-256 (see the type's documentation).
    /// - Returns: the key (length-prefixed provider id, so no two inputs share one) and the expiry:
    ///   `signedAt + windowSeconds`, or `now + windowSeconds` without a signed time, never before `now + 1`.
    public static func nonce(
        scheme: Scheme, providerId: String, value: String, signedAt: Int64?, now: Int64, sha256: Digest
    ) -> Nonce {
        let text = "\(scheme.rawValue)|\(providerId.utf8.count)|\(providerId)|\(value)"
        let key = sha256(Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
        let expiresAt = (signedAt ?? now).saturatingAdding(windowSeconds)
        return Nonce(key: key, expiresAt: max(expiresAt, now.saturatingAdding(1)))
    }

    /// Whether a nonce stored with `expiresAt` still counts as seen at `now` (a new request with
    /// it is a replay): `now < expiresAt`. The stores apply the same comparison in SQL, in the
    /// one statement that records a nonce (``SignatureNonceStore/recordSignatureNonce(_:now:)``)
    /// and when they sweep.
    public static func isSeen(expiresAt: Int64, now: Int64) -> Bool { now < expiresAt }
}
