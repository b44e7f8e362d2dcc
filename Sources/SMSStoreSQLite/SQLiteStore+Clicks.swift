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
    func writeClicks(_ db: Database, _ clicks: [ClickInput]) throws -> [ShortLinkTarget?] {
        var rollups = RollupWriter()
        var cache = CampaignCache()
        // The link and its message in one read, by position: the message's columns
        // (``MessageRow/init(positional:)``), then the link's URL, expiry and index.
        let linkColumn = MessageRow.columns.split(separator: ",").count
        let find = try db.cachedStatement(sql: """
            SELECT \(MessageRow.columns.split(separator: ",").map { "m." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")),
              s.url, s.expires_at, s.link_index
            FROM short_links s JOIN messages m ON m.id = s.message_id WHERE s.code = ?
            """)
        let insert = try db.cachedStatement(sql: """
            INSERT INTO clicks (code, message_id, campaign_id, link_index, at, user_agent, ip_hash, is_bot, bot_reason, click_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var out: [ShortLinkTarget?] = []
        out.reserveCapacity(clicks.count)
        var changed = Set<Int64>()
        for click in clicks {
            guard let link = try Row.fetchOne(find, arguments: [click.code]) else {
                out.append(nil)
                continue
            }
            let url: String = link[linkColumn]
            let expiresAt: Int64 = link[linkColumn + 1]
            if click.at > expiresAt {
                out.append(ShortLinkTarget(url: url, expired: true))
                continue
            }
            let linkIndex: Int = link[linkColumn + 2]
            let read = MessageRow(positional: link)
            // Re-read when an earlier hit of this batch changed the same message.
            let row = changed.contains(read.id) ? try MessageRow.fetch(db, id: read.id) ?? read : read
            try insert.execute(arguments: [
                click.code, row.id, row.campaignId, linkIndex, click.at, click.userAgent, click.ipHash, click.isBot,
                click.botReason, click.clickId,
            ])
            out.append(ShortLinkTarget(url: url, expired: false))
            if click.isBot {
                var d = RollupDelta()
                d.bump(.botHits)
                d.bump(.linkBotHits, dim: String(linkIndex))
                rollups.add(d, campaignId: row.campaignId, variant: row.variant)
            } else {
                try recordHumanClick(
                    db, row: row, linkIndex: linkIndex, code: click.code, at: click.at, rollups: &rollups, cache: &cache)
                changed.insert(row.id)
            }
        }
        try rollups.flush(db)
        return out
    }

    /// Counts one human click (ours through the redirect, or provider-reported): total and per
    /// link, unique per (message, link) and per message, and merges it as evidence of delivery.
    func recordHumanClick(
        _ db: Database, row: MessageRow, linkIndex: Int, code: String?, at: Int64, rollups: inout RollupWriter,
        cache: inout CampaignCache
    ) throws {
        var d = RollupDelta()
        d.bump(.clicks, at: at)
        d.bump(.linkClicks, dim: String(linkIndex))
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
        if now == 1 { d.bump(.linkUniqueClicks, dim: String(linkIndex)) }
        rollups.add(d, campaignId: row.campaignId, variant: row.variant)
        try apply(db, fact: .humanClick(at: at), to: row, rollups: &rollups, cache: &cache)
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
