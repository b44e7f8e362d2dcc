import Testing

@testable import SMSCore

/// The saved provider answer read back as a dispatch result, and the reason a recorded answer is
/// dead-lettered with once its derived work has run out of attempts (one rule for both stores).
@Suite("Recorded answers and their dead-letter reason")
struct RecordedAnswerTests {
    @Test func sentAnswerKeepsTheProviderMessageIdAndTime() {
        let r = RecordedAnswer.result(messageId: 7, outcome: "sent", at: 1_700_000_000, reason: nil, providerMessageId: "SM1")
        #expect(r == DispatchResult(messageId: 7, outcome: .sent(providerMessageId: "SM1"), at: 1_700_000_000))
    }

    @Test func failedAnswerKeepsItsReasonOrSaysUnknown() {
        let r = RecordedAnswer.result(messageId: 8, outcome: "failed", at: 5, reason: "HTTP 400", providerMessageId: nil)
        #expect(r == DispatchResult(messageId: 8, outcome: .failed(reason: "HTTP 400"), at: 5))
        let bare = RecordedAnswer.result(messageId: 9, outcome: "failed", at: nil, reason: nil, providerMessageId: nil)
        #expect(bare == DispatchResult(messageId: 9, outcome: .failed(reason: "unknown"), at: 0))
    }

    @Test func answerGaveUpNamesTheLastErrorOrTheCrashes() {
        #expect(DeadLetterReason.answerGaveUp(attempts: 3, lastError: "disk full")
            == "recording the provider's answer failed 3 times: disk full")
        #expect(DeadLetterReason.answerGaveUp(attempts: 3, lastError: nil)
            == "repeated crash while recording the provider's answer (3 attempts)")
    }
}

/// A provider's answer as the planner's fact, its provider id for held receipts, and its saved
/// columns (``RecordedAnswer/columns(_:)``), which read back to the same result.
@Suite("Dispatch results as facts and saved answers")
struct DispatchResultFactTests {
    @Test func aSentAnswerIsDispatchedAtItsTimeWithItsProviderId() {
        let r = DispatchResult(messageId: 3, outcome: .sent(providerMessageId: "SM-42"), at: 1_700_000_123)
        #expect(r.fact == .dispatched(at: 1_700_000_123))
        #expect(r.providerMessageId == "SM-42")
        #expect(RecordedAnswer.columns(r) == RecordedAnswer.Columns(outcome: "sent", reason: nil, providerMessageId: "SM-42"))
    }

    @Test func aSentAnswerWithoutIdHoldsNoReceipts() {
        let r = DispatchResult(messageId: 3, outcome: .sent(providerMessageId: nil), at: 9)
        #expect(r.fact == .dispatched(at: 9))
        #expect(r.providerMessageId == nil)
        #expect(RecordedAnswer.columns(r) == RecordedAnswer.Columns(outcome: "sent", reason: nil, providerMessageId: nil))
    }

    @Test func aFailedAnswerIsADispatchErrorWithItsReason() {
        let r = DispatchResult(messageId: 4, outcome: .failed(reason: "HTTP 503 after 3 attempts"), at: 1_700_000_200)
        #expect(r.fact == .dispatchFailed(reason: "HTTP 503 after 3 attempts", at: 1_700_000_200))
        #expect(r.providerMessageId == nil)
        #expect(RecordedAnswer.columns(r)
            == RecordedAnswer.Columns(outcome: "failed", reason: "HTTP 503 after 3 attempts", providerMessageId: nil))
    }

    @Test func thePlannedStateOfEachAnswer() {
        let queued = MessageState(dispatch: .queued)
        let sent = MessagePlanner.plan(queued, segments: 2, fact: DispatchResult(messageId: 1, outcome: .sent(providerMessageId: "p"), at: 500).fact)
        #expect(sent.new == MessageState(dispatch: .sent, dispatchedAt: 500))
        let failed = MessagePlanner.plan(queued, segments: 2, fact: DispatchResult(messageId: 1, outcome: .failed(reason: "HTTP 400"), at: 600).fact)
        #expect(failed.new == MessageState(dispatch: .dispatchError, dispatchedAt: 600, dispatchErrorReason: "HTTP 400"))
    }

    /// Every result saved and read back is the same result (any id, time, reason or provider id).
    @Test func savedColumnsReadBackToTheSameResult() {
        var rng = SystemRandomNumberGenerator()
        let texts = ["", "x", "HTTP 400", "SM-1", "ünïcode ✓", String(repeating: "r", count: 300)]
        for _ in 0..<500 {
            let id = Int64.random(in: 1...Int64.max, using: &rng)
            let at = Int64.random(in: 0...4_102_444_800, using: &rng)
            let text = texts.randomElement(using: &rng)!
            let outcome: DispatchResult.Outcome =
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: .sent(providerMessageId: text)
                case 1: .sent(providerMessageId: nil)
                default: .failed(reason: text)
                }
            let r = DispatchResult(messageId: id, outcome: outcome, at: at)
            let c = RecordedAnswer.columns(r)
            let back = RecordedAnswer.result(messageId: id, outcome: c.outcome, at: at, reason: c.reason, providerMessageId: c.providerMessageId)
            #expect(back == r)
        }
    }
}
