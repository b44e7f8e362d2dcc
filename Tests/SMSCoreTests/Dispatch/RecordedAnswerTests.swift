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
