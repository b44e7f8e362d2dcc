import Foundation
import PostgresNIO
import SMSCore

extension PostgresStore {
    public func recordClick(_ click: ClickInput) async throws -> ShortLinkTarget? {
        try await recordClicks([click])[0]
    }

    /// All hits in one transaction (``writeClicks(_:_:)``).
    public func recordClicks(_ clicks: [ClickInput]) async throws -> [ShortLinkTarget?] {
        guard !clicks.isEmpty else { return [] }
        return try await write { tx in try await self.writeClicks(tx, clicks) }
    }

    /// The body of ``recordClicks(_:)`` inside the caller's transaction, in a fixed number of
    /// statements whatever the batch's size: the links read, their messages locked in id order
    /// (``PGMessageRow/lock(_:ids:)``), the links' human-click counts read under a row lock (every
    /// writer of a counter holds its message's lock first, so the order is always message → link),
    /// each hit planned in memory (a hit is the link's first human click when the stored count
    /// plus the batch's earlier human hits on it is 0: the same rule as
    /// ``recordHumanClick(_:row:linkIndex:code:at:rollups:cache:)`` per hit), then the click rows
    /// inserted with one `unnest` statement, each counter raised once, message states and rollup
    /// cells written once per batch.
    func writeClicks(_ tx: PGTx, _ clicks: [ClickInput]) async throws -> [ShortLinkTarget?] {
        var rollups = PGRollupWriter()
        rollups.defersStates = true
        var cache = PGCampaignCache()
        let codes = Array(Set(clicks.map { $0.code.pgSafe })).sorted()
        var links: [String: (url: String, expiresAt: Int64, linkIndex: Int, messageId: Int64)] = [:]
        for r in try await tx.rows(
            "SELECT code, url, expires_at, link_index, message_id FROM short_links WHERE code = ANY(\(codes)::text[])")
        {
            links[try r.at(0)] = (try r.at(1), try r.at(2), try r.at(3), try r.at(4))
        }
        var rows = try await PGMessageRow.lock(tx, ids: links.values.map(\.messageId))
        var storedHumanClicks: [String: Int] = [:]
        let humanCodes = Array(Set(clicks.filter { !$0.isBot }.map { $0.code.pgSafe }).intersection(links.keys)).sorted()
        if !humanCodes.isEmpty {
            for r in try await tx.rows(
                "SELECT code, human_clicks FROM short_links WHERE code = ANY(\(humanCodes)::text[]) ORDER BY code FOR UPDATE")
            {
                storedHumanClicks[try r.at(0)] = try r.at(1)
            }
        }
        var insert = ClickRows()
        var humanHits: [String: Int] = [:]
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
            insert.append(click, code: code, message: row, linkIndex: link.linkIndex)
            out.append(ShortLinkTarget(url: link.url, expired: false))
            let fact: MessagePlanner.Fact
            if click.isBot {
                fact = .botHit(linkIndex: link.linkIndex)
            } else {
                let earlier = humanHits[code] ?? 0
                humanHits[code] = earlier + 1
                fact = .humanClick(
                    linkIndex: link.linkIndex, at: click.at, firstOnLink: (storedHumanClicks[code] ?? 0) + earlier == 0)
            }
            // Later hits of this batch on the same message see the state this one left.
            rows[row.id] = try await self.apply(tx, fact: fact, to: row, rollups: &rollups, cache: &cache)
        }
        try await insert.insert(tx)
        if !humanHits.isEmpty {
            let bumped = humanHits.keys.sorted()
            try await tx.exec("""
                UPDATE short_links SET human_clicks = short_links.human_clicks + d.n
                FROM unnest(\(bumped)::text[], \(bumped.map { humanHits[$0] ?? 0 })::bigint[]) AS d(code, n)
                WHERE short_links.code = d.code
                """)
        }
        try await rollups.flush(tx)
        return out
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

/// The click rows of one batch, inserted with one statement: the rows as one JSON array
/// (`jsonb_to_recordset`, rows in batch order; JSON keeps `nil` apart from an empty text, which
/// postgres-nio's arrays of optionals cannot bind).
struct ClickRows {
    struct Row: Encodable {
        var code: String
        var message_id: Int64
        var campaign_id: String
        var link_index: Int64
        var at: Int64
        var user_agent: String?
        var ip_hash: String?
        var is_bot: Bool
        var bot_reason: String?
        var click_id: String?
    }
    private(set) var rows: [Row]

    init(rows: [Row] = []) { self.rows = rows }

    /// One click row; an erased person's (``ProfileErasure/storedClick(_:messageUserId:)``) without
    /// user agent and IP hash.
    mutating func append(_ hit: ClickInput, code: String, message: PGMessageRow, linkIndex: Int) {
        let click = ProfileErasure.storedClick(hit, messageUserId: message.userId)
        rows.append(
            Row(
                code: code, message_id: message.id, campaign_id: message.campaignId, link_index: Int64(linkIndex), at: click.at,
                user_agent: click.userAgent?.pgSafe, ip_hash: click.ipHash?.pgSafe, is_bot: click.isBot,
                bot_reason: click.botReason?.pgSafe, click_id: click.clickId?.pgSafe))
    }

    /// The rows as one JSON array, written by hand: the same document `JSONEncoder` gives
    /// (`null` where it leaves a key out: `jsonb_to_recordset` reads both as NULL) with less CPU;
    /// the drain writes every journaled click through here (BENCHMARKS.md "The drain yields to
    /// the redirects").
    var json: String {
        var out: [UInt8] = []
        out.reserveCapacity(rows.count * 320)
        out.append(UInt8(ascii: "["))
        for (i, r) in rows.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            Self.key("code", &out, first: true)
            Self.string(r.code, &out)
            Self.key("message_id", &out)
            Self.number(r.message_id, &out)
            Self.key("campaign_id", &out)
            Self.string(r.campaign_id, &out)
            Self.key("link_index", &out)
            Self.number(r.link_index, &out)
            Self.key("at", &out)
            Self.number(r.at, &out)
            Self.key("user_agent", &out)
            Self.string(r.user_agent, &out)
            Self.key("ip_hash", &out)
            Self.string(r.ip_hash, &out)
            Self.key("is_bot", &out)
            out.append(contentsOf: (r.is_bot ? "true" : "false").utf8)
            Self.key("bot_reason", &out)
            Self.string(r.bot_reason, &out)
            Self.key("click_id", &out)
            Self.string(r.click_id, &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    private static func key(_ name: StaticString, _ out: inout [UInt8], first: Bool = false) {
        out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
        out.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(contentsOf: "\":".utf8)
    }

    private static func number(_ n: Int64, _ out: inout [UInt8]) { out.append(contentsOf: String(n).utf8) }

    private static let hex = Array("0123456789abcdef".utf8)

    /// A JSON string (RFC 8259 §7): `"` and `\` escaped, control characters as `\u00XX`, the rest
    /// as its UTF-8 bytes; `nil` → `null`.
    private static func string(_ s: String?, _ out: inout [UInt8]) {
        guard let s else {
            out.append(contentsOf: "null".utf8)
            return
        }
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(b)
            case 0..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            default:
                out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    func insert(_ tx: PGTx) async throws {
        guard !rows.isEmpty else { return }
        let json = self.json
        try await tx.exec("""
            INSERT INTO clicks (code, message_id, campaign_id, link_index, at, user_agent, ip_hash, is_bot, bot_reason, click_id)
            SELECT code, message_id, campaign_id, link_index, at, user_agent, ip_hash, is_bot, bot_reason, click_id
            FROM jsonb_to_recordset(\(json)::jsonb) AS r(code text, message_id bigint, campaign_id text, link_index bigint,
              at bigint, user_agent text, ip_hash text, is_bot boolean, bot_reason text, click_id text)
            """)
    }
}
