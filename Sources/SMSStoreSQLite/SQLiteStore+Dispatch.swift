import Foundation
import GRDB
import SMSCore

/// Dispatch queue of the SQLite store (``SMSDispatchStore``): claims, crash recovery, frequency
/// cap, stop and completion. A claim is `messages.send_attempt` set on a `queued` row. A queued
/// message the provider already reported on (`first_event_at` set: a receipt arrived before the
/// send was recorded, so it was sent) is never claimed, stopped or waited for.
extension SQLiteStore: SMSDispatchStore {
    public func claimMessages(campaignId: String, limit: Int, attempt: String, now: Int64, cap: FrequencyCap?) async throws
        -> ClaimResult
    {
        try await db.write { db in try claim(db, campaignId: campaignId, limit: limit, attempt: attempt, lease: nil, inFlight: nil, now: now, cap: cap) }
    }

    public func recordAndClaim(_ steps: [DispatchStep], campaignId: String, now: Int64, cap: FrequencyCap?) async throws
        -> [ClaimResult]
    {
        let results = steps.flatMap(\.results)
        if !results.isEmpty {
            // The provider's answers first, on their own: whatever the derived work does next, they are never sent again.
            try await db.write { db in try recordAnswers(db, results) }
            CrashHook.reach(.record)
        }
        do {
            return try await db.write { db in
                try applyAnswers(db, results)
                return try withProviderVersions(db, steps, try steps.map { step in
                    try claim(
                        db, campaignId: campaignId, limit: step.limit, attempt: step.attempt, lease: step.lease,
                        inFlight: step.inFlight, now: now, cap: cap)
                })
            }
        } catch where !results.isEmpty {
            // The derived work failed: the answers stay recorded, with the error, for the retry pass.
            try? await noteAnswerError(results.map(\.messageId), error)
            return try await db.write { db in
                try withProviderVersions(db, steps, try steps.map { step in
                    try claim(
                        db, campaignId: campaignId, limit: step.limit, attempt: step.attempt, lease: step.lease,
                        inFlight: step.inFlight, now: now, cap: cap)
                })
            }
        }
    }

    /// `claims` with ``ClaimResult/providerVersion`` set for the steps naming a provider: its
    /// stored ``ProviderConfig/version`` (absent = 0), one point read per provider, inside the
    /// claims' transaction (the writer serialises it with a provider PATCH).
    func withProviderVersions(_ db: Database, _ steps: [DispatchStep], _ claims: [ClaimResult]) throws -> [ClaimResult] {
        var versions: [String: Int?] = [:]
        var out = claims
        for (i, step) in steps.enumerated() {
            guard let id = step.providerId else { continue }
            if versions[id] == nil {
                versions[id] = try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT COALESCE(json_extract(json, '$.version'), 0) FROM providers WHERE id = ?"),
                    arguments: [id])
            }
            out[i].providerVersion = versions[id] ?? nil
        }
        return out
    }

    /// The SQL condition of a message still to send: queued, not reported on by the provider (a
    /// receipt before the send was recorded means it was sent), no recorded answer waiting for its
    /// derived work, not dead-lettered. What a claim takes, a stop stops and ``queuedMessages`` lists.
    static let toSend = "dispatch = 'queued' AND first_event_at IS NULL AND answer_outcome IS NULL AND dead_letter IS NULL"

    /// The claim, inside a transaction the caller holds; `lease`: the claiming node's (``ClaimLease``);
    /// `inFlight`: the provider's requests in flight (the writer serialises the count and the claim).
    func claim(
        _ db: Database, campaignId: String, limit: Int, attempt: String, lease: ClaimLease?, inFlight: InFlightLimit?, now: Int64,
        cap: FrequencyCap?
    ) throws -> ClaimResult {
        guard limit > 0 else { return ClaimResult(messages: [], capped: 0) }
        if let inFlight {
            let running = try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(DISTINCT m.send_attempt) FROM messages m JOIN campaigns c ON c.id = m.campaign_id
                    WHERE m.send_attempt IS NOT NULL AND m.dispatch = 'queued' AND m.lease_expires_at >= ?
                      AND c.status = 'sending' AND json_extract(c.json, '$.providerId') = ?
                    """,
                arguments: [now, inFlight.providerId]) ?? 0
            if running >= inFlight.maxRequests { return ClaimResult(messages: [], capped: 0, busy: true) }
        }
        let which = try Self.suspectClaim(db, campaignId: campaignId)
        let take = which.limit(limit)
        let only = which == .suspect ? "dispatch_attempts > 0" : "dispatch_attempts = 0"
        let result: ClaimResult
        if let cap {
            result = try claimCapped(db, campaignId: campaignId, limit: take, only: only, attempt: attempt, lease: lease, now: now, cap: cap)
        } else {
            let rows = try Row.fetchAll(
                db,
                sql: """
                    UPDATE messages SET send_attempt = ?, claim_node = ?, lease_expires_at = ?, dispatch_attempts = dispatch_attempts + 1
                    WHERE id IN (
                      SELECT id FROM messages WHERE campaign_id = ? AND \(Self.toSend) AND send_attempt IS NULL AND \(only)
                      ORDER BY id LIMIT ?)
                    RETURNING id, campaign_id, user_id, phone, body, meta, template_variables
                    """,
                arguments: [attempt, lease?.holder, lease?.expiresAt, campaignId, take])
            if !rows.isEmpty { CrashHook.reach(.claim) }
            result = ClaimResult(messages: rows.map(Self.outbound).sorted { $0.messageId < $1.messageId }, capped: 0)
        }
        // Suspects wait behind the one in flight, or the suspect this claim looked at was capped or
        // locked by another claim: an empty claim is "busy, try again", not "nothing left".
        if result.messages.isEmpty, which != .fresh(waitIfNone: false) {
            return ClaimResult(messages: [], capped: result.capped, busy: true)
        }
        return result
    }

    /// Whether this claim takes one suspect alone or fresh messages (``SuspectClaim``): the two facts
    /// it decides on, read in the claim's transaction (the single writer), from the partial index
    /// `messages_suspects` (migration `dispatch-suspects`; named, because without statistics SQLite
    /// prefers `messages_queue`, which holds every queued message), so both reads stay small however
    /// large the campaign.
    static func suspectClaim(_ db: Database, campaignId: String) throws -> SuspectClaim {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM messages INDEXED BY messages_suspects
                                 WHERE campaign_id = ? AND dispatch = 'queued' AND dispatch_attempts > 0
                                 AND send_attempt IS NULL AND \(Self.toSend)),
                       EXISTS (SELECT 1 FROM messages INDEXED BY messages_suspects
                                 WHERE campaign_id = ? AND dispatch = 'queued' AND dispatch_attempts > 0
                                 AND dispatch_attempts >= ? AND send_attempt IS NOT NULL)
                """),
            arguments: [campaignId, campaignId, SuspectClaim.inFlightAttempts])
        return SuspectClaim.decide(suspectQueued: (row?[0] as Bool?) ?? false, suspectInFlight: (row?[1] as Bool?) ?? false)
    }

    /// The claim under a frequency cap: candidates in id order (`only`: the ``SuspectClaim`` filter),
    /// each checked against the user's priors; a capped one becomes a dispatch error.
    func claimCapped(
        _ db: Database, campaignId: String, limit: Int, only: String, attempt: String, lease: ClaimLease?, now: Int64, cap: FrequencyCap
    ) throws -> ClaimResult {
        var claimed: [OutboundMessage] = []
        var capped = 0
        var rollups = RollupWriter()
        var cache = CampaignCache()
        let candidates = try db.cachedStatement(sql: """
            SELECT id, campaign_id, user_id, phone, body, meta, template_variables FROM messages
            WHERE campaign_id = ? AND \(Self.toSend) AND send_attempt IS NULL AND \(only) AND id > ? ORDER BY id LIMIT ?
            """)
        let mark = try db.cachedStatement(
            sql: """
                UPDATE messages SET send_attempt = ?, claim_node = ?, lease_expires_at = ?, dispatch_attempts = dispatch_attempts + 1
                WHERE id = ?
                """)
        var after: Int64 = 0
        scan: while claimed.count < limit {
            let rows = try Row.fetchAll(candidates, arguments: [campaignId, after, limit - claimed.count])
            if rows.isEmpty { break }
            for row in rows {
                let m = Self.outbound(row)
                after = m.messageId
                if cap.isExceeded(by: try capPriors(db, userId: m.userId, except: m.messageId, since: cap.windowStart(now: now)), now: now) {
                    if let message = try MessageRow.fetch(db, id: m.messageId) {
                        try apply(
                            db, fact: .dispatchFailed(reason: DispatchErrorReason.frequencyCapExceeded.description, at: now),
                            to: message, rollups: &rollups, cache: &cache)
                    }
                    capped += 1
                } else {
                    try mark.execute(arguments: [attempt, lease?.holder, lease?.expiresAt, m.messageId])
                    claimed.append(m)
                    if claimed.count == limit { break scan }
                }
            }
        }
        try rollups.flush(db)
        if !claimed.isEmpty { CrashHook.reach(.claim) }
        return ClaimResult(messages: claimed, capped: capped)
    }

    /// The user's other messages the frequency cap may count (``FrequencyCap/Prior``): claimed, or
    /// with a send, provider report or recorded answer at or after `since`; the core decides.
    func capPriors(_ db: Database, userId: String, except messageId: Int64, since: Int64) throws -> [FrequencyCap.Prior] {
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: """
                SELECT dispatch, send_attempt IS NOT NULL, dispatched_at, first_event_at,
                  CASE WHEN answer_outcome = 'sent' THEN answer_at END
                FROM messages WHERE user_id = ? AND id != ?
                  AND (send_attempt IS NOT NULL OR dispatched_at >= ? OR first_event_at >= ? OR answer_at >= ?)
                """),
            arguments: [userId, messageId, since, since, since])
        var out: [FrequencyCap.Prior] = []
        while let r = try rows.next() {
            guard let dispatch = DispatchStatus(rawValue: r[0]) else { continue }
            out.append(FrequencyCap.Prior(dispatch: dispatch, claimed: r[1], dispatchedAt: r[2], firstEventAt: r[3], sentAnswerAt: r[4]))
        }
        return out
    }

    /// A row of `id, campaign_id, user_id, phone, body, meta, template_variables`, in that order.
    static func outbound(_ row: Row) -> OutboundMessage {
        OutboundMessage(
            messageId: row[0], campaignId: row[1], userId: row[2], to: row[3] ?? "", body: row[4], meta: row[5],
            templateVariables: row[6])
    }

    public func releaseClaims() async throws -> Int {
        try await db.write { db in
            try db.execute(
                sql: "UPDATE messages SET send_attempt = NULL, claim_node = NULL, lease_expires_at = NULL WHERE send_attempt IS NOT NULL")
            return db.changesCount
        }
    }

    public func releaseClaims(attempt: String) async throws -> Int {
        try await db.write { db in
            try db.execute(
                sql: "UPDATE messages SET send_attempt = NULL, claim_node = NULL, lease_expires_at = NULL WHERE send_attempt = ?",
                arguments: [attempt])
            return db.changesCount
        }
    }

    public func claimedCount(campaignId: String) async throws -> Int {
        try await db.read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM messages WHERE send_attempt IS NOT NULL AND campaign_id = ? AND dispatch = 'queued'",
                arguments: [campaignId]) ?? 0
        }
    }

    public func stopCampaign(id: String, now: Int64) async throws -> StopSummary {
        try await db.write { db in
            guard let campaign = try Self.campaign(db, id: id) else { throw StoreError.notFound("campaign \(id)") }
            let stopped = try campaign.stopped(at: now)
            var rollups = RollupWriter()
            var cache = CampaignCache()
            var summary = StopSummary(stopped: 0, inFlight: 0)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(MessageRow.columns), send_attempt FROM messages
                    WHERE campaign_id = ? AND \(Self.toSend)
                    """,
                arguments: [id])
            for row in rows {
                let message = MessageRow(positional: row)
                let claimed: String? = row["send_attempt"]
                try apply(
                    db, fact: .dispatchFailed(reason: DispatchErrorReason.campaignStopped.description, at: now), to: message,
                    rollups: &rollups, cache: &cache)
                summary.stopped += 1
                if claimed != nil { summary.inFlight += 1 }
            }
            try rollups.flush(db)
            if let stopped { try Self.saveCampaign(db, stopped) }
            return summary
        }
    }

    public func completeCampaignIfDone(id: String) async throws -> Bool {
        try await db.write { db in
            guard let campaign = try Self.campaign(db, id: id), campaign.completesWhenSent else { return false }
            let left = try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM messages
                    WHERE campaign_id = ? AND dispatch = 'queued' AND first_event_at IS NULL AND dead_letter IS NULL
                    """,
                arguments: [id]) ?? 0
            guard let completed = campaign.completed(left: left, at: Int64(Date().timeIntervalSince1970)) else { return false }
            try Self.saveCampaign(db, completed)
            try SQLiteWebhookOutbox.write(
                db,
                WebhookEventRule.entries(campaign: campaign, becomes: completed), routes: webhookRoutes)
            return true
        }
    }

    public func transitionCampaign(id: String, from: Set<CampaignStatus>, to: CampaignStatus, publishedAt: Int64?)
        async throws -> Bool
    {
        try await db.write { db in
            guard let campaign = try Self.campaign(db, id: id) else { throw StoreError.notFound("campaign \(id)") }
            guard from.contains(campaign.status) else { return false }
            try Self.saveCampaign(db, campaign.moved(to: to, publishedAt: publishedAt))
            if DeadLetterPolicy.endsRun(movingTo: to) { try endDeadLetterRuns(db, campaignIds: [id]) }
            return true
        }
    }

    public func scheduleCampaign(id: String, sendAt: Int64) async throws {
        try await db.write { db in
            guard let campaign = try Self.campaign(db, id: id) else { throw StoreError.notFound("campaign \(id)") }
            try Self.saveCampaign(db, try campaign.scheduled(at: sendAt))
        }
    }

    public func changeCampaign(id: String, _ change: @Sendable (Campaign, _ hasMessages: Bool) throws -> Campaign) async throws -> Campaign {
        try await db.write { db in
            guard let campaign = try Self.campaign(db, id: id) else { throw StoreError.notFound("campaign \(id)") }
            let changed = try change(campaign, try Self.hasMessages(db, campaignId: id))
            try Self.saveCampaign(db, changed)
            return changed
        }
    }

    public func deleteCampaign(id: String, _ check: @Sendable (Campaign, _ hasMessages: Bool) throws -> Void) async throws {
        try await db.write { db in
            guard let campaign = try Self.campaign(db, id: id) else { throw StoreError.notFound("campaign \(id)") }
            try check(campaign, try Self.hasMessages(db, campaignId: id))
            try db.execute(sql: "DELETE FROM campaigns WHERE id = ?", arguments: [id])
        }
    }

    static func hasMessages(_ db: Database, campaignId: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM messages WHERE campaign_id = ?)", arguments: [campaignId]) ?? false
    }

    public func profilePropertyPaths() async throws -> Set<String> {
        try await db.read { db in
            // Each member of each object, its path the keys joined by '.'; objects are entered, arrays not.
            Set(try String.fetchAll(db, sql: """
                WITH RECURSIVE member(path, value, type) AS (
                  SELECT j.key, j.value, j.type FROM profiles, json_each(profiles.properties) AS j
                   WHERE json_type(profiles.properties) = 'object'
                  UNION
                  SELECT member.path || '.' || j.key, j.value, j.type FROM member, json_each(member.value) AS j
                   WHERE member.type = 'object'
                )
                SELECT DISTINCT path FROM member
                """))
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
        return try await db.read { db in
            switch audience {
            case .all:
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM profiles") ?? 0
            case .userIds(let ids):
                let stmt = try db.cachedStatement(sql: "SELECT 1 FROM profiles WHERE user_id = ?")
                var n = 0
                for id in Set(ids) where try Int.fetchOne(stmt, arguments: [id]) != nil { n += 1 }
                return n
            case .segment:
                preconditionFailure("counted above")
            }
        }
    }
}
