import Foundation
import GRDB
import SMSCore

extension SQLiteStore {
    public func insertMessages(_ messages: [NewMessage]) async throws {
        for chunk in stride(from: 0, to: messages.count, by: 2_000).map({ Array(messages[$0..<min($0 + 2_000, messages.count)]) }) {
            try await db.write { db in
                var rollups = RollupWriter()
                var cache = CampaignCache()
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO messages (campaign_id, user_id, phone, meta, body, segments, variant, dispatch,
                      dispatched_at, dispatch_error_reason, created_at, template_variables)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (campaign_id, user_id) DO NOTHING
                    """)
                let link = try db.cachedStatement(sql: """
                    INSERT INTO short_links (code, message_id, campaign_id, link_index, url, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """)
                for m in chunk {
                    // Control-group members are "sent" at publish time for the conversion baseline.
                    let dispatchedAt: Int64? = m.dispatch == .queued ? nil : m.createdAt
                    try insert.execute(arguments: [
                        m.campaignId, m.userId, m.phone, m.meta, m.body, m.segments, m.variant,
                        m.dispatch.rawValue, dispatchedAt, m.dispatchErrorReason, m.createdAt, m.templateVariables,
                    ])
                    guard db.changesCount > 0 else { continue }
                    let id = db.lastInsertedRowID
                    for l in m.links {
                        try link.execute(arguments: [l.code, id, m.campaignId, l.linkIndex, l.url, l.expiresAt])
                    }
                    let state = MessageState(
                        dispatch: m.dispatch, dispatchedAt: dispatchedAt, dispatchErrorReason: m.dispatchErrorReason)
                    rollups.add(
                        MessageContribution.delta(from: nil, to: state, segments: m.segments),
                        campaignId: m.campaignId, variant: m.variant)
                    // A control member's window starts now: conversion events may already be stored
                    // (they are keyed by user and may arrive first).
                    if m.dispatch == .control, let row = try MessageRow.fetch(db, id: id) {
                        try refreshConversion(db, message: row, rollups: &rollups, cache: &cache)
                    }
                    // A receipt may have arrived before this message was recorded (PITFALLS.md #1).
                    try rematchPending(db, .metasRecorded([m.meta]), rollups: &rollups, cache: &cache)
                }
                try rollups.flush(db)
            }
        }
    }

    public func queuedMessages(campaignId: String, limit: Int) async throws -> [OutboundMessage] {
        try await db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, campaign_id, user_id, phone, body, meta, template_variables FROM messages
                    WHERE campaign_id = ? AND \(Self.toSend)
                    ORDER BY id LIMIT ?
                    """,
                arguments: [campaignId, limit]
            ).map(Self.outbound)
        }
    }

    public func recordDispatchResults(_ results: [DispatchResult]) async throws {
        guard !results.isEmpty else { return }
        try await db.write { db in try recordAnswers(db, results) }
        CrashHook.reach(.record)
        do {
            try await db.write { db in try applyAnswers(db, results) }
        } catch {
            try? await noteAnswerError(results.map(\.messageId), error)
            throw error
        }
    }

    /// The derived work of recorded answers (``recordAnswers(_:_:)``), inside a transaction the
    /// caller holds: each result merged through the state machine, rollups, attribution, receipts
    /// held for its provider id; then the recorded answers are cleared. A message whose answer is
    /// no longer recorded (done by someone else) is skipped.
    func applyAnswers(_ db: Database, _ results: [DispatchResult]) throws {
        guard !results.isEmpty else { return }
        var rollups = RollupWriter()
        var cache = CampaignCache()
        // Read the rows still holding a recorded answer, 500 ids per statement.
        var rows: [Int64: MessageRow] = [:]
        rows.reserveCapacity(results.count)
        for start in stride(from: 0, to: results.count, by: 500) {
            let ids = results[start..<min(start + 500, results.count)].map(\.messageId)
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
            for row in try Row.fetchAll(
                db, sql: "SELECT \(MessageRow.columns) FROM messages WHERE answer_outcome IS NOT NULL AND id IN (\(marks))",
                arguments: StatementArguments(ids))
            {
                let message = MessageRow(positional: row)
                rows[message.id] = message
            }
        }
        let done = try db.cachedStatement(sql: """
            UPDATE messages SET answer_outcome = NULL, answer_at = NULL, answer_reason = NULL, answer_error = NULL,
              answer_attempts = 0 WHERE id = ?
            """)
        var campaigns = Set<String>()
        for r in results {
            // A message with two results in one call sees the state the first one left.
            guard let row = rows[r.messageId] else { continue }
            campaigns.insert(row.campaignId)
            rows[r.messageId] = try apply(db, fact: r.fact, to: row, rollups: &rollups, cache: &cache)
            try done.execute(arguments: [r.messageId])
            // A receipt that named this provider id before the send was recorded (PITFALLS.md #1).
            if let providerMessageId = r.providerMessageId {
                try rematchPending(db, .providerIdRecorded(providerMessageId), rollups: &rollups, cache: &cache)
                rows[r.messageId] = try MessageRow.fetch(db, id: r.messageId)
            }
        }
        try rollups.flush(db)
        // A message recorded completely ends its campaign's run of dead letters (``DeadLetterPolicy``).
        try endDeadLetterRuns(db, campaignIds: campaigns)
        CrashHook.reach(.derive)
    }

    public func messageCount(campaignId: String, dispatch: DispatchStatus) async throws -> Int {
        try await db.read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM messages WHERE campaign_id = ? AND dispatch = ?",
                arguments: [campaignId, dispatch.rawValue]) ?? 0
        }
    }

    /// Plans `fact` for a message (``MessagePlanner``; its history replayed when the plan says so)
    /// and writes the plan, with the webhook events it produces (``SQLiteWebhookOutbox``). - Returns: the new row.
    @discardableResult
    func apply(
        _ db: Database, fact: MessagePlanner.Fact, to row: MessageRow, rollups: inout RollupWriter,
        cache: inout CampaignCache
    ) throws -> MessageRow {
        var plan = MessagePlanner.plan(row.state, segments: row.segments, fact: fact)
        if plan.replaysHistory { plan = plan.replayed(try replayHistory(db, row: row, state: plan.new)) }
        let new = try write(db, plan, to: row, rollups: &rollups, cache: &cache)
        try SQLiteWebhookOutbox.write(db, fact: fact, old: plan.old, new: plan.new, message: row, routes: webhookRoutes)
        return new
    }

    /// Writes what a plan says: the failure description, the user's opt-out flag, the event cells,
    /// the new state and its rollup change, and the user's conversion when it must be re-attributed.
    /// - Returns: the new row.
    @discardableResult
    func write(
        _ db: Database, _ plan: MessagePlan, to row: MessageRow, rollups: inout RollupWriter, cache: inout CampaignCache
    ) throws -> MessageRow {
        if let kept = plan.failureDescription { try recordFailureDescription(db, kept, campaignId: row.campaignId) }
        if plan.optOutIntent != nil { try applyLatestKeyword(db, userId: row.userId) }
        rollups.add(plan.eventCells, campaignId: row.campaignId, variant: row.variant)
        guard plan.changesState else { return row }
        var new = row
        new.state = plan.new
        try new.saveState(db, previous: row.state)
        rollups.addChange(from: plan.old, to: plan.new, segments: row.segments, campaignId: row.campaignId, variant: row.variant)
        if plan.refreshesConversion { try refreshConversion(db, message: new, rollups: &rollups, cache: &cache) }
        return new
    }
}

/// Campaigns read once per transaction.
struct CampaignCache {
    private var campaigns: [String: Campaign?] = [:]
    mutating func get(_ db: Database, _ id: String) throws -> Campaign? {
        if let c = campaigns[id] { return c }
        let c = try SQLiteStore.campaign(db, id: id)
        campaigns[id] = c
        return c
    }
}
