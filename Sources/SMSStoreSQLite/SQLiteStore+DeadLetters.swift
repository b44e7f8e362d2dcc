import Foundation
import GRDB
import SMSCore

/// Recorded provider answers and dead letters of the SQLite store (``DeadLetterPolicy``): the
/// answer is committed on its own (`messages.answer_*`, the claim cleared, the provider message id
/// set) before the derived work; a message that keeps failing gets `dead_letter` (its error) and
/// is never claimed, waited for or stopped again.
extension SQLiteStore {
    /// Records the provider's answers, inside a transaction the caller holds (and commits before
    /// any derived work): clears the claims, sets the provider message ids, keeps each answer in
    /// `answer_outcome` / `answer_at` / `answer_reason` with its first recording attempt counted.
    func recordAnswers(_ db: Database, _ results: [DispatchResult]) throws {
        let record = try db.cachedStatement(sql: """
            UPDATE messages SET send_attempt = NULL, answer_outcome = ?, answer_at = ?, answer_reason = ?,
              answer_attempts = 1, answer_error = NULL, provider_message_id = COALESCE(?, provider_message_id)
            WHERE id = ?
            """)
        for r in results {
            let saved = RecordedAnswer.columns(r)
            try record.execute(arguments: [saved.outcome, r.at, saved.reason, saved.providerMessageId, r.messageId])
        }
    }

    /// Keeps the error of a failed derived-work attempt on the messages still holding an answer.
    func noteAnswerError(_ ids: [Int64], _ error: any Error) async throws {
        let text = DeadLetterPolicy.errorText(error)
        try await db.write { db in
            let stmt = try db.cachedStatement(
                sql: "UPDATE messages SET answer_error = ? WHERE id = ? AND answer_outcome IS NOT NULL")
            for id in ids { try stmt.execute(arguments: [text, id]) }
        }
    }

    /// The recorded answers of `ids`, as dispatch results.
    func storedAnswers(_ db: Database, ids: [Int64]) throws -> [DispatchResult] {
        try ids.compactMap { id in
            guard let row = try Row.fetchOne(
                db,
                sql: "SELECT answer_outcome, answer_at, answer_reason, provider_message_id FROM messages WHERE id = ? AND answer_outcome IS NOT NULL",
                arguments: [id])
            else { return nil }
            return RecordedAnswer.result(messageId: id, outcome: row[0], at: row[1], reason: row[2], providerMessageId: row[3])
        }
    }

    /// Takes one message out of the loop with `reason`, and applies the campaign pause rule.
    func deadLetter(_ db: Database, id: Int64, campaignId: String, reason: String, now: Int64, policy: DeadLetterPolicy) throws {
        try db.execute(
            sql: "UPDATE messages SET send_attempt = NULL, dead_letter = ?, dead_lettered_at = ? WHERE id = ?",
            arguments: [reason, now, id])
        let consecutive = try Int.fetchOne(
            db, sql: "UPDATE campaigns SET consecutive_dead_letters = consecutive_dead_letters + 1 WHERE id = ? RETURNING consecutive_dead_letters",
            arguments: [campaignId]) ?? 0
        if let campaign = try Self.campaign(db, id: campaignId),
            let paused = policy.paused(campaign, consecutive: consecutive, lastError: reason, now: now)
        {
            try Self.saveCampaign(db, paused)
        }
    }

    /// Ends the runs of dead letters of `campaignIds` (``DeadLetterPolicy``): a message of theirs
    /// was recorded completely, or the campaign left `paused` (``DeadLetterPolicy/endsRun(movingTo:)``).
    /// A run already at 0 is not written.
    func endDeadLetterRuns(_ db: Database, campaignIds: Set<String>) throws {
        let end = try db.cachedStatement(
            sql: "UPDATE campaigns SET consecutive_dead_letters = 0 WHERE id = ? AND consecutive_dead_letters > 0")
        for id in campaignIds.sorted() { try end.execute(arguments: [id]) }
    }

    /// The SQL condition of a claim any node may re-queue: its lease expired before `bound`
    /// (``LeasePolicy/expiredBelow(now:)``; no lease: a claim from before leases), or its holder is a
    /// predecessor of this node (`prefix`: ``NodeIdentity/holderPrefix``, a holder other than `own`).
    static func expiredClaim(bound: Int64, prefix: String, own: String) -> SQL {
        """
        (lease_expires_at IS NULL OR lease_expires_at < \(bound)
          OR (substr(claim_node, 1, length(\(prefix))) = \(prefix) AND claim_node <> \(own)))
        """
    }

    public func recoverClaims(policy: DeadLetterPolicy, now: Int64, predecessorsOf node: NodeIdentity?) async throws
        -> ClaimRecovery
    {
        // No predecessor: a prefix no holder has ("@" never starts one).
        let expired = Self.expiredClaim(
            bound: LeasePolicy.expiredBelow(now: now), prefix: node?.holderPrefix ?? "@", own: node?.holder ?? "")
        return try await db.write { db in
            // Only expired leases (a dead process's claims).
            let dead = try SQLRequest<Row>(
                literal: """
                    SELECT id, campaign_id, dispatch_attempts FROM messages
                    WHERE send_attempt IS NOT NULL AND dispatch = 'queued' AND dispatch_attempts >= \(policy.maxSendAttempts)
                      AND \(expired) ORDER BY id
                    """
            ).fetchAll(db)
            for row in dead {
                try deadLetter(
                    db, id: row[0], campaignId: row[1], reason: DeadLetterReason.repeatedCrashDuringDispatch(attempts: row[2]),
                    now: now, policy: policy)
            }
            try db.execute(
                literal: """
                    UPDATE messages SET send_attempt = NULL, claim_node = NULL, lease_expires_at = NULL
                    WHERE send_attempt IS NOT NULL AND \(expired)
                    """)
            return ClaimRecovery(released: db.changesCount, deadLettered: dead.count)
        }
    }

    public func retryRecordedAnswers(policy: DeadLetterPolicy, now: Int64) async throws -> AnswerRetry {
        let pending = try await db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, campaign_id, answer_attempts, answer_error FROM messages
                    WHERE answer_outcome IS NOT NULL AND dead_letter IS NULL ORDER BY id LIMIT 1000
                    """)
        }
        var out = AnswerRetry()
        for row in pending {
            let id: Int64 = row[0]
            let campaignId: String = row[1]
            let attempts: Int = row[2]
            let error: String? = row[3]
            if policy.deadLettersAnswer(attempts: attempts) {
                let reason = DeadLetterReason.answerGaveUp(attempts: attempts, lastError: error)
                try await db.write { db in
                    try deadLetter(db, id: id, campaignId: campaignId, reason: reason, now: now, policy: policy)
                }
                out.deadLettered += 1
                continue
            }
            // The attempt is counted and committed before it is made: a crash inside it still counts.
            try await db.write { db in
                try db.execute(
                    sql: "UPDATE messages SET answer_attempts = answer_attempts + 1 WHERE id = ? AND answer_outcome IS NOT NULL",
                    arguments: [id])
            }
            do {
                try await db.write { db in try applyAnswers(db, try storedAnswers(db, ids: [id])) }
                out.applied += 1
            } catch {
                try await noteAnswerError([id], error)
                out.failed += 1
            }
        }
        return out
    }

    public func deadLetters(campaignId: String, limit: Int) async throws -> [DeadLetter] {
        try await db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, campaign_id, user_id, meta, answer_outcome, provider_message_id, dispatch_attempts,
                      dead_letter, dead_lettered_at
                    FROM messages WHERE campaign_id = ? AND dead_letter IS NOT NULL ORDER BY id LIMIT ?
                    """,
                arguments: [campaignId, limit]
            ).map { r in
                DeadLetter(
                    messageId: r[0], campaignId: r[1], userId: r[2], meta: r[3], providerAnswer: r[4], providerMessageId: r[5],
                    sendAttempts: r[6], error: r[7], deadLetteredAt: r[8] ?? 0)
            }
        }
    }

    public func deadLetterCount(campaignId: String) async throws -> Int {
        try await db.read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM messages WHERE campaign_id = ? AND dead_letter IS NOT NULL", arguments: [campaignId]) ?? 0
        }
    }
}
