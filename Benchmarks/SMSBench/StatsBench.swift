import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import SMSCore
import SMSStoreSQLite
import SMSBenchLoad
import SMSWeb
import ServiceLifecycle

/// Stats latency at two campaign sizes (PITFALLS.md #20): generates a baseline campaign (10,000
/// messages) and a large one (10,000,000) with their events straight into two SQLite files, then
/// measures p50/p95 of every stats view at both sizes in the same run, called directly
/// (``CampaignStatsQueries`` + the CSV export, as the routes do) and through the HTTP server on
/// loopback. Prints the 10M/10k p95 ratio per view (target ≤ 2) and p95 at 10M (target < 50 ms).
struct StatsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Stats views' latency at 10k and 10M messages (rollups, PITFALLS.md #20).")

    @Option(help: "Messages of the large campaign.") var messages = 10_000_000
    @Option(help: "Messages of the baseline campaign.") var baselineMessages = 10_000
    @Option(help: "Folder for the database files.") var directory = "/tmp/smsstats-bench"
    @Option(help: "Samples per view and size.") var iterations = 200
    @Option(help: "Messages per insert transaction.") var chunk = 50_000
    @Flag(help: "Reuse existing database files that hold the campaign already.") var reuse = false
    @Flag(help: "Skip the HTTP measurements.") var skipHTTP = false
    @Flag(help: "Also reconcile the large campaign (the baseline one always is).") var reconcileLarge = false

    func run() async throws {
        printMachine()
        fflush(nil)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let sizes = [baselineMessages, messages]
        var stores: [SQLiteStore] = []
        var campaigns: [Campaign] = []
        for size in sizes {
            let (store, campaign) = try await prepare(size: size)
            stores.append(store)
            campaigns.append(campaign)
            if size == baselineMessages || reconcileLarge {
                let started = DispatchTime.now().uptimeNanoseconds
                let report = try await store.reconcile(campaignId: campaign.id, repair: false)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                say(String(format: "reconcile %d messages: %@ in %.1f s", report.messages, report.isClean ? "no drift" : "DRIFT", seconds))
                guard report.isClean else { throw ValidationError("generated data does not reconcile: \(report.metrics)") }
            }
        }
        // Both sizes are measured interleaved (one sample of each in turn), so background load on
        // this shared machine hits both alike.
        let direct = try await measure(Self.directCalls(stores: stores, campaigns: campaigns))
        report("direct (store + report functions)", direct, sizes: sizes)
        if !skipHTTP {
            try await withServers(stores: stores) { ports, client in
                let http = try await measure(Self.httpCalls(ports: ports, campaigns: campaigns, client: client))
                report("through HTTP (Hummingbird router on loopback, AsyncHTTPClient)", http, sizes: sizes)
            }
        }
    }

    /// One call per (view, size).
    typealias Call = @Sendable () async throws -> Void

    /// Samples every view at every size, alternating sizes sample by sample.
    func measure(_ calls: [String: [Call]]) async throws -> [[String: BenchStats]] {
        var out = [[String: BenchStats]](repeating: [:], count: 2)
        for view in Self.views {
            guard let pair = calls[view] else { continue }
            for _ in 0..<5 { for call in pair { try await call() } }
            var stats = [BenchStats(), BenchStats()]
            for _ in 0..<iterations {
                for (k, call) in pair.enumerated() { stats[k].add(try await measureAsync(call)) }
            }
            for k in 0..<2 { out[k][view] = stats[k] }
        }
        return out
    }

    static let views = ["stats", "trend?granularity=day", "trend?granularity=week", "trend?granularity=month", "funnel", "links", "errors", "latency", "breakdown?by=variant", "export.csv"]

    /// Opens (generating if needed) the database file of one size.
    func prepare(size: Int) async throws -> (SQLiteStore, Campaign) {
        let path = "\(directory)/stats-\(size).sqlite"
        let data = StatsBenchData(campaignId: "cmp_bench_\(size)", count: size)
        if reuse, FileManager.default.fileExists(atPath: path) {
            let store = try SQLiteStore(path: path)
            if let c = try await store.campaign(id: data.campaignId),
                try await store.rollupTotalsByVariant(campaignId: c.id).values.reduce(0, { $0 + ($1[RollupKey(.messages)] ?? 0) })
                    == Int64(size)
            {
                say("reusing \(path) (\(size) messages)")
                return (store, c)
            }
        }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try SQLiteStore(path: path)
        try await store.insertProvider(data.provider)
        try await store.insertCampaign(data.campaign)
        let campaign = data.campaign
        let chunk = self.chunk
        let started = DispatchTime.now().uptimeNanoseconds
        // Generate the next chunk on the other core while this one is written.
        var next = Task.detached { BulkChunk(campaign: campaign, messages: data.messages(0..<min(chunk, size))) }
        var start = 0
        while start < size {
            let batch = await next.value
            let following = start + chunk
            if following < size {
                next = Task.detached { BulkChunk(campaign: campaign, messages: data.messages(following..<min(following + chunk, size))) }
            }
            try await store.bulkLoad(campaign: campaign, chunk: batch)
            start = following
            if size >= 1_000_000, (start / chunk) % max(1, 1_000_000 / chunk) == 0 {
                let s = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                say(String(format: "  %d / %d messages, %.0f s", min(start, size), size, s))
            }
        }
        try await store.bulkLoadFinished()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let bytes = ["", "-wal"].reduce(0) { sum, suffix in
            sum + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? 0)
        }
        say(
            String(
                format: "generated %d messages in %.1f s (%.0f messages/s), file %.2f GB: %@", size, seconds,
                Double(size) / seconds, Double(bytes) / 1e9, path))
        return (store, campaign)
    }

    /// Each view as its route computes it: load the campaign, query the rollups, compute.
    static func directCalls(stores: [SQLiteStore], campaigns: [Campaign]) -> [String: [Call]] {
        var out: [String: [Call]] = [:]
        for (store, campaign) in zip(stores, campaigns) {
            let q = CampaignStatsQueries(store: store)
            let id = campaign.id
            @Sendable func load() async throws -> Campaign { try await store.campaign(id: id)! }
            let calls: [String: Call] = [
                "stats": { _ = try await q.summary(try await load()) },
                "trend?granularity=day": { _ = try await q.trend(try await load(), granularity: .day, timeZone: nil, variant: nil) },
                "trend?granularity=week": { _ = try await q.trend(try await load(), granularity: .week, timeZone: nil, variant: nil) },
                "trend?granularity=month": { _ = try await q.trend(try await load(), granularity: .month, timeZone: nil, variant: nil) },
                "funnel": { _ = try await q.funnel(try await load(), variant: nil) },
                "links": { _ = try await q.links(try await load(), variant: nil) },
                "errors": { _ = try await q.errors(try await load(), variant: nil) },
                "latency": { _ = try await q.latency(try await load(), variant: nil) },
                "breakdown?by=variant": { _ = try await q.breakdown(try await load(), by: .variant) },
                "export.csv": {
                    let c = try await load()
                    let summary = try await q.summary(c)
                    let trend = try await q.trend(c, granularity: .day, timeZone: nil, variant: nil)
                    let links = try await q.links(c, variant: nil)
                    _ = try StatsCSVExport.render(campaign: c, summary: summary, trend: trend, links: links)
                },
            ]
            for (view, call) in calls { out[view, default: []].append(call) }
        }
        return out
    }

    /// Each view through the real router: one GET per call, body read to the end.
    static func httpCalls(ports: [Int], campaigns: [Campaign], client: HTTPClient) -> [String: [Call]] {
        var out: [String: [Call]] = [:]
        for view in views {
            out[view] = zip(ports, campaigns).map { port, campaign in
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/campaigns/\(campaign.id)/\(view)")
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                let r = request
                return {
                    let response = try await client.execute(r, timeout: .seconds(30))
                    let body = try await response.body.collect(upTo: 16 << 20)
                    guard response.status == .ok, body.readableBytes > 0 else {
                        throw ValidationError("\(view): HTTP \(response.status.code)")
                    }
                }
            }
        }
        return out
    }

    static let token = "bench-token"

    /// Runs one loopback server per store (the real router) for the duration of `body`.
    func withServers(stores: [SQLiteStore], _ body: ([Int], HTTPClient) async throws -> Void) async throws {
        var logger = Logger(label: "bench.stats")
        logger.logLevel = .error
        let config = AppConfig(adminToken: Self.token)
        var services: [any Service] = []
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        for store in stores {
            let dispatcher = Dispatcher(store: store, gateway: NoGateway(), planner: CampaignPlanner(linkBaseURL: config.publicBaseURL))
            let router = try await buildRouter(config: config, store: store, dispatcher: dispatcher, logger: logger)
            services.append(
                Application(
                    router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                    onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) }, logger: logger))
        }
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        let server = Task { try await group.run() }
        // Ports arrive in start order; ask each server which campaign it has to pair them up.
        var iterator = portStream.makeAsyncIterator()
        var ports: [Int] = []
        for _ in stores { ports.append(await iterator.next() ?? 0) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var ordered = ports
        for port in ports {
            for (k, store) in stores.enumerated() {
                let campaigns = try await store.campaigns()
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/campaigns/\(campaigns[0].id)")
                request.headers.add(name: "Authorization", value: "Bearer \(Self.token)")
                if try await client.execute(request, timeout: .seconds(30)).status == .ok { ordered[k] = port }
            }
        }
        do {
            try await body(ordered, client)
        } catch {
            try? await client.shutdown()
            await group.triggerGracefulShutdown()
            _ = try? await server.value
            throw error
        }
        try await client.shutdown()
        await group.triggerGracefulShutdown()
        _ = try? await server.value
    }

    func report(_ title: String, _ results: [[String: BenchStats]], sizes: [Int]) {
        say("")
        say("\(title), \(iterations) samples per view:")
        let header = ["view", "p50 @\(sizes[0])", "p95 @\(sizes[0])", "p50 @\(sizes[1])", "p95 @\(sizes[1])", "p95 ratio"]
        say(header.map { $0.padding(toLength: 26, withPad: " ", startingAt: 0) }.joined())
        var worstRatio = 0.0
        var worstP95 = 0.0
        for view in Self.views {
            guard let small = results[0][view], let large = results[1][view] else { continue }
            let ratio = large.percentile(95) / max(small.percentile(95), 1e-9)
            worstRatio = max(worstRatio, ratio)
            worstP95 = max(worstP95, large.percentile(95))
            let cells = [view, small.ms50, small.ms95, large.ms50, large.ms95, String(format: "%.2f", ratio)]
            say(cells.map { $0.padding(toLength: 26, withPad: " ", startingAt: 0) }.joined())
        }
        say(
            String(
                format: "worst p95 at %d: %.3f ms (target < 50 ms); worst p95 ratio %d/%d: %.2f (target <= 2)", sizes[1],
                worstP95 * 1000, sizes[1], sizes[0], worstRatio))
    }
}

/// Prints a line at once, also when stdout is a file (progress of a long generation).
func say(_ line: String) {
    print(line)
    fflush(nil)
}

/// A gateway that sends nothing (benchmarks that never dispatch; shared by the bench commands).
struct NoGateway: SMSGateway {
    func send(_ messages: [OutboundMessage], via provider: ProviderConfig, customValues: [String: String]) async -> [DispatchResult] {
        []
    }
}
