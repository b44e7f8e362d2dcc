import Foundation

/// Everything known about one message, as a join-semilattice: each fact merges by min / max /
/// union, so the state after any set of events is the same whatever their arrival order, and a
/// duplicate changes nothing (`docs/DOMAIN.md` §4, PITFALLS.md #1–6).
///
/// Times are **epoch seconds**, already made effective by ``EventTime``.
public struct MessageState: Sendable, Hashable, Codable {
    /// What the dispatcher recorded.
    public var dispatch: DispatchStatus
    /// Time of the send attempt (the message's sent time), when the dispatcher has recorded it.
    public var dispatchedAt: Int64?
    /// Dispatch-error reason (`docs/DOMAIN.md` §2 list), when `dispatch == .dispatchError`.
    public var dispatchErrorReason: String?
    /// Earliest time of a `submitted` (intermediate) receipt.
    public var submittedAt: Int64?
    /// Earliest time of a `delivered` receipt.
    public var deliveredAt: Int64?
    /// The failure shown in the Errors tab: the earliest `failed` receipt that carries a code
    /// (ties: the smaller code), else the earliest one without a code (PITFALLS.md #4).
    public var failure: Failure?
    /// Earliest human click on any of the message's links (bots never count).
    public var firstHumanClickAt: Int64?
    /// Earliest time any event (receipt or human click) was seen; the sent time of a message the
    /// provider reported on before the dispatcher recorded the send (PITFALLS.md #1).
    public var firstEventAt: Int64?

    /// One failure receipt's data.
    public struct Failure: Sendable, Hashable, Codable {
        public var code: String?
        public var description: String?
        public var at: Int64
        public init(code: String?, description: String?, at: Int64) {
            self.code = code
            self.description = description
            self.at = at
        }
    }

    public init(
        dispatch: DispatchStatus = .queued, dispatchedAt: Int64? = nil,
        dispatchErrorReason: String? = nil, submittedAt: Int64? = nil, deliveredAt: Int64? = nil,
        failure: Failure? = nil, firstHumanClickAt: Int64? = nil, firstEventAt: Int64? = nil
    ) {
        self.dispatch = dispatch
        self.dispatchedAt = dispatchedAt
        self.dispatchErrorReason = dispatchErrorReason
        self.submittedAt = submittedAt
        self.deliveredAt = deliveredAt
        self.failure = failure
        self.firstHumanClickAt = firstHumanClickAt
        self.firstEventAt = firstEventAt
    }

    /// The outcome by the precedence rule of `docs/DOMAIN.md` §4. A human click with no delivered
    /// receipt is evidence of delivery (delivered, inferred), so CTR can never exceed 100 %.
    public var outcome: MessageOutcome {
        if dispatch == .control { return .control }
        if deliveredAt != nil || firstHumanClickAt != nil { return .delivered }
        if failure != nil { return .failed }
        if submittedAt != nil { return .submitted }
        switch dispatch {
        case .sent: return .sent
        case .dispatchError: return firstEventAt == nil ? .dispatchError : .sent
        case .queued: return firstEventAt == nil ? .queued : .sent
        case .control: return .control
        }
    }

    /// Delivered only because of a human click (no delivered receipt).
    public var isInferredDelivered: Bool { deliveredAt == nil && firstHumanClickAt != nil && dispatch != .control }

    /// The message's sent time: the dispatch time, or, when a receipt arrived before the dispatcher
    /// recorded the send, the earliest event time. `nil` while nothing says it was sent.
    public var sentAt: Int64? {
        guard outcome.countsAsSent else { return nil }
        return dispatchedAt ?? firstEventAt
    }

    /// The time the message counts as delivered: the earliest delivered receipt, else the first
    /// human click. `nil` unless the outcome is delivered.
    public var deliveredTime: Int64? {
        guard outcome == .delivered else { return nil }
        return deliveredAt ?? firstHumanClickAt
    }

    /// Sent → delivered, **seconds** (negative when a receipt is timed before the send): only for a
    /// message delivered by a receipt (an inferred delivery has no delivery time of its own).
    /// `nil` otherwise. Issue 18's latency histogram (``LatencyHistogram``).
    public var deliveryLatency: Int64? {
        guard outcome == .delivered, let delivered = deliveredAt, let sent = sentAt else { return nil }
        return delivered.saturatingSubtracting(sent)
    }

    /// Sent → first human click, **seconds**, for a sent message with one; `nil` otherwise.
    public var firstClickLatency: Int64? {
        guard let click = firstHumanClickAt, let sent = sentAt else { return nil }
        return click.saturatingSubtracting(sent)
    }
}
