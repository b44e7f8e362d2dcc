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
///    `message.delivered` (one outbox row per item, fanned out to the 3 when the worker leases:
///    ``WebhookFanout``), alternated `--rounds` times, best of each. Prints items/s of both and the
///    ratio with / without (target ≥ 0.8). With `--concurrent-delivery` a third store per round
///    takes the same 3 subscriptions while ``WebhookDeliveryService`` delivers to the local
///    receiver at the same time (the fan-out and the deliveries share the writer with ingestion).
/// 2. Delivery: the 3 subscriptions' queued events fanned out and POSTed by
///    ``WebhookDeliveryService`` (batches of 100, signed) to a local Hummingbird receiver answering
///    204; prints events/s and checks that the receiver got each event id of each subscription
///    exactly once.
struct WebhookBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks", abstract: "Callback ingestion with 0 vs 3 webhook subscriptions; webhook events delivered/s.")

    @Option(help: "Callback items per store and round (one per message).") var items = 50_000
    @Option(help: "Items per applyCallbacks call.") var batch = 100
    @Option(help: "Concurrent applyCallbacks callers.") var tasks = 4
    @Option(help: "Rounds (each: a fresh pair of stores, 0 then 3 subscriptions).") var rounds = 3
    @Flag(help: "PostgreSQL instead of SQLite (server URL from --database or SMSSTATS_TEST_POSTGRES_URL).") var postgres = false
    @Option(help: "PostgreSQL server URL (with --postgres).") var database: String?
    @Flag(help: "Also measure the 3-subscription ingestion with the delivery worker running at the same time.") var concurrentDelivery = false

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
        var delivering: [Double] = []
        var last: (store: any SMSDispatchStore, remove: @Sendable () async -> Void)?
        let receiver = try await Receiver.start()
        defer { receiver.task.cancel() }
        for round in 0..<rounds {
            for (subscriptions, live) in [(0, false), (3, false)] + (concurrentDelivery ? [(3, true)] : []) {
                let (store, remove) = try await freshStore()
                let now = Int64(Date().timeIntervalSince1970)
                try await prepare(store, now: now)
                // The receiver's URL from the start (no worker runs during the other ingestions), so
                // the delivery measured below includes the fan-out.
                for s in 0..<subscriptions {
                    _ = try await store.insertWebhook(
                        .init(url: "http://127.0.0.1:\(receiver.port)/hook\(s)", events: [.messageDelivered, .messageFailed]),
                        secret: WebhookSecret.generate(), at: now)
                }
                if live {
                    let worker = Task { try await receiver.drain(store, until: Int64(items * subscriptions)) }
                    let rate = try await ingest(store, now: now)
                    let (events, seconds) = try await worker.value
                    print(String(format: "round %d, %d subscriptions, delivery running: %8.0f items/s; %lld events delivered in %.1f s",
                                 round, subscriptions, rate, events, seconds))
                    delivering.append(rate)
                    await remove()
                    continue
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
        if let bestLive = delivering.max() {
            print(String(format: "with the delivery worker running: 3 subscriptions %.0f items/s, ratio %.2f", bestLive, bestLive / best0))
        }
        if let last {
            try await deliver(last.store, receiver: receiver)
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

    /// Delivers the queued events (fan-out included) to the local receiver; prints events/s.
    func deliver(_ store: any SMSDispatchStore, receiver: Receiver) async throws {
        let total = try await store.webhookOutboxDepth(now: Int64(Date().timeIntervalSince1970)).depth
        let (delivered, seconds) = try await receiver.drain(store, until: total)
        print(String(format: "delivery: %lld events to 3 subscriptions in %.1f s: %.0f events/s (batches of 100, fan-out included)",
                     delivered, seconds, Double(delivered) / seconds))
    }

    /// A Hummingbird receiver on loopback answering 204, counting each (path, event id).
    final class Receiver: Sendable {
        let port: Int
        let task: Task<Void, any Error>
        let received: Counts

        /// (path|event id) → times received.
        final class Counts: Sendable {
            let seen = Mutex<[String: Int]>([:])
        }

        init(port: Int, task: Task<Void, any Error>, received: Counts) {
            self.port = port
            self.task = task
            self.received = received
        }

        static func start() async throws -> Receiver {
            let counts = Counts()
            let router = Router()
            router.post("/hook{n}") { request, _ -> Response in
                var request = request
                let body = try await request.collectBody(upTo: 1 << 26)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: body))
                let events = (json as? [[String: Any]]) ?? [json as? [String: Any] ?? [:]]
                let path = request.uri.path
                counts.seen.withLock { seen in
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
            var bound: Int?
            for _ in 0..<200 where bound == nil {
                try await Task.sleep(for: .milliseconds(10))
                bound = port.withLock { $0 }
            }
            guard let bound else { throw ValidationError("the receiver did not start") }
            return Receiver(port: bound, task: task, received: counts)
        }

        /// Runs ``WebhookDeliveryService`` passes on `store` until the receiver has `total` events
        /// of it, each exactly once (checked). - Returns: the events and the seconds it took.
        func drain(_ store: any SMSDispatchStore, until total: Int64) async throws -> (Int64, Double) {
            received.seen.withLock { $0 = [:] }
            var logger = Logger(label: "bench")
            logger.logLevel = .error
            let service = WebhookDeliveryService(store: store, holder: "bench@1", logger: logger, metrics: AppMetrics(), batchSize: 100)
            let started = DispatchTime.now().uptimeNanoseconds
            while received.seen.withLock({ $0.count }) < Int(total) {
                if await service.step() == 0 { try await Task.sleep(for: .milliseconds(5)) }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let seen = received.seen.withLock { $0 }
            guard seen.count == Int(total), seen.values.allSatisfy({ $0 == 1 }) else {
                throw ValidationError("the receiver got \(seen.count) distinct events (expected \(total)), duplicates: \(seen.values.filter { $0 > 1 }.count)")
            }
            print("receiver: every event exactly once")
            return (total, seconds)
        }
    }
}
