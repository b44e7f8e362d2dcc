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
public enum CallbackMeta {
    /// Longest meta or provider message id accepted, in Unicode scalars.
    public static let maxLength = 256

    /// The allowed range, worded for `field`.
    public static func allowed(field: String) -> String {
        "\(field) must be 1 to \(maxLength) characters, none of them a control character (U+0000–U+001F, U+007F)"
            + " or U+FFFD (bytes that were not UTF-8): it is an id handed back unchanged, so it could never match a message"
    }

    /// Why `meta` cannot be matched, naming the field, what is wrong (the character and its
    /// position, 0-based in Unicode scalars, or the length) and the allowed range; `nil` when it is
    /// acceptable. Emptiness is the caller's "missing required field".
    public static func problem(_ meta: String, field: String = "meta") -> String? {
        var count = 0
        for scalar in meta.unicodeScalars {
            if TextInput.isControl(scalar) {
                return "\(field) contains the control character \(TextInput.name(scalar)) at position \(count); " + allowed(field: field)
            }
            if scalar == "\u{FFFD}" {
                return "\(field) contains U+FFFD at position \(count); " + allowed(field: field)
            }
            count += 1
        }
        if count > maxLength { return "\(field) is \(count) characters long; " + allowed(field: field) }
        return nil
    }
}
