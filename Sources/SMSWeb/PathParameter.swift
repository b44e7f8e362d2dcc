import Hummingbird
import SMSCore

/// The one reader of path parameters (`/api/v1/campaigns/{id}`, `/profiles/{userId}`,
/// `/callbacks/{providerId}`, the dashboard's pages): the router hands them over as sent, so each
/// is percent-decoded here (RFC 3986 §2.1: `/campaigns/%63amp` is the campaign `camp`, `a%20b` the
/// id `a b`), the same way for every entity.
enum PathParameter {
    /// The parameter `name`, percent-decoded.
    /// - Throws: 400 naming `name` for a malformed escape (`%zz`, a `%` without two hex digits),
    ///   bytes that decode to no UTF-8 text, or a control character, decoded or not (`%00`; no
    ///   stored id holds one).
    static func text(_ context: AppRequestContext, _ name: String) throws -> String {
        let raw = try context.parameters.require(name)
        guard let text = raw.removingPercentEncoding else {
            throw HTTPError(
                .badRequest,
                message: "\(name): '\(InputEcho.text(raw))' is not valid percent-encoding (each % must start %XX with two hex digits, and the bytes must be UTF-8)")
        }
        if let p = TextInput.problem(text, field: name, kind: .identifier) { throw HTTPError(.badRequest, message: p) }
        return text
    }

    /// A numeric id (segments, ingestion errors), percent-decoded, by the one numeric-text rule
    /// (``DecimalText/integer(_:allowingNegative:)``: ASCII digits only), 1 to `Int64.max`.
    /// - Parameter entity: the entity's name for the message (`segment`, `ingestion error`).
    /// - Throws: 400 `the segment id must be an integer from 1 to 9223372036854775807, ASCII digits
    ///   only (got '+5')` (a 20-digit id too; the value echoed by ``InputEcho``); those of ``text(_:_:)``.
    static func id(_ context: AppRequestContext, _ name: String = "id", entity: String) throws -> Int64 {
        let text = try Self.text(context, name)
        guard let id = DecimalText.integer(text, allowingNegative: false), id >= 1 else {
            throw HTTPError(
                .badRequest,
                message: "the \(entity) id must be an integer from 1 to \(Int64.max), ASCII digits only (got '\(InputEcho.text(text))')")
        }
        return id
    }
}
