import Foundation
import PostgresNIO
import SMSCore

/// The dashboard's one-time sign-in links (``LoginLinkStore``): the `login_links` table, keyed by
/// the token's SHA-256, shared by every server on the database.
extension PostgresStore: LoginLinkStore {
    public func insertLoginLink(tokenHash: String, next: String, now: Int64, expiresAt: Int64, capacity: Int) async throws {
        let keep = Int64(max(capacity - 1, 0))
        try await write { tx in
            try await tx.exec("DELETE FROM login_links WHERE expires_at <= \(now)")
            try await tx.exec("""
                DELETE FROM login_links WHERE token_hash IN (
                    SELECT token_hash FROM login_links ORDER BY expires_at DESC, token_hash OFFSET \(keep))
                """)
            try await tx.exec("""
                INSERT INTO login_links (token_hash, next, created_at, expires_at)
                VALUES (\(tokenHash), \(next), \(now), \(expiresAt))
                """)
        }
    }

    public func redeemLoginLink(tokenHash: String, now: Int64) async throws -> String? {
        try await write { tx in
            // One statement: of two servers deleting the same row at once, only one gets it back.
            guard let row = try await tx.one("DELETE FROM login_links WHERE token_hash = \(tokenHash) RETURNING next, expires_at")
            else { return nil }
            let expiresAt = try row["expires_at", as: Int64.self]
            return now < expiresAt ? try row["next", as: String.self] : nil
        }
    }
}
