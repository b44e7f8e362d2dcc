import Foundation

/// What one message adds to its campaign's rollups, as a pure function of its state. Storing
/// `contribution(new) − contribution(old)` on every change keeps the rollups equal to a recount
/// of all messages, whatever the order of events (`docs/DOMAIN.md` §4, §6).
public enum MessageContribution {
    /// The rollup cells one message contributes to.
    /// - Parameters:
    ///   - state: the message's merged state.
    ///   - segments: the message's SMS segment count (GSM-7 / UCS-2), counted into `sent_segments`.
    /// - Returns: the cells with their increments; trend cells carry the quarter-hour bucket of the
    ///   sent, delivered and first-click times; the latency histograms (issue 18) one all-time cell
    ///   each, the ``LatencyHistogram`` bucket of ``MessageState/deliveryLatency`` and
    ///   ``MessageState/firstClickLatency``. A receipt that leaves the earliest delivered time
    ///   alone changes no cell; one that moves it moves the message to its new bucket.
    public static func of(_ state: MessageState, segments: Int) -> RollupDelta {
        var d = RollupDelta(minimumCapacity: 12)
        forEachCell(of: state, segments: segments) { d.addCell($0, $1) }
        return d
    }

    /// Calls `emit` once per cell of ``of(_:segments:)`` (a cell may come twice when two rules
    /// hit it; zero increments may be emitted), without building a dictionary: the callback write
    /// path sums contributions straight into its per-transaction rollup buffer.
    public static func forEachCell(of state: MessageState, segments: Int, _ emit: (RollupKey, Int64) -> Void) {
        func bump(_ metric: RollupMetric, dim: String = "", at: Int64? = nil, by n: Int64 = 1) {
            emit(RollupKey(metric, dim: dim), n)
            if let at { emit(RollupKey(metric, dim: dim, bucket: RollupKey.bucket(of: at)), n) }
        }
        bump(.messages)
        let outcome = state.outcome
        switch outcome {
        case .control: bump(.controlGroup)
        case .queued: bump(.queued)
        case .dispatchError:
            bump(.dispatchErrors)
            bump(.dispatchErrorsByReason, dim: state.dispatchErrorReason ?? "unknown")
        case .sent, .submitted, .failed, .delivered:
            bump(.sent, at: state.sentAt)
            bump(.sentSegments, by: Int64(segments))
            if outcome.isPending { bump(.pending) }
            if outcome == .failed {
                bump(.failed, at: state.failure?.at)
                bump(.failedByCode, dim: state.failure?.code ?? "")
            }
            if outcome == .delivered {
                bump(.delivered, at: state.deliveredTime)
                if state.isInferredDelivered { bump(.inferredDelivered) }
            }
            if let click = state.firstHumanClickAt { bump(.uniqueClicks, at: click) }
            if let latency = state.deliveryLatency { bump(.deliveryLatency, dim: LatencyHistogram.dim(ofSeconds: latency)) }
            if let latency = state.firstClickLatency { bump(.firstClickLatency, dim: LatencyHistogram.dim(ofSeconds: latency)) }
        }
    }

    /// The latency histogram cells of ``of(_:segments:)`` alone (``LatencyHistogram/metrics``):
    /// what the schema migration that introduced them backfills for each stored message.
    public static func latencyCells(of state: MessageState) -> RollupDelta {
        of(state, segments: 0).filter { LatencyHistogram.metrics.contains($0.key.metric) }
    }

    /// The change to the rollups when a message goes from `old` to `new`; empty when nothing
    /// visible changed. `old == nil` means the message is new.
    public static func delta(from old: MessageState?, to new: MessageState, segments: Int) -> RollupDelta {
        var d = of(new, segments: segments)
        if let old { d.add(of(old, segments: segments), times: -1) }
        return d
    }
}
