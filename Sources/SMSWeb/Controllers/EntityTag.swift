import Foundation
import Hummingbird
import SMSCore

/// A provider's `ETag` (its ``ProviderConfig/version`` as a strong entity tag, `"3"`; RFC 9110
/// §8.8.3) and the `If-Match` precondition of `PATCH /api/v1/providers/{id}` (RFC 9110 §13.1.1).
struct ProviderVersionTag: CustomStringConvertible {
    /// The versions `If-Match` names; `nil` = `*` (any current provider).
    var versions: Set<Int>?

    static func etag(_ provider: ProviderConfig) -> String { "\"\(provider.version ?? 0)\"" }

    /// Whether `provider` satisfies the precondition.
    func matches(_ provider: ProviderConfig) -> Bool { versions?.contains(provider.version ?? 0) ?? true }

    var description: String { versions.map { $0.sorted().map { "\"\($0)\"" }.joined(separator: ", ") } ?? "*" }

    /// Reads `If-Match`: `*` or a comma-separated list of entity tags (`"3"`, a weak `W/"3"` too).
    /// - Returns: `nil` when the header is absent.
    /// - Throws: 400 naming `If-Match` and its form for anything else.
    static func ifMatch(_ header: String?) throws -> ProviderVersionTag? {
        guard let header else { return nil }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        if trimmed == "*" { return ProviderVersionTag(versions: nil) }
        var versions: Set<Int> = []
        for part in trimmed.split(separator: ",") {
            var tag = part.trimmingCharacters(in: .whitespaces)
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            guard tag.count >= 3, tag.first == "\"", tag.last == "\"", let v = Int(tag.dropFirst().dropLast()), v >= 0 else {
                throw HTTPError(
                    .badRequest,
                    message: "invalid If-Match: must be * or the provider's ETag (a version in quotes, e.g. \"3\"), got '\(InputEcho.text(header))'")
            }
            versions.insert(v)
        }
        guard !versions.isEmpty else { throw HTTPError(.badRequest, message: "invalid If-Match: it is empty") }
        return ProviderVersionTag(versions: versions)
    }
}
