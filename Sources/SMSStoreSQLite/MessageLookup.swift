import Foundation
import GRDB
import SMSCore

/// The messages a callback batch refers to, fetched with a few `IN (…)` queries instead of one
/// query per item, and kept current while the batch is applied (several items of one batch can
/// hit the same message: parts, duplicates).
///
/// Matching: by our `meta` first, else by the provider's own (normalised) message id; for one
/// provider id stored on several messages the newest message wins.
struct MessageLookup {
    private var byMeta: [String: MessageRow] = [:]
    private var idByProviderKey: [String: Int64] = [:]
    private var byId: [Int64: MessageRow] = [:]

    static func load(_ db: Database, items: [CallbackItem]) throws -> MessageLookup {
        var lookup = MessageLookup()
        let metas = Array(Set(items.map(\.meta)))
        for rows in try fetch(db, column: "meta", values: metas) {
            lookup.byMeta[rows.meta] = rows.row
            lookup.byId[rows.row.id] = rows.row
        }
        let keys = Array(Set(items.compactMap { $0.byMetaMissing(lookup) ? $0.providerMessageId : nil }))
        for found in try fetch(db, column: "provider_message_id", values: keys) {
            guard let key = found.providerKey else { continue }
            if let known = lookup.idByProviderKey[key], known > found.row.id { continue }
            lookup.idByProviderKey[key] = found.row.id
            lookup.byId[found.row.id] = found.row
        }
        return lookup
    }

    func row(for item: CallbackItem) -> MessageRow? {
        if let row = byMeta[item.meta] { return byId[row.id] ?? row }
        if let key = item.providerMessageId, let id = idByProviderKey[key] { return byId[id] }
        return nil
    }

    /// Records a message's new state so later items of the batch see it.
    mutating func update(_ row: MessageRow) {
        byId[row.id] = row
    }

    func hasMeta(_ meta: String) -> Bool { byMeta[meta] != nil }

    private struct Found {
        var row: MessageRow
        var meta: String
        var providerKey: String?
    }

    /// Decodes straight from the stepping statement (``InListQuery``): typed column reads by
    /// position instead of `DatabaseValue` boxes.
    private static func fetch(_ db: Database, column: String, values: [String]) throws -> [Found] {
        var out: [Found] = []
        out.reserveCapacity(values.count)
        try InListQuery.forEachRow(
            db, values: values,
            sql: { "SELECT \(MessageRow.columns), meta, provider_message_id FROM messages WHERE \(column) IN (\($0))" }
        ) { raw in
            // Positions after MessageRow.columns: 15 meta, 16 provider_message_id.
            out.append(Found(row: MessageRow(positional: raw), meta: raw[15], providerKey: raw[16]))
        }
        return out
    }
}

extension CallbackItem {
    fileprivate func byMetaMissing(_ lookup: MessageLookup) -> Bool { !lookup.hasMeta(meta) }
}
