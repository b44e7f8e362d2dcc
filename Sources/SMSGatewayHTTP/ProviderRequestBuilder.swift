import Foundation
import SMSCore

/// One HTTP request to a provider, as built from its ``ProviderConfig`` (pure data, no I/O).
public struct ProviderRequest: Sendable, Equatable {
    /// `GET` or `POST`.
    public var method: String
    /// The full URL; for GET it carries the rendered template as its query.
    public var url: String
    /// The provider's configured headers, plus `Content-Type` for a POST body unless configured.
    public var headers: [String: String]
    /// The body (POST), `nil` for GET.
    public var body: String?

    public init(method: String, url: String, headers: [String: String], body: String?) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// Why a provider's requests cannot be built: the provider is misconfigured.
public enum ProviderRequestError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `method` is neither GET nor POST.
    case unsupportedMethod(String)
    /// `bodyType` is neither `json` nor `form` (POST).
    case unsupportedBodyType(String)
    /// The template cannot be rendered.
    case template(ProviderTemplateError)

    public var description: String {
        switch self {
        case .unsupportedMethod(let m): "unsupported HTTP method \"\(m)\" (use GET or POST)"
        case .unsupportedBodyType(let t): "unsupported body type \"\(t)\" (use json or form)"
        case .template(let e): e.description
        }
    }
}

/// Builds provider requests from a ``ProviderConfig`` (`docs/DOMAIN.md` §2 "Sending through a generic
/// HTTP provider").
///
/// Values per message: the campaign's `customValues`, then the standard placeholders, which win
/// over a custom value of the same name: `To` (E.164), `ToDigits` (`To` without its `+`, for gateways
/// that want digits only: Gupshup's `send_to`, Vonage, Plivo, Infobip), `Body` (final text), `MessageID` (the
/// message's `meta`), `CampaignID`, `DlrUrl` (the message's delivery-report URL,
/// ``DeliveryReportURL``, when the public base URL is known), and the encoding placeholders
/// (``EncodingPlaceholders``: `Encoding`, `Unicode`, `Segments`, `Coding`, `BodyUCS2Hex`).
///
/// Shapes:
/// - `GET`: one request per message. The template is rendered with `urlQuery` escaping and appended
///   to the URL after `?` (or `&` when the URL already has a query); a leading `?`/`&` of the
///   template is dropped. No body, no Content-Type.
/// - `POST` + `form`: one request per message, the template rendered with `formField` escaping;
///   `Content-Type: application/x-www-form-urlencoded` unless configured.
/// - `POST` + `json`: one request per message, the template rendered with `jsonString` escaping;
///   `Content-Type: application/json` unless configured.
/// - `POST` + `json` + `batch`: messages in order, chunked by `batch.size` (clamped to 1…1000); each
///   chunk is one request rendered by ``ProviderTemplate/renderBatch(jsonTemplate:batchKey:records:sharedValues:)``;
///   placeholders outside the record template get `customValues` and the first message's
///   `CampaignID`. Batching applies to JSON POST only; with GET or form it is ignored (one request
///   per message).
/// - Auth `basic` / `bearer` (``ProviderAuth``) sets `Authorization`, replacing a configured header of
///   that name; `oauth2` tokens are added by ``HTTPProviderGateway`` at send time.
/// - The endpoint URL may hold placeholders too, in its path and its query, for GET and POST alike
///   (`/v1/accounts/$$AccountSid/messages`, `sendsms?to=$$To&text=$$Body`): they are rendered by
///   ``ProviderTemplate/renderURL(_:values:)`` (path-segment escaping before the `?`, query escaping
///   after it) from the same values (batch: the shared values), and a GET template may then be
///   empty. Headers are sent as configured.
public enum ProviderRequestBuilder {
    /// Largest batch a provider request may carry (`docs/DOMAIN.md` §2: 1…1000).
    public static let maxBatchSize = 1000

    /// The requests for `messages`, in message order.
    /// - Parameters:
    ///   - messages: the messages to send.
    ///   - provider: the provider's configuration.
    ///   - customValues: the campaign's custom `$$Name` values.
    ///   - publicBaseURL: where the provider reaches this server, for `$$DlrUrl` (`nil`: a template
    ///     using `$$DlrUrl` fails with "unknown placeholder").
    /// - Returns: each request with the `messageId`s it carries, in the order of their records;
    ///   concatenated, the ids are those of `messages` in order.
    /// - Throws: ``ProviderRequestError``.
    public static func requests(
        for messages: [OutboundMessage],
        provider: ProviderConfig,
        customValues: [String: String],
        publicBaseURL: String? = nil
    ) throws -> [(request: ProviderRequest, messageIds: [Int64])] {
        // The provider's credential values (`secrets`) fill their `$$Name` like a campaign's value would.
        let customValues = customValues.merging(provider.secrets ?? [:]) { _, secret in secret }
        let dlr = publicBaseURL.map { base in { (meta: String) in DeliveryReportURL.make(publicBaseURL: base, provider: provider, meta: meta, mac: HMACSHA256.mac) } }
        let method = provider.method.trimmingCharacters(in: .whitespaces).uppercased()
        let bodyType = provider.bodyType.trimmingCharacters(in: .whitespaces).lowercased()
        var provider = provider
        if let authorization = provider.auth?.staticAuthorization {
            provider.headers = provider.headers.filter { $0.key.caseInsensitiveCompare("Authorization") != .orderedSame }
            provider.headers["Authorization"] = authorization
        }
        switch method {
        case "GET":
            return try messages.map { message in
                let values = Self.values(for: message, customValues: customValues, dlrUrl: dlr, coding: provider.coding)
                let url = try renderURL(provider.url, values: values)
                var query = try render(provider.bodyTemplate, values: values, context: .urlQuery)
                if query.hasPrefix("?") || query.hasPrefix("&") { query.removeFirst() }
                let request = ProviderRequest(
                    method: "GET",
                    url: appendQuery(query, to: url),
                    headers: provider.headers,
                    body: nil
                )
                return (request, [message.messageId])
            }
        case "POST":
            let context: TemplateContext
            let contentType: String
            switch bodyType {
            case "json": (context, contentType) = (.jsonString, "application/json")
            case "form": (context, contentType) = (.formField, "application/x-www-form-urlencoded")
            default: throw ProviderRequestError.unsupportedBodyType(provider.bodyType)
            }
            var headers = provider.headers
            if !headers.keys.contains(where: { $0.caseInsensitiveCompare("Content-Type") == .orderedSame }) {
                headers["Content-Type"] = contentType
            }
            if bodyType == "json", let batch = provider.batch {
                let size = min(max(batch.size, 1), maxBatchSize)
                return try stride(from: 0, to: messages.count, by: size).map { start in
                    let chunk = Array(messages[start..<min(start + size, messages.count)])
                    var shared = customValues
                    shared["CampaignID"] = chunk[0].campaignId
                    let records = chunk.map { Self.values(for: $0, customValues: customValues, dlrUrl: dlr, coding: provider.coding) }
                    let body: String
                    do throws(ProviderTemplateError) {
                        body = try ProviderTemplate.renderBatch(
                            jsonTemplate: provider.bodyTemplate,
                            batchKey: batch.key,
                            records: records,
                            sharedValues: shared
                        )
                    } catch {
                        throw ProviderRequestError.template(error)
                    }
                    let url = try renderURL(provider.url, values: shared)
                    let request = ProviderRequest(method: "POST", url: url, headers: headers, body: body)
                    return (request, chunk.map(\.messageId))
                }
            }
            return try messages.map { message in
                let values = Self.values(for: message, customValues: customValues, dlrUrl: dlr, coding: provider.coding)
                let url = try renderURL(provider.url, values: values)
                let body = try render(provider.bodyTemplate, values: values, context: context)
                let request = ProviderRequest(method: "POST", url: url, headers: headers, body: body)
                return (request, [message.messageId])
            }
        default:
            throw ProviderRequestError.unsupportedMethod(provider.method)
        }
    }

    /// The placeholder values of one message: `customValues` (the campaign's `$$Name` values and
    /// `TemplateID`) overlaid with `To`, `Body`, `MessageID` (= `meta`), `CampaignID` and
    /// `TemplateVariables` (the message's personalisation fields as a JSON object text, `{}` when none),
    /// `DlrUrl` = `dlrUrl(meta)` when given, and the encoding placeholders of the body
    /// (``EncodingPlaceholders/values(body:coding:)``: `Encoding`, `Unicode`, `Segments`,
    /// `BodyUCS2Hex`, and `Coding` from the provider's `coding` mapping).
    public static func values(
        for message: OutboundMessage, customValues: [String: String], dlrUrl: ((String) -> String)? = nil,
        coding: [String: String]? = nil
    ) -> [String: String] {
        var values = customValues
        let encoding = EncodingPlaceholders.values(body: message.body, coding: coding)
        for name in EncodingPlaceholders.names { values[name] = encoding[name] }
        if let dlrUrl { values["DlrUrl"] = dlrUrl(message.meta) } else { values["DlrUrl"] = nil }
        values["TemplateVariables"] = message.templateVariables ?? "{}"
        values["To"] = message.to
        values["ToDigits"] = message.to.hasPrefix("+") ? String(message.to.dropFirst()) : message.to
        values["Body"] = message.body
        values["MessageID"] = message.meta
        values["CampaignID"] = message.campaignId
        return values
    }

    static func render(
        _ template: String,
        values: [String: String],
        context: TemplateContext
    ) throws
        -> String
    {
        do throws(ProviderTemplateError) {
            return try ProviderTemplate.render(template, values: values, context: context)
        } catch {
            throw ProviderRequestError.template(error)
        }
    }

    static func renderURL(_ url: String, values: [String: String]) throws -> String {
        do throws(ProviderTemplateError) {
            return try ProviderTemplate.renderURL(url, values: values)
        } catch {
            throw ProviderRequestError.template(error)
        }
    }

    static func appendQuery(_ query: String, to url: String) -> String {
        guard !query.isEmpty else { return url }
        if url.hasSuffix("?") || url.hasSuffix("&") { return url + query }
        return url + (url.contains("?") ? "&" : "?") + query
    }
}
