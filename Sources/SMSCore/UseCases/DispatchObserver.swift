import Foundation

/// What the ``Dispatcher`` reports as it works, for an adapter's metrics (the core stays free of a
/// metrics library). Calls come from the dispatcher's workers, concurrently; an observer must be
/// cheap and must not block.
public protocol DispatchObserver: Sendable {
    /// A campaign was published: the messages planned for it (``NewMessage/dispatch`` is
    /// `queued`, `control`, or `dispatch_error` with ``NewMessage/dispatchErrorReason`` set: no
    /// phone, invalid phone, opted out). Publishing again after a crash mid-publish reports the
    /// whole plan again, though the store adds only the missing messages.
    func published(_ messages: [NewMessage])
    /// The provider's answers to one request's messages (one result per message). Messages of the
    /// at-least-once window (``Dispatcher``) are reported again when they are sent again.
    func handedOff(_ results: [DispatchResult])
    /// `count` messages became "frequency cap exceeded" dispatch errors in a claim (count > 0).
    func capped(_ count: Int)
    /// `count` messages were dead-lettered (``DeadLetterPolicy``).
    func deadLettered(_ count: Int)
}

extension DispatchObserver {
    public func deadLettered(_ count: Int) {}
}
