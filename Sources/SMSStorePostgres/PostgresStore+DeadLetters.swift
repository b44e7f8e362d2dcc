import Foundation
import PostgresNIO
import SMSCore

/// Recorded provider answers and dead letters of the PostgreSQL store (``DeadLetterPolicy``), as
/// in the SQLite store: the answer is committed on its own (`messages.answer_*`, the claim
/// cleared, the provider message id set) before the derived work; a message that keeps failing
/// gets `dead_letter` (its error) and is never claimed, waited for or stopped again.
extension PostgresStore {
    /// Records the provider's answers, inside a transaction the caller holds (and commits before
    /// any derived work): clears the claims, sets the provider message ids, keeps each answer with
    /// its first recording attempt counted. Takes the provider ids' locks, so a receipt naming one
    /// either sees the message or is held where the derived work finds it (PITFALLS.md #1).
    func recordAnswers(_ tx: PGTx, _ results: [DispatchResult]) async throws {
        try await tx.lockKeys(Self.providerIdLocks(results))
        // One statement for the whole request (a round trip per message would slow every send),
        // rows in id order; a NULL reason or provider id is an empty string with a false flag.
        let sorted = results.sorted { $0.messageId < $1.messageId }
        var ids: [Int64] = [], outcomes: [String] = [], ats: [Int64] = []
        var reasons: [String] = [], hasReason: [Bool] = [], pids: [String] = [], hasPid: [Bool] = []
        for r in sorted {
            let saved = RecordedAnswer.columns(r)
            ids.append(r.messageId)
            ats.append(r.at)
            outcomes.append(saved.outcome)
            reasons.append(saved.reason?.pgSafe ?? "")
            hasReason.append(saved.reason != nil)
            pids.append(saved.providerMessageId?.pgSafe ?? "")
            hasPid.append(saved.providerMessageId != nil)
        }
        try await tx.exec("""
            UPDATE messages AS m SET send_attempt = NULL, answer_outcome = x.o, answer_at = x.a,
              answer_reason = CASE WHEN x.hr THEN x.r END, answer_attempts = 1, answer_error = NULL,
              provider_message_id = CASE WHEN x.hp THEN x.p ELSE m.provider_message_id END
            FROM unnest(\(ids)::bigint[], \(outcomes)::text[], \(ats)::bigint[], \(reasons)::text[], \(hasReason)::boolean[],
              \(pids)::text[], \(hasPid)::boolean[]) AS x(id, o, a, r, hr, p, hp)
            WHERE m.id = x.id
            """)
    }

    /// The advisory lock keys of the provider message ids `results` carry (the receipts' lock, PITFALLS.md #1).
    static func providerIdLocks(_ results: [DispatchResult]) -> Set<String> {
        Set(results.compactMap { $0.providerMessageId.map { "pid:" + $0 } })
    }

    /// Keeps the error of a failed derived-work attempt on the messages still holding an answer.
    func noteAnswerError(_ ids: [Int64], _ error: any Error) async throws {
        let text = Self.errorText(error)
        let sorted = Array(Set(ids)).sorted()
        try await write { tx in
            try await tx.exec("""
                UPDATE messages SET answer_error = \(text) WHERE id = ANY(\(sorted)::bigint[]) AND answer_outcome IS NOT NULL
                """)
        }
    }

    /// An error as kept for an operator: a server error's message and SQLSTATE (a `PSQLError`
    /// describes itself generically, to keep queries and binds out of logs), else the error's text.
    static func errorText(_ error: any Error) -> String {
        if let e = error as? PSQLError, let message = e.serverInfo?[.message] {
            return DeadLetterPolicy.errorText("PostgreSQL: \(message) (SQLSTATE \(e.serverInfo?[.sqlState] ?? "?"))")
        }
        return DeadLetterPolicy.errorText(error)
    }

    /// The recorded answer of `id`, as a dispatch result.
    func storedAnswer(_ tx: PGTx, id: Int64) async throws -> DispatchResult? {
        guard let row = try await tx.rows("""
            SELECT answer_outcome, answer_at, answer_reason, provider_message_id FROM messages
            WHERE id = \(id) AND answer_outcome IS NOT NULL
            """).first
        else { return nil }
        return RecordedAnswer.result(
            messageId: id, outcome: try row.at(0, String.self), at: try row.at(1, Int64?.self),
            reason: try row.at(2, String?.self), providerMessageId: try row.at(3, String?.self))
    }

    /// Takes one message out of the loop with `reason`, and applies the campaign pause rule.
    func deadLetter(_ tx: PGTx, id: Int64, campaignId: String, reason: String, now: Int64, policy: DeadLetterPolicy) async throws {
        try await tx.exec("""
            UPDATE messages SET send_attempt = NULL, dead_letter = \(reason), dead_lettered_at = \(now) WHERE id = \(id)
            """)
        let consecutive = try await tx.scalar("""
            UPDATE campaigns SET consecutive_dead_letters = consecutive_dead_letters + 1 WHERE id = \(campaignId)
            RETURNING consecutive_dead_letters
            """, as: Int.self) ?? 0
        if let campaign = try await Self.campaign(tx, id: campaignId, forUpdate: true),
            let paused = policy.paused(campaign, consecutive: consecutive, lastError: reason, now: now)
        {
            try await Self.saveCampaign(tx, paused)
        }
    }

    /// Ends the runs of dead letters of `campaignIds` (``DeadLetterPolicy``): a message of theirs
    /// was recorded completely, or the campaign left `paused` (``DeadLetterPolicy/endsRun(movingTo:)``).
    /// Rows in key order (no lock cycles); a run already at 0 is not written.
    func endDeadLetterRuns(_ tx: PGTx, campaignIds: Set<String>) async throws {
        for id in campaignIds.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            try await tx.exec("UPDATE campaigns SET consecutive_dead_letters = 0 WHERE id = \(id) AND consecutive_dead_letters > 0")
        }
    }

    public func recoverClaims(policy: DeadLetterPolicy, now: Int64, predecessorsOf node: NodeIdentity?) async throws
        -> ClaimRecovery
    {
        // No predecessor: a prefix no holder has ("@" never starts one).
        let expired = ExpiredClaim(
            bound: LeasePolicy.expiredBelow(now: now), prefix: node?.holderPrefix ?? "@", own: node?.holder ?? "")
        return try await write { tx in
            // Only expired leases (a dead node's claims); rows another transaction holds (a live node
            // renewing or recording them) are skipped, never waited for.
            let dead = try await tx.rows("""
                SELECT id, campaign_id, dispatch_attempts FROM messages
                WHERE send_attempt IS NOT NULL AND dispatch = 'queued' AND dispatch_attempts >= \(policy.maxSendAttempts)
                  AND \(expired) ORDER BY id FOR UPDATE SKIP LOCKED
                """)
            for row in dead {
                try await self.deadLetter(
                    tx, id: try row.at(0, Int64.self), campaignId: try row.at(1, String.self),
                    reason: DeadLetterReason.repeatedCrashDuringDispatch(attempts: try row.at(2, Int.self)), now: now, policy: policy)
            }
            let released = try await tx.rows("""
                UPDATE messages SET send_attempt = NULL, claim_node = NULL, lease_expires_at = NULL WHERE id IN (
                  SELECT id FROM messages WHERE send_attempt IS NOT NULL AND \(expired) ORDER BY id FOR UPDATE SKIP LOCKED)
                RETURNING 1
                """).count
            return ClaimRecovery(released: released, deadLettered: dead.count)
        }
    }

    public func retryRecordedAnswers(policy: DeadLetterPolicy, now: Int64) async throws -> AnswerRetry {
        struct Pending: Sendable {
            var id: Int64
            var campaignId: String
            var attempts: Int
            var error: String?
        }
        let pending = try await read { tx in
            try await tx.rows("""
                SELECT id, campaign_id, answer_attempts, answer_error FROM messages
                WHERE answer_outcome IS NOT NULL AND dead_letter IS NULL ORDER BY id LIMIT 1000
                """
            ).map {
                Pending(id: try $0.at(0, Int64.self), campaignId: try $0.at(1, String.self), attempts: try $0.at(2, Int.self), error: try $0.at(3, String?.self))
            }
        }
        var out = AnswerRetry()
        for p in pending {
            if policy.deadLettersAnswer(attempts: p.attempts) {
                let reason = DeadLetterReason.answerGaveUp(attempts: p.attempts, lastError: p.error)
                let done = try await write { tx in
                    guard try await tx.scalar("""
                        SELECT 1 FROM messages WHERE id = \(p.id) AND answer_outcome IS NOT NULL AND dead_letter IS NULL FOR UPDATE
                        """, as: Int.self) != nil
                    else { return false }
                    try await self.deadLetter(tx, id: p.id, campaignId: p.campaignId, reason: reason, now: now, policy: policy)
                    return true
                }
                if done { out.deadLettered += 1 }
                continue
            }
            // The attempt is counted and committed before it is made: a crash inside it still counts.
            try await write { tx in
                try await tx.exec("UPDATE messages SET answer_attempts = answer_attempts + 1 WHERE id = \(p.id) AND answer_outcome IS NOT NULL")
            }
            do {
                try await write { tx in
                    guard let answer = try await self.storedAnswer(tx, id: p.id) else { return }
                    try await self.applyAnswers(tx, [answer])
                }
                out.applied += 1
            } catch {
                try await noteAnswerError([p.id], error)
                out.failed += 1
            }
        }
        return out
    }

    public func deadLetters(campaignId: String, limit: Int) async throws -> [DeadLetter] {
        try await read { tx in
            try await tx.rows("""
                SELECT id, campaign_id, user_id, meta, answer_outcome, provider_message_id, dispatch_attempts,
                  dead_letter, dead_lettered_at
                FROM messages WHERE campaign_id = \(campaignId) AND dead_letter IS NOT NULL ORDER BY id LIMIT \(limit)
                """
            ).map { r in
                DeadLetter(
                    messageId: try r.at(0, Int64.self), campaignId: try r.at(1, String.self), userId: try r.at(2, String.self),
                    meta: try r.at(3, String.self), providerAnswer: try r.at(4, String?.self),
                    providerMessageId: try r.at(5, String?.self), sendAttempts: try r.at(6, Int.self), error: try r.at(7, String.self),
                    deadLetteredAt: try r.at(8, Int64?.self) ?? 0)
            }
        }
    }

    public func deadLetterCount(campaignId: String) async throws -> Int {
        try await read { tx in
            try await tx.scalar(
                "SELECT COUNT(*) FROM messages WHERE campaign_id = \(campaignId) AND dead_letter IS NOT NULL", as: Int.self) ?? 0
        }
    }
}
