import Foundation

/// A message to record at publish time, with its rendered body and short links.
public struct NewMessage: Sendable, Equatable {
    public var campaignId: String
    public var userId: String
    public var phone: String?
    public var meta: String
    public var body: String
    public var segments: Int
    public var variant: Int
    /// `.queued`, `.control`, or `.dispatchError` (ineligible recipient) with `dispatchErrorReason`.
    public var dispatch: DispatchStatus
    public var dispatchErrorReason: String?
    /// Epoch seconds the message was planned (publish time).
    public var createdAt: Int64
    public var links: [NewShortLink]
    /// The `$$TemplateVariables` value (a JSON object of the personalisation fields), if any.
    public var templateVariables: String?

    public init(
        campaignId: String, userId: String, phone: String?, meta: String, body: String, segments: Int,
        variant: Int = 0, dispatch: DispatchStatus, dispatchErrorReason: String? = nil, createdAt: Int64,
        links: [NewShortLink], templateVariables: String? = nil
    ) {
        self.templateVariables = templateVariables
        self.campaignId = campaignId
        self.userId = userId
        self.phone = phone
        self.meta = meta
        self.body = body
        self.segments = segments
        self.variant = variant
        self.dispatch = dispatch
        self.dispatchErrorReason = dispatchErrorReason
        self.createdAt = createdAt
        self.links = links
    }
}

/// One short link of a message: `code` → `url` (the campaign's link number `linkIndex`).
public struct NewShortLink: Sendable, Equatable {
    public var code: String
    public var linkIndex: Int
    public var url: String
    /// Epoch seconds after which the link answers 404.
    public var expiresAt: Int64
    public init(code: String, linkIndex: Int, url: String, expiresAt: Int64) {
        self.code = code
        self.linkIndex = linkIndex
        self.url = url
        self.expiresAt = expiresAt
    }
}

/// What a callback batch did.
public struct CallbackIngestResult: Sendable, Equatable {
    /// Items appended to the event log and merged into their message.
    public var applied: Int
    /// Exact duplicates (same dedup key) that changed nothing.
    public var duplicates: Int
    /// Items whose meta matched no message yet: kept aside, matched later.
    public var pending: Int
    public init(applied: Int = 0, duplicates: Int = 0, pending: Int = 0) {
        self.applied = applied
        self.duplicates = duplicates
        self.pending = pending
    }
}

/// Invalid input to keep (an ingestion error).
public struct IngestionErrorInput: Sendable, Equatable {
    /// Where it came from: `"callback"`, `"events"`, `"profiles"`.
    public var source: String
    public var providerId: String?
    public var reason: String
    /// The raw item or body, byte for byte as received (any bytes: NUL, UTF-16, invalid UTF-8).
    public var raw: [UInt8]
    public var receivedAt: Int64
    /// How a callback's bytes were read (``CallbackBodyKind``); `nil` for other sources.
    public var bodyKind: CallbackBodyKind?
    public init(
        source: String, providerId: String?, reason: String, raw: [UInt8], receivedAt: Int64, bodyKind: CallbackBodyKind? = nil
    ) {
        self.source = source
        self.providerId = providerId
        self.reason = reason
        self.raw = raw
        self.receivedAt = receivedAt
        self.bodyKind = bodyKind
    }
    /// `raw` given as text (kept as its UTF-8 bytes).
    public init(source: String, providerId: String?, reason: String, raw: String, receivedAt: Int64) {
        self.init(source: source, providerId: providerId, reason: reason, raw: Array(raw.utf8), receivedAt: receivedAt)
    }
}

/// A stored ingestion error. Its JSON (the API) shows the bytes as ``RawBytes`` describes:
/// `raw` (the text when `rawUTF8`, exact; else the escape form ``RawBytes/escaped(_:)``),
/// `rawUTF8`, `rawBase64` (the bytes exactly, always).
public struct IngestionError: Sendable, Equatable, Codable {
    public var id: Int64
    public var source: String
    public var providerId: String?
    public var reason: String
    /// The raw item or body, byte for byte as received.
    public var raw: [UInt8]
    public var receivedAt: Int64
    public var replayedAt: Int64?
    /// How a callback's bytes were read when they arrived (``CallbackBodyKind``); `nil` for other
    /// sources and for rows stored before it was kept. Not shown in the API.
    public var bodyKind: CallbackBodyKind?

    /// `raw` as text when it is valid UTF-8 (NUL included), else `nil`.
    public var rawText: String? { RawBytes.text(raw) }

    public init(
        id: Int64, source: String, providerId: String?, reason: String, raw: [UInt8], receivedAt: Int64, replayedAt: Int64?,
        bodyKind: CallbackBodyKind? = nil
    ) {
        self.bodyKind = bodyKind
        self.id = id
        self.source = source
        self.providerId = providerId
        self.reason = reason
        self.raw = raw
        self.receivedAt = receivedAt
        self.replayedAt = replayedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, source, providerId, reason, raw, rawUTF8, rawBase64, receivedAt, replayedAt
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(source, forKey: .source)
        try c.encodeIfPresent(providerId, forKey: .providerId)
        try c.encode(reason, forKey: .reason)
        let text = rawText
        try c.encode(text ?? RawBytes.escaped(raw), forKey: .raw)
        try c.encode(text != nil, forKey: .rawUTF8)
        try c.encode(Data(raw).base64EncodedString(), forKey: .rawBase64)
        try c.encode(receivedAt, forKey: .receivedAt)
        try c.encodeIfPresent(replayedAt, forKey: .replayedAt)
    }

    /// Reads `rawBase64` (exact) when present, else `raw` as UTF-8 text.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let base64 = try c.decodeIfPresent(String.self, forKey: .rawBase64)
        let bytes: [UInt8]
        if let base64 {
            guard let data = Data(base64Encoded: base64) else {
                throw DecodingError.dataCorruptedError(forKey: .rawBase64, in: c, debugDescription: "rawBase64 is not base64")
            }
            bytes = Array(data)
        } else {
            bytes = Array(try c.decode(String.self, forKey: .raw).utf8)
        }
        self.init(
            id: try c.decode(Int64.self, forKey: .id), source: try c.decode(String.self, forKey: .source),
            providerId: try c.decodeIfPresent(String.self, forKey: .providerId), reason: try c.decode(String.self, forKey: .reason),
            raw: bytes, receivedAt: try c.decode(Int64.self, forKey: .receivedAt),
            replayedAt: try c.decodeIfPresent(Int64.self, forKey: .replayedAt))
    }
}

/// A hit on a short link.
public struct ClickInput: Sendable, Equatable {
    public var code: String
    public var at: Int64
    public var userAgent: String?
    /// SHA-256 of the client IP with a server salt, hex; raw IPs are never stored.
    public var ipHash: String?
    /// A bot or link-preview hit (HEAD, crawler / preview user agent): stored, not a click.
    public var isBot: Bool
    public var botReason: String?
    /// The hit's id (16 random hex digits, given by the redirect and written to the click
    /// journal), stored with the click row; `nil` when the caller gives none.
    public var clickId: String?
    public init(
        code: String, at: Int64, userAgent: String?, ipHash: String?, isBot: Bool, botReason: String?, clickId: String? = nil
    ) {
        self.clickId = clickId
        self.code = code
        self.at = at
        self.userAgent = userAgent
        self.ipHash = ipHash
        self.isBot = isBot
        self.botReason = botReason
    }
}

/// Where a short link points.
public struct ShortLinkTarget: Sendable, Equatable {
    public var url: String
    public var expired: Bool
    public init(url: String, expired: Bool) {
        self.url = url
        self.expired = expired
    }
}

/// A conversion event as received on `POST /api/v1/events`. `ts` in epoch seconds.
public struct ConversionEventInput: Sendable, Equatable, Codable {
    public var eventId: String
    public var userId: String
    public var name: String
    public var ts: Int64
    public var properties: [String: JSONValue]
    public init(eventId: String, userId: String, name: String, ts: Int64, properties: [String: JSONValue]) {
        self.eventId = eventId
        self.userId = userId
        self.name = name
        self.ts = ts
        self.properties = properties
    }
}

/// What an events batch did.
public struct ConversionIngestResult: Sendable, Equatable {
    public var stored: Int
    public var duplicates: Int
    public init(stored: Int = 0, duplicates: Int = 0) {
        self.stored = stored
        self.duplicates = duplicates
    }
}
