import Foundation
import PostgresNIO
import SMSCore

extension PostgresStore {
    /// Stores the network of a newly logged callback item on its message when the item reports a
    /// valid one (``NetworkCode/valid(_:)``): ``NetworkCode/merged(_:_:)`` as one statement, the
    /// message keeping the smaller code (`network` is `COLLATE "C"`: byte order, as in Swift and
    /// SQLite), so any order of items leaves the same code. An absent or bad value changes nothing
    /// (the item as received, raw value included, is in the event log's `payload`).
    static func recordNetwork(_ tx: PGTx, messageId: Int64, item: CallbackItem) async throws {
        guard let code = NetworkCode.valid(item.network) else { return }
        try await tx.exec("UPDATE messages SET network = \(code) WHERE id = \(messageId) AND (network IS NULL OR network > \(code))")
    }
}
