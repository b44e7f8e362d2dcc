import Foundation

/// The outcome of one message, derived from the set of facts known about it (`docs/DOMAIN.md` §4).
///
/// Precedence, highest first: delivered > failed > submitted > sent > dispatch error > queued.
/// `control` is a control-group member: never sent, outside that ladder.
public enum MessageOutcome: String, Sendable, Codable, CaseIterable {
    case queued
    case dispatchError = "dispatch_error"
    case sent
    case submitted
    case failed
    case delivered
    case control

    /// Rank in the precedence ladder of `docs/DOMAIN.md` §4 (higher wins); `control` is -1.
    public var rank: Int {
        switch self {
        case .control: -1
        case .queued: 0
        case .dispatchError: 1
        case .sent: 2
        case .submitted: 3
        case .failed: 4
        case .delivered: 5
        }
    }

    /// Whether the provider accepted the message: it counts in **Sent** (`docs/DOMAIN.md` §6).
    public var countsAsSent: Bool {
        switch self {
        case .sent, .submitted, .failed, .delivered: true
        case .queued, .dispatchError, .control: false
        }
    }

    /// Sent but with no final receipt yet: it counts in **Pending** (Sent = Delivered + Failed + Pending).
    public var isPending: Bool { self == .sent || self == .submitted }
}

/// How the dispatcher left a message (before any callback).
public enum DispatchStatus: String, Sendable, Codable, CaseIterable {
    /// Recorded, not yet handed to the provider (or the hand-off's result is not yet recorded).
    case queued
    /// The provider answered 2xx.
    case sent
    /// Not sent: ineligible recipient, or the provider refused after the retry policy.
    case dispatchError = "dispatch_error"
    /// Held out as a member of the campaign's control group.
    case control
}
