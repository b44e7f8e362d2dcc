import Crypto
import Foundation

/// A signed-in dashboard session, read from its cookie.
struct DashboardSession: Sendable, Equatable {
    /// Random session id, 32 hex characters (128 bits).
    var id: String
    /// Epoch seconds after which the cookie is refused.
    var expiresAt: Int64
    /// The per-session CSRF token the dashboard's POST forms carry (field `csrf`).
    var csrfToken: String
}

/// Issues and checks the dashboard's session cookie, stateless: the cookie is
/// `v1.{session id}.{expiry}.{HMAC-SHA256 of "v1.{id}.{expiry}"}`, keyed with a key derived from the
/// admin token and the dashboard password, so changing either signs everyone out. The CSRF token of
/// a session is `HMAC(key, "csrf.{id}")`: it differs per session and cannot be derived without the key.
///
/// Cookie attributes: `HttpOnly; SameSite=Lax; Path=/`, plus `Secure` when the public URL is https.
/// SameSite=Lax keeps the cookie off cross-site POSTs; the CSRF token covers browsers and
/// cases where SameSite does not apply.
struct DashboardSessionSigner: Sendable {
    static let cookieName = "smsstats_session"
    /// Session lifetime, seconds (7 days).
    static let lifetime: Int64 = 7 * 86_400

    /// The HMAC key's bytes (SymmetricKey is not Sendable; it is rebuilt per use).
    private let keyBytes: Data
    let secureCookie: Bool

    init(adminToken: String, password: String?, secureCookie: Bool) {
        let material = "smsstats-dashboard-v1\u{0}" + adminToken + "\u{0}" + (password ?? "")
        keyBytes = Data(SHA256.hash(data: Data(material.utf8)))
        self.secureCookie = secureCookie
    }

    /// A new session starting at `now` (epoch seconds).
    func issue(now: Int64) -> (session: DashboardSession, cookie: String) {
        var rng = SystemRandomNumberGenerator()
        let id = (0..<2).map { _ in String(format: "%016llx", rng.next() as UInt64) }.joined()
        let expires = now + Self.lifetime
        let payload = "v1.\(id).\(expires)"
        let value = payload + "." + mac(payload)
        let session = DashboardSession(id: id, expiresAt: expires, csrfToken: mac("csrf.\(id)"))
        var cookie = "\(Self.cookieName)=\(value); Path=/; HttpOnly; SameSite=Lax; Max-Age=\(Self.lifetime)"
        if secureCookie { cookie += "; Secure" }
        return (session, cookie)
    }

    /// The session of a cookie value, or `nil` when it is malformed, forged or expired.
    func verify(_ value: String, now: Int64) -> DashboardSession? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == "v1", parts[1].count == 32, let expires = Int64(parts[2]) else { return nil }
        let payload = "v1.\(parts[1]).\(parts[2])"
        guard Self.constantTimeEquals(mac(payload), parts[3]), now < expires else { return nil }
        return DashboardSession(id: parts[1], expiresAt: expires, csrfToken: mac("csrf.\(parts[1])"))
    }

    /// A `Set-Cookie` value that removes the session cookie.
    var clearingCookie: String {
        "\(Self.cookieName)=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0" + (secureCookie ? "; Secure" : "")
    }

    private func mac(_ text: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: keyBytes)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares two secrets without an early exit on the first differing byte.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        AdminAuthMiddleware<AppRequestContext>.constantTimeEquals(a, b)
    }
}
