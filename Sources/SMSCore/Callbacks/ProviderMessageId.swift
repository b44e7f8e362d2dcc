import Foundation

/// The form in which a provider's own message id is stored (`messages.provider_message_id`, read
/// from the send answer at `ProviderConfig.messageIdPath`) and matched against callbacks of
/// dialects that report only that id (Twilio `MessageSid`, Plivo `MessageUUID`, Vonage
/// `messageId`, Sinch `batch_id`, Gupshup `externalId`, Jasmin `id`, Kannel `%F`).
///
/// Both sides go through the same function, so a send answer and a receipt that write the same id
/// differently still meet (`docs/DOMAIN.md` §3: "a receipt can arrive … with a changed case").
///
/// **Decision** (rules per kind; every kind first trims surrounding whitespace):
/// | kind | case | leading zeros | why |
/// |---|---|---|---|
/// | generic | kept | kept | unknown id alphabet: a case-sensitive id (base64) must not merge |
/// | twilio | lower | kept | `SM` + 32 hex digits: hex is case-insensitive, the prefix is fixed |
/// | plivo, jasmin | lower | kept | UUIDs (RFC 9562: case-insensitive on input) |
/// | sinch | lower | kept | Crockford base32 ids are case-insensitive |
/// | vonage, kannel | lower | stripped | SMPP-sourced hex/decimal ids: SMSCs drop or pad leading zeros between `submit_sm_resp` and the receipt |
/// | gupshup | lower | stripped | decimal ids, sent as a JSON number or a string |
/// An id of only zeros becomes `"0"`; an empty or blank id gives `nil` (no id).
public enum ProviderMessageId {
    /// The normalised id used for storage and matching, or `nil` when `id` is empty or blank.
    /// - Parameters:
    ///   - id: the id as the provider wrote it.
    ///   - kind: the provider's dialect.
    public static func normalize(_ id: String?, kind: ProviderKind) -> String? {
        guard let id else { return nil }
        let trimmed = id.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        switch kind {
        case .generic:
            return trimmed
        case .twilio, .plivo, .jasmin, .sinch:
            return trimmed.lowercased()
        case .vonage, .kannel, .gupshup:
            let lower = trimmed.lowercased()
            let stripped = lower.drop { $0 == "0" }
            return stripped.isEmpty ? "0" : String(stripped)
        }
    }

    /// Every stored form `id` may have under some dialect (``normalize(_:kind:)`` for each
    /// ``ProviderKind``), sorted, without repeats: a lookup that does not know the message's
    /// provider (`GET /api/v1/messages?providerMessageId=…`, issue 17) matches any of them.
    public static func storedForms(_ id: String) -> [String] {
        Set(ProviderKind.allCases.compactMap { normalize(id, kind: $0) }).sorted()
    }

    /// `item` with its `providerMessageId` normalised for `kind` (other fields unchanged).
    public static func normalize(_ item: CallbackItem, kind: ProviderKind) -> CallbackItem {
        var copy = item
        copy.providerMessageId = normalize(item.providerMessageId, kind: kind)
        return copy
    }
}
