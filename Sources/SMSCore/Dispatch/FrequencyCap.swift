/// At most ``maxMessages`` SMS per user per rolling ``windowSeconds`` (default 24 h), across
/// campaigns, checked when a message is claimed for sending, not at publish (`docs/DOMAIN.md` §2
/// "Outcome of a send"). A store reads the user's other messages that may count
/// (``Prior``: the in-flight ones and those with a time at or after ``windowStart(now:)``), and
/// asks ``isExceeded(by:now:)``; a capped message becomes the dispatch error "frequency cap
/// exceeded" (``DispatchErrorReason/frequencyCapExceeded``).
public struct FrequencyCap: Sendable, Equatable {
    /// SMS per user per window, at least 1.
    public var maxMessages: Int
    /// The rolling window, seconds.
    public var windowSeconds: Int64

    public init(maxMessages: Int, windowSeconds: Int64 = 86_400) {
        self.maxMessages = maxMessages
        self.windowSeconds = windowSeconds
    }

    /// One of the user's other messages as the cap reads it (columns of `messages`). Times are
    /// epoch seconds.
    public struct Prior: Sendable, Equatable {
        /// `dispatch`.
        public var dispatch: DispatchStatus
        /// Its provider call is in flight (`send_attempt` set).
        public var claimed: Bool
        /// `dispatched_at`: the recorded send time.
        public var dispatchedAt: Int64?
        /// `first_event_at`: the first receipt or click the provider reported.
        public var firstEventAt: Int64?
        /// `answer_at` of a recorded `sent` answer whose derived work is still to do (``RecordedAnswer``).
        public var sentAnswerAt: Int64?

        public init(
            dispatch: DispatchStatus, claimed: Bool = false, dispatchedAt: Int64? = nil, firstEventAt: Int64? = nil,
            sentAnswerAt: Int64? = nil
        ) {
            self.dispatch = dispatch
            self.claimed = claimed
            self.dispatchedAt = dispatchedAt
            self.firstEventAt = firstEventAt
            self.sentAnswerAt = sentAnswerAt
        }
    }

    /// Where the rolling window starts at `now` (epoch seconds): a send at or after it counts.
    /// A store may read only the user's messages that are claimed or have a time at or after it.
    public func windowStart(now: Int64) -> Int64 { now - windowSeconds }

    /// Whether `m` counts against the cap at `now`: its provider call is in flight, or it reached
    /// the provider within the window: sent then (or a dispatch error the provider reported on
    /// anyway), a queued message the provider reported on then (the receipt beat the recording of
    /// the send, `docs/PITFALLS.md` #1), or a recorded `sent` answer not yet applied.
    public func counts(_ m: Prior, now: Int64) -> Bool {
        let since = windowStart(now: now)
        func inWindow(_ t: Int64?) -> Bool { t.map { $0 >= since } ?? false }
        switch m.dispatch {
        case .queued:
            return m.claimed || inWindow(m.firstEventAt) || inWindow(m.sentAnswerAt)
        case .sent:
            return inWindow(m.dispatchedAt)
        case .dispatchError:
            return m.firstEventAt != nil && inWindow(m.dispatchedAt)
        case .control:
            return false
        }
    }

    /// Whether one more message to a user whose other messages are `others` would exceed the cap
    /// at `now`: at least ``maxMessages`` of them count (``counts(_:now:)``).
    public func isExceeded(by others: some Sequence<Prior>, now: Int64) -> Bool {
        guard maxMessages > 0 else { return true }
        var n = 0
        for m in others where counts(m, now: now) {
            n += 1
            if n >= maxMessages { return true }
        }
        return false
    }
}
