import Crypto
import Foundation
import Hummingbird
import SMSCore

/// The `ETag` of a resource a PATCH changes (a strong entity tag, RFC 9110 §8.8.3) and the
/// `If-Match` precondition of that PATCH (RFC 9110 §13.1.1): one mechanism for providers and
/// campaigns. A provider's tag is its ``ProviderConfig/version`` (`"3"`); a campaign's is a digest
/// of its stored definition (``campaign(_:)``), so any change to it gives another tag.
///
/// Tags are compared as opaque text (`"-0"` is not `"0"`); a weak `W/"3"` names the same tag as
/// `"3"`. A 412 quotes the header as the client sent it (``InputEcho``), never a normalised form.
struct EntityTag: CustomStringConvertible {
    /// The tags `If-Match` names (without `W/`); `nil` = `*` (any current representation).
    var tags: Set<String>?
    /// The header as received, for messages.
    var sent: String

    /// A provider's ETag: its version in quotes.
    static func provider(_ provider: ProviderConfig) -> String { "\"\(provider.version ?? 0)\"" }

    /// A campaign's ETag: the first 16 hex digits of the SHA-256 of its JSON encoding (keys
    /// sorted), in quotes, e.g. `"3f1c0a9e5b27d4e8"`. Every stored field counts (status, body,
    /// audience, schedule, …), so the tag changes with any change of the campaign.
    static func campaign(_ campaign: Campaign) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(campaign)) ?? Data(campaign.id.utf8)
        let hex = SHA256.hash(data: data).prefix(8).map { String(format: "%02x", $0) }.joined()
        return "\"\(hex)\""
    }

    /// Whether the current representation, whose ETag is `etag`, satisfies the precondition.
    func matches(_ etag: String) -> Bool { tags?.contains(etag) ?? true }

    /// What the client sent, as messages quote it (``InputEcho``).
    var description: String { InputEcho.text(sent) }

    /// Reads `If-Match`: `*` or a comma-separated list of entity tags (`"3"`, a weak `W/"3"` too;
    /// inside the quotes any visible ASCII but `"`).
    /// - Parameter form: what the tag looks like, for the 400 (`a version in quotes, e.g. "3"`).
    /// - Returns: `nil` when the header is absent.
    /// - Throws: 400 naming `If-Match`, its form and what was sent for anything else.
    static func ifMatch(_ header: String?, of what: String, form: String) throws -> EntityTag? {
        guard let header else { return nil }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        if trimmed == "*" { return EntityTag(tags: nil, sent: header) }
        var tags: Set<String> = []
        for part in trimmed.split(separator: ",") {
            var tag = part.trimmingCharacters(in: .whitespaces)
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            let inner = tag.utf8.dropFirst().dropLast()
            guard tag.utf8.count >= 3, tag.first == "\"", tag.last == "\"",
                inner.allSatisfy({ $0 == 0x21 || (0x23...0x7E).contains($0) })
            else {
                throw HTTPError(
                    .badRequest,
                    message: "invalid If-Match: must be * or the \(what)'s ETag (\(form)), got '\(InputEcho.text(header))'")
            }
            tags.insert(tag)
        }
        guard !tags.isEmpty else { throw HTTPError(.badRequest, message: "invalid If-Match: it is empty") }
        return EntityTag(tags: tags, sent: header)
    }
}
