import Foundation

/// A message's outcome as the message log (`GET /api/v1/campaigns/{id}/messages`, issue 17) names
/// it: ``MessageOutcome`` (the precedence rule of `docs/DOMAIN.md` §4, ``MessageState/outcome``)
/// with `submitted` called `pending` (an intermediate receipt: the provider has it in flight).
/// `sent` is accepted by the provider with no receipt yet.
public enum MessageLogOutcome: String, Sendable, Codable, CaseIterable {
    case queued
    case sent
    case pending
    case delivered
    case failed
    case dispatchError = "dispatch_error"
    case control

    /// The log's name for a message outcome.
    public init(_ outcome: MessageOutcome) {
        switch outcome {
        case .queued: self = .queued
        case .dispatchError: self = .dispatchError
        case .sent: self = .sent
        case .submitted: self = .pending
        case .failed: self = .failed
        case .delivered: self = .delivered
        case .control: self = .control
        }
    }

    /// The allowed values, comma-separated, for a 400 (`queued, sent, pending, …`).
    public static var allowedList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
