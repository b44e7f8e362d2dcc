import Foundation
import SMSCore

/// JSON text columns: stable (sorted keys) encoding of Codable values (as in the SQLite store).
enum JSONCoding {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

extension CallbackItem {
    /// The item with U+0000 replaced in every text field (PostgreSQL `text` cannot store it);
    /// the dedup key is computed from the item as received.
    var pgSafe: CallbackItem {
        var i = self
        i.meta = meta.pgSafe
        i.code = code?.pgSafe
        i.description = description?.pgSafe
        i.url = url?.pgSafe
        i.shortURL = shortURL?.pgSafe
        i.incomingText = incomingText?.pgSafe
        i.toPhone = toPhone?.pgSafe
        i.providerStatus = providerStatus?.pgSafe
        i.providerMessageId = providerMessageId?.pgSafe
        return i
    }
}
