import Foundation
import GRDB
import SMSCore

extension SQLiteStore {
    /// Sets the profile's opt-out flag from the user's keyword replies over all their messages
    /// (``OptOutKeywords/latest(_:)``: the latest wins, a tie goes to the opt-out). No-op for an
    /// unknown profile.
    func applyLatestKeyword(_ db: Database, userId: String) throws {
        let replies = try Row.fetchAll(
            try db.cachedStatement(sql: """
                SELECT e.effective_ts, e.code FROM message_events e JOIN messages m ON m.id = e.message_id
                WHERE m.user_id = ? AND e.kind = 'replied' AND e.code IN (?, ?)
                """),
            arguments: [userId, OptOutKeywords.Intent.optOut.rawValue, OptOutKeywords.Intent.optIn.rawValue]
        ).compactMap { r in OptOutKeywords.Intent(rawValue: r[1]).map { (at: r[0] as Int64, intent: $0) } }
        guard let intent = OptOutKeywords.latest(replies) else { return }
        try db.execute(
            sql: "UPDATE profiles SET opted_out = ? WHERE user_id = ?", arguments: [intent == .optOut, userId])
    }

    /// The campaign link a provider-reported click (`clicked`, `docs/DOMAIN.md` §3) is about: the rule
    /// of ``ShortCode/providerClickLink(url:shortURL:campaignLinks:shortLinks:)`` (the recount uses
    /// it too), given the campaign's links and this message's short links.
    func providerClickedLink(_ db: Database, item: CallbackItem, row: MessageRow, cache: inout CampaignCache) throws
        -> ShortCode.ProviderClickLink
    {
        var shortLinks: [String: Int] = [:]
        for link in try Row.fetchAll(
            db.cachedStatement(sql: "SELECT code, link_index FROM short_links WHERE message_id = ?"), arguments: [row.id])
        {
            shortLinks[link[0]] = link[1]
        }
        return ShortCode.providerClickLink(
            url: item.url, shortURL: item.shortURL, campaignLinks: try cache.get(db, row.campaignId)?.links ?? [],
            shortLinks: shortLinks)
    }

}
