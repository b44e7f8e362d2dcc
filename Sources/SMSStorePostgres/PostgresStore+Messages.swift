import Foundation
import PostgresNIO
import SMSCore

extension PostgresStore {
    /// Per chunk of 2,000, one transaction of a few statements: the messages inserted from arrays
    /// (`unnest … ON CONFLICT (campaign_id, user_id) DO NOTHING RETURNING`), their short links in
    /// one statement, the rollup cells, then the per-message work the SQLite store does row by row:
    /// conversions of control members who already have goal events, and pending receipts for the
    /// new metas (PITFALLS.md #1).
    public func insertMessages(_ messages: [NewMessage]) async throws {
        for start in stride(from: 0, to: messages.count, by: 2_000) {
            let chunk = Array(messages[start..<min(start + 2_000, messages.count)])
            try await write { tx in try await self.insertChunk(tx, chunk) }
        }
    }

    func insertChunk(_ tx: PGTx, _ chunk: [NewMessage]) async throws {
        // A callback for one of these metas waits for this commit, and this one sees its pending row.
        // Control members: a conversion event stored concurrently for the user is seen (or sees this).
        try await tx.lockKeys(
            Set(chunk.map { "meta:" + $0.meta } + chunk.filter { $0.dispatch == .control }.map { "user:" + $0.userId }))
        var rollups = PGRollupWriter()
        var cache = PGCampaignCache()
        // Control-group members are "sent" at publish time for the conversion baseline.
        let dispatchedAt: [Int64?] = chunk.map { $0.dispatch == .queued ? nil : $0.createdAt }
        let campaigns = chunk.map(\.campaignId)
        let users = chunk.map(\.userId)
        let phones = chunk.map { $0.phone ?? "" }
        let hasPhone = chunk.map { $0.phone != nil }
        let metas = chunk.map(\.meta)
        let bodies = chunk.map(\.body)
        let segments = chunk.map { Int64($0.segments) }
        let variants = chunk.map { Int64($0.variant) }
        let dispatch = chunk.map(\.dispatch.rawValue)
        let sentAt = dispatchedAt.map { $0 ?? 0 }
        let hasSentAt = dispatchedAt.map { $0 != nil }
        let reasons = chunk.map { $0.dispatchErrorReason ?? "" }
        let hasReason = chunk.map { $0.dispatchErrorReason != nil }
        let created = chunk.map(\.createdAt)
        let variables = chunk.map { $0.templateVariables ?? "" }
        let hasVariables = chunk.map { $0.templateVariables != nil }
        var idByMeta: [String: Int64] = [:]
        for r in try await tx.rows("""
            INSERT INTO messages (campaign_id, user_id, phone, meta, body, segments, variant, dispatch,
              dispatched_at, dispatch_error_reason, created_at, template_variables)
            SELECT c, u, CASE WHEN hp THEN p END, m, b, s, v, d, CASE WHEN hs THEN st END, CASE WHEN hr THEN r END, ca,
              CASE WHEN ht THEN tv END
            FROM unnest(\(campaigns)::text[], \(users)::text[], \(phones)::text[], \(hasPhone)::boolean[], \(metas)::text[],
              \(bodies)::text[], \(segments)::bigint[], \(variants)::bigint[], \(dispatch)::text[], \(sentAt)::bigint[],
              \(hasSentAt)::boolean[], \(reasons)::text[], \(hasReason)::boolean[], \(created)::bigint[], \(variables)::text[],
              \(hasVariables)::boolean[])
              WITH ORDINALITY AS t(c, u, p, hp, m, b, s, v, d, st, hs, r, hr, ca, tv, ht, n)
            ORDER BY n
            ON CONFLICT (campaign_id, user_id) DO NOTHING RETURNING id, meta
            """)
        {
            idByMeta[try r.get("meta")] = try r.get("id")
        }
        let inserted = chunk.indices.filter { idByMeta[chunk[$0].meta] != nil }
        let links = inserted.flatMap { i in chunk[i].links.map { (chunk[i], idByMeta[chunk[i].meta]!, $0) } }
        if !links.isEmpty {
            let codes = links.map(\.2.code)
            let ids = links.map(\.1)
            let linkCampaigns = links.map(\.0.campaignId)
            let indices = links.map { Int64($0.2.linkIndex) }
            let urls = links.map(\.2.url)
            let expires = links.map(\.2.expiresAt)
            try await tx.exec("""
                INSERT INTO short_links (code, message_id, campaign_id, link_index, url, expires_at)
                SELECT * FROM unnest(\(codes)::text[], \(ids)::bigint[], \(linkCampaigns)::text[], \(indices)::bigint[],
                  \(urls)::text[], \(expires)::bigint[])
                """)
        }
        for i in inserted {
            let m = chunk[i]
            let state = MessageState(dispatch: m.dispatch, dispatchedAt: dispatchedAt[i], dispatchErrorReason: m.dispatchErrorReason)
            rollups.add(MessageContribution.delta(from: nil, to: state, segments: m.segments), campaignId: m.campaignId, variant: m.variant)
        }
        // A control member's window starts now: conversion events may already be stored (only users
        // with events can change: for the others the conversion stays empty).
        let controls = inserted.filter { chunk[$0].dispatch == .control }
        if !controls.isEmpty {
            let controlUsers = Array(Set(controls.map { chunk[$0].userId }))
            let withEvents = Set(try await tx.rows(
                "SELECT DISTINCT user_id FROM conversion_events WHERE user_id = ANY(\(controlUsers)::text[])"
            ).map { try $0.at(0, String.self) })
            for i in controls where withEvents.contains(chunk[i].userId) {
                if let row = try await PGMessageRow.fetch(tx, id: idByMeta[chunk[i].meta]!) {
                    try await refreshConversion(tx, message: row, rollups: &rollups, cache: &cache)
                }
            }
        }
        // Receipts that arrived before their message was recorded (PITFALLS.md #1), in arrival order.
        try await rematchPending(tx, .metasRecorded(inserted.map { chunk[$0].meta }), rollups: &rollups, cache: &cache)
        try await rollups.flush(tx)
    }

    public func queuedMessages(campaignId: String, limit: Int) async throws -> [OutboundMessage] {
        try await read { tx in
            try await tx.rows("""
                SELECT id, campaign_id, user_id, phone, body, meta, template_variables FROM messages
                WHERE campaign_id = \(campaignId) AND \(unescaped: Self.toSend)
                ORDER BY id LIMIT \(limit)
                """
            ).map(Self.outbound)
        }
    }

    /// A row of `id, campaign_id, user_id, phone, body, meta, template_variables`.
    static func outbound(_ row: PGRow) throws -> OutboundMessage {
        OutboundMessage(
            messageId: try row.get("id"), campaignId: try row.get("campaign_id"), userId: try row.get("user_id"),
            to: try row.get("phone", String?.self) ?? "", body: try row.get("body"), meta: try row.get("meta"),
            templateVariables: try row.get("template_variables"))
    }

    public func recordDispatchResults(_ results: [DispatchResult]) async throws {
        guard !results.isEmpty else { return }
        try await write { tx in try await self.recordAnswers(tx, results) }
        CrashHook.reach(.record)
        do {
            try await write { tx in try await self.applyAnswers(tx, results) }
        } catch {
            try? await noteAnswerError(results.map(\.messageId), error)
            throw error
        }
    }

    /// The derived work of recorded answers (``recordAnswers(_:_:)``), inside a transaction the
    /// caller holds: locks the messages (id order), merges each result through the state machine
    /// (rollups, attribution, receipts held for its provider id), then clears the recorded
    /// answers. A message whose answer is no longer recorded (done by someone else) is skipped.
    func applyAnswers(_ tx: PGTx, _ results: [DispatchResult]) async throws {
        guard !results.isEmpty else { return }
        try await tx.lockKeys(Self.providerIdLocks(results))
        var rollups = PGRollupWriter()
        rollups.defersStates = true
        var cache = PGCampaignCache()
        var rows = try await PGMessageRow.lock(tx, ids: results.map(\.messageId))
        let answered = Set(try await tx.rows(
            "SELECT id FROM messages WHERE id = ANY(\(Array(rows.keys))::bigint[]) AND answer_outcome IS NOT NULL"
        ).map { try $0.at(0, Int64.self) })
        rows = rows.filter { answered.contains($0.key) }
        let ids = Array(rows.keys).sorted()
        // Provider ids that receipts named before their send was recorded (PITFALLS.md #1): usually none.
        let sentKeys = results.compactMap(\.providerMessageId)
        let pendingKeys: Set<String> =
            sentKeys.isEmpty
            ? []
            : Set(try await tx.rows(
                "SELECT DISTINCT provider_key FROM pending_callbacks WHERE provider_key = ANY(\(sentKeys)::text[])"
            ).map { try $0.at(0, String.self) })
        try await tx.exec("""
            UPDATE messages SET answer_outcome = NULL, answer_at = NULL, answer_reason = NULL, answer_error = NULL,
              answer_attempts = 0 WHERE id = ANY(\(ids)::bigint[])
            """)
        for r in results {
            // A message with two results in one call sees the state the first one left.
            guard let row = rows[r.messageId] else { continue }
            rows[r.messageId] = try await apply(tx, fact: r.fact, to: row, rollups: &rollups, cache: &cache)
            // A receipt that named this provider id before the send was recorded (PITFALLS.md #1).
            if let providerMessageId = r.providerMessageId, pendingKeys.contains(providerMessageId) {
                // The pending path reads and saves message states itself: write the buffered ones first.
                try await rollups.flushStates(tx)
                rollups.defersStates = false
                try await rematchPending(tx, .providerIdRecorded(providerMessageId), rollups: &rollups, cache: &cache)
                rollups.defersStates = true
                rows[r.messageId] = try await PGMessageRow.fetch(tx, id: r.messageId)
            }
        }
        try await rollups.flush(tx)
        // A message recorded completely ends its campaign's run of dead letters (``DeadLetterPolicy``).
        try await endDeadLetterRuns(tx, campaignIds: Set(rows.values.map(\.campaignId)))
        CrashHook.reach(.derive)
    }

    public func messageCount(campaignId: String, dispatch: DispatchStatus) async throws -> Int {
        try await read { tx in
            try await tx.scalar(
                "SELECT COUNT(*) FROM messages WHERE campaign_id = \(campaignId) AND dispatch = \(dispatch.rawValue)",
                as: Int.self) ?? 0
        }
    }

    /// Plans `fact` for a (locked) message (``MessagePlanner``; its history replayed when the plan
    /// says so) and writes the plan, with the webhook events it produces (``PGWebhookOutbox``). - Returns: the new row.
    @discardableResult
    func apply(
        _ tx: PGTx, fact: MessagePlanner.Fact, to row: PGMessageRow, rollups: inout PGRollupWriter,
        cache: inout PGCampaignCache
    ) async throws -> PGMessageRow {
        var plan = MessagePlanner.plan(row.state, segments: row.segments, fact: fact)
        if plan.replaysHistory { plan = plan.replayed(try await replayHistory(tx, row: row, state: plan.new)) }
        let new = try await write(tx, plan, to: row, rollups: &rollups, cache: &cache)
        try await rollups.queueWebhookEvents(
            tx,
            WebhookEventRule.entries(fact: fact, old: plan.old, new: plan.new, campaignId: row.campaignId, messageId: row.id, userId: row.userId),
            routes: webhookRoutes)
        return new
    }

    /// Writes what a plan says: the failure description, the user's opt-out flag, the event cells,
    /// the new state and its rollup change, and the user's conversion when it must be re-attributed.
    /// With `rollups.defersStates`, the new state is buffered in `rollups.states` (written by
    /// ``PGRollupWriter/flush(_:)``) instead of saved at once. - Returns: the new row.
    @discardableResult
    func write(
        _ tx: PGTx, _ plan: MessagePlan, to row: PGMessageRow, rollups: inout PGRollupWriter, cache: inout PGCampaignCache
    ) async throws -> PGMessageRow {
        if let kept = plan.failureDescription { try await recordFailureDescription(tx, kept, campaignId: row.campaignId) }
        if plan.optOutIntent != nil { try await applyLatestKeyword(tx, userId: row.userId) }
        rollups.add(plan.eventCells, campaignId: row.campaignId, variant: row.variant)
        guard plan.changesState else { return row }
        var new = row
        new.state = plan.new
        if rollups.defersStates { rollups.states.set(new) } else { try await new.saveState(tx) }
        rollups.addChange(from: plan.old, to: plan.new, segments: row.segments, campaignId: row.campaignId, variant: row.variant)
        if plan.refreshesConversion { try await refreshConversion(tx, message: new, rollups: &rollups, cache: &cache) }
        return new
    }
}

/// Campaigns read once per transaction.
struct PGCampaignCache: Sendable {
    private var campaigns: [String: Campaign?] = [:]
    mutating func get(_ tx: PGTx, _ id: String) async throws -> Campaign? {
        if let c = campaigns[id] { return c }
        let c = try await PostgresStore.campaign(tx, id: id)
        campaigns[id] = c
        return c
    }
}
