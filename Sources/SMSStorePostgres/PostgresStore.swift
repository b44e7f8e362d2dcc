import Foundation
import Logging
import NIOSSL
import PostgresNIO
import SMSCore

/// The production store: PostgreSQL through postgres-nio's `PostgresClient` (a connection pool).
/// Same schema and semantics as `SQLiteStore`: every method is one transaction that calls the
/// pure state machine (``MessageState``, ``MessageContribution``) and updates the rollups with it;
/// SQL uses bound parameters only (`PostgresQuery` string interpolation binds every `\(value)`).
/// Conforms to ``SMSDispatchStore``.
///
/// ## Concurrency
/// SQLite serialises writers; PostgreSQL runs them concurrently (READ COMMITTED). So every
/// read-modify-write locks what it reads: the messages it changes (`SELECT … FOR UPDATE`, in id
/// order; claims with `SKIP LOCKED`), the campaign row for status changes, the profile row for the
/// opt-out flag, and transaction advisory locks (``PGTx/lockKeys(_:)``, sorted) for what may not
/// exist yet: the metas / provider ids a callback batch looks up and a message being recorded
/// (so a receipt and its message never miss each other as "pending"), a user's conversion events
/// against a new control message, and the frequency cap per user across campaigns. Where a method
/// controls the order, advisory locks come before row locks; the remaining cycles (several steps
/// in one transaction) are broken by PostgreSQL's deadlock detector and the retry. Rollup cells are upserted in sorted key order
/// into one of a few slot rows per cell (``PGRollupWriter``: `value = value + excluded.value`; reads sum the slots). A transaction that fails with a serialization failure
/// or a deadlock (SQLSTATE 40001 / 40P01) is retried from the start (at most ``maxAttempts`` times).
///
/// Any number of `smsstats serve` processes per database: claims carry leases, singleton work takes
/// session advisory locks, rate buckets are shared rows (``NodeCoordination``).
///
/// ## Lifecycle
/// ``connect(url:keywords:logger:)`` starts the client's `run()` in a task it owns, migrates the
/// schema (versioned, in `schema_migrations`) and returns the store; ``close()`` stops the client.
public final class PostgresStore: SMSStore {
    let client: PostgresClient
    let logger: Logger
    /// The schema of `?search_path=` (created by the migrations when missing), or `nil`.
    let schema: String?
    /// Opt-out keywords applied to `replied` callbacks.
    let keywords: OptOutKeywords
    /// The enabled webhook subscriptions the outbox writer routes events to (``PGWebhookOutbox``).
    let webhookRoutes = WebhookRouteCache()
    private let runTask: Task<Void, Never>
    private let runStarted: StartedFlag
    /// Attempts per transaction when PostgreSQL reports a serialization failure or deadlock.
    public static let maxAttempts = 8

    /// Creates the store and starts its connection pool; does not connect yet (see ``connect(url:keywords:logger:)``).
    /// - Parameters:
    ///   - location: server, credentials, database and optional schema (``PostgresLocation``).
    ///   - maxConnections: pool size (PostgreSQL's default server limit is 100 connections).
    public init(
        location: PostgresLocation, keywords: OptOutKeywords = OptOutKeywords(), maxConnections: Int = 10,
        logger: Logger = Logger(label: "smsstats.postgres")
    ) {
        var config = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database, tls: Self.tls(location.sslMode))
        config.options.maximumConnections = maxConnections
        if let schema = location.schema {
            config.options.additionalStartupParameters = [("search_path", schema)]
        }
        let client = PostgresClient(configuration: config, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.schema = location.schema
        self.keywords = keywords
        let flag = StartedFlag()
        self.runStarted = flag
        self.runTask = Task {
            flag.set()
            await client.run()
        }
    }

    /// postgres-nio's TLS setting for an `sslmode` (libpq's meaning: only `verify-full` checks the certificate).
    static func tls(_ mode: PostgresLocation.SSLMode) -> PostgresClient.Configuration.TLS {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        switch mode {
        case .disable: return .disable
        case .prefer: return .prefer(unverified)
        case .require: return .require(unverified)
        case .verifyFull: return .require(.makeClientConfiguration())
        }
    }

    /// Opens a store at a `postgres://` URL: connects (postgres-nio's connect timeout, 10 s per
    /// attempt) and runs the migrations.
    /// - Parameters:
    ///   - url: `postgres://user:password@host:port/database[?search_path=schema][&sslmode=mode]`.
    ///   - lastMigration: apply the migrations only up to this id (a benchmark or test of an
    ///     earlier release's schema); `nil`: all.
    /// - Throws: ``PostgresLocation/ParseError`` for a malformed URL; ``OpenError`` when the
    ///   server cannot be reached or the schema cannot be migrated.
    public static func connect(
        url: String, keywords: OptOutKeywords = OptOutKeywords(), maxConnections: Int = 10,
        logger: Logger = Logger(label: "smsstats.postgres"), migratingThrough lastMigration: String? = nil
    ) async throws -> PostgresStore {
        let location = try PostgresLocation(url: url)
        do {
            // One plain connection first: its error names the cause at once (refused, TLS, password),
            // where the pool would retry behind a circuit breaker for a minute.
            try await checkConnection(location, logger: logger)
        } catch {
            throw OpenError(url: PostgresLocation.redacted(url), underlying: String(reflecting: error))
        }
        let store = PostgresStore(location: location, keywords: keywords, maxConnections: maxConnections, logger: logger)
        await store.started()
        do {
            try await PostgresMigrations.migrate(store, PostgresMigrations.through(lastMigration))
        } catch {
            await store.close()
            throw OpenError(url: PostgresLocation.redacted(url), underlying: String(reflecting: error))
        }
        return store
    }

    /// Opens and closes one connection with the pool's settings.
    static func checkConnection(_ l: PostgresLocation, logger: Logger) async throws {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        let tls: PostgresConnection.Configuration.TLS
        switch l.sslMode {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: unverified))
        case .require: tls = .require(try NIOSSLContext(configuration: unverified))
        case .verifyFull: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        let config = PostgresConnection.Configuration(
            host: l.host, port: l.port, username: l.username, password: l.password, database: l.database, tls: tls)
        let connection = try await PostgresConnection.connect(configuration: config, id: 0, logger: logger)
        try await connection.close()
    }

    /// Returns once the pool's `run()` task has begun (a lease before that logs a warning).
    func started() async {
        for _ in 0..<100 where !runStarted.isSet { await Task.yield() }
    }

    /// The database could not be reached or migrated at start-up.
    public struct OpenError: Error, CustomStringConvertible {
        /// The URL, password redacted.
        public var url: String
        public var underlying: String
        public var description: String { "cannot open PostgreSQL database \(url): \(underlying)" }
    }

    /// Stops the connection pool (queries after this fail).
    public func close() async {
        runTask.cancel()
        await runTask.value
    }

    /// Runs `body` in one transaction (`BEGIN` … `COMMIT`), retried from the start on SQLSTATE
    /// 40001 (serialization failure) or 40P01 (deadlock detected).
    func write<R: Sendable>(_ body: @Sendable (PGTx) async throws -> R) async throws -> R {
        var attempt = 1
        while true {
            do {
                return try await client.withConnection { conn in
                    let tx = PGTx(conn: conn, logger: logger)
                    try await tx.exec("BEGIN")
                    do {
                        let result = try await body(tx)
                        try await tx.exec("COMMIT")
                        return result
                    } catch {
                        try? await tx.exec("ROLLBACK")
                        throw error
                    }
                }
            } catch where attempt < Self.maxAttempts && Self.isRetryable(error) {
                attempt += 1
                // Jittered backoff: 1–4 ms, doubling.
                try await Task.sleep(for: .microseconds(Int.random(in: 1_000...4_000) << min(attempt - 2, 6)))
            }
        }
    }

    /// A read-only unit of work, in one transaction too (READ COMMITTED: each statement sees what
    /// was committed when it started; ``reconcile(campaignId:repair:)`` asks for a snapshot).
    func read<R: Sendable>(_ body: @Sendable (PGTx) async throws -> R) async throws -> R {
        try await write(body)
    }

    /// Serialization failure or deadlock: the transaction can be retried as a whole.
    static func isRetryable(_ error: any Error) -> Bool {
        guard let e = error as? PSQLError, let state = e.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }
}

/// Set once the pool's run task has begun.
final class StartedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
