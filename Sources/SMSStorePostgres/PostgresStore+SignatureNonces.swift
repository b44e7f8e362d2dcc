import Foundation
import PostgresNIO
import SMSCore

/// The nonces of signed provider callbacks already accepted (``SignatureNonceStore``): the
/// `signature_nonces` table, keyed by ``SignatureReplay/Nonce/key``, shared by every server on the
/// database.
extension PostgresStore: SignatureNonceStore {
    public func recordSignatureNonce(_ nonce: SignatureReplay.Nonce, now: Int64) async throws -> Bool {
        try await write { tx in
            // One statement: of two servers inserting the same key at once, the second waits for the
            // first's row and then finds it not expired (SignatureReplay.isSeen), so it changes no
            // row and returns none. A row no longer seen (`expires_at <= now`) is taken over.
            let rows = try await tx.rows("""
                INSERT INTO signature_nonces (nonce_key, expires_at) VALUES (\(nonce.key), \(nonce.expiresAt))
                ON CONFLICT (nonce_key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE signature_nonces.expires_at <= \(now)
                RETURNING 1
                """)
            return rows.count == 1
        }
    }

    public func releaseSignatureNonce(_ nonce: SignatureReplay.Nonce) async throws {
        try await write { tx in
            try await tx.exec("DELETE FROM signature_nonces WHERE nonce_key = \(nonce.key) AND expires_at = \(nonce.expiresAt)")
        }
    }

    public func sweepSignatureNonces(now: Int64) async throws -> Int {
        try await write { tx in
            try await tx.rows("DELETE FROM signature_nonces WHERE expires_at <= \(now) RETURNING 1").count
        }
    }
}
