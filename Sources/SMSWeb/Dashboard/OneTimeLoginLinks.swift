import Crypto
import Foundation
import SMSCore

/// One-time sign-in links for the dashboard: `POST /api/v1/dashboard/login-links` (admin token
/// required) mints `{public URL}/login/once/{token}?next=/path`; opening it once signs the browser in
/// and redirects to `next`. This lets a script (the headless-browser test, a CLI) hand a browser a
/// session without putting the admin token in a URL.
///
/// Security: minting needs the admin token (the same power as signing in); a token is 256 random
/// bits, single use, valid ``lifetime`` seconds; at most ``capacity`` are outstanding (the ones
/// expiring first go). The links live in the database (``LoginLinkStore``), so a link minted on one
/// server works on any server of a cluster, and exactly once (the store deletes it atomically);
/// the database holds only the token's SHA-256, never the token. `next` must be a local path
/// (``safeNext(_:)``), so the link is no open redirect.
struct OneTimeLoginLinks: Sendable {
    /// Seconds a link stays valid.
    static let lifetime: Int64 = 60
    static let capacity = 256

    let store: any LoginLinkStore

    /// A new token for `next` (already checked with ``safeNext(_:)``), valid from `now` (epoch
    /// seconds) for ``lifetime`` seconds: 64 lowercase hex characters.
    /// - Throws: the store's errors.
    func mint(next: String, now: Int64) async throws -> String {
        var rng = SystemRandomNumberGenerator()
        let token = (0..<4).map { _ in String(format: "%016llx", rng.next() as UInt64) }.joined()
        try await store.insertLoginLink(
            tokenHash: Self.hash(token), next: next, now: now, expiresAt: now + Self.lifetime, capacity: Self.capacity)
        return token
    }

    /// Consumes a token: its `next` path when it exists and has not expired, else `nil`. A token
    /// works once, whichever server it is opened on.
    /// - Throws: the store's errors.
    func redeem(_ token: String, now: Int64) async throws -> String? {
        // Only a well-formed token reaches the database (the path segment is anyone's input).
        guard token.utf8.count == 64, token.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            return nil
        }
        return try await store.redeemLoginLink(tokenHash: Self.hash(token), now: now)
    }

    /// SHA-256 of the token, lowercase hex: what the database keeps.
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// `next` when it is a local absolute path (`/…`, not `//…` nor `/\…`, no scheme, no control
    /// characters), else `"/"`. Keeps redirects after sign-in on this site.
    static func safeNext(_ next: String?) -> String {
        guard let n = next, n.hasPrefix("/"), !n.hasPrefix("//"), !n.hasPrefix("/\\"), n.count <= 2_000,
            !n.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" })
        else { return "/" }
        return n
    }
}
