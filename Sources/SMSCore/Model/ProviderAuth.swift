import Foundation

/// How requests to a provider authenticate (`docs/DOMAIN.md` §2: none / Basic / Bearer / OAuth 2.0
/// client credentials). Stored inside ``ProviderConfig``.
///
/// JSON shape: `{"type": "none" | "basic" | "bearer" | "oauth2", "username", "password", "token",
/// "tokenUrl", "clientId", "clientSecret", "scope", "clientAuthMethod"}` — each field only where its
/// type needs it:
/// - `basic`: `username`, `password` → `Authorization: Basic base64(username:password)` (RFC 7617).
/// - `bearer`: `token` → `Authorization: Bearer <token>` (RFC 6750).
/// - `oauth2`: `tokenUrl`, `clientId`, `clientSecret`, optional `scope` → a token from the client
///   credentials grant (RFC 6749 §4.4), sent as `Authorization: Bearer <access_token>`. The client
///   authenticates to the token endpoint with HTTP Basic (`clientAuthMethod` `"basic"`, the default,
///   RFC 6749 §2.3.1) or with `client_id`/`client_secret` form fields (`"body"`).
///
/// Secrets (`password`, `token`, `clientSecret`) never appear in ``description``, logs or API views
/// (see ``redacted``).
public struct ProviderAuth: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The authentication scheme.
    public enum Kind: String, Sendable, Codable, CaseIterable, NamedValue {
        case none, basic, bearer, oauth2
    }

    public var type: Kind
    public var username: String?
    public var password: String?
    public var token: String?
    public var tokenUrl: String?
    public var clientId: String?
    public var clientSecret: String?
    public var scope: String?
    /// `"basic"` (default) or `"body"`: how an OAuth client authenticates to `tokenUrl`.
    public var clientAuthMethod: String?

    public init(
        type: Kind, username: String? = nil, password: String? = nil, token: String? = nil, tokenUrl: String? = nil,
        clientId: String? = nil, clientSecret: String? = nil, scope: String? = nil, clientAuthMethod: String? = nil
    ) {
        self.type = type
        self.username = username
        self.password = password
        self.token = token
        self.tokenUrl = tokenUrl
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.scope = scope
        self.clientAuthMethod = clientAuthMethod
    }

    /// No authentication.
    public static let none = ProviderAuth(type: .none)

    /// The text that replaces a secret in views and logs.
    public static let mask = "********"

    /// A copy with every secret replaced by ``mask`` (non-secret fields kept), for API answers.
    public var redacted: ProviderAuth {
        var copy = self
        if copy.password != nil { copy.password = Self.mask }
        if copy.token != nil { copy.token = Self.mask }
        if copy.clientSecret != nil { copy.clientSecret = Self.mask }
        return copy
    }

    /// Never shows a secret.
    public var description: String {
        switch type {
        case .none: "auth none"
        case .basic: "auth basic (user \(username ?? "?"))"
        case .bearer: "auth bearer"
        case .oauth2: "auth oauth2 (client \(clientId ?? "?") at \(tokenUrl ?? "?"))"
        }
    }

    /// The problems of this configuration, as sentences (empty when valid).
    public var problems: [String] {
        func missing(_ value: String?) -> Bool { (value ?? "").isEmpty }
        var out: [String] = []
        switch type {
        case .none: break
        case .basic:
            if missing(username) { out.append("auth.username is required for basic auth") }
            if password == nil { out.append("auth.password is required for basic auth") }
            if username?.contains(":") == true { out.append("auth.username must not contain ':' (RFC 7617)") }
        case .bearer:
            if missing(token) { out.append("auth.token is required for bearer auth") }
        case .oauth2:
            if let u = tokenUrl, let url = URL(string: u), let s = url.scheme?.lowercased(), s == "http" || s == "https",
                url.host != nil
            {
            } else {
                out.append("auth.tokenUrl must be an absolute http(s) URL for oauth2")
            }
            if missing(clientId) { out.append("auth.clientId is required for oauth2") }
            if missing(clientSecret) { out.append("auth.clientSecret is required for oauth2") }
            if let m = clientAuthMethod, m != "basic", m != "body" {
                out.append("auth.clientAuthMethod must be basic or body")
            }
        }
        return out
    }

    /// The static `Authorization` header value for `basic` and `bearer`; `nil` for `none` and
    /// `oauth2` (whose token is fetched at send time).
    public var staticAuthorization: String? {
        switch type {
        case .basic:
            let pair = "\(username ?? ""):\(password ?? "")"
            return "Basic " + Data(pair.utf8).base64EncodedString()
        case .bearer:
            return "Bearer \(token ?? "")"
        case .none, .oauth2:
            return nil
        }
    }
}
