import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import SMSCore
import SMSStoreSQLite
import SMSWeb
import ServiceLifecycle
import Synchronization

/// Callback ingestion over HTTP on loopback: generic-contract batches (default 100 `delivered`
/// items each, every item a different sent message) POSTed to `/callbacks/{id}` of the real router
/// over a SQLite file store (WAL), against the baseline of the same server answering the same
/// batches on a decode-only route (read the body, parse it with ``GenericCallbackParser``, answer
/// the same 200 body) registered only here. Both run in the same process and the same run.
///
/// Prints items/s, requests/s, p50/p99 request latency and process CPU per item (server, client and
/// store together; with the cores used) of both, and the ratio store / decode-only. Checks that
/// the rollups count every item as delivered and that the event log holds one row per item.
/// Target (issue 4): ≥ 50,000 items/s and ≥ 40 % of decode-only on the 2-core machine.
struct CallbackBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callbacks", abstract: "Callback items/s over HTTP into SQLite vs decode-only.")

    @Option(help: "Callback items in total (one per message).") var items = 200_000
    @Option(help: "Items per request.") var batch = 100
    @Option(help: "Concurrent client connections.") var connections = 4
    @Option(help: "SQLite file (default: a new temp file).") var database: String?
    @Flag(help: "Only time store.applyCallbacks in-process (no HTTP), for profiling.") var storeOnly = false
    @Option(help: "With --store-only: concurrent callers of applyCallbacks.") var storeTasks = 1

    func run() async throws {
        printMachine()
        let path = database ?? NSTemporaryDirectory() + "smsstats-bench-callbacks-\(UUID().uuidString).sqlite"
        let store = try SQLiteStore(path: path)
        let now = Int64(Date().timeIntervalSince1970)
        print("preparing \(items) sent messages in \(path) ...")
        try await prepare(store: store, now: now)
        let bodies = stride(from: 0, to: items, by: batch).map { start in
            let items = (start..<min(start + batch, self.items)).map { #"{"meta":"bench\#($0)","ts":\#(now - 30)}"# }
            return ByteBuffer(string: #"[{"event":"delivered","data":["# + items.joined(separator: ",") + "]}]")
        }

        if storeOnly {
            print("store only: applying \(items) items")  // a profiler can attach from here on
            fflush(nil)
            let started = DispatchTime.now().uptimeNanoseconds
            let cpu = clock()
            // `storeTasks` loops call the store at once, like the server's concurrent requests.
            let next = Ticket()
            let (items, batch, now) = (self.items, self.batch, now)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<storeTasks {
                    group.addTask {
                        while true {
                            let start = next.value.add(batch, ordering: .relaxed).oldValue
                            guard start < items else { return }
                            let part = (start..<min(start + batch, items)).map {
                                CallbackItem(kind: .delivered, meta: "bench\($0)", ts: now - 30)
                            }
                            _ = try await store.applyCallbacks(providerId: "bench", items: part, receivedAt: now)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let cpuSeconds = Double(clock() - cpu) / Double(CLOCKS_PER_SEC)
            print(String(format: "store only (no HTTP, %d tasks): %.0f items/s wall, %.1f µs CPU per item", storeTasks, Double(items) / seconds, cpuSeconds / Double(items) * 1e6))
            let delivered = try await CampaignStatsQueries(store: store).totals(campaignId: "bench")[RollupKey(.delivered)] ?? 0
            if delivered != Int64(items) { throw ValidationError("the store counted \(delivered) delivered, expected \(items)") }
            let events = try await store.eventLogCount()
            if events != items { throw ValidationError("the event log holds \(events) rows, expected \(items)") }
            return
        }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let config = AppConfig(host: "127.0.0.1", port: 0, adminToken: "bench")
        let planner = CampaignPlanner(linkBaseURL: config.publicBaseURL, linkLifetime: 86_400)
        let dispatcher = Dispatcher(store: store, gateway: NoGateway(), planner: planner)
        let router = try await buildRouter(config: config, store: store, dispatcher: dispatcher, logger: logger)
        router.post("bench/decode/{providerId}") { request, _ -> Response in
            let body = try await request.body.collect(upTo: config.maxCallbackBytes)
            let parsed = try GenericCallbackParser.parse(Data(buffer: body), maxItems: config.maxCallbackItems)
            let answer = CallbackResponse.success(processedEvents: parsed.items.count, timestamp: Int64(Date().timeIntervalSince1970))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        let port = Mutex<Int?>(nil)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "bench"),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let server = Task { try await group.run() }
        defer { server.cancel() }
        var bound: Int?
        for _ in 0..<200 where bound == nil {
            try await Task.sleep(for: .milliseconds(10))
            bound = port.withLock { $0 }
        }
        guard let bound else { throw ValidationError("the server did not start") }
        let base = "http://127.0.0.1:\(bound)"

        var clientConfig = HTTPClient.Configuration()
        clientConfig.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfig)

        _ = try await blast(http, url: base + "/bench/decode/bench?secret=bench-secret", bodies: Array(bodies.prefix(200)))  // warm-up
        let decode = try await blast(http, url: base + "/bench/decode/bench?secret=bench-secret", bodies: bodies)
        let full = try await blast(http, url: base + "/callbacks/bench?secret=bench-secret", bodies: bodies)
        try await http.shutdown()
        await group.triggerGracefulShutdown()
        _ = try? await server.value

        let delivered = try await CampaignStatsQueries(store: store).totals(campaignId: "bench")[RollupKey(.delivered)] ?? 0
        let decodeRate = Double(items) / decode.seconds
        let fullRate = Double(items) / full.seconds
        print("requests: \(bodies.count) × \(batch) items, \(connections) connections")
        print(String(format: "decode-only:   %8.0f items/s  %6.0f req/s  p50 %@  p99 %@  %.1f µs CPU/item (%.2f cores)", decodeRate, Double(bodies.count) / decode.seconds, decode.latency.ms50, decode.latency.ms99, decode.cpuSeconds / Double(items) * 1e6, decode.cpuSeconds / decode.seconds))
        print(String(format: "SQLite store:  %8.0f items/s  %6.0f req/s  p50 %@  p99 %@  %.1f µs CPU/item (%.2f cores)", fullRate, Double(bodies.count) / full.seconds, full.latency.ms50, full.latency.ms99, full.cpuSeconds / Double(items) * 1e6, full.cpuSeconds / full.seconds))
        print(String(format: "ratio store/decode-only: %.2f (%.0f %%)", fullRate / decodeRate, fullRate / decodeRate * 100))
        let events = try await store.eventLogCount()
        print("delivered in rollups: \(delivered), event log rows: \(events) (expected \(items) each)")
        if delivered != Int64(items) { throw ValidationError("the store counted \(delivered) delivered, expected \(items)") }
        if events != items { throw ValidationError("the event log holds \(events) rows, expected \(items)") }
        if database == nil { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Records `items` sent messages of campaign `bench` (provider `bench`, generic).
    func prepare(store: any SMSDispatchStore, now: Int64) async throws {
        try await store.insertProvider(
            ProviderConfig(id: "bench", name: "bench", url: "http://127.0.0.1:9/send", bodyTemplate: #"{"to":"$$To"}"#,
                           callbackSecret: "bench-secret", createdAt: now))
        try await store.insertCampaign(
            Campaign(id: "bench", name: "bench", providerId: "bench", body: "Hi", links: [], audience: .all, timezone: "UTC",
                     goal: nil, status: .completed, createdAt: now))
        for start in stride(from: 0, to: items, by: 10_000) {
            let range = start..<min(start + 10_000, items)
            try await store.insertMessages(range.map {
                NewMessage(campaignId: "bench", userId: "u\($0)", phone: "+4915123456789", meta: "bench\($0)", body: "Hi",
                           segments: 1, dispatch: .queued, createdAt: now - 120, links: [])
            })
            let queued = try await store.queuedMessages(campaignId: "bench", limit: 10_000)
            try await store.recordDispatchResults(queued.map {
                DispatchResult(messageId: $0.messageId, outcome: .sent(providerMessageId: nil), at: now - 100)
            })
        }
    }

    struct Run {
        var seconds: Double
        var latency: BenchStats
        /// Process CPU time (all threads: server, client, store), seconds.
        var cpuSeconds: Double
    }

    /// POSTs every body once over `connections` parallel loops; returns wall time and latencies.
    func blast(_ http: HTTPClient, url: String, bodies: [ByteBuffer]) async throws -> Run {
        let next = Ticket()
        let connections = self.connections
        let start = DispatchTime.now().uptimeNanoseconds
        let cpu = clock()
        let samples = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<connections {
                group.addTask {
                    var local: [Double] = []
                    while true {
                        let i = next.value.add(1, ordering: .relaxed).oldValue
                        guard i < bodies.count else { return local }
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.body = .bytes(bodies[i])
                        let t = DispatchTime.now().uptimeNanoseconds
                        let response = try await http.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        local.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
                        guard response.status == .ok else { throw ValidationError("HTTP \(response.status.code) from \(url)") }
                    }
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Run(
            seconds: seconds, latency: BenchStats(samples: samples), cpuSeconds: Double(clock() - cpu) / Double(CLOCKS_PER_SEC))
    }
}


/// A shared counter handing out request indexes.
final class Ticket: Sendable {
    let value = Atomic<Int>(0)
}
