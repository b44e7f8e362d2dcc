import Foundation

/// A callback item whose message was never found: kept aside (pending) on arrival, tried again
/// when a message with its meta or provider id is recorded and periodically for
/// ``UnmatchedCallback/retryWindowSeconds``, then listed for an operator (`docs/DOMAIN.md` §3).
public struct UnmatchedCallback: Sendable, Equatable, Codable {
    /// How long pending items are re-matched periodically: 24 hours, in seconds.
    public static let retryWindowSeconds: Int64 = 86_400
    /// At most this many pending items are tried per periodic re-match, least recently tried first.
    public static let rematchBatchLimit = 5_000

    /// Row id in the pending table.
    public var id: Int64
    public var providerId: String
    /// The meta (or the provider's own id, for dialects that only know theirs) as received.
    public var meta: String
    /// The provider's own message id, normalised (``ProviderMessageId``), if the callback had one.
    public var providerMessageId: String?
    /// The event kind (`delivered`, `failed`, …).
    public var event: String
    /// Epoch seconds the callback was received.
    public var receivedAt: Int64
    /// Periodic re-match attempts so far.
    public var attempts: Int
    /// The normalised item as stored.
    public var item: CallbackItem

    public init(
        id: Int64, providerId: String, meta: String, providerMessageId: String?, event: String, receivedAt: Int64,
        attempts: Int, item: CallbackItem
    ) {
        self.id = id
        self.providerId = providerId
        self.meta = meta
        self.providerMessageId = providerMessageId
        self.event = event
        self.receivedAt = receivedAt
        self.attempts = attempts
        self.item = item
    }
}

/// Why an ingestion error cannot be replayed (the web layer maps these to 404 / 409 / 422).
public enum ReplayError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No ingestion error with that id.
    case notFound(Int64)
    /// It was replayed already at this time (epoch seconds).
    case alreadyReplayed(at: Int64)

    public var description: String {
        switch self {
        case .notFound(let id): "no ingestion error \(id)"
        case .alreadyReplayed(let at): "already replayed at \(at) (epoch seconds)"
        }
    }
}
