import Foundation
import GRDB
import Logging
import PostgresNIO
import SMSCore
import SMSStorePostgres
import SMSStoreSQLite
import Testing

/// A fresh, isolated store for one test: a SQLite file in a temporary directory, or a new
/// PostgreSQL schema (`search_path`) on the server of ``StoreKind/postgresURL``. Removed (file
/// deleted, schema dropped with CASCADE) by ``close()`` or, at the latest, when the last
/// reference goes away.
///
/// Besides the store it offers raw SQL for what the port does not expose (message ids, the event
/// log, tampering for reconcile tests): `?` placeholders, portable SQL only.
public final class TestStore: Sendable {
    public let kind: StoreKind
    public let store: any SMSDispatchStore
    /// What `--database` would take for this store: the SQLite path, or the URL with `?search_path=`.
    public let databaseURL: String
    private let backend: Backend
    private let closed = ClosedFlag()

    enum Backend: Sendable {
        case sqlite(path: String, dir: String, queue: DatabaseQueue)
        case postgres(schema: String, probe: PostgresClient, probeTask: Task<Void, Never>, store: PostgresStore)
    }

    private init(kind: StoreKind, store: any SMSDispatchStore, databaseURL: String, backend: Backend) {
        self.kind = kind
        self.store = store
        self.databaseURL = databaseURL
        self.backend = backend
    }

    /// A new store of `kind`. For PostgreSQL without ``StoreKind/postgresURL`` the current test
    /// case is skipped (`Test.cancel`) with a message naming the variable.
    public static func make(_ kind: StoreKind, keywords: OptOutKeywords = OptOutKeywords()) async throws -> TestStore {
        switch kind {
        case .sqlite:
            let dir = NSTemporaryDirectory() + "smsstats-test-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let path = dir + "/store.sqlite"
            let store = try SQLiteStore(path: path, keywords: keywords)
            var config = Configuration()
            config.busyMode = .timeout(10)
            let queue = try DatabaseQueue(path: path, configuration: config)
            return TestStore(kind: kind, store: store, databaseURL: path, backend: .sqlite(path: path, dir: dir, queue: queue))
        case .postgres:
            guard let base = StoreKind.postgresURL else {
                SkipNotice.once()
                try Test.cancel(
                    "PostgreSQL case skipped: \(StoreKind.postgresURLVariable) is unset (scripts/setup/postgres.sh starts a server and sets it)")
            }
            let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
            var location = try PostgresLocation(url: base)
            location.schema = schema
            var config = PostgresClient.Configuration(
                host: location.host, port: location.port, username: location.username, password: location.password,
                database: location.database, tls: .disable)
            config.options.maximumConnections = 1
            config.options.additionalStartupParameters = [("search_path", schema)]
            let probe = PostgresClient(configuration: config)
            let probeTask = Task { await probe.run() }
            do {
                try await probe.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"))
                let separator = base.contains("?") ? "&" : "?"
                let url = base + separator + "search_path=" + schema
                var logger = Logger(label: "test.postgres")
                logger.logLevel = .critical
                // Two connections (plus the probe's one): tests run in parallel, each with its own store; at 3 a
                // CI run hit the test server's connection limit, and with the limit raised the test process
                // held over 1,300 descriptors and crashed spawning a CLI child in Foundation's Process.run.
                let store = try await PostgresStore.connect(url: url, keywords: keywords, maxConnections: 2, logger: logger)
                return TestStore(
                    kind: kind, store: store, databaseURL: url,
                    backend: .postgres(schema: schema, probe: probe, probeTask: probeTask, store: store))
            } catch {
                probeTask.cancel()
                throw error
            }
        }
    }

    /// A second, independent connection to this test store's database: what a restart opens, or
    /// another server of a cluster. Close it with the returned closure (before ``close()``).
    public func reopened(maxConnections: Int = 4) async throws -> (store: any SMSDispatchStore, close: @Sendable () async -> Void) {
        switch kind {
        case .sqlite:
            return (try SQLiteStore(path: databaseURL), {})
        case .postgres:
            var logger = Logger(label: "test.reopened")
            logger.logLevel = .critical
            let store = try await PostgresStore.connect(url: databaseURL, maxConnections: maxConnections, logger: logger)
            return (store, { await store.close() })
        }
    }

    /// Removes the database (idempotent enough: a second call finds nothing to drop).
    public func close() async {
        guard closed.close() else { return }
        switch backend {
        case .sqlite(_, let dir, _):
            try? FileManager.default.removeItem(atPath: dir)
        case .postgres(let schema, let probe, let probeTask, let store):
            await store.close()
            _ = try? await probe.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"))
            probeTask.cancel()
            await probeTask.value
        }
    }

    deinit {
        guard closed.close() else { return }
        let backend = backend
        switch backend {
        case .sqlite(_, let dir, _):
            try? FileManager.default.removeItem(atPath: dir)
        case .postgres(let schema, let probe, let probeTask, let store):
            Task.detached {
                await store.close()
                _ = try? await probe.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"))
                probeTask.cancel()
            }
        }
    }

    // MARK: Raw SQL

    /// Runs a query with `?` placeholders and returns its rows by column name (booleans as 0 / 1).
    @discardableResult
    public func query(_ sql: String, _ arguments: [ProbeValue] = []) async throws -> [ProbeRow] {
        switch backend {
        case .sqlite(_, _, let queue):
            return try await queue.write { db in
                try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments.map(\.databaseValue))).map { row in
                    var out: ProbeRow = [:]
                    for (name, value) in row {
                        switch value.storage {
                        case .int64(let v): out[name] = .int(v)
                        case .string(let s): out[name] = .text(s)
                        case .double(let d): out[name] = .int(Int64(d))
                        case .blob(let data): out[name] = .text(String(decoding: data, as: UTF8.self))
                        case .null: out[name] = .null
                        }
                    }
                    return out
                }
            }
        case .postgres(_, let probe, _, _):
            var bindings = PostgresBindings()
            for a in arguments {
                switch a {
                case .int(let v): bindings.append(v)
                case .text(let s): bindings.append(s)
                case .null: bindings.appendNull()
                }
            }
            let rows = try await probe.query(PostgresQuery(unsafeSQL: Self.numbered(sql), binds: bindings)).collect()
            return try rows.map { row in
                var out: ProbeRow = [:]
                for cell in row {
                    guard cell.bytes != nil else {
                        out[cell.columnName] = .null
                        continue
                    }
                    switch cell.dataType {
                    case .bool: out[cell.columnName] = .int(try cell.decode(Bool.self) ? 1 : 0)
                    case .int2, .int4, .int8: out[cell.columnName] = .int(Int64(try cell.decode(Int.self)))
                    case .numeric: out[cell.columnName] = .int(Int64(try cell.decode(String.self)) ?? 0)
                    case .bytea: out[cell.columnName] = .text(String(buffer: try cell.decode(ByteBuffer.self)))
                    default: out[cell.columnName] = .text(try cell.decode(String.self))
                    }
                }
                return out
            }
        }
    }

    /// The first column of the first row as an integer (`COUNT(*)`, an id).
    public func int(_ sql: String, _ arguments: [ProbeValue] = []) async throws -> Int64? {
        try await query(sql, arguments).first.flatMap { row in row.values.first?.int }
    }

    /// `?` placeholders → `$1, $2, …` (test SQL has no `?` inside string literals).
    static func numbered(_ sql: String) -> String {
        var out = ""
        var n = 0
        for ch in sql {
            if ch == "?" {
                n += 1
                out += "$\(n)"
            } else {
                out.append(ch)
            }
        }
        return out
    }

    // MARK: Helpers shared by the fixtures

    /// The id of the message with this meta.
    public func messageId(meta: String) async throws -> Int64? {
        try await int("SELECT id FROM messages WHERE meta = ?", [.text(meta)])
    }

    /// The merged state of the message with this meta, as stored.
    public func messageState(meta: String) async throws -> MessageState? {
        guard let r = try await query(
            """
            SELECT dispatch, dispatched_at, dispatch_error_reason, submitted_at, delivered_at, failure_code,
              failure_description, failure_at, first_click_at, first_event_at FROM messages WHERE meta = ?
            """, [.text(meta)]).first
        else { return nil }
        var failure: MessageState.Failure?
        if let at = r["failure_at"]?.int {
            failure = .init(code: r["failure_code"]?.text, description: r["failure_description"]?.text, at: at)
        }
        return MessageState(
            dispatch: DispatchStatus(rawValue: r["dispatch"]?.text ?? "") ?? .queued, dispatchedAt: r["dispatched_at"]?.int,
            dispatchErrorReason: r["dispatch_error_reason"]?.text, submittedAt: r["submitted_at"]?.int,
            deliveredAt: r["delivered_at"]?.int, failure: failure, firstHumanClickAt: r["first_click_at"]?.int,
            firstEventAt: r["first_event_at"]?.int)
    }

    /// Rows in a table (`table` is a literal from the test, never input).
    public func count(_ table: String) async throws -> Int {
        Int(try await int("SELECT COUNT(*) AS n FROM \(table)") ?? 0)
    }
}

extension ProbeValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .int(let v): v.databaseValue
        case .text(let s): s.databaseValue
        case .null: .null
        }
    }
}

/// Whether ``TestStore/close()`` ran (the first caller gets `true`).
final class ClosedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    func close() -> Bool {
        lock.withLock {
            defer { done = true }
            return !done
        }
    }
}

/// One line on stderr per test process when PostgreSQL cases are skipped (a cancelled test case
/// is reported as passed by the console output, so the reason would otherwise not show).
enum SkipNotice {
    private static let printed = ClosedFlag()
    static func once() {
        guard printed.close() else { return }
        FileHandle.standardError.write(Data("""
            note: PostgreSQL test cases are skipped: \(StoreKind.postgresURLVariable) is unset \
            (scripts/setup/postgres.sh starts a server and sets it; scripts/test.sh sources it).

            """.utf8))
    }
}
