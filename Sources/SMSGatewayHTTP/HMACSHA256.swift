import Crypto
import Foundation
import SMSCore

/// HMAC-SHA256 (swift-crypto) in the shape the core's rules take (``CallbackToken/MAC``): the
/// per-message callback tokens of `$$DlrUrl` are minted with it here and checked with it by the
/// callback route.
public enum HMACSHA256 {
    /// `(key, message) → 32 bytes` of HMAC-SHA256 (RFC 2104, FIPS 180-4).
    public static let mac: CallbackToken.MAC = { key, message in
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}
