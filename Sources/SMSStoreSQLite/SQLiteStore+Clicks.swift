import Foundation
import GRDB
import SMSCore

extension SQLiteStore {
    public func recordClick(_ click: ClickInput) async throws -> ShortLinkTarget? {
        try await recordClicks([click])[0]
    }

    /// All hits in one transaction; rollup cells are written once per batch.
    public func recordClicks(_ clicks: [ClickInput]) async throws -> [ShortLinkTarget?] {
        guard !clicks.isEmpty else { return [] }
        return try await db.write { db in try writeClicks(db, clicks) }
    }

    /// The body of ``recordClicks(_:)`` inside the caller's transaction.
    ///
    /// The batch's links and messages are read up front (``ShortLinkLookup``), click rows are
    /// inserted through a raw prepared statement, and each link's human-click counter is raised
    /// once per batch: the same result as ``recordHumanClick(_:row:linkIndex:code:at:rollups:cache:)``
    /// per hit (a hit is the link's first human click when the stored count plus the batch's
    /// earlier human hits on it is 0), with a fraction of the statements (BENCHMARKS.md "redirect").
    func writeClicks(_ db: Database, _ clicks: [ClickInput]) throws -> [ShortLinkTarget?] {
        var rollups = RollupWriter()
        var cache = CampaignCache()
        var lookup = try ShortLinkLookup.load(db, codes: clicks.map(\.code))
        let insert = try RawStatement(db, sql: """
            INSERT INTO clicks (code, message_id, campaign_id, link_index, at, user_agent, ip_hash, is_bot, bot_reason, click_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var out: [ShortLinkTarget?] = []
        out.reserveCapacity(clicks.count)
        // Human hits of this batch per code, in first-seen order (the counter updates below).
        var humanHits: [String: Int] = [:]
        var humanCodes: [String] = []
        for click in clicks {
            guard let link = lookup.link(click.code), let row = lookup.message(link.messageId) else {
                out.append(nil)
                continue
            }
            if click.at > link.expiresAt {
                out.append(ShortLinkTarget(url: link.url, expired: true))
                continue
            }
            // An erased person's click is stored without user agent and IP hash.
            let stored = ProfileErasure.storedClick(click, messageUserId: row.userId)
            insert.bind(1, click.code)
            insert.bind(2, row.id)
            insert.bind(3, row.campaignId)
            insert.bind(4, link.linkIndex)
            insert.bind(5, click.at)
            insert.bind(6, stored.userAgent)
            insert.bind(7, stored.ipHash)
            insert.bind(8, click.isBot ? 1 : 0)
            insert.bind(9, click.botReason)
            insert.bind(10, click.clickId)
            try insert.run(db)
            out.append(ShortLinkTarget(url: link.url, expired: false))
            if click.isBot {
                try apply(db, fact: .botHit(linkIndex: link.linkIndex), to: row, rollups: &rollups, cache: &cache)
                continue
            }
            let earlier = humanHits[click.code] ?? 0
            if earlier == 0 { humanCodes.append(click.code) }
            humanHits[click.code] = earlier + 1
            lookup.update(
                try countHumanClick(
                    db, row: row, linkIndex: link.linkIndex, at: click.at, firstOnLink: link.storedHumanClicks + earlier == 0,
                    rollups: &rollups, cache: &cache))
        }
        let bump = try RawStatement(db, sql: "UPDATE short_links SET human_clicks = human_clicks + ? WHERE code = ?")
        for code in humanCodes {
            bump.bind(1, humanHits[code] ?? 0)
            bump.bind(2, code)
            try bump.run(db)
        }
        try rollups.flush(db)
        return out
    }

    /// Counts one human click (ours through the redirect, or provider-reported): raises the short
    /// link's counter and plans the click (``MessagePlanner``) with whether it is the link's first.
    /// - Returns: the message's new row.
    @discardableResult
    func recordHumanClick(
        _ db: Database, row: MessageRow, linkIndex: Int, code: String?, at: Int64, rollups: inout RollupWriter,
        cache: inout CampaignCache
    ) throws -> MessageRow {
        // The count after this click: 1 means it is the first human click on this (message, link).
        let now: Int?
        if let code {
            now = try Int.fetchOne(
                try db.cachedStatement(
                    sql: "UPDATE short_links SET human_clicks = human_clicks + 1 WHERE code = ? RETURNING human_clicks"),
                arguments: [code])
        } else {
            now = try Int.fetchAll(
                try db.cachedStatement(sql: """
                    UPDATE short_links SET human_clicks = human_clicks + 1 WHERE message_id = ? AND link_index = ?
                    RETURNING human_clicks
                    """),
                arguments: [row.id, linkIndex]
            ).min()
        }
        return try countHumanClick(
            db, row: row, linkIndex: linkIndex, at: at, firstOnLink: now == 1, rollups: &rollups, cache: &cache)
    }

    /// One human click planned and written (``MessagePlanner/Fact/humanClick(linkIndex:at:firstOnLink:)``:
    /// total, per link, the link's unique when `firstOnLink`, evidence of delivery); the batch path
    /// (``writeClicks(_:_:)``) and ``recordHumanClick(_:row:linkIndex:code:at:rollups:cache:)``
    /// differ only in how they know it is the link's first.
    /// - Returns: the message's new row.
    @discardableResult
    func countHumanClick(
        _ db: Database, row: MessageRow, linkIndex: Int, at: Int64, firstOnLink: Bool, rollups: inout RollupWriter,
        cache: inout CampaignCache
    ) throws -> MessageRow {
        try apply(
            db, fact: .humanClick(linkIndex: linkIndex, at: at, firstOnLink: firstOnLink), to: row, rollups: &rollups,
            cache: &cache)
    }
}

extension SQLiteStore {
    public func clickHits(campaignId: String, filter: ClickHit.Filter, limit: Int) async throws -> [ClickHit] {
        let condition: String
        switch filter {
        case .all: condition = ""
        case .bots: condition = " AND is_bot = 1"
        case .humans: condition = " AND is_bot = 0"
        }
        return try await db.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM clicks WHERE campaign_id = ?\(condition) ORDER BY id DESC LIMIT ?",
                arguments: [campaignId, limit]
            ).map {
                ClickHit(
                    id: $0["id"], messageId: $0["message_id"], linkIndex: $0["link_index"], at: $0["at"],
                    userAgent: $0["user_agent"], ipHash: $0["ip_hash"], isBot: $0["is_bot"], botReason: $0["bot_reason"])
            }
        }
    }
}
