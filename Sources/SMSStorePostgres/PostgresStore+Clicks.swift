import Foundation
import PostgresNIO
import SMSCore

extension PostgresStore {
    public func recordClick(_ click: ClickInput) async throws -> ShortLinkTarget? {
        try await recordClicks([click])[0]
    }

    /// All hits in one transaction: the links read, their messages locked in id order, then each
    /// hit recorded; rollup cells are written once per batch.
    public func recordClicks(_ clicks: [ClickInput]) async throws -> [ShortLinkTarget?] {
        guard !clicks.isEmpty else { return [] }
        return try await write { tx in
            var rollups = PGRollupWriter()
            var cache = PGCampaignCache()
            let codes = Array(Set(clicks.map { $0.code.pgSafe }))
            var links: [String: (url: String, expiresAt: Int64, linkIndex: Int, messageId: Int64)] = [:]
            for r in try await tx.rows(
                "SELECT code, url, expires_at, link_index, message_id FROM short_links WHERE code = ANY(\(codes)::text[])")
            {
                links[try r.get("code")] = (try r.get("url"), try r.get("expires_at"), try r.get("link_index"), try r.get("message_id"))
            }
            var rows = try await PGMessageRow.lock(tx, ids: links.values.map(\.messageId))
            var out: [ShortLinkTarget?] = []
            out.reserveCapacity(clicks.count)
            for click in clicks {
                let code = click.code.pgSafe
                guard let link = links[code], let row = rows[link.messageId] else {
                    out.append(nil)
                    continue
                }
                if click.at > link.expiresAt {
                    out.append(ShortLinkTarget(url: link.url, expired: true))
                    continue
                }
                try await tx.exec("""
                    INSERT INTO clicks (code, message_id, campaign_id, link_index, at, user_agent, ip_hash, is_bot, bot_reason)
                    VALUES (\(code), \(row.id), \(row.campaignId), \(link.linkIndex), \(click.at), \(click.userAgent?.pgSafe),
                      \(click.ipHash?.pgSafe), \(click.isBot), \(click.botReason?.pgSafe))
                    """)
                out.append(ShortLinkTarget(url: link.url, expired: false))
                if click.isBot {
                    try await self.apply(tx, fact: .botHit(linkIndex: link.linkIndex), to: row, rollups: &rollups, cache: &cache)
                } else {
                    // Later hits of this batch on the same message see the state this one left.
                    rows[row.id] = try await self.recordHumanClick(
                        tx, row: row, linkIndex: link.linkIndex, code: code, at: click.at, rollups: &rollups, cache: &cache)
                }
            }
            try await rollups.flush(tx)
            return out
        }
    }

    /// Counts one human click (ours through the redirect, or provider-reported): raises the short
    /// link's counter and plans the click (``MessagePlanner``) with whether it is the link's first.
    /// The short-link counter is incremented with `UPDATE … RETURNING` (a row lock), so exactly
    /// one click sees 1.
    /// - Returns: the message after the merge.
    @discardableResult
    func recordHumanClick(
        _ tx: PGTx, row: PGMessageRow, linkIndex: Int, code: String?, at: Int64, rollups: inout PGRollupWriter,
        cache: inout PGCampaignCache
    ) async throws -> PGMessageRow {
        // The count after this click: 1 means it is the first human click on this (message, link).
        let now: Int?
        if let code {
            now = try await tx.scalar(
                "UPDATE short_links SET human_clicks = human_clicks + 1 WHERE code = \(code) RETURNING human_clicks", as: Int.self)
        } else {
            now = try await tx.rows("""
                UPDATE short_links SET human_clicks = human_clicks + 1 WHERE message_id = \(row.id) AND link_index = \(linkIndex)
                RETURNING human_clicks
                """
            ).map { try $0.at(0, Int.self) }.min()
        }
        return try await apply(
            tx, fact: .humanClick(linkIndex: linkIndex, at: at, firstOnLink: now == 1), to: row, rollups: &rollups,
            cache: &cache)
    }

    public func clickHits(campaignId: String, filter: ClickHit.Filter, limit: Int) async throws -> [ClickHit] {
        let condition: String
        switch filter {
        case .all: condition = ""
        case .bots: condition = " AND is_bot"
        case .humans: condition = " AND NOT is_bot"
        }
        return try await read { tx in
            try await tx.rows(
                "SELECT * FROM clicks WHERE campaign_id = \(campaignId)\(unescaped: condition) ORDER BY id DESC LIMIT \(limit)"
            ).map {
                ClickHit(
                    id: try $0.get("id"), messageId: try $0.get("message_id"), linkIndex: try $0.get("link_index"),
                    at: try $0.get("at"), userAgent: try $0.get("user_agent"), ipHash: try $0.get("ip_hash"),
                    isBot: try $0.get("is_bot"), botReason: try $0.get("bot_reason"))
            }
        }
    }
}
