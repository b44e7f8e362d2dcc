import Foundation

/// The dashboard's one-time sign-in links, kept in the database (`login_links`) so that a link
/// minted on one server is accepted by any server of the cluster, once. The store sees only the
/// token's SHA-256 (64 lowercase hex characters): a database dump does not reveal a usable link.
/// Times are **epoch seconds**.
public protocol LoginLinkStore: Sendable {
    /// Stores a new link. In the same transaction, drops expired links and, when `capacity` links are
    /// still outstanding, the ones expiring first, so at most `capacity` remain.
    /// - Parameters:
    ///   - tokenHash: SHA-256 of the link's token, lowercase hex.
    ///   - next: the local path to go to after signing in (already checked by the caller).
    ///   - expiresAt: the first second at which the link is refused.
    /// - Throws: the driver's errors.
    func insertLoginLink(tokenHash: String, next: String, now: Int64, expiresAt: Int64, capacity: Int) async throws
    /// Consumes a link: deletes it and returns its `next` path when it exists and `now < expiresAt`,
    /// else `nil`. One atomic statement (`DELETE … RETURNING`): of two servers redeeming the same
    /// link at once, exactly one gets the path.
    /// - Throws: the driver's errors.
    func redeemLoginLink(tokenHash: String, now: Int64) async throws -> String?
}
