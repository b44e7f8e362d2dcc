import Foundation
import GRDB
import SMSCore

extension SQLiteStore {
    public func ingestionError(id: Int64) async throws -> IngestionError? {
        try await db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM ingestion_errors WHERE id = ?", arguments: [id]).map(Self.ingestionError(from:))
        }
    }

    public func replayIngestionError(id: Int64, providerId: String, items: [CallbackItem], at: Int64) async throws
        -> CallbackIngestResult
    {
        let encoded = Self.encode(providerId: providerId, items: items)
        return try await db.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM ingestion_errors WHERE id = ?", arguments: [id]) else {
                throw ReplayError.notFound(id)
            }
            if let done: Int64 = row["replayed_at"] { throw ReplayError.alreadyReplayed(at: done) }
            let result = try applyEncoded(db, providerId: providerId, encoded: encoded, receivedAt: row["received_at"])
            try db.execute(sql: "UPDATE ingestion_errors SET replayed_at = ? WHERE id = ?", arguments: [at, id])
            return result
        }
    }

    /// A row of `ingestion_errors`; `raw` is a BLOB (a TEXT value left by an older version reads as its UTF-8 bytes).
    static func ingestionError(from row: Row) -> IngestionError {
        let raw: Data = row["raw"] ?? Data()
        return IngestionError(
            id: row["id"], source: row["source"], providerId: row["provider_id"], reason: row["reason"], raw: Array(raw),
            receivedAt: row["received_at"], replayedAt: row["replayed_at"],
            bodyKind: (row["body_kind"] as String?).flatMap(CallbackBodyKind.init(rawValue:)))
    }
}
