import Foundation

/// The kind of a provider callback event, as named by the generic callback contract
/// (`docs/DOMAIN.md` §3). `submitted` is the intermediate state of provider dialects (Twilio `sent`,
/// SMPP `ENROUTE`, Kannel `%d` 4/8); the generic contract itself has no "sent" event.
public enum CallbackEventKind: String, Sendable, Codable, CaseIterable, Hashable {
    case submitted
    case delivered
    case failed
    case clicked
    case replied
}

/// One normalised callback item, whatever the dialect it came in.
///
/// Shapes and units:
/// - `meta`: the `$$MessageID` token we sent, handed back unchanged by the provider (or, for
///   dialects that only know their own id, the provider message id: see `providerMessageId`).
/// - `ts`: event time in **epoch seconds** (milliseconds above 1e12 are converted by the parser);
///   `nil` when the dialect carries no timestamp (Twilio).
/// - `code`: the delivery error code as a string (`"914"`, `"30003"`, SMPP `err`), only for `failed`.
public struct CallbackItem: Sendable, Equatable, Hashable, Codable {
    public var kind: CallbackEventKind
    public var meta: String
    public var ts: Int64?
    public var code: String?
    public var description: String?
    public var url: String?
    public var shortURL: String?
    public var incomingText: String?
    public var toPhone: String?
    /// The provider's own status word (e.g. Twilio `undelivered`), kept as given.
    public var providerStatus: String?
    /// The provider's own message id when the callback identifies the message that way.
    public var providerMessageId: String?
    /// Part or sequence number for multi-part messages or sequenced dialects (Plivo `Sequence`).
    public var part: Int?
    /// The carrier / network the provider reports (Vonage `network-code`, generic `network`), as
    /// received: only a valid MCC-MNC (``NetworkCode/valid(_:)``) is stored on the message.
    public var network: String?

    public init(
        kind: CallbackEventKind, meta: String, ts: Int64? = nil, code: String? = nil,
        description: String? = nil, url: String? = nil, shortURL: String? = nil,
        incomingText: String? = nil, toPhone: String? = nil, providerStatus: String? = nil,
        providerMessageId: String? = nil, part: Int? = nil, network: String? = nil
    ) {
        self.kind = kind
        self.meta = meta
        self.ts = ts
        self.code = code
        self.description = description
        self.url = url
        self.shortURL = shortURL
        self.incomingText = incomingText
        self.toPhone = toPhone
        self.providerStatus = providerStatus
        self.providerMessageId = providerMessageId
        self.part = part
        self.network = network
    }
}

extension CallbackItem {
    /// The item as the stores keep it in their text columns: U+0000 in any text field becomes
    /// U+FFFD (``StoredText``), the same in every store (PostgreSQL `text` cannot hold U+0000, and SQLite's text
    /// binding would silently cut the text there). The dedup key is computed from the item as
    /// received, before this. A `meta` with a NUL never gets this far in the generic contract and
    /// Kannel: it is refused (``CallbackMeta``); the full input is kept as an ingestion error.
    public var withoutNUL: CallbackItem {
        let clean = StoredText.withoutNUL
        var i = self
        i.meta = clean(meta)
        i.code = code.map(clean)
        i.description = description.map(clean)
        i.url = url.map(clean)
        i.shortURL = shortURL.map(clean)
        i.incomingText = incomingText.map(clean)
        i.toPhone = toPhone.map(clean)
        i.providerStatus = providerStatus.map(clean)
        i.providerMessageId = providerMessageId.map(clean)
        i.network = network.map(clean)
        return i
    }
}
