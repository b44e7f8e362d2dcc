import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SMSCore
import SMSGatewayHTTP
import Testing

/// A token endpoint and a provider endpoint on one live loopback server. The provider accepts only
/// the current token; `rotate()` makes the server issue a new one and refuse the old.
actor OAuthServer {
    private(set) var tokenRequests: [(authorization: String?, body: String)] = []
    private(set) var providerAuthorizations: [String?] = []
    private var issued = 0
    private var valid: Set<String> = []
    var tokenStatus: HTTPResponse.Status = .ok
    var expiresIn: Int? = 3600
    /// When false the provider answers 401 to every token.
    var providerAcceptsTokens = true

    func issue(authorization: String?, body: String) -> (HTTPResponse.Status, String) {
        tokenRequests.append((authorization, body))
        guard tokenStatus == .ok else { return (tokenStatus, #"{"error":"invalid_client"}"#) }
        issued += 1
        let token = "tok-\(issued)"
        valid.insert(token)
        let expiry = expiresIn.map { #","expires_in":\#($0)"# } ?? ""
        return (.ok, #"{"access_token":"\#(token)","token_type":"Bearer"\#(expiry)}"#)
    }

    func send(authorization: String?) -> HTTPResponse.Status {
        providerAuthorizations.append(authorization)
        guard providerAcceptsTokens, let authorization, authorization.hasPrefix("Bearer "),
            valid.contains(String(authorization.dropFirst(7)))
        else {
            return .unauthorized
        }
        return .ok
    }

    /// The provider forgets every token (as after a key rotation on its side).
    func revokeAll() { valid = [] }
    func setTokenStatus(_ s: HTTPResponse.Status) { tokenStatus = s }
    func refuseAllTokens() { providerAcceptsTokens = false }
    func setExpiresIn(_ s: Int?) { expiresIn = s }

    static func serve<T: Sendable>(_ body: @escaping @Sendable (_ base: String, _ server: OAuthServer) async throws -> T) async throws -> T {
        let server = OAuthServer()
        let router = Router()
        router.post("/oauth/token") { request, _ -> Response in
            var request = request
            let bytes = try await request.collectBody(upTo: 1 << 16)
            let (status, text) = await server.issue(authorization: request.headers[.authorization], body: String(buffer: bytes))
            return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.post("/sms") { request, _ -> Response in
            let status = await server.send(authorization: request.headers[.authorization])
            return Response(status: status, body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in try await body("http://127.0.0.1:\(client.port!)", server) }
    }
}

@Suite("Provider auth: Basic, Bearer, OAuth 2.0 client credentials")
struct GatewayOAuthTests {
    static let logger: Logger = {
        var logger = Logger(label: "test.oauth")
        logger.logLevel = .critical
        return logger
    }()

    static let message = OutboundMessage(messageId: 1, campaignId: "c", userId: "u", to: "+4915112345678", body: "Hi", meta: "m1")

    static func provider(base: String, auth: ProviderAuth) -> ProviderConfig {
        ProviderConfig(
            id: "p", name: "P", url: "\(base)/sms", bodyTemplate: #"{"to":"$$To","text":"$$Body"}"#, callbackSecret: "s",
            createdAt: 0, auth: auth)
    }

    static let oauth = ProviderAuth(type: .oauth2, tokenUrl: "", clientId: "client id", clientSecret: "s3cr:et&", scope: "sms.send")

    static func gateway(clock: FakeSeconds) -> HTTPProviderGateway {
        let tokens = OAuthTokenCache(httpClient: .shared, now: { clock.now }, logger: logger)
        return HTTPProviderGateway(
            httpClient: .shared, retry: RetryPolicy(maxAttempts: 2, sleep: { _ in }, random: { 0 }), tokens: tokens, logger: logger)
    }

    /// A fake clock, a gateway on it, and a provider at `base` using ``oauth`` with `base`'s token endpoint.
    static func oauthSetup(base: String) -> (FakeSeconds, HTTPProviderGateway, ProviderConfig) {
        let clock = FakeSeconds()
        var auth = oauth
        auth.tokenUrl = "\(base)/oauth/token"
        return (clock, gateway(clock: clock), provider(base: base, auth: auth))
    }

    @Test("the token is fetched once with the client-credentials form, cached, and refetched after expiry minus the margin")
    func cachesUntilExpiry() async throws {
        try await OAuthServer.serve { base, server in
            let (clock, gateway, provider) = Self.oauthSetup(base: base)
            for _ in 0..<3 {
                let r = await gateway.send([Self.message], via: provider, customValues: [:])
                #expect(r.map(\.outcome) == [.sent(providerMessageId: nil)])
            }
            var requests = await server.tokenRequests
            #expect(requests.count == 1)
            #expect(requests[0].body == "grant_type=client_credentials&scope=sms.send")
            // RFC 6749 §2.3.1: Basic over the form-encoded id and secret.
            #expect(requests[0].authorization == "Basic " + Data("client+id:s3cr%3Aet%26".utf8).base64EncodedString())
            #expect(await server.providerAuthorizations == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-1"])
            // expires_in 3600 → reused until 3600 − 60 s.
            clock.advance(3_539)
            _ = await gateway.send([Self.message], via: provider, customValues: [:])
            #expect(await server.tokenRequests.count == 1)
            clock.advance(1)
            _ = await gateway.send([Self.message], via: provider, customValues: [:])
            requests = await server.tokenRequests
            #expect(requests.count == 2)
            #expect(await server.providerAuthorizations.last == "Bearer tok-2")
            #expect(await gateway.tokens.fetches == 2)
        }
    }

    @Test("a short-lived token keeps half its lifetime as margin")
    func shortLifetime() async throws {
        try await OAuthServer.serve { base, server in
            await server.setExpiresIn(20)
            let (clock, gateway, provider) = Self.oauthSetup(base: base)
            _ = await gateway.send([Self.message], via: provider, customValues: [:])
            clock.advance(9.9)
            _ = await gateway.send([Self.message], via: provider, customValues: [:])
            #expect(await server.tokenRequests.count == 1)
            clock.advance(0.1)
            _ = await gateway.send([Self.message], via: provider, customValues: [:])
            #expect(await server.tokenRequests.count == 2)
        }
    }

    @Test("a 401 refreshes the token once and repeats the request once")
    func refreshOn401() async throws {
        try await OAuthServer.serve { base, server in
            let (_, gateway, provider) = Self.oauthSetup(base: base)
            _ = await gateway.send([Self.message], via: provider, customValues: [:])
            await server.revokeAll()
            let r = await gateway.send([Self.message], via: provider, customValues: [:])
            #expect(r.map(\.outcome) == [.sent(providerMessageId: nil)])
            #expect(await server.providerAuthorizations == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"])
            #expect(await server.tokenRequests.count == 2)
        }
    }

    @Test("a provider that refuses the fresh token too fails the message as provider auth failed, after one refresh")
    func refusedTwice() async throws {
        try await OAuthServer.serve { base, server in
            let (_, gateway, provider) = Self.oauthSetup(base: base)
            await server.refuseAllTokens()
            let r = await gateway.send([Self.message], via: provider, customValues: [:])
            #expect(r.map(\.outcome) == [.failed(reason: "provider auth failed")])
            #expect(await server.tokenRequests.count == 2)  // the first, plus exactly one refresh
            #expect(await server.providerAuthorizations == ["Bearer tok-1", "Bearer tok-2"])
        }
    }

    @Test("a token endpoint that refuses the client makes the message a provider auth failure")
    func tokenEndpointRefuses() async throws {
        try await OAuthServer.serve { base, server in
            await server.setTokenStatus(.badRequest)
            let clock = FakeSeconds()
            var auth = Self.oauth
            auth.tokenUrl = "\(base)/oauth/token"
            auth.clientAuthMethod = "body"
            let gateway = Self.gateway(clock: clock)
            let r = await gateway.send([Self.message], via: Self.provider(base: base, auth: auth), customValues: [:])
            #expect(r.map(\.outcome) == [.failed(reason: "provider auth failed")])
            let requests = await server.tokenRequests
            #expect(requests.map(\.body) == ["grant_type=client_credentials&scope=sms.send&client_id=client+id&client_secret=s3cr%3Aet%26"])
            #expect(requests[0].authorization == nil)
            #expect(await server.providerAuthorizations.isEmpty)
        }
    }

    @Test("a token endpoint answering 503 is retried under the retry policy, then the message is a provider auth failure")
    func tokenEndpointDown() async throws {
        try await OAuthServer.serve { base, server in
            await server.setTokenStatus(.serviceUnavailable)
            var auth = Self.oauth
            auth.tokenUrl = "\(base)/oauth/token"
            let r = await Self.gateway(clock: FakeSeconds()).send([Self.message], via: Self.provider(base: base, auth: auth), customValues: [:])
            #expect(r.map(\.outcome) == [.failed(reason: "provider auth failed")])
            #expect(await server.tokenRequests.count == 2)  // maxAttempts 2
            #expect(await server.providerAuthorizations.isEmpty)
        }
    }

    @Test("concurrent sends share one token fetch")
    func singleFlight() async throws {
        try await OAuthServer.serve { base, server in
            let (_, gateway, provider) = Self.oauthSetup(base: base)
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<10 { group.addTask { _ = await gateway.send([Self.message], via: provider, customValues: [:]) } }
            }
            #expect(await server.tokenRequests.count == 1)
            #expect(await server.providerAuthorizations.count == 10)
        }
    }

    @Test("basic and bearer auth set the Authorization header, replacing a configured one")
    func staticAuth() throws {
        var provider = ProviderConfig(
            id: "p", name: "P", url: "https://x.example/sms", bodyTemplate: #"{"to":"$$To","text":"$$Body"}"#,
            headers: ["authorization": "old", "X-Key": "k"], callbackSecret: "s", createdAt: 0,
            auth: ProviderAuth(type: .basic, username: "acme", password: "p@ss:w0rd"))
        var built = try ProviderRequestBuilder.requests(for: [Self.message], provider: provider, customValues: [:])
        #expect(built[0].request.headers == [
            "Authorization": "Basic " + Data("acme:p@ss:w0rd".utf8).base64EncodedString(), "X-Key": "k", "Content-Type": "application/json",
        ])
        provider.auth = ProviderAuth(type: .bearer, token: "abc.def")
        built = try ProviderRequestBuilder.requests(for: [Self.message], provider: provider, customValues: [:])
        #expect(built[0].request.headers["Authorization"] == "Bearer abc.def")
        provider.auth = ProviderAuth.none
        built = try ProviderRequestBuilder.requests(for: [Self.message], provider: provider, customValues: [:])
        #expect(built[0].request.headers["authorization"] == "old")
    }

    @Test("secrets never appear in descriptions or redacted views")
    func secretsRedacted() throws {
        let auth = ProviderAuth(
            type: .oauth2, username: "u", password: "PASSWORD-1", token: "TOKEN-2", tokenUrl: "https://t.example/token", clientId: "cid",
            clientSecret: "SECRET-3")
        let provider = ProviderConfig(id: "p", name: "P", url: "https://x.example", bodyTemplate: "", callbackSecret: "s", createdAt: 0, auth: auth)
        let redacted = String(decoding: try JSONEncoder().encode(auth.redacted), as: UTF8.self)
        for secret in ["PASSWORD-1", "TOKEN-2", "SECRET-3"] {
            #expect(!"\(auth)".contains(secret))
            #expect(!String(describing: provider).contains(secret))
            #expect(!redacted.contains(secret))
        }
        #expect("\(auth)" == "auth oauth2 (client cid at https://t.example/token)")
        #expect(auth.redacted.clientId == "cid")
    }

    @Test("auth configurations are checked", arguments: [
        (ProviderAuth(type: .basic), ["auth.username is required for basic auth", "auth.password is required for basic auth"]),
        (ProviderAuth(type: .bearer, token: ""), ["auth.token is required for bearer auth"]),
        (ProviderAuth(type: .oauth2, tokenUrl: "ftp://x", clientId: "c", clientSecret: "s", clientAuthMethod: "jwt"),
         ["auth.tokenUrl must be an absolute http(s) URL for oauth2", "auth.clientAuthMethod must be basic or body"]),
        (ProviderAuth(type: .basic, username: "a:b", password: ""), ["auth.username must not contain ':' (RFC 7617)"]),
        (ProviderAuth(type: .none), [String]()),
    ])
    func authProblems(_ auth: ProviderAuth, _ expected: [String]) {
        #expect(auth.problems == expected)
    }
}

/// A seconds clock for the token cache.
final class FakeSeconds: @unchecked Sendable {
    private let lock = NSLock()
    private var t: Double = 5_000
    var now: Double {
        lock.lock()
        defer { lock.unlock() }
        return t
    }
    func advance(_ s: Double) {
        lock.lock()
        t += s
        lock.unlock()
    }
}
