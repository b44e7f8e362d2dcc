import Foundation

/// A provider (SMS gateway) as configured by the user (`docs/DOMAIN.md` §2).
///
/// - `method`: `"POST"` or `"GET"`.
/// - `bodyType`: `"json"` (the template is a JSON document) or `"form"` (the template is
///   `key=value&…` form fields). For GET, the template is appended as the URL query.
/// - `bodyTemplate`: text with `$$To`, `$$Body`, `$$MessageID`, … placeholders.
/// - `batch`: optional batching: the JSON array key and records per request (1…1000).
/// - `callbackSecret`: the per-provider secret our callback URL carries (`?secret=`).
/// - `messageIdPath`: optional dotted path into the provider's JSON answer holding its own message
///   id (for dialects that report only that id), e.g. `"messages.0.id"`.
/// - `messageIdPattern`, `messageIdHeader`: the id from an answer that is not JSON: a regular
///   expression with one capture group over the answer's text (``MessageIdPattern``; Jasmin:
///   `Success "([^"]+)"`), and/or the response header holding it (its whole value, or the pattern
///   searched in it). Neither goes with `messageIdPath`.
/// - `webhookSigningKey`: optional key the provider signs its callbacks with; Twilio: the account
///   auth token, and `X-Twilio-Signature` is then required and verified.
/// - `requireSignature`: when `true`, callbacks must carry `X-SMSStats-Signature` (HMAC-SHA256 of
///   the raw body with a timestamp); the URL secret alone is refused. `nil` means `false`.
public struct ProviderConfig: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var kind: ProviderKind
    public var method: String
    public var url: String
    public var bodyType: String
    public var bodyTemplate: String
    public var headers: [String: String]
    public var batch: BatchConfig?
    public var callbacksEnabled: Bool
    public var callbackSecret: String
    public var messageIdPath: String?
    /// A regular expression with exactly one capture group reading the provider's message id from
    /// a text answer (``MessageIdPattern``); `nil` = none.
    public var messageIdPattern: String?
    /// The response header holding the provider's message id (case-insensitive name); with
    /// ``messageIdPattern`` the pattern is searched in its value. `nil` = none.
    public var messageIdHeader: String?
    public var webhookSigningKey: String?
    public var requireSignature: Bool?
    /// Messages per second the dispatcher may send through this provider; `nil` = no limit.
    public var ratePerSecond: Double?
    public var createdAt: Int64
    /// How requests authenticate (`nil` = none). Secrets never leave through views or logs.
    public var auth: ProviderAuth?
    /// Most requests in flight at once to this provider (`nil` = ``defaultConcurrency``).
    public var maxConcurrency: Int?
    /// The callback secret before the last rotation, still accepted until
    /// ``previousSecretValidUntil`` (``acceptsCallbackSecret(_:now:)``); `nil` = none. Stored like
    /// ``callbackSecret`` (in the provider's row) and never shown back (``redacted``).
    public var previousCallbackSecret: String?
    /// Epoch **seconds** until which ``previousCallbackSecret`` is accepted (exclusive).
    public var previousSecretValidUntil: Int64?
    /// When `true` the dispatcher claims none of this provider's messages (they stay queued, the
    /// campaign stays `sending`); callbacks are still accepted. `nil` means `false`.
    public var disabled: Bool?
    /// The version of this configuration: 1 more with every change the store writes
    /// (``SMSStore/updateProvider(_:ifVersion:)``); `nil` = 0, never changed. The API shows it as
    /// the `ETag` of `GET /api/v1/providers/{id}` and a PATCH may send it back in `If-Match`.
    public var version: Int?
    /// The gateway's own value for each encoding, filled into `$$Coding`
    /// (``EncodingPlaceholders``): keys `GSM-7` and `UCS-2`, e.g. `{"GSM-7": "0", "UCS-2": "2"}`
    /// for Kannel's `coding`, `"8"` for the UCS-2 data coding of Jasmin and SMPP-style APIs;
    /// `nil` = none (a provider using `$$Coding` must have both keys).
    public var coding: [String: String]?
    /// `true` when the gateway chooses GSM-7 or UCS-2 from the text itself (Twilio, Plivo, Sinch,
    /// Infobip): a UCS-2 campaign text then draws no warning although the request carries no coding
    /// placeholder (``EncodingPlaceholders/manglesUCS2(_:)``). `nil` means `false`.
    public var detectsEncoding: Bool?
    /// Values of `$$Name` placeholders that are credentials, for gateways that take them in the
    /// url or the body (Kannel's and Jasmin's `password`, Vonage's `api_secret`): name (without
    /// `$$`) → value, escaped like any value where it lands. Stored, never shown back (``redacted``
    /// masks each value); `nil` = none.
    public var secrets: [String: String]?

    /// In-flight requests per provider when `maxConcurrency` is not set.
    public static let defaultConcurrency = 4
    /// The concurrency limit in force: `maxConcurrency` clamped to 1…64, default 4.
    public var concurrencyLimit: Int { InputLimits.maxConcurrency.clamped(maxConcurrency ?? Self.defaultConcurrency) }
    /// Messages one request carries: the batch size (JSON POST with batching, clamped to 1…1000), else 1.
    public var messagesPerRequest: Int {
        guard let batch, method.uppercased() == "POST", bodyType.lowercased() == "json" else { return 1 }
        return InputLimits.batchSize.clamped(batch.size)
    }

    public init(
        id: String, name: String, kind: ProviderKind = .generic, method: String = "POST", url: String,
        bodyType: String = "json", bodyTemplate: String, headers: [String: String] = [:],
        batch: BatchConfig? = nil, callbacksEnabled: Bool = true, callbackSecret: String,
        messageIdPath: String? = nil, ratePerSecond: Double? = nil, createdAt: Int64,
        webhookSigningKey: String? = nil, requireSignature: Bool? = nil, auth: ProviderAuth? = nil,
        maxConcurrency: Int? = nil
    ) {
        self.webhookSigningKey = webhookSigningKey
        self.requireSignature = requireSignature
        self.id = id
        self.name = name
        self.kind = kind
        self.method = method
        self.url = url
        self.bodyType = bodyType
        self.bodyTemplate = bodyTemplate
        self.headers = headers
        self.batch = batch
        self.callbacksEnabled = callbacksEnabled
        self.callbackSecret = callbackSecret
        self.messageIdPath = messageIdPath
        self.ratePerSecond = ratePerSecond
        self.createdAt = createdAt
        self.auth = auth
        self.maxConcurrency = maxConcurrency
    }
}

/// Batching of a JSON provider request: `key` names the array, `size` is records per request
/// (``InputLimits/batchSize``: 1…1000).
public struct BatchConfig: Sendable, Equatable, Codable {
    public var key: String
    public var size: Int
    public init(key: String, size: Int) {
        self.key = key
        self.size = size
    }

    enum CodingKeys: String, CodingKey { case key, size }

    /// - Throws: ``InputRangeError`` (`batch.size`) for a size outside ``InputLimits/batchSize``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        size = try c.decodeInt(.size, in: InputLimits.batchSize)
    }
}
