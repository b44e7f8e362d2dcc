/// When callback items kept aside for a message not found (``UnmatchedCallback``, the stores'
/// `pending_callbacks`) are tried again, and which of them (`docs/DOMAIN.md` §3 "Decisions",
/// `docs/PITFALLS.md` #1). A store selects the items the trigger names, applies each whose message
/// exists now (by meta, else by provider message id) exactly as on arrival and deletes it, and for
/// a miss counts an attempt when ``countsMisses``.
public enum PendingRematch: Sendable, Equatable {
    /// Messages with these metas were just recorded: their items, in arrival order.
    case metasRecorded([String])
    /// A send answer carrying this provider message id was just recorded (a receipt that beat the
    /// dispatcher's commit): its items, in arrival order.
    case providerIdRecorded(String)
    /// The periodic pass at `now` (epoch seconds): items received at or after ``receivedSince``,
    /// least recently tried first, at most ``UnmatchedCallback/rematchBatchLimit``.
    case periodic(now: Int64)

    /// The earliest receipt time of the items tried (the periodic pass covers
    /// ``UnmatchedCallback/retryWindowSeconds``); `nil`: every item of the trigger.
    public var receivedSince: Int64? {
        if case .periodic(let now) = self { now - UnmatchedCallback.retryWindowSeconds } else { nil }
    }

    /// Whether an item whose message is still missing counts an attempt (`attempts`,
    /// `last_attempt_at`): only in the periodic pass; a recorded meta or id that is not the item's
    /// is no attempt.
    public var countsMisses: Bool {
        if case .periodic = self { true } else { false }
    }

    /// At most this many items per pass (the periodic pass only).
    public var limit: Int? {
        if case .periodic = self { UnmatchedCallback.rematchBatchLimit } else { nil }
    }
}
