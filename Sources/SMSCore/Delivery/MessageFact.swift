import Foundation

/// One fact about a message, as the state machine consumes it. Times are **epoch seconds** and
/// already effective (see ``EventTime``).
public enum MessageFact: Sendable, Equatable {
    /// The provider answered 2xx at `at`.
    case dispatched(at: Int64)
    /// The message was not sent: ineligible recipient or provider refusal after retries.
    case dispatchFailed(reason: String, at: Int64)
    /// A delivery receipt (`submitted`, `delivered` or `failed`) from a callback.
    case receipt(kind: CallbackEventKind, at: Int64, code: String?, description: String?)
    /// A human (not bot) click on one of the message's short links.
    case humanClick(at: Int64)
    /// Any other callback (`replied`, provider-reported `clicked` handled as click): evidence the
    /// provider handled the message.
    case seen(at: Int64)
}

extension MessageState {
    /// Merges one fact into the state. Merging is commutative, associative and idempotent, so
    /// the state is a function of the set of facts (`docs/DOMAIN.md` §4).
    /// - Returns: whether the state changed.
    @discardableResult
    public mutating func apply(_ fact: MessageFact) -> Bool {
        let before = self
        switch fact {
        case .dispatched(let at):
            guard dispatch != .control else { break }
            dispatch = .sent
            dispatchErrorReason = nil
            dispatchedAt = Self.minOpt(dispatchedAt, at)
        case .dispatchFailed(let reason, let at):
            guard dispatch != .control else { break }
            dispatchedAt = Self.minOpt(dispatchedAt, at)
            if dispatch == .queued {
                dispatch = .dispatchError
                dispatchErrorReason = reason
            } else if dispatch == .dispatchError, let old = dispatchErrorReason, reason < old {
                dispatchErrorReason = reason  // deterministic choice between two reasons
            }
        case .receipt(let kind, let at, let code, let description):
            firstEventAt = Self.minOpt(firstEventAt, at)
            switch kind {
            case .submitted: submittedAt = Self.minOpt(submittedAt, at)
            case .delivered: deliveredAt = Self.minOpt(deliveredAt, at)
            case .failed: failure = Self.preferredFailure(failure, Failure(code: code, description: description, at: at))
            case .clicked: firstHumanClickAt = Self.minOpt(firstHumanClickAt, at)
            case .replied: break
            }
        case .humanClick(let at):
            firstEventAt = Self.minOpt(firstEventAt, at)
            firstHumanClickAt = Self.minOpt(firstHumanClickAt, at)
        case .seen(let at):
            firstEventAt = Self.minOpt(firstEventAt, at)
        }
        return before != self
    }

    static func minOpt(_ a: Int64?, _ b: Int64) -> Int64 {
        guard let a else { return b }
        return Swift.min(a, b)
    }

    /// A total order on failures so that the kept one does not depend on arrival order:
    /// one with a code beats one without (PITFALLS.md #4), then earlier, then smaller code, then
    /// smaller description.
    static func preferredFailure(_ a: Failure?, _ b: Failure) -> Failure {
        guard let a else { return b }
        func key(_ f: Failure) -> (Int, Int64, String, String) {
            (f.code == nil || f.code == "" ? 1 : 0, f.at, f.code ?? "", f.description ?? "")
        }
        return key(b) < key(a) ? b : a
    }
}
