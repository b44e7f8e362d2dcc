import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SMSCore
import SMSGatewayHTTP
import SMSSimulator
import SMSStoreSQLite
import SMSTemplating

/// Messages per second dispatched (claim → provider request → result recorded, SQLite file store)
/// to a local sink provider, with batch 100 and batch 1, against the sink's own raw rate measured
/// in the same run (the same request bodies fired at it by a bare HTTP client with the same
/// concurrency, no store).
struct DispatchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch", abstract: "Dispatch throughput to a local sink vs the sink's raw rate.")

    @Option(help: "Messages for the batch-100 runs.") var messages = 50_000
    @Option(help: "Messages for the batch-1 runs.") var messagesSingle = 5_000
    @Option(help: "Requests in flight (the provider's maxConcurrency).") var concurrency = 4

    func run() async throws {
        printMachine()
        // The machine is shared: the load says how much of it this run had.
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ")
        print("load average at start: \(load ?? "n/a")")
        var logger = Logger(label: "bench.dispatch")
        logger.logLevel = .critical
        let sink = try SinkProvider(outputPath: nil, logger: logger)
        let port = try await sink.start()
        print("sink on 127.0.0.1:\(port); concurrency \(concurrency)")
        for (batch, count) in [(100, messages), (1, messagesSingle)] {
            let provider = Self.provider(port: port, batch: batch, concurrency: concurrency)
            let raw = try await Self.raw(provider: provider, count: count, concurrency: concurrency, logger: logger)
            let (publish, dispatch) = try await Self.dispatch(provider: provider, count: count, logger: logger)
            let (_, storeOnly) = try await Self.dispatch(provider: provider, count: count, logger: logger, gateway: InstantGateway())
            print(String(
                format: "batch %3d: store only (instant gateway, no HTTP): %9.0f msg/s", batch, storeOnly))
            print(String(
                format: "batch %3d: %6d msgs | sink raw %9.0f msg/s (%7.0f req/s) | dispatched %9.0f msg/s | ratio %.2f | publish %8.0f msg/s",
                batch, count, raw.messagesPerSecond, raw.requestsPerSecond, dispatch, dispatch / raw.messagesPerSecond, publish))
        }
        await sink.stop()
    }

    static func provider(port: Int, batch: Int, concurrency: Int) -> ProviderConfig {
        ProviderConfig(
            id: "sink", name: "Sink", url: "http://127.0.0.1:\(port)/sms/send",
            bodyTemplate: batch > 1
                ? #"{"messages":[{"to":"$$To","text":"$$Body","ref":"$$MessageID"}]}"# : #"{"to":"$$To","text":"$$Body","ref":"$$MessageID"}"#,
            batch: batch > 1 ? BatchConfig(key: "messages", size: batch) : nil, callbacksEnabled: false, callbackSecret: "s",
            createdAt: 0, maxConcurrency: concurrency)
    }

    static func body(_ i: Int) -> String { "Hi user \(i), 20% off today only: https://s.example/l/Ab3dE5gH9k" }

    /// The sink's rate for the same requests, sent by `concurrency` bare HTTP workers.
    static func raw(provider: ProviderConfig, count: Int, concurrency: Int, logger: Logger) async throws
        -> (messagesPerSecond: Double, requestsPerSecond: Double)
    {
        let messages = (0..<count).map {
            OutboundMessage(messageId: Int64($0), campaignId: "raw", userId: "u\($0)", to: "+4915112345678", body: body($0), meta: "raw\($0)")
        }
        let requests = try ProviderRequestBuilder.requests(for: messages, provider: provider, customValues: [:]).map(\.request)
        let next = Counter()
        let seconds = try await measureAsync {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<concurrency {
                    group.addTask {
                        while let i = next.take(below: requests.count) {
                            var r = HTTPClientRequest(url: requests[i].url)
                            r.method = .POST
                            for (k, v) in requests[i].headers { r.headers.add(name: k, value: v) }
                            r.body = .bytes(ByteBuffer(string: requests[i].body ?? ""))
                            let response = try await HTTPClient.shared.execute(r, timeout: .seconds(10), logger: logger)
                            _ = try await response.body.collect(upTo: 1 << 20)
                            guard response.status == .ok else { throw CancellationError() }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        return (Double(count) / seconds, Double(requests.count) / seconds)
    }

    /// Publish (not part of the dispatch figure) then one `runOnce`, timed.
    static func dispatch(provider: ProviderConfig, count: Int, logger: Logger, gateway: (any SMSGateway)? = nil) async throws
        -> (publish: Double, dispatch: Double)
    {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smsstats-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(path: dir.appendingPathComponent("bench.sqlite").path)
        try await store.insertProvider(provider)
        try await store.upsertProfiles((0..<count).map {
            Profile(userId: String(format: "u%07d", $0), phone: "+4915\(String(format: "%08d", $0))", phoneValid: true, properties: ["n": .number(Double($0))])
        })
        try await store.insertCampaign(Campaign(
            id: "bench", name: "Bench", providerId: provider.id, body: "Hi user {{n}}, 20% off today only: https://shop.example/sale?a=1&b=2",
            links: ["https://shop.example/sale?a=1&b=2"], audience: .all, timezone: "UTC", goal: nil, createdAt: 0))
        let gateway = gateway ?? HTTPProviderGateway(httpClient: .shared, logger: logger)
        let dispatcher = Dispatcher(store: store, gateway: gateway, planner: CampaignPlanner(linkBaseURL: "https://s.example", engine: MustacheTemplateEngine()))
        let publishSeconds = try await measureAsync { _ = try await dispatcher.publish(campaignId: "bench") }
        var handed = 0
        let seconds = try await measureAsync { handed = try await dispatcher.runOnce() }
        let sent = try await CampaignStatsQueries(store: store).totals(campaignId: "bench")[RollupKey(.sent)] ?? 0
        guard handed == count, sent == Int64(count) else {
            throw ValidationError("dispatched \(handed), sent \(sent), expected \(count)")
        }
        return (Double(count) / publishSeconds, Double(count) / seconds)
    }
}

/// Accepts everything at once: the store's share of the dispatch cost.
struct InstantGateway: SMSGateway {
    func send(_ messages: [OutboundMessage], via provider: ProviderConfig, customValues: [String: String]) async -> [DispatchResult] {
        messages.map { DispatchResult(messageId: $0.messageId, outcome: .sent(providerMessageId: nil), at: 1_700_000_000) }
    }
}

/// A shared index handed out once each.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var i = 0
    func take(below n: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard i < n else { return nil }
        i += 1
        return i - 1
    }
}
