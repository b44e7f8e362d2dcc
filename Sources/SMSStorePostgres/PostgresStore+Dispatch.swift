import Foundation
import PostgresNIO
import SMSCore

/// Dispatch queue of the PostgreSQL store (``SMSDispatchStore``): claims, crash recovery,
/// frequency cap, stop and completion. A claim is `messages.send_attempt` set on a `queued` row,
/// with the claiming node's lease (`claim_node`, `lease_expires_at`), committed before the provider
/// call (crash-safe: ``recoverClaims(policy:now:)`` queues the claims of dead nodes again).
/// Concurrent claimers never take the same message: candidates are locked with
/// `FOR UPDATE SKIP LOCKED` in id order. A queued message the provider already reported on
/// (`first_event_at` set) is never claimed, stopped or waited for.
extension PostgresStore {
    public func claimMessages(campaignId: String, limit: Int, attempt: String, now: Int64, cap: FrequencyCap?) async throws
        -> ClaimResult
    {
        try await write { tx in
            try await self.claim(tx, campaignId: campaignId, limit: limit, attempt: attempt, lease: nil, inFlight: nil, now: now, cap: cap)
        }
    }

    public func recordAndClaim(_ steps: [DispatchStep], campaignId: String, now: Int64, cap: FrequencyCap?) async throws
        -> [ClaimResult]
    {
        let results = steps.flatMap(\.results)
        if !results.isEmpty {
            // The provider's answers first, on their own: whatever the derived work does next, they are never sent again.
            try await write { tx in try await self.recordAnswers(tx, results) }
            CrashHook.reach(.record)
        }
        @Sendable func claims(_ tx: PGTx) async throws -> [ClaimResult] {
            var out: [ClaimResult] = []
            for step in steps {
                out.append(
                    try await self.claim(
                        tx, campaignId: campaignId, limit: step.limit, attempt: step.attempt, lease: step.lease, inFlight: step.inFlight,
                        now: now, cap: cap))
            }
            // The provider's version after the claims (read committed: a PATCH committed before them is
            // seen). FOR SHARE orders this transaction with a PATCH (which holds the row FOR UPDATE):
            // a PATCH that commits after this read waits for this claim's commit, so no claim that
            // commits after a PATCH went by the version before it. Claims of one provider are already
            // serialised (the in-flight advisory lock), so one share lock at a time.
            var versions: [String: Int?] = [:]
            for (i, step) in steps.enumerated() {
                guard let id = step.providerId else { continue }
                if versions[id] == nil {
                    versions[id] = try await tx.scalar(
                        "SELECT COALESCE((json::jsonb ->> 'version')::bigint, 0) FROM providers WHERE id = \(id) FOR SHARE", as: Int.self)
                }
                out[i].providerVersion = versions[id] ?? nil
            }
            return out
        }
        do {
            return try await write { tx in
                try await self.applyAnswers(tx, results)
                return try await claims(tx)
            }
        } catch where !results.isEmpty {
            // The derived work failed: the answers stay recorded, with the error, for the retry pass.
            try? await noteAnswerError(results.map(\.messageId), error)
            return try await write { tx in try await claims(tx) }
        }
    }

    /// The SQL condition of a message still to send: queued, not reported on by the provider (a
    /// receipt before the send was recorded means it was sent), no recorded answer waiting for its
    /// derived work, not dead-lettered. What a claim takes, a stop stops and ``queuedMessages`` lists.
    static let toSend = "dispatch = 'queued' AND first_event_at IS NULL AND answer_outcome IS NULL AND dead_letter IS NULL"

    /// The claim, inside a transaction the caller holds; `lease`: the claiming node's (``ClaimLease``);
    /// `inFlight`: the provider's requests in flight across nodes, counted under a transaction
    /// advisory lock per provider (claims of one provider are serialised until commit).
    func claim(
        _ tx: PGTx, campaignId: String, limit: Int, attempt: String, lease: ClaimLease?, inFlight: InFlightLimit?, now: Int64,
        cap: FrequencyCap?
    ) async throws -> ClaimResult {
        guard limit > 0 else { return ClaimResult(messages: [], capped: 0) }
        if let inFlight {
            try await tx.lockKeys(["inflight:" + inFlight.providerId])
            let running = try await tx.scalar("""
                SELECT COUNT(DISTINCT m.send_attempt) FROM messages m JOIN campaigns c ON c.id = m.campaign_id
                WHERE m.send_attempt IS NOT NULL AND m.dispatch = 'queued' AND m.lease_expires_at >= \(now)
                  AND c.status = 'sending' AND c.json::jsonb ->> 'providerId' = \(inFlight.providerId)
                """, as: Int.self) ?? 0
            if running >= inFlight.maxRequests { return ClaimResult(messages: [], capped: 0, busy: true) }
        }
        let which = try await Self.suspectClaim(tx, campaignId: campaignId)
        let take = which.limit(limit)
        let only = which == .suspect ? "dispatch_attempts > 0" : "dispatch_attempts = 0"
        let result: ClaimResult
        if let cap {
            result = try await claimCapped(tx, campaignId: campaignId, limit: take, only: only, attempt: attempt, lease: lease, now: now, cap: cap)
        } else {
            let rows = try await tx.rows("""
                UPDATE messages SET send_attempt = \(attempt), claim_node = \(lease?.holder), lease_expires_at = \(lease?.expiresAt),
                  dispatch_attempts = dispatch_attempts + 1 WHERE id IN (
                  SELECT id FROM messages WHERE campaign_id = \(campaignId) AND \(unescaped: Self.toSend) AND send_attempt IS NULL
                    AND \(unescaped: only)
                  ORDER BY id LIMIT \(take) FOR UPDATE SKIP LOCKED)
                RETURNING id, campaign_id, user_id, phone, body, meta, template_variables
                """)
            if !rows.isEmpty { CrashHook.reach(.claim) }
            result = ClaimResult(messages: try rows.map(Self.outbound).sorted { $0.messageId < $1.messageId }, capped: 0)
        }
        // Suspects wait behind the one in flight, or the suspect this claim looked at was capped or
        // locked by another claim: an empty claim is "busy, try again", not "nothing left".
        if result.messages.isEmpty, which != .fresh(waitIfNone: false) {
            return ClaimResult(messages: [], capped: result.capped, busy: true)
        }
        return result
    }

    /// Whether this claim takes one suspect alone or fresh messages (``SuspectClaim``): the two facts
    /// it decides on, read in the claim's transaction. Their literal terms match the partial index
    /// `messages_suspects` (migration `dispatch-suspects`), so both reads stay small however large the
    /// campaign.
    static func suspectClaim(_ tx: PGTx, campaignId: String) async throws -> SuspectClaim {
        let row = try await tx.one("""
            SELECT EXISTS (SELECT 1 FROM messages WHERE campaign_id = \(campaignId) AND dispatch = 'queued' AND dispatch_attempts > 0
                             AND send_attempt IS NULL AND \(unescaped: Self.toSend)),
                   EXISTS (SELECT 1 FROM messages WHERE campaign_id = \(campaignId) AND dispatch = 'queued' AND dispatch_attempts > 0
                             AND dispatch_attempts >= \(SuspectClaim.inFlightAttempts) AND send_attempt IS NOT NULL)
            """)
        return SuspectClaim.decide(
            suspectQueued: try row?.at(0, Bool.self) ?? false, suspectInFlight: try row?.at(1, Bool.self) ?? false)
    }

    /// The claim under a frequency cap: candidates in id order (`only`: the ``SuspectClaim`` filter),
    /// each checked against the user's priors; a capped one becomes a dispatch error.
    func claimCapped(
        _ tx: PGTx, campaignId: String, limit: Int, only: String, attempt: String, lease: ClaimLease?, now: Int64, cap: FrequencyCap
    ) async throws -> ClaimResult {
        var claimed: [OutboundMessage] = []
        var capped = 0
        var rollups = PGRollupWriter()
        var cache = PGCampaignCache()
        var after: Int64 = 0
        scan: while claimed.count < limit {
            let rows = try await tx.rows("""
                SELECT id, campaign_id, user_id, phone, body, meta, template_variables FROM messages
                WHERE campaign_id = \(campaignId) AND \(unescaped: Self.toSend) AND send_attempt IS NULL AND \(unescaped: only)
                  AND id > \(after)
                ORDER BY id LIMIT \(limit - claimed.count) FOR UPDATE SKIP LOCKED
                """)
            if rows.isEmpty { break }
            let candidates = try rows.map(Self.outbound)
            // The users' profiles serialise cap decisions across campaigns (sorted: no lock cycles).
            let users = Array(Set(candidates.map(\.userId))).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            try await tx.lockKeys(Set(users.map { "cap:" + $0 }))
            let priors = try await capPriors(tx, users: users, since: cap.windowStart(now: now))
            for m in candidates {
                after = m.messageId
                let others = priors[m.userId, default: []].lazy.filter { $0.id != m.messageId }.map { $0.prior }
                if cap.isExceeded(by: others, now: now) {
                    if let message = try await PGMessageRow.fetch(tx, id: m.messageId) {
                        try await apply(
                            tx, fact: .dispatchFailed(reason: DispatchErrorReason.frequencyCapExceeded.description, at: now),
                            to: message, rollups: &rollups, cache: &cache)
                    }
                    capped += 1
                } else {
                    try await tx.exec("""
                        UPDATE messages SET send_attempt = \(attempt), claim_node = \(lease?.holder),
                          lease_expires_at = \(lease?.expiresAt), dispatch_attempts = dispatch_attempts + 1 WHERE id = \(m.messageId)
                        """)
                    claimed.append(m)
                    if claimed.count == limit { break scan }
                }
            }
        }
        try await rollups.flush(tx)
        if !claimed.isEmpty { CrashHook.reach(.claim) }
        return ClaimResult(messages: claimed, capped: capped)
    }

    /// The messages of `users` the frequency cap may count (``FrequencyCap/Prior``), by user with
    /// their ids: claimed, or with a send, provider report or recorded answer at or after `since`;
    /// the core decides which count.
    func capPriors(_ tx: PGTx, users: [String], since: Int64) async throws -> [String: [(id: Int64, prior: FrequencyCap.Prior)]] {
        var out: [String: [(id: Int64, prior: FrequencyCap.Prior)]] = [:]
        for r in try await tx.rows("""
            SELECT user_id, id, dispatch, send_attempt IS NOT NULL, dispatched_at, first_event_at,
              CASE WHEN answer_outcome = 'sent' THEN answer_at END
            FROM messages WHERE user_id = ANY(\(users)::text[])
              AND (send_attempt IS NOT NULL OR dispatched_at >= \(since) OR first_event_at >= \(since) OR answer_at >= \(since))
            """)
        {
            guard let dispatch = DispatchStatus(rawValue: try r.at(2, String.self)) else { continue }
            let prior = FrequencyCap.Prior(
                dispatch: dispatch, claimed: try r.at(3, Bool.self), dispatchedAt: try r.at(4, Int64?.self),
                firstEventAt: try r.at(5, Int64?.self), sentAnswerAt: try r.at(6, Int64?.self))
            out[try r.at(0, String.self), default: []].append((try r.at(1, Int64.self), prior))
        }
        return out
    }

    public func releaseClaims() async throws -> Int {
        try await write { tx in
            try await tx.rows("""
                UPDATE messages SET send_attempt = NULL, claim_node = NULL, lease_expires_at = NULL WHERE send_attempt IS NOT NULL
                RETURNING 1
                """).count
        }
    }

    public func releaseClaims(attempt: String) async throws -> Int {
        try await write { tx in
            try await tx.rows("""
                UPDATE messages SET send_attempt = NULL, claim_node = NULL, lease_expires_at = NULL WHERE send_attempt = \(attempt)
                RETURNING 1
                """).count
        }
    }

    public func claimedCount(campaignId: String) async throws -> Int {
        try await read { tx in
            try await tx.scalar("""
                SELECT COUNT(*) FROM messages WHERE send_attempt IS NOT NULL AND campaign_id = \(campaignId) AND dispatch = 'queued'
                """, as: Int.self) ?? 0
        }
    }

    public func stopCampaign(id: String, now: Int64) async throws -> StopSummary {
        try await write { tx in
            guard let campaign = try await Self.campaign(tx, id: id, forUpdate: true) else {
                throw StoreError.notFound("campaign \(id)")
            }
            let stopped = try campaign.stopped(at: now)
            var rollups = PGRollupWriter()
            var cache = PGCampaignCache()
            var summary = StopSummary(stopped: 0, inFlight: 0)
            let rows = try await tx.rows("""
                SELECT \(unescaped: PGMessageRow.columns), send_attempt FROM messages
                WHERE campaign_id = \(id) AND \(unescaped: Self.toSend) ORDER BY id FOR UPDATE
                """)
            for row in rows {
                let message = try PGMessageRow(row)
                let claimed: String? = try row.get("send_attempt")
                try await self.apply(
                    tx, fact: .dispatchFailed(reason: DispatchErrorReason.campaignStopped.description, at: now), to: message,
                    rollups: &rollups, cache: &cache)
                summary.stopped += 1
                if claimed != nil { summary.inFlight += 1 }
            }
            try await rollups.flush(tx)
            if let stopped { try await Self.saveCampaign(tx, stopped) }
            return summary
        }
    }

    public func completeCampaignIfDone(id: String) async throws -> Bool {
        try await write { tx in
            guard let campaign = try await Self.campaign(tx, id: id, forUpdate: true), campaign.completesWhenSent else {
                return false
            }
            let left = try await tx.scalar("""
                SELECT COUNT(*) FROM messages WHERE campaign_id = \(id) AND dispatch = 'queued' AND first_event_at IS NULL
                  AND dead_letter IS NULL
                """, as: Int.self) ?? 0
            guard let completed = campaign.completed(left: left, at: Int64(Date().timeIntervalSince1970)) else { return false }
            try await Self.saveCampaign(tx, completed)
            try await PGWebhookOutbox.write(
                tx,
                WebhookEventRule.entries(campaign: campaign, becomes: completed), routes: webhookRoutes)
            return true
        }
    }

    public func transitionCampaign(id: String, from: Set<CampaignStatus>, to: CampaignStatus, publishedAt: Int64?)
        async throws -> Bool
    {
        try await write { tx in
            guard let campaign = try await Self.campaign(tx, id: id, forUpdate: true) else {
                throw StoreError.notFound("campaign \(id)")
            }
            guard from.contains(campaign.status) else { return false }
            if DeadLetterPolicy.endsRun(movingTo: to) { try await self.endDeadLetterRuns(tx, campaignIds: [id]) }
            try await Self.saveCampaign(tx, campaign.moved(to: to, publishedAt: publishedAt))
            return true
        }
    }

    public func scheduleCampaign(id: String, sendAt: Int64) async throws {
        try await write { tx in
            guard let campaign = try await Self.campaign(tx, id: id, forUpdate: true) else {
                throw StoreError.notFound("campaign \(id)")
            }
            try await Self.saveCampaign(tx, try campaign.scheduled(at: sendAt))
        }
    }

    public func changeCampaign(id: String, _ change: @Sendable (Campaign, _ hasMessages: Bool) throws -> Campaign) async throws -> Campaign {
        try await write { tx in
            guard let campaign = try await Self.campaign(tx, id: id, forUpdate: true) else { throw StoreError.notFound("campaign \(id)") }
            let changed = try change(campaign, try await Self.hasMessages(tx, campaignId: id))
            try await Self.saveCampaign(tx, changed)
            return changed
        }
    }

    public func deleteCampaign(id: String, _ check: @Sendable (Campaign, _ hasMessages: Bool) throws -> Void) async throws {
        try await write { tx in
            guard let campaign = try await Self.campaign(tx, id: id, forUpdate: true) else { throw StoreError.notFound("campaign \(id)") }
            try check(campaign, try await Self.hasMessages(tx, campaignId: id))
            try await tx.exec("DELETE FROM campaigns WHERE id = \(id)")
        }
    }

    static func hasMessages(_ tx: PGTx, campaignId: String) async throws -> Bool {
        try await tx.scalar("SELECT EXISTS (SELECT 1 FROM messages WHERE campaign_id = \(campaignId))", as: Bool.self) ?? false
    }

    public func profilePropertyPaths() async throws -> Set<String> {
        try await read { tx in
            // Properties are a JSON object per profile (TEXT column); non-objects contribute nothing.
            // Each member of each object, its path the keys joined by '.'; objects are entered, arrays not.
            Set(try await tx.rows("""
                WITH RECURSIVE member(path, value) AS (
                  SELECT e.key, e.value FROM profiles, LATERAL jsonb_each(
                    CASE WHEN jsonb_typeof(properties::jsonb) = 'object' THEN properties::jsonb ELSE '{}'::jsonb END) AS e
                  UNION
                  SELECT member.path || '.' || e.key, e.value FROM member, LATERAL jsonb_each(
                    CASE WHEN jsonb_typeof(member.value) = 'object' THEN member.value ELSE '{}'::jsonb END) AS e
                )
                SELECT DISTINCT path FROM member
                """
            ).map { try $0.at(0, String.self) })
        }
    }

    public func audienceSize(_ audience: Audience) async throws -> Int {
        if case .segment(let id) = audience {
            // Counted page by page (``AudienceSegment/Definition/forEachMatch(fetch:_:)``): bounded memory.
            guard let segment = try await segment(id: id) else { return 0 }
            var n = 0
            try await segment.definition.forEachMatch(fetch: { try await self.profiles(afterUserId: $0, limit: $1) }) { _ in n += 1 }
            return n
        }
        return try await read { tx in
            switch audience {
            case .all:
                return try await tx.scalar("SELECT COUNT(*) FROM profiles", as: Int.self) ?? 0
            case .userIds(let ids):
                let unique = Array(Set(ids))
                guard !unique.isEmpty else { return 0 }
                return try await tx.scalar(
                    "SELECT COUNT(*) FROM profiles WHERE user_id = ANY(\(unique)::text[])", as: Int.self) ?? 0
            case .segment:
                preconditionFailure("counted above")
            }
        }
    }
}

extension PostgresStore: SMSDispatchStore {}
