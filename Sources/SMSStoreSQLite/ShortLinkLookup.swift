import Foundation
import GRDB
import SMSCore

/// The short links a batch of redirect hits refers to, with their messages, fetched with a few
/// `IN (…)` queries instead of one joined query per hit, and kept current while the batch is
/// applied (several hits of one batch can land on the same link or message).
///
/// Rows are decoded straight from the stepping statement (``InListQuery``), by position: no row
/// copies, no look-up by column name (both showed in the redirect benchmark's
/// drain profile, BENCHMARKS.md "redirect").
struct ShortLinkLookup {
    /// One stored short link.
    struct Link {
        var messageId: Int64
        var url: String
        /// Unix seconds.
        var expiresAt: Int64
        var linkIndex: Int
        /// Human clicks stored before this batch (`short_links.human_clicks`).
        var storedHumanClicks: Int
    }

    /// ``MessageRow/columns`` qualified with the `m.` alias (built once, not per batch).
    private static let messageColumns = MessageRow.columns.split(separator: ",").map {
        "m." + $0.trimmingCharacters(in: .whitespacesAndNewlines)
    }.joined(separator: ", ")

    private var links: [String: Link] = [:]
    private var messages: [Int64: MessageRow] = [:]

    /// Loads every known code of `codes` (unknown ones are simply absent).
    static func load(_ db: Database, codes: some Collection<String>) throws -> ShortLinkLookup {
        var lookup = ShortLinkLookup()
        let codes = Array(Set(codes))
        lookup.links.reserveCapacity(codes.count)
        // Positions after MessageRow.columns (0-14): 15 code, 16 url, 17 expires_at, 18 link_index, 19 human_clicks.
        try InListQuery.forEachRow(
            db, values: codes,
            sql: {
                """
                SELECT \(messageColumns), s.code, s.url, s.expires_at, s.link_index, s.human_clicks
                FROM short_links s JOIN messages m ON m.id = s.message_id WHERE s.code IN (\($0))
                """
            }
        ) { raw in
            let message = MessageRow(positional: raw)
            lookup.messages[message.id] = message
            lookup.links[raw[15]] = Link(
                messageId: message.id, url: raw[16], expiresAt: raw[17], linkIndex: raw[18], storedHumanClicks: raw[19])
        }
        return lookup
    }

    func link(_ code: String) -> Link? { links[code] }

    /// The message's current row: as loaded, or as last ``update(_:)``d in this batch.
    func message(_ id: Int64) -> MessageRow? { messages[id] }

    /// Records a message's new state so later hits of the batch see it.
    mutating func update(_ row: MessageRow) { messages[row.id] = row }
}
