import Foundation
import GRDB
import SMSCore
import SMSStoreSQLite

// Benchmark-only bulk loading (`smsstats-bench stats`), outside the production store target.

/// One generated message with its raw records, for ``SQLiteStore/bulkLoad(campaign:chunk:)`` (through ``BulkChunk``).
package struct BulkMessage: Sendable {
    package var userId: String
    package var phone: String?
    package var meta: String
    package var body: String
    package var segments: Int
    package var variant: Int
    package var dispatch: DispatchStatus
    package var dispatchedAt: Int64?
    package var dispatchErrorReason: String?
    package var createdAt: Int64
    package var links: [NewShortLink]
    /// Callback events (effective times).
    package var events: [LoggedEvent]
    /// Hits on the short links (`code` of `links[i]` where `linkIndex == i`).
    package var clicks: [LoggedClick]
    /// The user's conversion events (all of the goal's name), revenue in `properties`.
    package var conversions: [ConversionEventInput]

    package init(
        userId: String, phone: String?, meta: String, body: String, segments: Int, variant: Int, dispatch: DispatchStatus,
        dispatchedAt: Int64?, dispatchErrorReason: String?, createdAt: Int64, links: [NewShortLink], events: [LoggedEvent],
        clicks: [LoggedClick], conversions: [ConversionEventInput]
    ) {
        self.userId = userId
        self.phone = phone
        self.meta = meta
        self.body = body
        self.segments = segments
        self.variant = variant
        self.dispatch = dispatch
        self.dispatchedAt = dispatchedAt
        self.dispatchErrorReason = dispatchErrorReason
        self.createdAt = createdAt
        self.links = links
        self.events = events
        self.clicks = clicks
        self.conversions = conversions
    }
}

/// Generated messages with everything derived from them computed (the pure part of a bulk load,
/// so it can run on another core while the previous chunk is written).
package struct BulkChunk: Sendable {
    package let messages: [BulkMessage]
    /// Each message's recount (state, link counters, conversion, rollup cells).
    package let results: [RecountResult]
    /// The chunk's rollup cells per variant.
    package let rollups: [Int: RollupDelta]
    /// The chunk's provider descriptions per failure code.
    package let descriptions: [String: String]

    /// Recounts `messages` of `campaign` with ``RollupRecount``.
    package init(campaign: Campaign, messages: [BulkMessage]) {
        var results: [RecountResult] = []
        results.reserveCapacity(messages.count)
        var rollups: [Int: RollupDelta] = [:]
        var descriptions: [String: String] = [:]
        for m in messages {
            let input = RecountInput(
                variant: m.variant, segments: m.segments, dispatch: m.dispatch, dispatchedAt: m.dispatchedAt,
                dispatchErrorReason: m.dispatchErrorReason, events: m.events, clicks: m.clicks,
                shortLinkIndices: Set(m.links.map(\.linkIndex)),
                conversionEvents: m.conversions.map { ConversionEventFact(eventId: $0.eventId, ts: $0.ts, properties: $0.properties) })
            let r = RollupRecount.recount(input, links: campaign.links, goal: campaign.goal)
            rollups[m.variant, default: [:]].add(r.delta)
            for (code, text) in r.failureDescriptions { descriptions[code] = RollupRecount.smaller(descriptions[code], text) }
            results.append(r)
        }
        self.messages = messages
        self.results = results
        self.rollups = rollups
        self.descriptions = descriptions
    }
}

extension SQLiteStore {
    /// Writes generated messages with their events, clicks and conversion events straight into
    /// the tables (benchmarks: millions of messages in minutes), with message states, link
    /// counters, conversions and rollups computed in memory by ``RollupRecount`` (the same pure
    /// recount `reconcile` uses, so the result reconciles clean). One transaction per call, cached
    /// statements; event payloads are minimal JSON. Not an import path for real data: no
    /// validation, no dedup beyond the tables' unique keys (which throw on a clash).
    package func bulkLoad(campaign: Campaign, chunk: BulkChunk) async throws {
        try await db.writeWithoutTransaction { db in
            // Bulk settings for this write only: a large page cache, no fsync (a crash mid-load
            // loses generated data, nothing else), rare WAL checkpoints.
            try db.execute(sql: "PRAGMA cache_size = -262144; PRAGMA synchronous = OFF; PRAGMA wal_autocheckpoint = 100000")
            defer { try? db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 1000; PRAGMA cache_size = -2000") }
            try db.inTransaction {
                try Self.bulkInsert(db, campaign: campaign, chunk: chunk)
                return .commit
            }
        }
    }

    /// Ends a bulk load: copies the write-ahead log into the database file and truncates it.
    package func bulkLoadFinished() async throws {
        try await db.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    private static func bulkInsert(_ db: Database, campaign: Campaign, chunk: BulkChunk) throws {
        let message = try db.cachedStatement(sql: """
            INSERT INTO messages (campaign_id, user_id, phone, meta, body, segments, variant, dispatch, dispatched_at,
              dispatch_error_reason, submitted_at, delivered_at, failure_code, failure_description, failure_at,
              first_click_at, first_event_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let link = try db.cachedStatement(sql: """
            INSERT INTO short_links (code, message_id, campaign_id, link_index, url, expires_at, human_clicks)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        let event = try db.cachedStatement(sql: """
            INSERT INTO message_events (dedup_key, message_id, provider_id, kind, ts, effective_ts, code, description,
              payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let click = try db.cachedStatement(sql: """
            INSERT INTO clicks (code, message_id, campaign_id, link_index, at, user_agent, ip_hash, is_bot, bot_reason)
            VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)
            """)
        let conversionEvent = try db.cachedStatement(sql: """
            INSERT INTO conversion_events (event_id, user_id, name, ts, properties, received_at) VALUES (?, ?, ?, ?, ?, ?)
            """)
        let conversion = try db.cachedStatement(sql: """
            INSERT INTO campaign_conversions (campaign_id, user_id, control, converted, click_through, revenue_cents)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        let description = try db.cachedStatement(sql: """
            INSERT INTO delivery_error_descriptions (campaign_id, code, description) VALUES (?, ?, ?)
            ON CONFLICT (campaign_id, code) DO UPDATE SET description = MIN(description, excluded.description)
            """)
        for (m, r) in zip(chunk.messages, chunk.results) {
            let s = r.state
            try message.execute(arguments: [
                campaign.id, m.userId, m.phone, m.meta, m.body, m.segments, m.variant, s.dispatch.rawValue, s.dispatchedAt,
                s.dispatchErrorReason, s.submittedAt, s.deliveredAt, s.failure?.code, s.failure?.description, s.failure?.at,
                s.firstHumanClickAt, s.firstEventAt, m.createdAt,
            ])
            let id = db.lastInsertedRowID
            for l in m.links {
                try link.execute(arguments: [
                    l.code, id, campaign.id, l.linkIndex, l.url, l.expiresAt, r.humanClicksByLink[l.linkIndex] ?? 0,
                ])
            }
            for (i, e) in m.events.enumerated() {
                try event.execute(arguments: [
                    "bulk-\(m.meta)-\(i)", id, campaign.providerId, e.kind.rawValue, e.at, e.at, e.code, e.description,
                    payload(e, meta: m.meta), e.at,
                ])
            }
            for c in m.clicks {
                let code = m.links.first { $0.linkIndex == c.linkIndex }?.code ?? ""
                try click.execute(arguments: [
                    code, id, campaign.id, c.linkIndex, c.at, c.isBot ? "facebookexternalhit/1.1" : "Mozilla/5.0 (iPhone)",
                    c.isBot, c.isBot ? "preview user agent" : nil,
                ])
            }
            for e in m.conversions {
                try conversionEvent.execute(arguments: [e.eventId, e.userId, e.name, e.ts, try JSONCoding.encode(e.properties), e.ts])
            }
            if r.conversion != UserConversion() {
                try conversion.execute(arguments: [
                    campaign.id, m.userId, s.dispatch == .control, r.conversion.converted, r.conversion.clickThrough,
                    r.conversion.revenueCents,
                ])
            }
        }
        for (code, text) in chunk.descriptions { try description.execute(arguments: [campaign.id, code, text]) }
        var rollups = RollupWriter()
        for (variant, delta) in chunk.rollups { rollups.add(delta, campaignId: campaign.id, variant: variant) }
        try rollups.flush(db)
    }

    /// A minimal callback payload (the shape of ``CallbackItem``'s JSON) for a generated event.
    private static func payload(_ e: LoggedEvent, meta: String) -> String {
        var item = CallbackItem(kind: e.kind, meta: meta, ts: e.at)
        if e.kind == .failed {
            item.code = e.code
            item.description = e.description
        }
        if e.kind == .clicked { item.url = e.url }
        if e.kind != .delivered && e.kind != .submitted, let json = try? JSONCoding.encode(item) { return json }
        // The common receipts, without an encoder per row; meta is generated (no characters to escape).
        return #"{"kind":"\#(e.kind.rawValue)","meta":"\#(meta)","ts":\#(e.at)}"#
    }
}
