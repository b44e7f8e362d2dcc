import Foundation

/// When the dispatcher takes a message out of the loop instead of trying it again (issue 12: a
/// crash never becomes a send loop; `docs/PITFALLS.md #15`). The stores count attempts in durable
/// state, because a trap (SIGILL, SIGKILL) cannot be caught in the process:
///
/// - **Provider calls.** A claim increments `messages.dispatch_attempts` in the claim's own
///   transaction, committed **before** the provider call. A claim found at start-up (the process
///   died between the claim and the recording of the answer) is queued again only while its
///   attempts are below ``maxSendAttempts``; otherwise it is dead-lettered with
///   ``DeadLetterReason/repeatedCrashDuringDispatch``. With the default 2, a message reaches the
///   provider at most twice, whatever keeps killing the process: at most one resend (the claim
///   window).
/// - **Recording the answer.** The provider's answer (sent + provider message id, or the failure)
///   is committed on its own, before and apart from the derived work (state machine, rollups,
///   conversion attribution, receipts held for it). That derived work is then tried; an attempt
///   that throws or dies leaves the answer recorded (never sent again) and is tried again by the
///   next pass, at most ``maxRecordAttempts`` times in all; then the message is dead-lettered with
///   the last error (or ``DeadLetterReason/repeatedCrashWhileRecording`` when every attempt died).
/// - **Campaigns.** ``pauseAfterConsecutive`` dead letters in a row in one campaign (no message of
///   it recorded successfully in between) pause the campaign (`paused`, with the reason); resuming
///   starts the count again.
///
/// A dead-lettered message is not counted in the rollups (its derived work is what failed): the
/// campaign's progress shows it as `deadLetters`, `GET /api/v1/campaigns/{id}/dead-letters` lists
/// it with its error, and `reconcile` reports it.
public struct DeadLetterPolicy: Sendable, Equatable {
    /// Provider calls a message may get; a claim found after a crash with this many is dead-lettered.
    public var maxSendAttempts: Int
    /// Attempts at the derived work of a recorded answer before the message is dead-lettered.
    public var maxRecordAttempts: Int
    /// Consecutive dead letters in a campaign that pause it.
    public var pauseAfterConsecutive: Int

    public init(maxSendAttempts: Int = 2, maxRecordAttempts: Int = 3, pauseAfterConsecutive: Int = 3) {
        self.maxSendAttempts = max(1, maxSendAttempts)
        self.maxRecordAttempts = max(1, maxRecordAttempts)
        self.pauseAfterConsecutive = max(1, pauseAfterConsecutive)
    }

    /// The defaults: 2 provider calls, 3 recording attempts, pause after 3 dead letters in a row.
    public static let standard = DeadLetterPolicy()

    /// Whether a claim found after a crash, with `attempts` provider calls counted, is dead-lettered
    /// (else it is queued again).
    public func deadLettersClaim(attempts: Int) -> Bool { attempts >= maxSendAttempts }

    /// Whether a recorded answer whose derived work was tried `attempts` times is dead-lettered
    /// (else it is tried again).
    public func deadLettersAnswer(attempts: Int) -> Bool { attempts >= maxRecordAttempts }

    /// Whether `consecutive` dead letters in a row pause the campaign.
    public func pauses(consecutive: Int) -> Bool { consecutive >= pauseAfterConsecutive }

    /// The reason written on a campaign paused by dead letters.
    public func pauseReason(consecutive: Int, lastError: String) -> String {
        "paused after \(consecutive) consecutive dead-lettered messages; last error: \(lastError)"
    }
}

/// The errors written on dead-lettered messages.
public enum DeadLetterReason {
    /// A claim was found after a crash again and again: the process dies while sending it.
    public static func repeatedCrashDuringDispatch(attempts: Int) -> String {
        "repeated crash during dispatch (\(attempts) provider calls, outcome unknown)"
    }
    /// Every attempt at recording the provider's answer died with the process.
    public static func repeatedCrashWhileRecording(attempts: Int) -> String {
        "repeated crash while recording the provider's answer (\(attempts) attempts)"
    }
    /// Recording the provider's answer threw each time; `error` is the last one.
    public static func recordingFailed(attempts: Int, error: String) -> String {
        "recording the provider's answer failed \(attempts) times: \(error)"
    }
    /// Why a recorded answer whose derived work ran out of attempts is dead-lettered: the last
    /// error when an attempt threw (``recordingFailed(attempts:error:)``), else every attempt died
    /// with the process (``repeatedCrashWhileRecording(attempts:)``).
    public static func answerGaveUp(attempts: Int, lastError: String?) -> String {
        lastError.map { recordingFailed(attempts: attempts, error: $0) } ?? repeatedCrashWhileRecording(attempts: attempts)
    }
}

/// What start-up recovery did with the claims a dead process left.
public struct ClaimRecovery: Sendable, Equatable {
    /// Queued again (their provider call had an unknown outcome): they will be sent again.
    public var released: Int
    /// Dead-lettered instead (``DeadLetterPolicy/maxSendAttempts`` reached).
    public var deadLettered: Int
    public init(released: Int, deadLettered: Int) {
        self.released = released
        self.deadLettered = deadLettered
    }
}

/// What a pass over recorded answers whose derived work is still to do did.
public struct AnswerRetry: Sendable, Equatable {
    /// Recorded completely (state machine, rollups, attribution).
    public var applied: Int
    /// Failed again (the error is kept; tried again by the next pass).
    public var failed: Int
    /// Dead-lettered (``DeadLetterPolicy/maxRecordAttempts`` reached).
    public var deadLettered: Int
    public init(applied: Int = 0, failed: Int = 0, deadLettered: Int = 0) {
        self.applied = applied
        self.failed = failed
        self.deadLettered = deadLettered
    }
}

/// A message taken out of the dispatch loop, with its error (`GET /api/v1/campaigns/{id}/dead-letters`).
public struct DeadLetter: Sendable, Equatable, Codable {
    public var messageId: Int64
    public var campaignId: String
    public var userId: String
    /// The message's `meta` (its reference at the provider).
    public var meta: String
    /// The provider's recorded answer, when it answered: `sent` or `failed`; `nil` = unknown.
    public var providerAnswer: String?
    public var providerMessageId: String?
    /// Provider calls counted for it.
    public var sendAttempts: Int
    public var error: String
    /// Epoch seconds.
    public var deadLetteredAt: Int64
    public init(
        messageId: Int64, campaignId: String, userId: String, meta: String, providerAnswer: String?,
        providerMessageId: String?, sendAttempts: Int, error: String, deadLetteredAt: Int64
    ) {
        self.messageId = messageId
        self.campaignId = campaignId
        self.userId = userId
        self.meta = meta
        self.providerAnswer = providerAnswer
        self.providerMessageId = providerMessageId
        self.sendAttempts = sendAttempts
        self.error = error
        self.deadLetteredAt = deadLetteredAt
    }
}

extension DeadLetterPolicy {
    /// The campaign after its `consecutive`-th dead letter in a row (`lastError` its error): paused
    /// with the reason when the rule says so and it is sending; `nil` when it stays as it is.
    public func paused(_ campaign: Campaign, consecutive: Int, lastError: String, now: Int64) -> Campaign? {
        guard pauses(consecutive: consecutive), campaign.status == .sending else { return nil }
        var c = campaign
        c.status = .paused
        c.pausedReason = pauseReason(consecutive: consecutive, lastError: lastError)
        c.pausedAt = now
        return c
    }

    /// Whether a campaign moving to `status` starts its run of dead letters again: any status but
    /// `paused` (resumed, published, stopped…); a pause keeps the run that caused it.
    public static func endsRun(movingTo status: CampaignStatus) -> Bool { status != .paused }

    /// The error kept for a recorded answer whose derived work threw, at most 1,000 characters.
    public static func errorText(_ error: any Error) -> String { errorText(String(describing: error)) }

    /// `text` cut to 1,000 characters (with "…" when cut).
    public static func errorText(_ text: String) -> String {
        text.count > 1_000 ? String(text.prefix(1_000)) + "…" : text
    }
}
