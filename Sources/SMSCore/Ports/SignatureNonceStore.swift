import Foundation

/// The nonces of signed provider callbacks already accepted (``SignatureReplay``), kept in the
/// database (`signature_nonces`) so that a replay is refused by every server sharing it, each
/// until its expiry. Only callbacks whose signature was found valid write a row, so the table holds
/// at most the provider's callbacks of the last window (300 s). Times are **epoch seconds**.
public protocol SignatureNonceStore: Sendable {
    /// Records `nonce` unless it is seen: a row with its key whose expiry is after `now`
    /// (``SignatureReplay/isSeen(expiresAt:now:)``); an expired row is taken over. One atomic
    /// statement (`INSERT … ON CONFLICT … DO UPDATE … WHERE` the stored row expired, then its row
    /// count): of two servers recording the same nonce at once, exactly one gets `true`.
    /// - Returns: `true` when recorded (the first use), `false` for a replay.
    /// - Throws: the driver's errors.
    func recordSignatureNonce(_ nonce: SignatureReplay.Nonce, now: Int64) async throws -> Bool
    /// Forgets `nonce` as recorded (its key and expiry): the request it came with was not accepted
    /// (the store failed, the provider will retry the same signed request).
    /// - Throws: the driver's errors.
    func releaseSignatureNonce(_ nonce: SignatureReplay.Nonce) async throws
    /// Deletes the nonces expired at `now`. - Returns: how many. - Throws: the driver's errors.
    func sweepSignatureNonces(now: Int64) async throws -> Int
}
