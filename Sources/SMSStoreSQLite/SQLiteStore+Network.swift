import Foundation
import GRDB
import SMSCore

extension SQLiteStore {
    /// ``NetworkCode/merged(_:_:)`` as one statement: the message keeps the smaller of its code
    /// and the item's (text compared byte by byte, SQLite's `BINARY` collation), so no read of the
    /// row is needed and any order of items leaves the same code.
    static let recordNetworkSQL = "UPDATE messages SET network = ? WHERE id = ? AND (network IS NULL OR network > ?)"

    /// Stores the network of a newly logged callback item on its message when the item reports a
    /// valid one (``NetworkCode/valid(_:)``); an absent or bad value changes nothing (the item as
    /// received, raw value included, is in the event log's `payload`).
    static func recordNetwork(_ db: Database, messageId: Int64, item: CallbackItem) throws {
        guard let code = NetworkCode.valid(item.network) else { return }
        try db.cachedStatement(sql: recordNetworkSQL).execute(arguments: [code, messageId, code])
    }
}
