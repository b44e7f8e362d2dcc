import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import SMSCore
import SMSStorePostgres
import SMSStoreSQLite

/// The same units of work against PostgreSQL and, as the baseline, a SQLite file, in one run and
/// one process: publish (`insertMessages`), dispatch (`claimMessages` + `recordDispatchResults`,
/// `concurrency` workers), delivery receipts (`applyCallbacks`, batches of `batch` items,
/// `concurrency` workers) and redirect clicks (`recordClick`, `concurrency` workers), then a
/// reconcile that must find no drift. Prints items/s per phase for both stores and the ratio
/// PostgreSQL / SQLite. The PostgreSQL run uses a new schema, dropped at the end.
struct StoreBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stores", abstract: "Store units of work/s on PostgreSQL vs SQLite (baseline), same workload, same run.")

    @Option(help: "PostgreSQL server URL (default: env SMSSTATS_TEST_POSTGRES_URL).")
    var database: String?
    @Option(help: "Messages (= receipts) per store.") var messages = 20_000
    @Option(help: "Items per claim / callback batch.") var batch = 100
    @Option(help: "Concurrent workers.") var concurrency = 4
    @Option(help: "Clicks (one per message, the first N messages).") var clicks = 5_000

    struct Phase {
        var name: String
        var items: Int
        var seconds: Double
        var rate: Double { Double(items) / seconds }
    }

    func run() async throws {
        let base = try StoreBench.serverURL(database)
        printMachine()
        print("workload: \(messages) messages, batches of \(batch), \(concurrency) workers, \(clicks) clicks")
        let dir = NSTemporaryDirectory() + "smsstats-bench-stores-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sqlite = try await measurePhases(store: try SQLiteStore(path: dir + "/bench.sqlite"))

        let schema = "bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let postgres = try await PostgresStore.connect(
            url: base + (base.contains("?") ? "&" : "?") + "search_path=" + schema, maxConnections: concurrency + 2, logger: logger)
        let pg: [Phase]
        do {
            pg = try await measurePhases(store: postgres)
        } catch {
            await postgres.close()
            try await dropSchema(base, schema)
            throw error
        }
        await postgres.close()
        try await dropSchema(base, schema)

        print("phase        sqlite items/s   postgres items/s   postgres / sqlite")
        for (s, p) in zip(sqlite, pg) {
            print(
                s.name.padding(toLength: 12, withPad: " ", startingAt: 0)
                    + String(format: " %14.0f %18.0f %19.2f", s.rate, p.rate, p.rate / s.rate))
        }
    }

    func measurePhases(store: any SMSDispatchStore) async throws -> [Phase] {
        let now = Int64(Date().timeIntervalSince1970)
        try await store.insertProvider(
            ProviderConfig(id: "bench", name: "bench", url: "http://127.0.0.1:9/send", bodyTemplate: #"{"to":"$$To"}"#,
                           callbackSecret: "bench-secret", createdAt: now))
        try await store.insertCampaign(
            Campaign(id: "bench", name: "bench", providerId: "bench", body: "Hi https://shop.example/x",
                     links: ["https://shop.example/x"], audience: .all, timezone: "UTC", goal: nil, status: .sending, createdAt: now))
        let all = (0..<messages).map { i in
            NewMessage(
                campaignId: "bench", userId: "u\(i)", phone: "+4915123456789", meta: "bench\(i)", body: "Hi", segments: 1,
                dispatch: .queued, createdAt: now - 120,
                links: [NewShortLink(code: "bk\(i)", linkIndex: 0, url: "https://shop.example/x", expiresAt: now + 86_400)])
        }
        var phases: [Phase] = []
        phases.append(Phase(name: "publish", items: messages, seconds: try await measureAsync { try await store.insertMessages(all) }))

        let batch = self.batch
        phases.append(Phase(name: "dispatch", items: messages, seconds: try await measureAsync {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<concurrency {
                    group.addTask {
                        var round = 0
                        while true {
                            let claim = try await store.claimMessages(
                                campaignId: "bench", limit: batch, attempt: "w\(w)-\(round)", now: now - 100, cap: nil)
                            if claim.messages.isEmpty { return }
                            try await store.recordDispatchResults(claim.messages.map {
                                DispatchResult(messageId: $0.messageId, outcome: .sent(providerMessageId: nil), at: now - 100)
                            })
                            round += 1
                        }
                    }
                }
                try await group.waitForAll()
            }
        }))

        let chunks = stride(from: 0, to: messages, by: batch).map { start in
            (start..<min(start + batch, messages)).map { CallbackItem(kind: .delivered, meta: "bench\($0)", ts: now - 30) }
        }
        phases.append(Phase(name: "callbacks", items: messages, seconds: try await measureAsync {
            try await forEachConcurrently(chunks.count) { i in
                _ = try await store.applyCallbacks(providerId: "bench", items: chunks[i], receivedAt: now)
            }
        }))

        let clickCount = min(clicks, messages)
        phases.append(Phase(name: "clicks", items: clickCount, seconds: try await measureAsync {
            try await forEachConcurrently(clickCount) { i in
                _ = try await store.recordClick(
                    ClickInput(code: "bk\(i)", at: now, userAgent: "Mozilla/5.0", ipHash: nil, isBot: false, botReason: nil))
            }
        }))

        let report = try await store.reconcile(campaignId: "bench", repair: false)
        guard report.isClean else { throw ValidationError("drift after the run: \(report)") }
        let totals = try await CampaignStatsQueries(store: store).totals(campaignId: "bench")
        guard totals[RollupKey(.delivered)] == Int64(messages), totals[RollupKey(.clicks)] == Int64(clickCount) else {
            throw ValidationError("wrong totals after the run: \(totals)")
        }
        return phases
    }

    /// Runs `body(0..<count)` on `concurrency` workers taking indices in turn.
    func forEachConcurrently(_ count: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let workers = concurrency
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<workers {
                group.addTask {
                    for i in stride(from: w, to: count, by: workers) { try await body(i) }
                }
            }
            try await group.waitForAll()
        }
    }

    func dropSchema(_ url: String, _ schema: String) async throws {
        try await Self.dropSchema(url, schema)
    }

    /// `--database`, else `$SMSSTATS_TEST_POSTGRES_URL`: a PostgreSQL server URL.
    /// - Throws: `ValidationError` when neither is a `postgres://` URL.
    static func serverURL(_ database: String?) throws -> String {
        guard let base = database ?? ProcessInfo.processInfo.environment["SMSSTATS_TEST_POSTGRES_URL"],
            PostgresLocation.isPostgresURL(base)
        else {
            throw ValidationError("--database postgres://user:password@host:port/db (or SMSSTATS_TEST_POSTGRES_URL) is required")
        }
        return base
    }

    /// A PostgreSQL store at `database` in a new schema `bench_<12 hex>` (migrated on connect; drop
    /// it with ``dropSchema(_:_:)``), its errors only logged.
    static func connectInNewSchema(_ database: String, maxConnections: Int = 10) async throws -> (store: PostgresStore, schema: String) {
        let schema = "bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let store = try await PostgresStore.connect(
            url: database + (database.contains("?") ? "&" : "?") + "search_path=" + schema, maxConnections: maxConnections, logger: logger)
        return (store, schema)
    }

    static func dropSchema(_ url: String, _ schema: String) async throws {
        let l = try PostgresLocation(url: url)
        let client = PostgresClient(configuration: .init(
            host: l.host, port: l.port, username: l.username, password: l.password, database: l.database, tls: .disable))
        let task = Task { await client.run() }
        try await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"))
        task.cancel()
    }
}
