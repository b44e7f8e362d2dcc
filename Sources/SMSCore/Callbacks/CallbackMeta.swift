import Foundation

/// What a callback's `meta` or a provider's message id may hold before it is matched
/// (`docs/DOMAIN.md` §1 "Text from outside" and §3 "Decisions"): the one check every dialect
/// applies to its id fields (generic `meta`; Twilio `MessageSid`/`SmsSid`; Vonage `messageId`,
/// `client-ref`; Sinch `batch_id`, `client_reference`; Gupshup `externalId`; Plivo `MessageUUID`;
/// Jasmin `id`; Kannel `meta`, `fid`), on the value as received (before white space is trimmed).
///
/// A meta is the `$$MessageID` token SMSStats generated and put in the send (``CampaignPlanner``:
/// `"m"` + base62 letters and digits), a provider id is what the provider answered the send with;
/// either is handed back unchanged. **Decision:** allowed are 1 to ``maxLength`` (256) Unicode
/// scalars, none of them a control character (U+0000…U+001F, U+007F) or U+FFFD (what bytes that
/// were not UTF-8 decode to in a form or query field). Anything else could never match a message
/// (and a NUL could not even be stored whole: PostgreSQL `text` cannot hold U+0000), so the item is
/// refused as invalid with this reason (kept as an ingestion error, its raw bytes with it), never
/// kept pending.
///
/// The same rule, without the length limit, holds for a callback's other text fields
/// (**Decision**, ``Field``): a failure `code` and `description` and a clicked `url` (generic; the
/// dialects' `ErrorCode`, `ErrorMessage`, `err-code`, `errCode`/`errorCode`, `cause`, `code`,
/// `err`) hold no control character and no U+FFFD; a reply's `incomingText` may hold line feed,
/// carriage return and tab (U+000A, U+000D, U+0009: a reply may have several lines) but no other
/// control character and no U+FFFD. Such a value is never kept altered (a NUL is not turned into
/// U+FFFD): the item is invalid, naming the field.
public enum CallbackMeta {
    /// Which rule a field follows (see the type's documentation).
    public enum Field: Sendable, Equatable {
        /// A `meta` or provider message id: 1 to ``maxLength`` characters, no control character, no U+FFFD.
        case id
        /// A code, description or URL: no control character, no U+FFFD; any length.
        case text
        /// A reply's text: line feed, carriage return and tab allowed; no other control character, no U+FFFD.
        case messageText
    }

    /// Longest meta or provider message id accepted, in Unicode scalars.
    public static let maxLength = 256

    /// The allowed range, worded for `field`.
    public static func allowed(field: String, rule: Field = .id) -> String {
        switch rule {
        case .id:
            "\(field) must be 1 to \(maxLength) characters, none of them a control character (U+0000–U+001F, U+007F)"
                + " or U+FFFD (bytes that were not UTF-8): it is an id handed back unchanged, so it could never match a message"
        case .text:
            "\(field) may hold no control character (U+0000–U+001F, U+007F) and no U+FFFD (bytes that were not UTF-8)"
        case .messageText:
            "\(field) may hold line feed, carriage return and tab but no other control character (U+0000–U+001F, U+007F)"
                + " and no U+FFFD (bytes that were not UTF-8)"
        }
    }

    /// Why `meta` cannot be matched, naming the field, what is wrong (the character and its
    /// position, 0-based in Unicode scalars, or the length) and the allowed range; `nil` when it is
    /// acceptable. Emptiness is the caller's "missing required field".
    /// - Parameter rule: which rule `field` follows (``Field``; a `meta` or id by default).
    public static func problem(_ meta: String, field: String = "meta", rule: Field = .id) -> String? {
        var count = 0
        for scalar in meta.unicodeScalars {
            if TextInput.isControl(scalar), !(rule == .messageText && ["\n", "\r", "\t"].contains(scalar)) {
                return "\(field) contains the control character \(TextInput.name(scalar)) at position \(count); "
                    + allowed(field: field, rule: rule)
            }
            if scalar == "\u{FFFD}" {
                return "\(field) contains U+FFFD at position \(count); " + allowed(field: field, rule: rule)
            }
            count += 1
        }
        if rule == .id, count > maxLength { return "\(field) is \(count) characters long; " + allowed(field: field) }
        return nil
    }
}
