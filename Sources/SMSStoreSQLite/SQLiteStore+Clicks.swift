import Foundation
import GRDB
import SMSCore

extension SQLiteStore {
    public func recordClick(_ click: ClickInput) async throws -> ShortLinkTarget? {
        try await db.write { db in
            guard let link = try Row.fetchOne(
                try db.cachedStatement(sql: "SELECT * FROM short_links WHERE code = ?"), arguments: [click.code])
            else { return nil }
            let url: String = link["url"]
            let expiresAt: Int64 = link["expires_at"]
            if click.at > expiresAt { return ShortLinkTarget(url: url, expired: true) }
            let messageId: Int64 = link["message_id"]
            let linkIndex: Int = link["link_index"]
            let campaignId: String = link["campaign_id"]
            try db.execute(
                sql: """
                    INSERT INTO clicks (code, message_id, campaign_id, link_index, at, user_agent, ip_hash, is_bot, bot_reason)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    click.code, messageId, campaignId, linkIndex, click.at, click.userAgent, click.ipHash, click.isBot,
                    click.botReason,
                ])
            guard let row = try MessageRow.fetch(db, id: messageId) else { return ShortLinkTarget(url: url, expired: false) }
            var rollups = RollupWriter()
            var cache = CampaignCache()
            if click.isBot {
                var d = RollupDelta()
                d.bump(.botHits)
                d.bump(.linkBotHits, dim: String(linkIndex))
                rollups.add(d, campaignId: row.campaignId, variant: row.variant)
            } else {
                try recordHumanClick(
                    db, row: row, linkIndex: linkIndex, code: click.code, at: click.at, rollups: &rollups, cache: &cache)
            }
            try rollups.flush(db)
            return ShortLinkTarget(url: url, expired: false)
        }
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
        let previous: Int?
        if let code {
            previous = try Int.fetchOne(db, sql: "SELECT human_clicks FROM short_links WHERE code = ?", arguments: [code])
            try db.execute(sql: "UPDATE short_links SET human_clicks = human_clicks + 1 WHERE code = ?", arguments: [code])
        } else {
            previous = try Int.fetchOne(
                db, sql: "SELECT human_clicks FROM short_links WHERE message_id = ? AND link_index = ?",
                arguments: [row.id, linkIndex])
            try db.execute(
                sql: "UPDATE short_links SET human_clicks = human_clicks + 1 WHERE message_id = ? AND link_index = ?",
                arguments: [row.id, linkIndex])
        }
        if previous == 0 { d.bump(.linkUniqueClicks, dim: String(linkIndex)) }
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
