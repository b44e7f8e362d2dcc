import Foundation
import GRDB
import SMSCore

/// The dashboard's one-time sign-in links (``LoginLinkStore``): the `login_links` table, keyed by
/// the token's SHA-256.
extension SQLiteStore: LoginLinkStore {
    public func insertLoginLink(tokenHash: String, next: String, now: Int64, expiresAt: Int64, capacity: Int) async throws {
        try await db.write { db in
            try db.execute(sql: "DELETE FROM login_links WHERE expires_at <= ?", arguments: [now])
            // Room for the new one: keep the capacity − 1 expiring last.
            try db.execute(
                sql: """
                    DELETE FROM login_links WHERE token_hash IN (
                        SELECT token_hash FROM login_links ORDER BY expires_at DESC, token_hash LIMIT -1 OFFSET ?)
                    """,
                arguments: [max(capacity - 1, 0)])
            try db.execute(
                sql: "INSERT INTO login_links (token_hash, next, created_at, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [tokenHash, next, now, expiresAt])
        }
    }

    public func redeemLoginLink(tokenHash: String, now: Int64) async throws -> String? {
        try await db.write { db in
            // Deleted whatever its expiry (an expired link is dead either way); the path only when valid.
            guard let row = try Row.fetchOne(
                db, sql: "DELETE FROM login_links WHERE token_hash = ? RETURNING next, expires_at", arguments: [tokenHash])
            else { return nil }
            let expiresAt: Int64 = row["expires_at"]
            return now < expiresAt ? row["next"] : nil
        }
    }
}
