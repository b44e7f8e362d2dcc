import Foundation
import HTTPTypes
import Hummingbird
import SMSCore

/// Which HTTP methods a provider's callback URL (`/callbacks/{providerId}`) takes, and what is
/// kept of a request with another one.
///
/// - JSON-only dialects (generic, Sinch, Gupshup) take POST only.
/// - The others take GET and POST: Kannel's `dlr-url` is a GET with query parameters, and Vonage,
///   Plivo, Jasmin and Twilio can be set to call back with GET.
///
/// A request with another method (a provider misconfigured to send GET to a generic URL, a PUT, …)
/// that passes the same authentication as a POST is kept as an ingestion error (source
/// `callback`, the provider id, ``reason(method:kind:)``, ``raw(method:path:query:body:)``) so
/// the operator sees that receipts are arriving the wrong way, and is answered 405 with an
/// `Allow` header (``allowHeader(_:)``). An unauthenticated one is a 401 and is not kept, as for
/// POST.
enum CallbackMethodPolicy {
    /// The methods the dialect takes.
    static func allowed(_ kind: ProviderKind) -> [HTTPRequest.Method] {
        jsonOnly(kind) ? [.post] : [.get, .post]
    }

    /// The `Allow` header of the 405: `POST`, or `GET, POST`.
    static func allowHeader(_ kind: ProviderKind) -> String {
        allowed(kind).map(\.rawValue).joined(separator: ", ")
    }

    /// Dialects whose callbacks are a JSON body, so never a GET.
    static func jsonOnly(_ kind: ProviderKind) -> Bool {
        [.generic, .sinch, .gupshup].contains(kind)
    }

    /// The 405 message and the ingestion error's reason, e.g.
    /// `GET callbacks are not accepted for this generic provider: POST is required (the callbacks are JSON bodies)`.
    static func reason(method: HTTPRequest.Method, kind: ProviderKind) -> String {
        let why = jsonOnly(kind) ? " (the callbacks are JSON bodies)" : " (or GET with the fields in the query)"
        return "\(method.rawValue) callbacks are not accepted for this \(kind.rawValue) provider: POST is required\(why)"
    }

    /// The body types the dialect reads: `application/json` (generic, Sinch, Gupshup),
    /// `application/x-www-form-urlencoded` (Twilio, Plivo, Jasmin, Kannel), both (Vonage).
    static func bodyTypes(_ kind: ProviderKind) -> [String] {
        switch kind {
        case .generic, .sinch, .gupshup: ["application/json"]
        case .vonage: ["application/json", "application/x-www-form-urlencoded"]
        case .twilio, .plivo, .jasmin, .kannel: ["application/x-www-form-urlencoded"]
        }
    }

    /// The 415 for a callback body whose `Content-Type` the dialect cannot read: `multipart/…` (a
    /// provider or a proxy set to post `multipart/form-data`, which no dialect sends), or a JSON type
    /// (`application/json`, `application/…+json`) to a dialect that reads only form fields (Twilio,
    /// Plivo, Jasmin, Kannel: ``bodyTypes(_:)``). Either would otherwise be read as form text and the
    /// callback refused as "missing required fields". `nil` for any other body (a body without a
    /// `Content-Type`, or with another one, is read as the dialect's type; a form body to a JSON
    /// dialect is read as JSON, as before).
    /// `Content-Type application/json is not accepted by the callbacks of a twilio provider; send
    /// application/x-www-form-urlencoded (or a GET with the fields in the query)`.
    static func contentTypeRefusal(_ contentType: String?, kind: ProviderKind, bodyIsEmpty: Bool) -> HTTPError? {
        guard !bodyIsEmpty, let contentType else { return nil }
        let given = contentType.trimmingCharacters(in: .whitespaces)
        // The media type: before any `;` parameter, case-insensitive (RFC 9110 §8.3.1).
        let mediaType = given.lowercased().prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces)
        let isJSON = mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
        guard mediaType.hasPrefix("multipart/") || (isJSON && !bodyTypes(kind).contains("application/json")) else { return nil }
        let get = jsonOnly(kind) ? "" : " (or a GET with the fields in the query)"
        return HTTPError(
            .unsupportedMediaType,
            message: "Content-Type \(InputEcho.text(given)) is not accepted by the callbacks of a"
                + " \(kind.rawValue) provider; send \(bodyTypes(kind).joined(separator: " or "))\(get)")
    }

    /// Whether stored raw bytes are a wrong-method request record (``raw(method:path:query:body:)``:
    /// `"<METHOD> /callbacks/…"`), which cannot be replayed as they are.
    static func isRequestRecord(_ bytes: [UInt8]) -> Bool {
        // The record's first line is ASCII; the body after it may be any bytes.
        let raw = String(decoding: bytes.prefix(while: { $0 != 0x0A }), as: UTF8.self)
        guard let space = raw.firstIndex(of: " ") else { return false }
        let method = raw[..<space]
        return !method.isEmpty && method.allSatisfy { $0.isASCII && $0.isUppercase } && raw[space...].hasPrefix(" /callbacks/")
    }

    /// The kept request: `<METHOD> <path>[?<query>]`, the query without our `secret` and `token`,
    /// then, when the request had a body, an empty line and the body's bytes as received.
    static func raw(method: HTTPRequest.Method, path: String, query: String?, body: [UInt8]) -> [UInt8] {
        let kept = FormFields.removingCredentials(from: query ?? "")
        var raw = Array((method.rawValue + " " + path + (kept.isEmpty ? "" : "?" + kept)).utf8)
        if !body.isEmpty { raw += Array("\n\n".utf8) + body }
        return raw
    }
}
