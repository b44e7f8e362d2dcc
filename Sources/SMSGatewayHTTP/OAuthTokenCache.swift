import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SMSCore

/// OAuth 2.0 client-credentials tokens (RFC 6749 §4.4) for providers with `auth.type == oauth2`,
/// cached per (token URL, client id, scope).
///
/// - Fetch: `POST tokenUrl` with `Content-Type: application/x-www-form-urlencoded`, body
///   `grant_type=client_credentials[&scope=…]`; the client authenticates with HTTP Basic over the
///   form-encoded id and secret (RFC 6749 §2.3.1, `clientAuthMethod` `basic`, the default) or with
///   `client_id` / `client_secret` body fields (`body`). A 2xx JSON answer must carry
///   `access_token`; `expires_in` (seconds, number or numeric string) is optional.
/// - Cache: a token is reused until `fetchedAt + expires_in − margin`, with
///   `margin = min(60 s, expires_in / 2)`; a token without `expires_in` is reused until a 401.
/// - Concurrent callers share one fetch (single flight).
/// - ``invalidate(_:token:)`` drops a token the provider refused (401), unless a newer one has
///   already replaced it, so N requests failing at once cause one refresh, not N.
/// - Secrets and tokens are never logged.
public actor OAuthTokenCache {
    struct Key: Hashable {
        var tokenUrl: String
        var clientId: String
        var scope: String
    }

    struct Entry {
        var token: String
        /// Clock seconds after which the token is not used any more; `nil` = until refused.
        var expiresAt: Double?
    }

    private var entries: [Key: Entry] = [:]
    private var inFlight: [Key: Task<Entry, any Error>] = [:]
    private let httpClient: HTTPClient
    private let timeout: Duration
    private let now: @Sendable () -> Double
    private let logger: Logger
    /// Token requests sent (for tests and metrics).
    public private(set) var fetches = 0

    /// - Parameters:
    ///   - httpClient: client for the token endpoint.
    ///   - timeout: deadline of one token request.
    ///   - now: a clock in seconds (tests pass a fake one).
    ///   - logger: where fetches and refusals are logged (never with secrets).
    public init(
        httpClient: HTTPClient, timeout: Duration = .seconds(10),
        now: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds, logger: Logger
    ) {
        self.httpClient = httpClient
        self.timeout = timeout
        self.now = now
        self.logger = logger
    }

    /// A valid access token for `auth` (cached, or fetched now).
    /// - Throws: ``OAuthTokenError``.
    public func token(for auth: ProviderAuth) async throws -> String {
        let key = Self.key(auth)
        if let entry = entries[key], entry.expiresAt.map({ now() < $0 }) ?? true {
            return entry.token
        }
        if let task = inFlight[key] { return try await task.value.token }
        let task = Task { try await self.fetch(auth) }
        inFlight[key] = task
        defer { inFlight[key] = nil }
        let entry = try await task.value
        entries[key] = entry
        return entry.token
    }

    /// Forgets `token` for `auth` if it is still the cached one (the provider answered 401 to it).
    public func invalidate(_ auth: ProviderAuth, token: String) {
        let key = Self.key(auth)
        if entries[key]?.token == token { entries[key] = nil }
    }

    static func key(_ auth: ProviderAuth) -> Key {
        Key(tokenUrl: auth.tokenUrl ?? "", clientId: auth.clientId ?? "", scope: auth.scope ?? "")
    }

    struct TokenAnswer: Decodable {
        var access_token: String
        var expires_in: JSONValue?
    }

    private func fetch(_ auth: ProviderAuth) async throws -> Entry {
        fetches += 1
        guard let url = auth.tokenUrl, !url.isEmpty else { throw OAuthTokenError.misconfigured("auth.tokenUrl is missing") }
        let clientId = auth.clientId ?? ""
        let secret = auth.clientSecret ?? ""
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        var fields = [("grant_type", "client_credentials")]
        if let scope = auth.scope, !scope.isEmpty { fields.append(("scope", scope)) }
        if auth.clientAuthMethod == "body" {
            fields += [("client_id", clientId), ("client_secret", secret)]
        } else {
            let pair = ProviderTemplate.escape(clientId, for: .formField) + ":" + ProviderTemplate.escape(secret, for: .formField)
            request.headers.add(name: "Authorization", value: "Basic " + Data(pair.utf8).base64EncodedString())
        }
        let body = fields.map { "\($0.0)=\(ProviderTemplate.escape($0.1, for: .formField))" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: body))
        let started = now()
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, timeout: HTTPProviderGateway.timeAmount(timeout), logger: logger)
        } catch {
            throw OAuthTokenError.unreachable("\(type(of: error))")
        }
        let bytes = try? await response.body.collect(upTo: 1 << 20)
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            logger.warning("oauth token request refused", metadata: ["tokenUrl": "\(url)", "status": "\(status)"])
            throw OAuthTokenError.refused(status: status)
        }
        guard let bytes, let answer = try? JSONDecoder().decode(TokenAnswer.self, from: Data(bytes.readableBytesView)),
            !answer.access_token.isEmpty
        else {
            throw OAuthTokenError.invalidAnswer
        }
        let lifetime = answer.expires_in?.numberValue
        var expiresAt: Double?
        if let lifetime, lifetime > 0 {
            expiresAt = started + lifetime - min(60, lifetime / 2)
        }
        logger.debug("oauth token fetched", metadata: ["tokenUrl": "\(url)", "expiresIn": "\(lifetime.map { "\($0)" } ?? "none")"])
        return Entry(token: answer.access_token, expiresAt: expiresAt)
    }
}

/// Why no OAuth token could be had.
public enum OAuthTokenError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The token endpoint answered non-2xx.
    case refused(status: Int)
    /// The token endpoint could not be reached (connection error, timeout).
    case unreachable(String)
    /// A 2xx answer without a usable `access_token`.
    case invalidAnswer
    case misconfigured(String)

    public var description: String {
        switch self {
        case .refused(let s): "token endpoint answered HTTP \(s)"
        case .unreachable(let e): "token endpoint unreachable (\(e))"
        case .invalidAnswer: "token endpoint answer has no access_token"
        case .misconfigured(let m): m
        }
    }
}
