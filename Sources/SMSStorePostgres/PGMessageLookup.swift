import Foundation
import PostgresNIO
import SMSCore

/// The messages a callback batch refers to, found with two `= ANY(…)` queries and then locked
/// together in id order, kept current while the batch is applied (mirror of the SQLite store's
/// `MessageLookup`). Matching: by our `meta` first, else by the provider's own (normalised)
/// message id; for one provider id stored on several messages the newest message wins.
struct PGMessageLookup: Sendable {
    private var idByMeta: [String: Int64] = [:]
    private var idByProviderKey: [String: Int64] = [:]
    private var byId: [Int64: PGMessageRow] = [:]

    static func load(_ tx: PGTx, items: [CallbackItem]) async throws -> PGMessageLookup {
        var lookup = PGMessageLookup()
        let metas = Array(Set(items.map(\.meta)))
        if !metas.isEmpty {
            for r in try await tx.rows("SELECT id, meta FROM messages WHERE meta = ANY(\(metas)::text[])") {
                lookup.idByMeta[try r.get("meta")] = try r.get("id")
            }
        }
        let keys = Array(Set(items.compactMap { lookup.idByMeta[$0.meta] == nil ? $0.providerMessageId : nil }))
        if !keys.isEmpty {
            for r in try await tx.rows(
                "SELECT id, provider_message_id FROM messages WHERE provider_message_id = ANY(\(keys)::text[])")
            {
                let id: Int64 = try r.get("id")
                let key: String = try r.get("provider_message_id")
                if let known = lookup.idByProviderKey[key], known > id { continue }
                lookup.idByProviderKey[key] = id
            }
        }
        lookup.byId = try await PGMessageRow.lock(
            tx, ids: Array(lookup.idByMeta.values) + Array(lookup.idByProviderKey.values))
        return lookup
    }

    func row(for item: CallbackItem) -> PGMessageRow? {
        if let id = idByMeta[item.meta] { return byId[id] }
        if let key = item.providerMessageId, let id = idByProviderKey[key] { return byId[id] }
        return nil
    }

    /// Records a message's new state so later items of the batch see it.
    mutating func update(_ row: PGMessageRow) {
        byId[row.id] = row
    }
}
