import AsyncHTTPClient
import Foundation
import Logging
import SMSCore
import SMSGatewayHTTP
import SMSStorePostgres
import SMSStoreSQLite
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
    ///   `SQLiteServeLock.Busy` while `smsstats restore` writes the SQLite database,
    ///   ``ApplicationConfigurationError``, the application's set-up errors, and what `body` throws.
    public static func withServer<T>(
        _ configuration: ServerConfiguration, providerClient: HTTPClient? = nil, logger: Logger,
        _ body: (RunningServer) async throws -> T
    ) async throws -> T {
        // A SQLite database is marked in use (`<database>-serve.lock`) so that `smsstats restore`
        // refuses while this server runs. A lock file that cannot be created (no such directory)
        // is left to the store's opening to report.
        var serveLock: SQLiteServeLock?
        if !PostgresLocation.isPostgresURL(configuration.database) {
            do {
                serveLock = try SQLiteServeLock.serve(
                    database: configuration.database,
                    holder: "smsstats serve pid \(ProcessInfo.processInfo.processIdentifier) on \(configuration.app.host):\(configuration.app.port)")
            } catch let busy as SQLiteServeLock.Busy {
                throw busy
            } catch {}
        }
        defer { serveLock?.release() }
        return try await OpenedStore.using(database: configuration.database, keywords: configuration.optOutKeywords, logger: logger) {
            opened in
            var config = configuration.app
            config.clickJournalDirectory = configuration.clickJournal.directory(
                database: configuration.database, capabilities: opened.capabilities)
            let client = providerClient ?? ProviderHTTPClient.make()
            do {
                let gateway = HTTPProviderGateway(
                    httpClient: client, publicBaseURL: config.publicBaseURL, logger: logger,
                    metrics: ProviderMetrics(factory: AppMetrics.shared.factory))
                let drain = NodeDrain()
                let app = try await buildApplication(
                    config: config, store: opened.store, gateway: gateway, runDispatcher: configuration.runDispatcher,
                    logger: logger, drain: drain)
                let value = try await body(
                    RunningServer(
                        application: app, store: opened, config: config, drain: drain,
                        drainSeconds: configuration.drainSeconds, logger: logger))
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
    /// The server's drain switch (``NodeDrain``), started by ``run()`` on SIGTERM or SIGINT.
    public let drain: NodeDrain
    /// Longest drain, seconds (``ServerConfiguration/drainSeconds``).
    public let drainSeconds: Int
    let logger: Logger

    /// Runs the application until SIGTERM or SIGINT, then drains and returns; or until it fails
    /// (then throws its error, e.g. the port being in use).
    ///
    /// The drain: at once `/ready` answers 503 and the dispatcher claims nothing more
    /// (``NodeDrain``); the HTTP server stops accepting connections and finishes the requests in
    /// flight; the dispatcher finishes its provider requests in flight, records their answers and
    /// queues again any claim it still holds; the click journal is applied. All of it within
    /// ``drainSeconds``; past that, what is left is cancelled (claims are still released).
    public func run() async throws {
        var configuration = ServiceGroupConfiguration(
            services: [
                .init(service: application),
                // Last: the first to hear of the shutdown, so the drain starts before the HTTP server quiesces.
                .init(service: DrainOnShutdown(drain: drain, logger: logger)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(drainSeconds)
        // A task that ignores cancellation must not keep the process alive forever.
        configuration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: configuration)
        try await group.run()
    }
}

/// Starts the drain when the service group begins its graceful shutdown, then ends.
struct DrainOnShutdown: Service {
    let drain: NodeDrain
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        if drain.start() { logger.notice("draining: /ready answers 503; finishing in-flight requests and sends") }
    }
}
