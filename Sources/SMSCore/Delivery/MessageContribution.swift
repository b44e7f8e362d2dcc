import Foundation

/// What one message adds to its campaign's rollups, as a pure function of its state. Storing
/// `contribution(new) − contribution(old)` on every change keeps the rollups equal to a recount
/// of all messages, whatever the order of events (`domain.md` §4, §6).
public enum MessageContribution {
    /// The rollup cells one message contributes to.
    /// - Parameters:
    ///   - state: the message's merged state.
    ///   - segments: the message's SMS segment count (GSM-7 / UCS-2), counted into `sent_segments`.
    /// - Returns: the cells with their increments; trend cells carry the quarter-hour bucket of the
    ///   sent, delivered and first-click times.
    public static func of(_ state: MessageState, segments: Int) -> RollupDelta {
        var d = RollupDelta(minimumCapacity: 12)
        d.bump(.messages)
        let outcome = state.outcome
        switch outcome {
        case .control: d.bump(.controlGroup)
        case .queued: d.bump(.queued)
        case .dispatchError:
            d.bump(.dispatchErrors)
            d.bump(.dispatchErrorsByReason, dim: state.dispatchErrorReason ?? "unknown")
        case .sent, .submitted, .failed, .delivered:
            d.bump(.sent, at: state.sentAt)
            d.bump(.sentSegments, by: Int64(segments))
            if outcome.isPending { d.bump(.pending) }
            if outcome == .failed {
                d.bump(.failed, at: state.failure?.at)
                d.bump(.failedByCode, dim: state.failure?.code ?? "")
            }
            if outcome == .delivered {
                d.bump(.delivered, at: state.deliveredTime)
                if state.isInferredDelivered { d.bump(.inferredDelivered) }
            }
            if let click = state.firstHumanClickAt { d.bump(.uniqueClicks, at: click) }
        }
        return d
    }

    /// The change to the rollups when a message goes from `old` to `new`; empty when nothing
    /// visible changed. `old == nil` means the message is new.
    public static func delta(from old: MessageState?, to new: MessageState, segments: Int) -> RollupDelta {
        var d = of(new, segments: segments)
        if let old { d.add(of(old, segments: segments), times: -1) }
        return d
    }
}
