import Foundation
import Logging
import SMSCore
import SMSStorePostgres
import SMSStoreSQLite

/// Opens the store a `--database` value names: a `postgres://` or `postgresql://` URL selects
/// PostgreSQL (``PostgresStore``, production), anything else is a SQLite file path
/// (``SQLiteStore``, embedded). Used through ``SMSServer`` by `smsstats serve|demo|stats|reconcile`.
/// What the store can do beyond the port (the click journal, …) is what it declares in
/// ``SMSDispatchStore/capabilities``.
public struct OpenedStore: Sendable {
    public let store: any SMSDispatchStore
    /// What to print: the SQLite path, or the URL with its password replaced by `***`.
    public let displayName: String
    private let closer: @Sendable () async -> Void

    init(store: any SMSDispatchStore, displayName: String, closer: @escaping @Sendable () async -> Void) {
        self.store = store
        self.displayName = displayName
        self.closer = closer
    }

    /// What the store declares it can do (``StoreCapabilities``).
    public var capabilities: StoreCapabilities { store.capabilities }

    /// Opens (and migrates) the store.
    /// - Throws: `PostgresLocation.ParseError` for a malformed URL; the driver's errors when the
    ///   database cannot be opened, reached or migrated.
    /// - Parameter mustExist: refuse a SQLite path with no database file (the read-only commands
    ///   `stats` and `reconcile`: a mistyped path must not become a new empty database).
    public static func open(
        database: String, keywords: OptOutKeywords = OptOutKeywords(), mustExist: Bool = false, logger: Logger
    ) async throws -> OpenedStore {
        if PostgresLocation.isPostgresURL(database) {
            let store = try await PostgresStore.connect(url: database, keywords: keywords, logger: logger)
            return OpenedStore(store: store, displayName: PostgresLocation.redacted(database), closer: { await store.close() })
        }
        if mustExist, !FileManager.default.fileExists(atPath: database) {
            throw StoreOpenError.noDatabase(database)
        }
        let store: SQLiteStore
        do {
            store = try SQLiteStore(path: database, keywords: keywords)
        } catch {
            throw StoreOpenError.cannotOpen(database, "\(error)")
        }
        return OpenedStore(store: store, displayName: database, closer: {})
    }

    /// Opens the store, runs `body` with it and closes it, also when `body` throws.
    /// - Throws: what ``open(database:keywords:mustExist:logger:)`` or `body` throws.
    public static func using<T>(
        database: String, keywords: OptOutKeywords = OptOutKeywords(), mustExist: Bool = false, logger: Logger,
        _ body: (OpenedStore) async throws -> T
    ) async throws -> T {
        let opened = try await open(database: database, keywords: keywords, mustExist: mustExist, logger: logger)
        do {
            let value = try await body(opened)
            await opened.close()
            return value
        } catch {
            await opened.close()
            throw error
        }
    }

    /// Releases the store's connections (PostgreSQL); a no-op for SQLite.
    public func close() async { await closer() }
}

/// Why a store could not be opened.
public enum StoreOpenError: Error, CustomStringConvertible {
    /// A SQLite path with no file where one must exist.
    case noDatabase(String)
    /// A SQLite path that could not be opened or migrated (path, SQLite's error).
    case cannotOpen(String, String)

    public var description: String {
        switch self {
        case .noDatabase(let path): "no database at \(path) (pass --database or set SMSSTATS_DATABASE)"
        case .cannotOpen(let path, let reason):
            "cannot open the SQLite database at \(path): \(reason) (does the directory exist and is it writable?)"
        }
    }
}
