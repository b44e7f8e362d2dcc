import AsyncHTTPClient
import Logging
import SMSCore
import SMSGatewayHTTP
import SMSWeb
import ServiceLifecycle

/// The composition root: turns a ``ServerConfiguration`` into a running application — opens (and
/// migrates) the store the `database` names, decides the click journal from what the store declares
/// (``StoreCapabilities``), makes the HTTP provider gateway and builds the application
/// (``buildApplication(config:store:gateway:runDispatcher:logger:metrics:)``). `smsstats serve` and
/// the demo run through ``withServer(_:providerClient:logger:_:)``; `stats` and `reconcile`, which
/// need only the store, through ``withStore(database:mustExist:logger:_:)``.
public enum SMSServer {
    /// Opens the store, builds the application and runs `body` with it; the store (and the provider
    /// HTTP client, when this function made it) are closed afterwards, also when `body` throws.
    /// `body` decides how long the application runs (``RunningServer/run()`` until a signal, or a
    /// `ServiceGroup` of its own).
    /// - Parameters:
    ///   - providerClient: the HTTP client provider requests go through; `nil` = a new
    ///     ``ProviderHTTPClient`` (connect 3 s, read 10 s), shut down at the end. The caller keeps
    ///     ownership of a client it passes.
    /// - Throws: ``OpenedStore``'s errors (malformed URL, unreachable or unopenable database),
    ///   ``ApplicationConfigurationError``, the application's set-up errors, and what `body` throws.
    public static func withServer<T>(
        _ configuration: ServerConfiguration, providerClient: HTTPClient? = nil, logger: Logger,
        _ body: (RunningServer) async throws -> T
    ) async throws -> T {
        try await OpenedStore.using(database: configuration.database, keywords: configuration.optOutKeywords, logger: logger) {
            opened in
            var config = configuration.app
            config.clickJournalDirectory = configuration.clickJournal.directory(
                database: configuration.database, capabilities: opened.capabilities)
            let client = providerClient ?? ProviderHTTPClient.make()
            do {
                let gateway = HTTPProviderGateway(
                    httpClient: client, publicBaseURL: config.publicBaseURL, logger: logger,
                    metrics: ProviderMetrics(factory: AppMetrics.shared.factory))
                let app = try await buildApplication(
                    config: config, store: opened.store, gateway: gateway, runDispatcher: configuration.runDispatcher,
                    logger: logger)
                let value = try await body(RunningServer(application: app, store: opened, config: config, logger: logger))
                if providerClient == nil { try? await client.shutdown() }
                return value
            } catch {
                if providerClient == nil { try? await client.shutdown() }
                throw error
            }
        }
    }

    /// Opens the store a `database` value names, runs `body` with it and closes it (`smsstats stats`,
    /// `smsstats reconcile`: no server).
    /// - Parameter mustExist: refuse a SQLite path with no database file (a mistyped path must not
    ///   become a new empty database).
    /// - Throws: ``OpenedStore``'s errors and what `body` throws.
    public static func withStore<T>(
        database: String, mustExist: Bool = true, logger: Logger, _ body: (OpenedStore) async throws -> T
    ) async throws -> T {
        try await OpenedStore.using(database: database, mustExist: mustExist, logger: logger, body)
    }
}

/// An application built by ``SMSServer/withServer(_:providerClient:logger:_:)``, not yet running.
public struct RunningServer: Sendable {
    /// The HTTP server with its services (dispatch loop, click journal drainer).
    public let application: any Service
    /// The store it serves, with its display name and capabilities.
    public let store: OpenedStore
    /// The settings in effect (with the click journal directory chosen, `nil` for none).
    public let config: AppConfig
    let logger: Logger

    /// Runs the application until SIGTERM or SIGINT (then stops gracefully and returns) or until it
    /// fails (then throws its error, e.g. the port being in use).
    public func run() async throws {
        let group = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
