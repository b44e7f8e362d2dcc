import Foundation
import SMSCore

/// The `payload` column of `message_events` and `pending_callbacks`: a ``CallbackItem`` as JSON
/// with the keys of its synthesized `Codable` conformance (so `JSONDecoder` reads it back), absent
/// optionals left out. Written by hand because it runs once per callback item on the hot path
/// (`JSONEncoder` costs several times more; see BENCHMARKS.md "callbacks").
enum CallbackItemJSON {
    static func encode(_ item: CallbackItem) -> String {
        var out = "{\"kind\":\"" + item.kind.rawValue + "\",\"meta\":"
        string(item.meta, into: &out)
        if let ts = item.ts { out += ",\"ts\":" + String(ts) }
        field("code", item.code, into: &out)
        field("description", item.description, into: &out)
        field("url", item.url, into: &out)
        field("shortURL", item.shortURL, into: &out)
        field("incomingText", item.incomingText, into: &out)
        field("toPhone", item.toPhone, into: &out)
        field("providerStatus", item.providerStatus, into: &out)
        field("providerMessageId", item.providerMessageId, into: &out)
        if let part = item.part { out += ",\"part\":" + String(part) }
        field("network", item.network, into: &out)
        return out + "}"
    }

    static func decode(_ text: String) throws -> CallbackItem {
        try JSONDecoder().decode(CallbackItem.self, from: Data(text.utf8))
    }

    private static func field(_ name: String, _ value: String?, into out: inout String) {
        guard let value else { return }
        out += ",\"" + name + "\":"
        string(value, into: &out)
    }

    /// A JSON string literal: `"` and `\` escaped, control characters as `\u00XX`, the rest as is.
    private static func string(_ s: String, into out: inout String) {
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            out += "\"" + s + "\""
            return
        }
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
