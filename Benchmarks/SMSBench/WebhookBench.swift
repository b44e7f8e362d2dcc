import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import SMSCore
import SMSStorePostgres
import SMSStoreSQLite
import SMSWeb
import Synchronization

/// Webhooks (issue 17), two measurements in one run over SQLite file stores (WAL), or with
/// `--postgres` over PostgreSQL (a new schema per store, dropped after):
///
/// 1. What the outbox adds to callback ingestion: `delivered` callback items applied through
///    `applyCallbacks` (batches of `--batch`, `--tasks` concurrent callers, as the server's
///    requests) into a store with 0 subscriptions and into one with 3 subscriptions taking
///    `message.delivered` (3 outbox rows per item), alternated `--rounds` times, best of each.
///    Prints items/s of both and the ratio with / without (target ≥ 0.8).
/// 2. Delivery: the 3 subscriptions' queued events POSTed by ``WebhookDeliveryService`` (batches
///    of 100, signed) to a local Hummingbird receiver answering 204; prints events/s and checks
///    that the receiver got each event id of each subscription exactly once.
struct WebhookBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks", abstract: "Callback ingestion with 0 vs 3 webhook subscriptions; webhook events delivered/s.")

    @Option(help: "Callback items per store and round (one per message).") var items = 50_000
    @Option(help: "Items per applyCallbacks call.") var batch = 100
    @Option(help: "Concurrent applyCallbacks callers.") var tasks = 4
    @Option(help: "Rounds (each: a fresh pair of stores, 0 then 3 subscriptions).") var rounds = 3
    @Flag(help: "PostgreSQL instead of SQLite (server URL from --database or SMSSTATS_TEST_POSTGRES_URL).") var postgres = false
    @Option(help: "PostgreSQL server URL (with --postgres).") var database: String?

    /// A fresh store and how to remove it.
    func freshStore() async throws -> (store: any SMSDispatchStore, remove: @Sendable () async -> Void) {
        if postgres {
            let base = try StoreBench.serverURL(database)
            let (store, schema) = try await StoreBench.connectInNewSchema(base, maxConnections: tasks + 4)
            return (store, { await store.close(); try? await StoreBench.dropSchema(base, schema) })
        }
        let path = NSTemporaryDirectory() + "smsstats-bench-webhooks-\(UUID().uuidString).sqlite"
        let store = try SQLiteStore(path: path)
        return (store, { try? FileManager.default.removeItem(atPath: path) })
    }

    func run() async throws {
        printMachine()
        var without: [Double] = []
        var with: [Double] = []
        var last: (store: any SMSDispatchStore, remove: @Sendable () async -> Void)?
        for round in 0..<rounds {
            for subscriptions in [0, 3] {
                let (store, remove) = try await freshStore()
                let now = Int64(Date().timeIntervalSince1970)
                try await prepare(store, now: now)
                for s in 0..<subscriptions {
                    _ = try await store.insertWebhook(
                        .init(url: "http://127.0.0.1:9/hook\(s)", events: [.messageDelivered, .messageFailed]),
                        secret: WebhookSecret.generate(), at: now)
                }
                let rate = try await ingest(store, now: now)
                let queued = try await store.webhookOutboxDepth(now: now).depth
                guard queued == Int64(items * subscriptions) else {
                    throw ValidationError("\(queued) outbox events, expected \(items * subscriptions)")
                }
                print(String(format: "round %d, %d subscriptions: %8.0f items/s (%lld outbox events)", round, subscriptions, rate, queued))
                if subscriptions == 0 {
                    without.append(rate)
                    await remove()
                } else {
                    with.append(rate)
                    if let last { await last.remove() }
                    last = (store, remove)
                }
            }
        }
        let best0 = without.max() ?? 0
        let best3 = with.max() ?? 0
        print(String(format: "%@ callback ingestion, best of %d: 0 subscriptions %.0f items/s, 3 subscriptions %.0f items/s, ratio %.2f",
                     postgres ? "PostgreSQL" : "SQLite", rounds, best0, best3, best3 / best0))
        if let last {
            try await deliver(last.store)
            await last.remove()
        }
    }

    /// `items` sent messages of campaign `bench` (the callbacks benchmark's preparation).
    func prepare(_ store: any SMSDispatchStore, now: Int64) async throws {
        try await CallbackBench.parse(["--items", String(items)]).prepare(store: store, now: now)
    }

    /// Applies a `delivered` item for every message; returns items/s.
    func ingest(_ store: any SMSDispatchStore, now: Int64) async throws -> Double {
        let next = Ticket()
        let (items, batch) = (self.items, self.batch)
        let started = DispatchTime.now().uptimeNanoseconds
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    while true {
                        let start = next.value.add(batch, ordering: .relaxed).oldValue
                        guard start < items else { return }
                        let part = (start..<min(start + batch, items)).map { CallbackItem(kind: .delivered, meta: "bench\($0)", ts: now - 30) }
                        _ = try await store.applyCallbacks(providerId: "bench", items: part, receivedAt: now)
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(items) / (Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }

    /// Delivers the queued events to a local receiver; prints events/s.
    func deliver(_ store: any SMSDispatchStore) async throws {
        let received = Mutex<[String: Int]>([:])
        let router = Router()
        router.post("/hook{n}") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 26)
            let json = try JSONSerialization.jsonObject(with: Data(buffer: body))
            let events = (json as? [[String: Any]]) ?? [json as? [String: Any] ?? [:]]
            let path = request.uri.path
            received.withLock { seen in
                for e in events { seen[path + "|" + (((e["data"] as? [String: Any])?["eventId"] as? String) ?? "?"), default: 0] += 1 }
            }
            return Response(status: .noContent)
        }
        let port = Mutex<Int?>(nil)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let server = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "receiver"),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } }, logger: logger)
        let task = Task { try await server.runService() }
        defer { task.cancel() }
        var bound: Int?
        for _ in 0..<200 where bound == nil {
            try await Task.sleep(for: .milliseconds(10))
            bound = port.withLock { $0 }
        }
        guard let bound else { throw ValidationError("the receiver did not start") }
        let now = Int64(Date().timeIntervalSince1970)
        for s in try await store.webhooks() {
            var d = s.definition
            d.url = "http://127.0.0.1:\(bound)/hook\(s.id)"
            _ = try await store.updateWebhook(id: s.id, d, at: now)
        }
        let total = try await store.webhookOutboxDepth(now: now).depth
        let service = WebhookDeliveryService(store: store, holder: "bench@1", logger: logger, metrics: AppMetrics(), batchSize: 100)
        let started = DispatchTime.now().uptimeNanoseconds
        while try await store.webhookOutboxDepth(now: Int64(Date().timeIntervalSince1970)).depth > 0 {
            if await service.step() == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let seen = received.withLock { $0 }
        print(String(format: "delivery: %lld events to 3 subscriptions in %.1f s: %.0f events/s (batches of 100)", total, seconds, Double(total) / seconds))
        guard seen.count == Int(total), seen.values.allSatisfy({ $0 == 1 }) else {
            throw ValidationError("the receiver got \(seen.count) distinct events (expected \(total)), duplicates: \(seen.values.filter { $0 > 1 }.count)")
        }
        print("receiver: every event exactly once")
    }
}
