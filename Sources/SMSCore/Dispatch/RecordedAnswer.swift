/// A provider's answer as saved before its derived work (the `answer_*` columns of `messages`):
/// `outcome` is `"sent"` or `"failed"`, `reason` the failure, `providerMessageId` the provider's id
/// of a sent message, `at` epoch seconds (0 when missing).
public enum RecordedAnswer {
    /// The dispatch result the saved answer stands for; a failure without a reason is `"unknown"`.
    public static func result(messageId: Int64, outcome: String, at: Int64?, reason: String?, providerMessageId: String?) -> DispatchResult {
        outcome == "sent"
            ? DispatchResult(messageId: messageId, outcome: .sent(providerMessageId: providerMessageId), at: at ?? 0)
            : DispatchResult(messageId: messageId, outcome: .failed(reason: reason ?? "unknown"), at: at ?? 0)
    }
}
