/// A provider's answer as saved before its derived work (the `answer_*` columns of `messages`):
/// `outcome` is `"sent"` or `"failed"`, `reason` the failure, `providerMessageId` the provider's id
/// of a sent message, `at` epoch seconds (0 when missing). ``columns(_:)`` writes a result, and
/// ``result(messageId:outcome:at:reason:providerMessageId:)`` reads it back.
public enum RecordedAnswer {
    /// The saved columns of one answer.
    public struct Columns: Sendable, Equatable {
        /// `"sent"` or `"failed"` (`answer_outcome`).
        public var outcome: String
        /// The failure reason of a failed answer (`answer_reason`); `nil` for a sent one.
        public var reason: String?
        /// The provider's message id of a sent answer that carried one; `nil` leaves the stored id as it is.
        public var providerMessageId: String?
    }

    /// The columns that save `result`.
    public static func columns(_ result: DispatchResult) -> Columns {
        switch result.outcome {
        case .sent(let providerMessageId): Columns(outcome: "sent", reason: nil, providerMessageId: providerMessageId)
        case .failed(let reason): Columns(outcome: "failed", reason: reason, providerMessageId: nil)
        }
    }

    /// The dispatch result the saved answer stands for; a failure without a reason is `"unknown"`.
    public static func result(messageId: Int64, outcome: String, at: Int64?, reason: String?, providerMessageId: String?) -> DispatchResult {
        outcome == "sent"
            ? DispatchResult(messageId: messageId, outcome: .sent(providerMessageId: providerMessageId), at: at ?? 0)
            : DispatchResult(messageId: messageId, outcome: .failed(reason: reason ?? "unknown"), at: at ?? 0)
    }
}
