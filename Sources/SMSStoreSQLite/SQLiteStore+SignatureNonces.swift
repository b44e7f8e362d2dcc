import Foundation
import GRDB
import SMSCore

/// The nonces of signed provider callbacks already accepted (``SignatureNonceStore``): the
/// `signature_nonces` table, keyed by ``SignatureReplay/Nonce/key``.
extension SQLiteStore: SignatureNonceStore {
    public func recordSignatureNonce(_ nonce: SignatureReplay.Nonce, now: Int64) async throws -> Bool {
        try await db.write { db in
            // Insert-if-absent; a row no longer seen (`expires_at <= now`, SignatureReplay.isSeen) is
            // taken over. The row count says which: 1 recorded, 0 a replay.
            try db.execute(
                sql: """
                    INSERT INTO signature_nonces (nonce_key, expires_at) VALUES (?, ?)
                    ON CONFLICT (nonce_key) DO UPDATE SET expires_at = excluded.expires_at WHERE signature_nonces.expires_at <= ?
                    """,
                arguments: [nonce.key, nonce.expiresAt, now])
            return db.changesCount == 1
        }
    }

    public func releaseSignatureNonce(_ nonce: SignatureReplay.Nonce) async throws {
        try await db.write { db in
            try db.execute(
                sql: "DELETE FROM signature_nonces WHERE nonce_key = ? AND expires_at = ?", arguments: [nonce.key, nonce.expiresAt])
        }
    }

    public func sweepSignatureNonces(now: Int64) async throws -> Int {
        try await db.write { db in
            try db.execute(sql: "DELETE FROM signature_nonces WHERE expires_at <= ?", arguments: [now])
            return db.changesCount
        }
    }
}
