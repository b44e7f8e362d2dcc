import Foundation

/// Profile management in the stores (issue 15): listing in `user_id` order, replacement,
/// a profile's messages, erasure. Times are **epoch seconds**.
public protocol ProfileStore: Sendable {
    /// At most `limit` profiles with a user id greater than `afterUserId` (`nil`: from the
    /// first), in byte order of the user id (SQLite `BINARY`, PostgreSQL `COLLATE "C"`). The
    /// filters of a listing are ``ProfileQuery``'s, applied to what this returns.
    func profiles(afterUserId: String?, limit: Int) async throws -> [Profile]
    /// Like ``profiles(afterUserId:limit:)``, only among the profiles `search` names (a user id
    /// prefix, a phone prefix, exact phones), read through indexes (the user id key; an index on
    /// the phone), so a search does not scan the table. ``ProfileQuery/matches(_:)`` still
    /// judges each profile returned.
    func profiles(search: ProfileSearch, afterUserId: String?, limit: Int) async throws -> [Profile]
    /// Reads the stored profile of `userId`, passes it to `change` and writes back the phone,
    /// phone validity, name, properties and opt-out flag it returns, in one transaction holding
    /// the row (PostgreSQL `SELECT … FOR UPDATE`, SQLite one write transaction), so concurrent
    /// `PATCH /api/v1/profiles/{userId}` merge instead of losing each other's keys (issue 15).
    /// Returns the written profile, `nil` when there is none (nothing written).
    /// - Throws: what `change` throws (nothing written).
    func updateProfile(userId: String, _ change: @escaping @Sendable (Profile) throws -> Profile) async throws -> Profile?
    /// The user's messages, newest first (`created_at DESC, id DESC`), at most `limit`.
    func messages(userId: String, limit: Int) async throws -> [ProfileMessage]
    /// Applies ``ProfileErasure/steps`` in one transaction, unless a message of the user is
    /// still queued (not yet handed to the provider, or in flight): then nothing is changed.
    func eraseProfile(_ erasure: ProfileErasure) async throws -> ErasureOutcome
}

/// The answer of ``ProfileStore/eraseProfile(_:)``.
public enum ErasureOutcome: Sendable, Equatable {
    case erased(ErasureReport)
    /// Nothing was changed: these many messages of the user are queued or in flight (stop the
    /// campaign or let it send first; erasing them mid-send would change what is reported).
    case queuedMessages(Int)
}

/// One message of a profile as `GET /api/v1/profiles/{userId}` shows it.
public struct ProfileMessage: Sendable, Equatable, Codable {
    public var messageId: Int64
    public var campaignId: String
    public var variant: Int
    public var body: String
    public var segments: Int
    /// When the message was recorded, epoch seconds.
    public var createdAt: Int64
    /// Dispatch, receipts, first click (epoch seconds).
    public var state: MessageState
    /// The outcome derived from `state` (``MessageState/outcome``).
    public var outcome: MessageOutcome

    public init(messageId: Int64, campaignId: String, variant: Int, body: String, segments: Int, createdAt: Int64, state: MessageState) {
        self.messageId = messageId
        self.campaignId = campaignId
        self.variant = variant
        self.body = body
        self.segments = segments
        self.createdAt = createdAt
        self.state = state
        self.outcome = state.outcome
    }
}
