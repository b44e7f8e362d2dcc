import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SMSCore

/// The outbound client of a generic HTTP provider (`docs/DOMAIN.md` §2): builds the requests with
/// ``ProviderRequestBuilder``, sends them with AsyncHTTPClient and turns each answer into one
/// ``DispatchResult`` per message.
///
/// Answer → outcome (every message of a batched request gets the request's outcome):
/// - 2xx → `.sent(providerMessageId:)`, the id read with ``ProviderMessageIdReader`` when
///   `provider.messageIdPath`, `messageIdPattern` or `messageIdHeader` is set (answer bodies up to
///   1 MiB are read), normalised with
///   ``ProviderMessageId/normalize(_:kind:)-swift.type.method`` for the provider's kind.
/// - 401/403 → `.failed("provider auth failed")`, no retry; except that with OAuth (`auth.type ==
///   oauth2`) a 401 drops the cached token, fetches a new one and repeats the request **once**
///   (not counted as an attempt of the retry policy); a second 401 is final.
/// - OAuth token endpoint: a 4xx answer or an answer without `access_token` →
///   `.failed("provider auth failed")` at once; 429 and 5xx → retried, finally "provider auth
///   failed"; unreachable → retried, finally "provider unreachable".
/// - 5xx and 429 → retried per ``RetryPolicy`` (429/503 `Retry-After` in seconds honoured, capped);
///   after the last attempt `.failed("provider HTTP error <status>")`.
/// - Timeout (the per-request `timeout` passed, or a read/write timeout) → retried; finally
///   `.failed("timeout")`. A refused connection → retried; finally
///   `.failed("connection refused to <host>:<port>")` (the URL's host and port); a connect
///   timeout → finally `.failed("connect timeout to <host>:<port>")`. Other connection errors
///   (reset, DNS) → retried; finally `.failed("provider unreachable")`. With a client from
///   ``ProviderHTTPClient`` (connect 3 s, read 10 s, no retry inside the client) a refused
///   attempt fails in milliseconds; with `HTTPClient.shared` it waits for the whole `timeout`.
/// - Other 1xx/3xx/4xx → `.failed("provider HTTP error <status>")`, no retry (redirects are not
///   followed past AsyncHTTPClient's own configuration).
/// - A provider whose requests cannot be built (bad method, body type or template) fails every
///   message with `"provider config error: …"` without sending anything.
///
/// Requests of one `send` go out one after the other, in message order; the dispatcher decides
/// parallelism and rate by how it calls `send`. `at` is the epoch second at which the final
/// attempt ended.
public struct HTTPProviderGateway: Sendable {
    let httpClient: HTTPClient
    let retry: RetryPolicy
    let timeout: Duration
    let logger: Logger
    /// OAuth 2.0 tokens of `oauth2` providers.
    public let tokens: OAuthTokenCache
    /// Where providers reach this server, for `$$DlrUrl` (``DeliveryReportURL``).
    let publicBaseURL: String?
    /// Request durations and errors (``ProviderMetrics``); `nil` = not measured.
    let metrics: ProviderMetrics?

    /// - Parameters:
    ///   - httpClient: the client to send with (owned by the caller); use
    ///     ``ProviderHTTPClient/make(connect:read:)`` (fail-fast connects): other clients work, but
    ///     AsyncHTTPClient's default retries a refused connection until `timeout`.
    ///   - retry: the retry policy.
    ///   - timeout: deadline of one attempt (connect, send, answer), default 10 s.
    ///   - tokens: the OAuth token cache (default: a new one on `httpClient` with the real clock).
    ///   - publicBaseURL: where providers reach this server, e.g. `https://sms.example.com`; fills
    ///     `$$DlrUrl` (`nil`: a template using it fails each message with "unknown placeholder").
    ///   - logger: where attempts and failures are logged (never secrets or tokens).
    ///   - metrics: where each attempt's duration and error are counted (`nil`: not measured).
    public init(
        httpClient: HTTPClient, retry: RetryPolicy = .default, timeout: Duration = .seconds(10),
        tokens: OAuthTokenCache? = nil, publicBaseURL: String? = nil, logger: Logger, metrics: ProviderMetrics? = nil
    ) {
        self.publicBaseURL = publicBaseURL
        self.metrics = metrics
        self.httpClient = httpClient
        self.retry = retry
        self.timeout = timeout
        self.logger = logger
        self.tokens = tokens ?? OAuthTokenCache(httpClient: httpClient, timeout: timeout, logger: logger)
    }

    /// Sends `messages` through `provider`.
    /// - Parameters:
    ///   - messages: the messages, each with its final body and `meta`.
    ///   - provider: the provider configuration.
    ///   - customValues: the campaign's custom `$$Name` values.
    /// - Returns: one result per message, in the order of `messages`.
    public func send(
        _ messages: [OutboundMessage],
        via provider: ProviderConfig,
        customValues: [String: String] = [:]
    ) async -> [DispatchResult] {
        guard !messages.isEmpty else { return [] }
        let planned: [(request: ProviderRequest, messageIds: [Int64])]
        do {
            planned = try ProviderRequestBuilder.requests(for: messages, provider: provider, customValues: customValues, publicBaseURL: publicBaseURL)
        } catch {
            logger.error("provider requests cannot be built", metadata: ["provider": "\(provider.id)", "error": "\(error)"])
            let now = Self.epochNow()
            return messages.map {
                DispatchResult(messageId: $0.messageId, outcome: .failed(reason: "provider config error: \(error)"), at: now)
            }
        }
        var results: [DispatchResult] = []
        results.reserveCapacity(messages.count)
        for (request, messageIds) in planned {
            let outcome = await perform(request, provider: provider)
            let at = Self.epochNow()
            switch outcome {
            case .sent(let answer):
                let ids = ProviderMessageIdReader.ids(in: answer, provider: provider, count: messageIds.count)
                for (id, providerId) in zip(messageIds, ids) {
                    // Stored in the form callbacks are matched on (case, leading zeros per dialect).
                    let key = ProviderMessageId.normalize(providerId, kind: provider.kind)
                    results.append(DispatchResult(messageId: id, outcome: .sent(providerMessageId: key), at: at))
                }
            case .failed(let reason):
                for id in messageIds {
                    results.append(DispatchResult(messageId: id, outcome: .failed(reason: reason), at: at))
                }
            }
        }
        return results
    }

    // MARK: - Attempts

    enum RequestOutcome {
        /// 2xx, with the answer (its body when it could be read, its headers).
        case sent(ProviderAnswer)
        case failed(String)
    }

    /// What one attempt gave.
    enum Attempt {
        case success(ProviderAnswer)
        /// Worth another attempt; `reason` is the dispatch error if it was the last one.
        case retryable(reason: DispatchErrorReason, retryAfter: Duration?)
        case final(String)
        /// 401: final, unless an OAuth token can be refreshed once.
        case unauthorized
    }

    /// Sends one request under the retry policy.
    func perform(_ request: ProviderRequest, provider: ProviderConfig) async -> RequestOutcome {
        var attempt = 1
        var refreshedToken = false
        while true {
            var result: Attempt
            if let auth = provider.auth, auth.type == .oauth2 {
                do {
                    let token = try await tokens.token(for: auth)
                    var authorized = request
                    authorized.headers = request.headers.filter { $0.key.caseInsensitiveCompare("Authorization") != .orderedSame }
                    authorized.headers["Authorization"] = "Bearer \(token)"
                    result = await attemptOnce(authorized)
                    if case .unauthorized = result, !refreshedToken {
                        refreshedToken = true
                        await tokens.invalidate(auth, token: token)
                        logger.info("provider refused the OAuth token; refreshing once", metadata: ["provider": "\(provider.id)"])
                        continue
                    }
                } catch let error as OAuthTokenError {
                    switch error {
                    case .unreachable: result = .retryable(reason: .providerUnreachable, retryAfter: nil)
                    case .refused(let status) where status == 429 || status >= 500:
                        // The token endpoint is overloaded or down: retried like the provider.
                        result = .retryable(reason: .providerAuthFailed, retryAfter: nil)
                    default:
                        logger.warning("oauth token unavailable", metadata: ["provider": "\(provider.id)", "error": "\(error)"])
                        result = .final(DispatchErrorReason.providerAuthFailed.description)
                    }
                } catch {
                    result = .retryable(reason: .providerUnreachable, retryAfter: nil)
                }
            } else {
                result = await attemptOnce(request)
            }
            if case .unauthorized = result { result = .final(DispatchErrorReason.providerAuthFailed.description) }
            switch result {
            case .success(let answer):
                if attempt > 1 {
                    logger.debug("provider accepted after retry", metadata: ["attempt": "\(attempt)"])
                }
                return .sent(answer)
            case .unauthorized:
                return .failed(DispatchErrorReason.providerAuthFailed.description)
            case .final(let reason):
                logger.warning("provider refused request", metadata: ["provider": "\(provider.id)", "reason": "\(reason)"])
                return .failed(reason)
            case .retryable(let reason, let retryAfter):
                guard attempt < retry.maxAttempts, !Task.isCancelled else {
                    logger.warning(
                        "provider request failed after retries",
                        metadata: ["provider": "\(provider.id)", "attempts": "\(attempt)", "reason": "\(reason)"]
                    )
                    return .failed(reason.description)
                }
                let wait = retry.delay(afterAttempt: attempt, retryAfter: retryAfter, random: retry.random())
                logger.debug(
                    "retrying provider request",
                    metadata: ["attempt": "\(attempt)", "reason": "\(reason)", "delay": "\(wait)"]
                )
                do {
                    try await retry.sleep(wait)
                } catch {
                    return .failed(reason.description)
                }
                attempt += 1
            }
        }
    }

    /// One HTTP exchange, classified, and measured (``ProviderMetrics``).
    func attemptOnce(_ request: ProviderRequest) async -> Attempt {
        guard let metrics else { return await exchange(request).attempt }
        let start = ContinuousClock.now
        let (attempt, status) = await exchange(request)
        var transportError: String?
        if status == nil {
            switch attempt {
            case .retryable(.timeout, _): transportError = "timeout"
            case .retryable(.connectionRefused, _): transportError = "connection_refused"
            case .retryable(.connectTimeout, _): transportError = "connect_timeout"
            case .final: transportError = "invalid_request"
            default: transportError = "unreachable"
            }
        }
        metrics.record(duration: ContinuousClock.now - start, status: status, transportError: transportError)
        return attempt
    }

    /// One HTTP exchange, classified; `status` is the answer's status (`nil`: no answer).
    func exchange(_ request: ProviderRequest) async -> (attempt: Attempt, status: Int?) {
        var http = HTTPClientRequest(url: request.url)
        switch request.method {
        case "GET": http.method = .GET
        case "POST": http.method = .POST
        default: http.method = .RAW(value: request.method)
        }
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) {
            http.headers.add(name: name, value: value)
        }
        if let body = request.body {
            http.body = .bytes(ByteBuffer(string: body))
        }
        do {
            let response = try await httpClient.execute(http, timeout: Self.timeAmount(timeout), logger: logger)
            let status = Int(response.status.code)
            return (await Self.classify(response, status: status), status)
        } catch {
            return (Self.classify(error, url: request.url), nil)
        }
    }

    /// Maps an answer to an attempt result (reading its body: up to 1 MiB for a 2xx, else drained).
    static func classify(_ response: HTTPClientResponse, status: Int) async -> Attempt {
        switch status {
        case 200..<300:
            let body = try? await response.body.collect(upTo: 1 << 20)
            return .success(ProviderAnswer(body: body.map { Data($0.readableBytesView) }, headers: response.headers.map { ($0.name, $0.value) }))
        case 401:
            _ = try? await response.body.collect(upTo: 64 << 10)
            return .unauthorized
        case 403:
            _ = try? await response.body.collect(upTo: 64 << 10)
            return .final(DispatchErrorReason.providerAuthFailed.description)
        case 429, 500..<600:
            _ = try? await response.body.collect(upTo: 64 << 10)
            let retryAfter =
                (status == 429 || status == 503)
                ? parseRetryAfter(response.headers.first(name: "Retry-After")) : nil
            return .retryable(reason: .providerHTTPError(status: status), retryAfter: retryAfter)
        default:
            _ = try? await response.body.collect(upTo: 64 << 10)
            return .final(DispatchErrorReason.providerHTTPError(status: status).description)
        }
    }

    /// Maps a transport error to an attempt result: a refused connection or a connect timeout is
    /// named with the URL's `host:port` (``ProviderHTTPClient/connectFailure(_:endpoint:)``).
    static func classify(_ error: any Error, url: String) -> Attempt {
        if let endpoint = ProviderHTTPClient.endpoint(of: url),
            let reason = ProviderHTTPClient.connectFailure(error, endpoint: endpoint)
        {
            return .retryable(reason: reason, retryAfter: nil)
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return .retryable(reason: .timeout, retryAfter: nil)
            case .invalidURL, .emptyHost, .emptyScheme, .alreadyShutdown:
                return .final("provider config error: \(error)")
            default:
                return .retryable(reason: .providerUnreachable, retryAfter: nil)
            }
        }
        return .retryable(reason: .providerUnreachable, retryAfter: nil)
    }

    /// `Retry-After` as delta seconds (`"3"`, `"1.5"`); HTTP dates and junk give `nil`. A huge
    /// value (`1e300`, from the provider: untrusted) is cut to one day before the conversion, so it
    /// cannot trap; ``RetryPolicy`` caps it further.
    static func parseRetryAfter(_ value: String?) -> Duration? {
        guard let value, let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds >= 0,
            seconds.isFinite
        else { return nil }
        return .milliseconds(Int64((min(seconds, 86_400) * 1000).rounded()))
    }

    static func timeAmount(_ d: Duration) -> TimeAmount {
        .nanoseconds(RetryPolicy.nanoseconds(d))
    }

    static func epochNow() -> Int64 {
        Int64(Date().timeIntervalSince1970)
    }
}
