import Foundation

/// What a callback's `meta` may hold before it is matched (`docs/DOMAIN.md` §3 "Decisions").
///
/// A meta is the `$$MessageID` token SMSStats generated and put in the send (``CampaignPlanner``:
/// `"m"` + base62 letters and digits), handed back unchanged by the provider. A meta holding a
/// control character (U+0000…U+001F or U+007F) can therefore never match a message, and a NUL
/// could not even be stored whole (PostgreSQL `text` cannot hold U+0000; SQLite text binding
/// stops at it). **Decision:** such an item is refused as invalid with this reason (kept as an
/// ingestion error, its raw bytes with it), never kept pending.
public enum CallbackMeta {
    /// Why `meta` cannot be matched, naming the field, the character and its position (0-based,
    /// in Unicode scalars); `nil` when it holds no control character.
    public static func problem(_ meta: String, field: String = "meta") -> String? {
        guard let (offset, scalar) = TextInput.firstRefused(in: meta, kind: .identifier) else { return nil }
        return "\(field) contains the control character \(TextInput.name(scalar)) at position \(offset):"
            + " a meta is the token SMSStats sent (\"m\" and base62 letters and digits), so it can never match a message"
    }
}
