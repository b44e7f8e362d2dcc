import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SMSCore
import SMSStoreTestSupport
import Testing

@testable import SMSGatewayHTTP

/// A provider URL whose port is closed (nothing listens on 127.0.0.1:9, a privileged port no test
/// server can take): each attempt fails at once with "connection refused", the retry policy runs
/// its bounded attempts, and the dispatch error names the cause. It used to cost 4 × 10 s per
/// message (AsyncHTTPClient retried the connect inside each attempt until the deadline).
@Suite("HTTP provider gateway: a closed provider port fails fast with a named cause")
struct GatewayClosedPortTests {
    static let logger: Logger = {
        var logger = Logger(label: "test.gateway.closed-port")
        logger.logLevel = .critical
        return logger
    }()

    static func provider(url: String, batch: BatchConfig? = nil) -> ProviderConfig {
        ProviderConfig(
            id: "p1", name: "Closed", url: url, bodyTemplate: #"{"messages":[{"to":"$$To","text":"$$Body","ref":"$$MessageID"}]}"#,
            batch: batch, callbackSecret: "s", createdAt: 0)
    }

    static let messages = [
        OutboundMessage(messageId: 21, campaignId: "c1", userId: "u1", to: "+4915112345678", body: "Hi", meta: "m-21"),
        OutboundMessage(messageId: 22, campaignId: "c1", userId: "u2", to: "+4915112345679", body: "Hi", meta: "m-22"),
    ]

    /// Runs `body` with a provider client (``ProviderHTTPClient``), shut down afterwards.
    static func withClient<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
        let client = ProviderHTTPClient.make()
        do {
            let value = try await body(client)
            try await client.shutdown()
            return value
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// The time limit is the bound on speed, not a measurement: the old behaviour (each attempt
    /// waiting for the 10 s deadline) needs 2 messages × 4 attempts × 10 s = 80 s here.
    @Test(
        "127.0.0.1:9 closed: 4 attempts, 3 backoff sleeps, dispatch error 'connection refused to 127.0.0.1:9'",
        .timeLimit(.minutes(1)))
    func closedLoopbackPort() async throws {
        try await Self.withClient { client in
            let log = SleepLog()
            let gateway = HTTPProviderGateway(
                httpClient: client, retry: RetryPolicy(maxAttempts: 4, sleep: { await log.add($0) }, random: { 0.5 }),
                logger: Self.logger)
            let results = await gateway.send(Self.messages, via: Self.provider(url: "http://127.0.0.1:9/send"))
            #expect(results.map(\.messageId) == [21, 22])
            #expect(results.map(\.outcome) == Array(repeating: .failed(reason: "connection refused to 127.0.0.1:9"), count: 2))
            // One request per message, each 4 attempts: the backoff of the policy (ceilings 0.2,
            // 0.4, 0.8 s × jitter 0.5), i.e. 3 retries per message.
            #expect(
                await log.sleeps == [
                    .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(100), .milliseconds(200),
                    .milliseconds(400),
                ])
        }
    }

    @Test("a host name whose every address refuses is named as configured: 'connection refused to localhost:9'")
    func closedPortByHostName() async throws {
        try await Self.withClient { client in
            let log = SleepLog()
            let gateway = HTTPProviderGateway(
                httpClient: client, retry: RetryPolicy(maxAttempts: 2, sleep: { await log.add($0) }, random: { 0.5 }),
                logger: Self.logger)
            let results = await gateway.send([Self.messages[0]], via: Self.provider(url: "http://localhost:9/send"))
            #expect(results.map(\.outcome) == [.failed(reason: "connection refused to localhost:9")])
            #expect(await log.sleeps == [.milliseconds(100)])
        }
    }

    @Test("a batched request to a closed port fails each of its messages with the same cause, after one retry sequence")
    func batchedRequestToClosedPort() async throws {
        try await Self.withClient { client in
            let log = SleepLog()
            let gateway = HTTPProviderGateway(
                httpClient: client, retry: RetryPolicy(maxAttempts: 3, sleep: { await log.add($0) }, random: { 0.5 }),
                logger: Self.logger)
            let results = await gateway.send(
                Self.messages, via: Self.provider(url: "http://127.0.0.1:9/send", batch: BatchConfig(key: "messages", size: 10)))
            #expect(results.map(\.outcome) == Array(repeating: .failed(reason: "connection refused to 127.0.0.1:9"), count: 2))
            #expect(await log.sleeps == [.milliseconds(100), .milliseconds(200)])
        }
    }

    @Test(
        "the dispatcher records the refused messages as dispatch errors by that reason, and the campaign completes",
        arguments: StoreKind.allCases)
    func dispatcherRecordsTheCause(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        // The fixture's provider posts to http://127.0.0.1:9/sms, one message per request here.
        _ = try await f.provider(batch: nil, concurrency: 2)
        try await f.profiles(["u1", "u2", "u3"])
        try await f.campaign("c1", users: ["u1", "u2", "u3"])
        try await Self.withClient { client in
            let log = SleepLog()
            let gateway = HTTPProviderGateway(
                httpClient: client, retry: RetryPolicy(maxAttempts: 4, sleep: { await log.add($0) }, random: { 0.5 }),
                logger: Self.logger)
            let d = f.dispatcher(gateway)
            _ = try await d.publish(campaignId: "c1")
            _ = try await d.runOnce()
            // 3 messages × 3 retries, each after the policy's backoff.
            #expect(
                await log.sleeps.sorted() == [100, 100, 100, 200, 200, 200, 400, 400, 400].map { Duration.milliseconds($0) })
        }
        #expect(try await f.total("c1", .dispatchErrorsByReason, dim: "connection refused to 127.0.0.1:9") == 3)
        #expect(try await f.total("c1", .sent) == 0)
        #expect(try await f.store.campaign(id: "c1")?.status == .completed)
    }

    @Test(
        "endpoint of a provider URL: host and port, port defaulted by scheme, IPv6 in brackets",
        arguments: [
            ("http://127.0.0.1:9/send", "127.0.0.1:9"),
            ("https://api.gateway.example/v1/sms", "api.gateway.example:443"),
            ("http://sms.example/send?x=1", "sms.example:80"),
            ("http://[::1]:8080/x", "[::1]:8080"),
            ("https://gw.example:8443/", "gw.example:8443"),
        ])
    func endpointOfURL(url: String, expected: String) {
        #expect(ProviderHTTPClient.endpoint(of: url) == expected)
    }

    @Test("a URL without a host has no endpoint")
    func endpointWithoutHost() {
        #expect(ProviderHTTPClient.endpoint(of: "not a url") == nil)
        #expect(ProviderHTTPClient.endpoint(of: "/relative/path") == nil)
    }

    @Test("connect errors are classified: refused, connect timeout; a reset or other error is not a connect failure")
    func connectFailureClassification() {
        let e = "127.0.0.1:9"
        #expect(ProviderHTTPClient.connectFailure(IOError(errnoCode: ECONNREFUSED, reason: "connect"), endpoint: e) == .connectionRefused(endpoint: e))
        #expect(ProviderHTTPClient.connectFailure(ChannelError.connectTimeout(.seconds(3)), endpoint: e) == .connectTimeout(endpoint: e))
        #expect(ProviderHTTPClient.connectFailure(HTTPClientError.connectTimeout, endpoint: e) == .connectTimeout(endpoint: e))
        #expect(ProviderHTTPClient.connectFailure(IOError(errnoCode: ECONNRESET, reason: "read"), endpoint: e) == nil)
        #expect(ProviderHTTPClient.connectFailure(HTTPClientError.readTimeout, endpoint: e) == nil)
        #expect(DispatchErrorReason.connectionRefused(endpoint: e).description == "connection refused to 127.0.0.1:9")
        #expect(DispatchErrorReason.connectTimeout(endpoint: "gw.example:443").description == "connect timeout to gw.example:443")
    }

    @Test("the provider client: connect 3 s, read 10 s, no connection retry inside AsyncHTTPClient")
    func clientConfiguration() {
        let config = ProviderHTTPClient.configuration()
        #expect(config.timeout.connect == .seconds(3))
        #expect(config.timeout.read == .seconds(10))
        #expect(config.connectionPool.retryConnectionEstablishment == false)
        #expect(ProviderHTTPClient.connectTimeout == .seconds(3))
        #expect(ProviderHTTPClient.readTimeout == .seconds(10))
    }
}
