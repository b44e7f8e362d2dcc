import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SMSCore
import SMSGatewayHTTP
import Testing

/// A provider that answers from a script, one reply per request (the last one repeats), and
/// records what it received.
actor ScriptedProvider {
    struct Reply: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields = [:]
        var body: String = ""
        var delay: Duration? = nil
    }

    struct Received: Sendable, Equatable {
        var method: String
        var uri: String
        var contentType: String?
        var authorization: String?
        var body: String
    }

    private var replies: [Reply]
    private(set) var received: [Received] = []

    init(_ replies: [Reply]) { self.replies = replies }

    func next(_ request: Received) -> Reply {
        received.append(request)
        return replies.count > 1 ? replies.removeFirst() : replies[0]
    }

    /// Runs `body` against a live loopback server (port 0) answering on `/p`.
    static func serve<T: Sendable>(
        _ replies: [Reply],
        _ body: @escaping @Sendable (_ url: String, _ script: ScriptedProvider) async throws -> T
    ) async throws -> T {
        let script = ScriptedProvider(replies)
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            var request = request
            let bytes = try await request.collectBody(upTo: 1 << 20)
            let reply = await script.next(
                Received(
                    method: request.method.rawValue,
                    uri: request.uri.description,
                    contentType: request.headers[.contentType],
                    authorization: request.headers[.authorization],
                    body: String(buffer: bytes)
                )
            )
            if let delay = reply.delay { try await Task.sleep(for: delay) }
            return Response(status: reply.status, headers: reply.headers, body: .init(byteBuffer: ByteBuffer(string: reply.body)))
        }
        router.post("/p", use: handler)
        router.get("/p", use: handler)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            try await body("http://127.0.0.1:\(client.port!)/p", script)
        }
    }
}

/// Records the retry policy's sleeps instead of sleeping.
actor SleepLog {
    private(set) var sleeps: [Duration] = []
    func add(_ d: Duration) { sleeps.append(d) }
}

@Suite("HTTP provider gateway against a live loopback provider")
struct GatewayHTTPTests {
    /// Retries and refusals are logged as warnings; tests keep the output quiet.
    static let logger: Logger = {
        var logger = Logger(label: "test.gateway")
        logger.logLevel = .critical
        return logger
    }()

    static let messages = [
        OutboundMessage(messageId: 11, campaignId: "c1", userId: "u1", to: "+4915112345678", body: "Hi & bye", meta: "m-11"),
        OutboundMessage(messageId: 12, campaignId: "c1", userId: "u2", to: "+4915112345679", body: "Hello", meta: "m-12"),
    ]

    static func provider(
        url: String,
        method: String = "POST",
        batch: BatchConfig? = nil,
        idPath: String? = nil
    )
        -> ProviderConfig
    {
        ProviderConfig(
            id: "p1",
            name: "Scripted",
            method: method,
            url: url,
            bodyType: "json",
            bodyTemplate: #"{"messages":[{"to":"$$To","text":"$$Body","ref":"$$MessageID"}]}"#,
            headers: ["Authorization": "Bearer k"],
            batch: batch,
            callbackSecret: "s",
            messageIdPath: idPath,
            createdAt: 0
        )
    }

    static func gateway(_ log: SleepLog, maxAttempts: Int = 4, timeout: Duration = .seconds(5)) -> HTTPProviderGateway {
        let retry = RetryPolicy(maxAttempts: maxAttempts, sleep: { await log.add($0) }, random: { 0.5 })
        return HTTPProviderGateway(
            httpClient: .shared,
            retry: retry,
            timeout: timeout,
            logger: Self.logger
        )
    }

    static func outcomes(_ results: [DispatchResult]) -> [DispatchResult.Outcome] { results.map(\.outcome) }

    @Test func twoServiceUnavailableThenOkIsSentAfterThreeAttempts() async throws {
        let replies: [ScriptedProvider.Reply] = [
            .init(status: .serviceUnavailable), .init(status: .serviceUnavailable),
            .init(status: .ok, body: #"{"messages":[{"id":"P-9","status":"accepted"}]}"#),
        ]
        try await ScriptedProvider.serve(replies) { url, script in
            let log = SleepLog()
            let before = Int64(Date().timeIntervalSince1970)
            let results = await Self.gateway(log).send(
                [Self.messages[0]],
                via: Self.provider(url: url, idPath: "messages.0.id")
            )
            #expect(results.map(\.messageId) == [11])
            #expect(Self.outcomes(results) == [.sent(providerMessageId: "P-9")])
            #expect(results[0].at >= before && results[0].at <= Int64(Date().timeIntervalSince1970))
            let received = await script.received
            #expect(received.count == 3)
            #expect(
                received[0]
                    == .init(
                        method: "POST",
                        uri: "/p",
                        contentType: "application/json",
                        authorization: "Bearer k",
                        body: #"{"messages":[{"to":"+4915112345678","text":"Hi & bye","ref":"m-11"}]}"#
                    )
            )
            #expect(await log.sleeps == [.milliseconds(100), .milliseconds(200)])
        }
    }

    @Test func tooManyRequestsHonoursRetryAfter() async throws {
        let replies: [ScriptedProvider.Reply] = [
            .init(status: .tooManyRequests, headers: [.retryAfter: "2"]), .init(status: .accepted),
        ]
        try await ScriptedProvider.serve(replies) { url, script in
            let log = SleepLog()
            let results = await Self.gateway(log).send([Self.messages[0]], via: Self.provider(url: url))
            #expect(Self.outcomes(results) == [.sent(providerMessageId: nil)])
            #expect(await script.received.count == 2)
            #expect(await log.sleeps == [.seconds(2)])
        }
    }

    @Test func badRequestFailsAtOnceWithoutRetry() async throws {
        try await ScriptedProvider.serve([.init(status: .badRequest, body: #"{"error":"bad"}"#)]) { url, script in
            let log = SleepLog()
            let results = await Self.gateway(log).send(Self.messages, via: Self.provider(url: url))
            #expect(results.map(\.messageId) == [11, 12])
            #expect(
                Self.outcomes(results) == [
                    .failed(reason: "provider HTTP error 400"), .failed(reason: "provider HTTP error 400"),
                ]
            )
            #expect(await script.received.count == 2)
            #expect(await log.sleeps == [])
        }
    }

    @Test func unauthorizedIsProviderAuthFailedWithoutRetry() async throws {
        try await ScriptedProvider.serve([.init(status: .unauthorized)]) { url, script in
            let log = SleepLog()
            let results = await Self.gateway(log).send([Self.messages[0]], via: Self.provider(url: url))
            #expect(Self.outcomes(results) == [.failed(reason: "provider auth failed")])
            #expect(await script.received.count == 1)
            #expect(await log.sleeps == [])
        }
    }

    @Test func persistentServerErrorFailsAfterMaxAttempts() async throws {
        try await ScriptedProvider.serve([.init(status: .badGateway)]) { url, script in
            let log = SleepLog()
            let results = await Self.gateway(log).send([Self.messages[0]], via: Self.provider(url: url))
            #expect(Self.outcomes(results) == [.failed(reason: "provider HTTP error 502")])
            #expect(await script.received.count == 4)
            #expect(await log.sleeps == [.milliseconds(100), .milliseconds(200), .milliseconds(400)])
        }
    }

    @Test func slowProviderIsATimeoutAfterRetries() async throws {
        try await ScriptedProvider.serve([.init(status: .ok, delay: .milliseconds(1500))]) { url, script in
            let log = SleepLog()
            let results = await Self.gateway(log, maxAttempts: 2, timeout: .milliseconds(200)).send(
                [Self.messages[0]],
                via: Self.provider(url: url)
            )
            #expect(Self.outcomes(results) == [.failed(reason: "timeout")])
            // Two attempts: exactly one backoff sleep between them. (Under load the second
            // request can time out before the provider has read it, so the provider saw 1 or 2.)
            #expect(await log.sleeps == [.milliseconds(100)])
            #expect((1...2).contains(await script.received.count))
        }
    }

    /// `HTTPClient.shared` retries the connect inside the attempt until its deadline (500 ms here),
    /// then reports the last connect error: the cause is named all the same.
    @Test func closedPortOnTheSharedClientNamesTheCause() async {
        // Port 1 (tcpmux) on loopback: privileged and unused, so the connection is refused. (A port
        // freed by a stopped test server could be handed to another test's server meanwhile.)
        let url = "http://127.0.0.1:1/p"
        let log = SleepLog()
        let results = await Self.gateway(log, maxAttempts: 2, timeout: .milliseconds(500)).send(
            [Self.messages[0]],
            via: Self.provider(url: url)
        )
        #expect(Self.outcomes(results) == [.failed(reason: "connection refused to 127.0.0.1:1")])
        #expect(await log.sleeps == [.milliseconds(100)])
    }

    @Test func batchedRequestMapsProviderIdsByPosition() async throws {
        let answer = #"{"messages":[{"id":"SIM-1","ref":"m-11"},{"id":"SIM-2","ref":"m-12"}]}"#
        try await ScriptedProvider.serve([.init(status: .ok, body: answer)]) { url, script in
            let log = SleepLog()
            let provider = Self.provider(url: url, batch: BatchConfig(key: "messages", size: 100), idPath: "messages.*.id")
            let results = await Self.gateway(log).send(Self.messages, via: provider)
            #expect(results.map(\.messageId) == [11, 12])
            #expect(Self.outcomes(results) == [.sent(providerMessageId: "SIM-1"), .sent(providerMessageId: "SIM-2")])
            #expect(
                await script.received.map(\.body) == [
                    #"{"messages":[{"to":"+4915112345678","text":"Hi & bye","ref":"m-11"},"#
                        + #"{"to":"+4915112345679","text":"Hello","ref":"m-12"}]}"#
                ]
            )
        }
    }

    @Test func getRequestCarriesTheTemplateAsQuery() async throws {
        try await ScriptedProvider.serve([.init(status: .ok)]) { url, script in
            var provider = Self.provider(url: url + "?key=abc", method: "GET")
            provider.bodyTemplate = "to=$$To&text=$$Body&ref=$$MessageID"
            let results = await Self.gateway(SleepLog()).send([Self.messages[0]], via: provider)
            #expect(Self.outcomes(results) == [.sent(providerMessageId: nil)])
            let received = await script.received
            #expect(received.map(\.method) == ["GET"])
            #expect(received.map(\.uri) == ["/p?key=abc&to=%2B4915112345678&text=Hi%20%26%20bye&ref=m-11"])
        }
    }

    @Test func misconfiguredProviderFailsEveryMessageWithoutSending() async throws {
        let log = SleepLog()
        var provider = Self.provider(url: "http://127.0.0.1:9/p")
        provider.bodyTemplate = #"{"to":"$$To","x":"$$Missing"}"#
        let results = await Self.gateway(log).send(Self.messages, via: provider)
        #expect(
            Self.outcomes(results)
                == Array(
                    repeating: .failed(reason: "provider config error: unknown placeholder $$Missing"),
                    count: 2
                )
        )
    }
}
