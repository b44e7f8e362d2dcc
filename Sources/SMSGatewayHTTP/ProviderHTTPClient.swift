import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import SMSCore

/// The AsyncHTTPClient set-up for provider requests (``HTTPProviderGateway``): fail fast on a dead
/// endpoint and leave retrying to ``RetryPolicy``.
///
/// Timeouts (per attempt; the gateway's `timeout`, default 10 s, bounds the whole exchange):
/// - **connect: 3 s**: opening the TCP connection (and TLS). Covers two lost SYNs (Linux resends
///   after 1 s and 3 s); a provider that needs longer is failing. A refused connection (nothing
///   listening) fails at once, in milliseconds.
/// - **read: 10 s** without a byte from the provider once the request is sent (a stalled
///   answer); the per-attempt deadline ends it at the latest.
///
/// AsyncHTTPClient's own connection retry is **off** (`retryConnectionEstablishment = false`).
/// With it on (the default, and `HTTPClient.shared`), a refused connection is retried inside the
/// client with its own backoff until the request's deadline, so each attempt lasted the whole
/// 10 s: 4 attempts × 10 s = 40 s per message for a provider whose port is closed. Off, the
/// attempt fails with the connect error and ``RetryPolicy`` decides (4 attempts, backoff ceilings
/// 0.2, 0.4, 0.8 s: a closed port costs at most about 1.4 s per request).
///
/// Both timeouts are the same for every provider (AsyncHTTPClient sets them per client, not per
/// request).
public enum ProviderHTTPClient {
    /// Connect timeout, **seconds** (3).
    public static let connectTimeout: Duration = .seconds(3)
    /// Read timeout (no byte received for this long), **seconds** (10).
    public static let readTimeout: Duration = .seconds(10)

    /// The client configuration for provider requests: ``connectTimeout``, ``readTimeout``, no
    /// connection-establishment retry inside the client.
    /// - Parameters:
    ///   - connect: connect timeout.
    ///   - read: read timeout.
    public static func configuration(connect: Duration = connectTimeout, read: Duration = readTimeout) -> HTTPClient.Configuration {
        var config = HTTPClient.Configuration()
        config.timeout = .init(
            connect: .nanoseconds(RetryPolicy.nanoseconds(connect)), read: .nanoseconds(RetryPolicy.nanoseconds(read)))
        config.connectionPool.retryConnectionEstablishment = false
        return config
    }

    /// A new client with ``configuration(connect:read:)`` on the shared event loops. The caller
    /// owns it and must `shutdown()` it.
    public static func make(connect: Duration = connectTimeout, read: Duration = readTimeout) -> HTTPClient {
        HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration(connect: connect, read: read))
    }

    /// `host:port` of a request URL, the port defaulted by scheme (80, 443) and an IPv6 host in
    /// brackets: `"http://127.0.0.1:9/send"` → `"127.0.0.1:9"`. `nil` without a host.
    static func endpoint(of url: String) -> String? {
        guard let parts = URLComponents(string: url), let host = parts.host, !host.isEmpty else { return nil }
        let port = parts.port ?? (parts.scheme?.lowercased() == "https" ? 443 : 80)
        let shown = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(shown):\(port)"
    }

    /// What a connect error means, when it is one: refused (every address tried answered
    /// `ECONNREFUSED`) or a connect timeout; `nil` for anything else.
    static func connectFailure(_ error: any Error, endpoint: String) -> DispatchErrorReason? {
        if isRefused(error) { return .connectionRefused(endpoint: endpoint) }
        if let e = error as? HTTPClientError, e == .connectTimeout { return .connectTimeout(endpoint: endpoint) }
        if let e = error as? ChannelError, case .connectTimeout = e { return .connectTimeout(endpoint: endpoint) }
        if let e = error as? NIOConnectionError, !e.connectionErrors.isEmpty,
            e.connectionErrors.allSatisfy({ isConnectTimeout($0.error) })
        {
            return .connectTimeout(endpoint: endpoint)
        }
        return nil
    }

    /// `ECONNREFUSED`, alone (an IP address) or for every address a host name resolved to.
    static func isRefused(_ error: any Error) -> Bool {
        if let e = error as? IOError { return e.errnoCode == ECONNREFUSED }
        if let e = error as? NIOConnectionError {
            return !e.connectionErrors.isEmpty && e.connectionErrors.allSatisfy { isRefused($0.error) }
        }
        return false
    }

    static func isConnectTimeout(_ error: any Error) -> Bool {
        if let e = error as? ChannelError, case .connectTimeout = e { return true }
        return false
    }
}
