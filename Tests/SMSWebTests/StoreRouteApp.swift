import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SMSCore
import SMSStoreTestSupport
import SMSWeb

/// A server driven through its router (`.router`: no network) over a fresh store of either kind,
/// holding one generic provider `p1`: for route tests that run on SQLite and PostgreSQL.
enum StoreRouteApp {
    /// Runs `body` against the app; the store is closed afterwards.
    /// - Parameters:
    ///   - adminToken: the admin API's bearer token.
    ///   - secret: provider `p1`'s callback secret.
    ///   - now: the server clock (``AppConfig/now``), epoch seconds; `nil` = the real one.
    ///   - logs: collects every log line (trace level); `nil`: critical lines only, not collected.
    static func with(
        _ kind: StoreKind, adminToken: String, secret: String, now: (@Sendable () -> Int64)? = nil, logs: LogCapture? = nil,
        _ body: @escaping @Sendable (any TestClientProtocol, TestStore) async throws -> Void
    ) async throws {
        let t = try await TestStore.make(kind)
        try await t.store.insertProvider(ProviderConfig(
            id: "p1", name: "P", url: "http://127.0.0.1:9/sms", bodyTemplate: #"{"to":"$$To","text":"$$Body"}"#,
            callbackSecret: secret, createdAt: 0))
        var logger = logs?.logger ?? Logger(label: "test.routes")
        if logs == nil { logger.logLevel = .critical }
        var config = AppConfig(host: "127.0.0.1", port: 0, publicBaseURL: "https://s.example", adminToken: adminToken)
        if let now { config.now = now }
        let app = try await buildApplication(config: config, store: t.store, gateway: SilentGateway(), runDispatcher: false, logger: logger)
        try await app.test(.router) { client in try await body(client, t) }
        await t.close()
    }
}
