import Foundation

/// Says why a request body is not valid JSON, in the words the callback route uses.
///
/// A thin public door onto the strict reader behind the callback parsers
/// (``CallbackJSONValue/decode(_:)`` and its RFC 8259 reader), so other routes (`POST /api/v1/events`)
/// describe a broken body the same way the callback route does, with the 0-based byte offset.
public enum JSONSyntax {
    /// Why `body` is not one valid JSON value (RFC 8259), or `nil` when it is.
    /// - Parameter body: the raw request body.
    /// - Returns: e.g. `"unexpected end of input, expected a member name string at byte 2"` for `[{`,
    ///   `"the body is empty: expected a JSON value"` for an empty body (one byte order mark is
    ///   skipped, ``ByteOrderMark``), `"the body holds no JSON value, only 3 bytes of white space:
    ///   expected a JSON value"` for a blank one, `"the body is not valid UTF-8"`.
    public static func problem(in body: Data) -> String? {
        do {
            _ = try CallbackJSONValue.decode(body)
            return nil
        } catch {
            switch error {
            case .malformedJSON(let reason): return reason
            case .invalidUTF8: return "the body is not valid UTF-8"
            default: return error.description
            }
        }
    }
}
