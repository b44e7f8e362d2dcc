/// What a provider's answer means to a stored message (`docs/DOMAIN.md` §2, §4): the fact the
/// planner applies (``MessagePlanner/Fact``), and the provider id under which receipts that
/// arrived before the send was recorded wait (`docs/PITFALLS.md` #1). Both stores call these
/// instead of reading ``DispatchResult/Outcome`` themselves.
extension DispatchResult {
    /// The planner's fact: a 2xx answer is ``MessagePlanner/Fact/dispatched(at:)`` at the
    /// attempt's time; a refusal (after the retry policy) is
    /// ``MessagePlanner/Fact/dispatchFailed(reason:at:)`` with its reason.
    public var fact: MessagePlanner.Fact {
        switch outcome {
        case .sent: .dispatched(at: at)
        case .failed(let reason): .dispatchFailed(reason: reason, at: at)
        }
    }

    /// The provider's message id of a sent message, when the answer carried one: receipts held in
    /// `pending_callbacks` under it are matched once this result is recorded. `nil` for a failure.
    public var providerMessageId: String? {
        if case .sent(let id) = outcome { id } else { nil }
    }
}
