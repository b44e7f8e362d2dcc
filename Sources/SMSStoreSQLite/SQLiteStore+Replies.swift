import Foundation
import GRDB
import SMSCore

extension SQLiteStore {
    /// Sets the profile's opt-out flag from the user's **latest** opt-out / opt-in keyword reply
    /// over all their messages (by effective time; a tie goes to the opt-out, the safe side), so
    /// STOP and START arriving in any order leave the same flag (`domain.md` §4 spirit: state is a
    /// function of the set of events). No-op for an unknown profile.
    func applyLatestKeyword(_ db: Database, userId: String) throws {
        let latest = try String.fetchOne(
            try db.cachedStatement(sql: """
                SELECT e.code FROM message_events e JOIN messages m ON m.id = e.message_id
                WHERE m.user_id = ? AND e.kind = 'replied' AND e.code IN (?, ?)
                ORDER BY e.effective_ts DESC, e.code = ? DESC LIMIT 1
                """),
            arguments: [
                userId, OptOutKeywords.Intent.optOut.rawValue, OptOutKeywords.Intent.optIn.rawValue,
                OptOutKeywords.Intent.optOut.rawValue,
            ])
        guard let latest, let intent = OptOutKeywords.Intent(rawValue: latest) else { return }
        try db.execute(
            sql: "UPDATE profiles SET opted_out = ? WHERE user_id = ?", arguments: [intent == .optOut, userId])
    }

    /// The campaign link a provider-reported click (`clicked`, `domain.md` §3) is about:
    /// - its `url` equals one of the campaign's links (the original URL, byte for byte) → that index;
    /// - else its `url` or `shorturl` is one of *our* short links of this message
    ///   (`…/l/{code}`, the provider saw the rewritten body) → that link;
    /// - else index -1: counted in the campaign's clicks, in no link's row.
    /// - Returns: the link index and, when known, our short code.
    func providerClickedLink(_ db: Database, item: CallbackItem, row: MessageRow, cache: inout CampaignCache) throws
        -> (index: Int, code: String?)
    {
        if let url = item.url, let i = try cache.get(db, row.campaignId)?.links.firstIndex(of: url) { return (i, nil) }
        for candidate in [item.url, item.shortURL].compactMap({ $0 }) {
            guard let code = ShortCode.code(inURL: candidate) else { continue }
            if let index = try Int.fetchOne(
                db, sql: "SELECT link_index FROM short_links WHERE code = ? AND message_id = ?", arguments: [code, row.id])
            {
                return (index, code)
            }
        }
        return (-1, nil)
    }

}
