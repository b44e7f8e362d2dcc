import Foundation
import Synchronization

/// One-time sign-in links for the dashboard: `POST /api/v1/dashboard/login-links` (admin token
/// required) mints `{public URL}/login/once/{nonce}?next=/path`; opening it once signs the browser in
/// and redirects to `next`. This lets a script (the headless-browser test, a CLI) hand a browser a
/// session without putting the admin token in a URL.
///
/// Security: minting needs the admin token (the same power as signing in); a nonce is 256 random
/// bits, single use, valid ``lifetime`` seconds, kept in memory only (a restart voids them); at
/// most ``capacity`` are outstanding (the oldest go first). `next` must be a local path
/// (``safeNext(_:)``), so the link is no open redirect.
final class OneTimeLoginLinks: Sendable {
    /// Seconds a link stays valid.
    static let lifetime: Int64 = 60
    static let capacity = 256

    private struct Entry {
        var expiresAt: Int64
        var next: String
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// A new nonce for `next` (already checked with ``safeNext(_:)``), valid from `now`.
    func mint(next: String, now: Int64) -> String {
        var rng = SystemRandomNumberGenerator()
        let nonce = (0..<4).map { _ in String(format: "%016llx", rng.next() as UInt64) }.joined()
        entries.withLock { e in
            e = e.filter { $0.value.expiresAt > now }
            if e.count >= Self.capacity, let oldest = e.min(by: { $0.value.expiresAt < $1.value.expiresAt })?.key {
                e[oldest] = nil
            }
            e[nonce] = Entry(expiresAt: now + Self.lifetime, next: next)
        }
        return nonce
    }

    /// Consumes a nonce: its `next` path when it exists and has not expired, else `nil`. A nonce
    /// works once.
    func redeem(_ nonce: String, now: Int64) -> String? {
        entries.withLock { e in
            guard let entry = e.removeValue(forKey: nonce), entry.expiresAt > now else { return nil }
            return entry.next
        }
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
