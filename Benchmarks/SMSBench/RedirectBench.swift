import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import SMSCore
import SMSStorePostgres
import SMSStoreSQLite
import SMSWeb
import ServiceLifecycle

/// `redirect`: the click redirect `GET /l/{code}` with the click recorded in a SQLite file store,
/// against the same server answering a constant 302 without storing (a route registered only
/// here, `GET /bench/const/{code}`), measured in the same run by `wrk` (Debian package `wrk`) at
/// the same number of connections. Prints requests/s, latency percentiles and the ratio.
/// `--database postgres://…`: the same against a PostgreSQL store (a new schema, dropped at the
/// end), with the node's click journal in a scratch directory (`--no-journal`: each hit recorded
/// synchronously, concurrent hits grouped in one transaction by `ClickRecorder`).
struct RedirectBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redirect", abstract: "Click redirects/s and p99 (click stored) vs a constant redirect (wrk).")

    @Option(help: "Concurrent connections (wrk -c).") var connections = 64
    @Option(help: "wrk threads (wrk -t).") var threads = 2
    @Option(help: "Seconds per measured run (wrk -d).") var duration = 10
    @Option(help: "Short links (one message each) the load cycles through.") var links = 20_000
    @Option(help: "Measured rounds (each: constant, then stored); the figures are per round.") var rounds = 2
    @Flag(help: "Record each click before answering (no click journal): the previous design.") var noJournal = false
    @Option(help: "Click journal: shortest time between two batches, ms.") var batchIntervalMs = 50
    @Flag(help: "Click journal: do not drain while wrk runs (measures the journal write alone).") var noDrain = false
    @Option(help: "A PostgreSQL server URL: measure the PostgreSQL store instead of SQLite.") var database: String?
    @Option(help: "Click journal: nice value of the drainer's thread (-1: drain on the shared pool).") var drainNice = 10
    @Option(help: "Click journal: most records per transaction.") var maxBatch = 1_000
    @Option(help: "Click journal: backlog above which batches run at the requests' priority.") var urgentBacklog = 20_000
    @Option(help: "Offered load, requests/s over all connections (0: as fast as wrk can; else each connection waits connections/rate s before each request).") var rate = 0
    @Option(help: "Seconds of warm-up on each route before round 1.") var warmup = 5

    var journalOptions: ClickJournal.Options {
        var o = ClickJournal.Options()
        o.batchInterval = .milliseconds(batchIntervalMs)
        o.drainNice = drainNice < 0 ? nil : Int32(drainNice)
        o.maxBatch = maxBatch
        o.urgentBacklog = urgentBacklog
        if noDrain {
            o.autoDrain = false
            o.maxBacklog = 10_000_000
        }
        return o
    }

    func run() async throws {
        printMachine()
        guard let wrk = Self.which("wrk") else {
            throw ValidationError("wrk not found: apt-get install -y wrk")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smsstats-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bots = BotDetector()
        let n = 20_000
        let perUA = measure { for _ in 0..<n { _ = bots.botReason(method: "GET", userAgent: Self.iPhone) } } / Double(n)
        print(String(format: "bot detector: %d patterns, %d regex-checked on every hit, %.1f µs per phone user agent", bots.patterns.entries.count, bots.patterns.alwaysCheckedCount, perUA * 1e6))
        print("regex-checked on every hit: \(bots.patterns.alwaysCheckedPatterns)")
        let store: any SMSDispatchStore
        let sqlite: SQLiteStore?
        var postgresSchema: (String, String)?
        if let database {
            let (pg, schema) = try await StoreBench.connectInNewSchema(database)
            store = pg
            sqlite = nil
            postgresSchema = (database, schema)
            print("store: PostgreSQL (schema \(schema))")
        } else {
            let s = try SQLiteStore(path: dir.appendingPathComponent("bench.sqlite").path)
            store = s
            sqlite = s
        }
        let codes = try await Self.seed(store: store, links: links)
        let journalStore = store.capabilities.clickJournal
        if let sqlite {
            // The journal's own cost per hit (encode + one write(2)), on a scratch journal.
            var scratchOptions = ClickJournal.Options()
            scratchOptions.autoDrain = false
            scratchOptions.maxBacklog = n + 1
            let scratch = try await ClickJournal.open(
                directory: dir.appendingPathComponent("scratch-clicks"), store: sqlite, options: scratchOptions, logger: Logger(label: "scratch"))
            let hit = ClickInput(code: codes[0], at: 1_700_000_000, userAgent: Self.iPhone, ipHash: String(repeating: "a", count: 64), isBot: false, botReason: nil)
            let perAppend = measure { for _ in 0..<n { _ = scratch.append(hit) } } / Double(n)
            print(String(format: "click journal: %.1f µs per append (encode, click id, one write(2))", perAppend * 1e6))
            try? FileManager.default.removeItem(at: dir.appendingPathComponent("scratch-clicks"))
            // A link-cache miss (the first hit of every link): one synchronous point read.
            let reads = min(n, codes.count)
            let perRead = try measure { for i in 0..<reads { _ = try sqlite.shortLinkInfoNow(code: codes[i]) } } / Double(reads)
            print(String(format: "link read on a cache miss: %.1f µs (store.shortLinkInfo, %d distinct codes)", perRead * 1e6, reads))
        }
        let script = dir.appendingPathComponent("codes.lua")
        try Self.luaScript(codes: codes, delayMs: rate > 0 ? Double(connections) * 1000 / Double(rate) : nil)
            .write(to: script, atomically: true, encoding: .utf8)

        var logger = Logger(label: "bench.redirect")
        logger.logLevel = .error
        let config = AppConfig(adminToken: "bench", ipHashSalt: "bench")
        let dispatcher = Dispatcher(store: store, gateway: NoGateway(), planner: CampaignPlanner(linkBaseURL: "http://127.0.0.1"))
        // The click journal next to the database, as `smsstats serve` runs it (PostgreSQL: the
        // node's own directory, `--click-journal DIR`).
        let journal: ClickJournal? =
            noJournal || journalStore == nil
            ? nil
            : try await ClickJournal.open(
                directory: dir.appendingPathComponent("bench.sqlite-clicks"), store: journalStore!, options: journalOptions,
                logger: logger, nodeId: "bench")
        print(journal == nil ? "click recording: synchronous (group commit, answered after the commit)" : "click recording: click journal (answered after one write(2), applied in batches)")
        if let journal {
            try await Task.sleep(for: .milliseconds(50))
            print("drain: \(noDrain ? "after each wrk run" : journal.drainerNice.map { "own thread, nice \($0)" } ?? "shared pool"), batches of <= \(maxBatch) at most every \(batchIntervalMs) ms, at the requests' priority above a backlog of \(urgentBacklog)")
        }
        print(rate > 0 ? "offered load: \(rate) req/s (each connection waits \(String(format: "%.2f", Double(connections) * 1000 / Double(rate))) ms before each request)" : "offered load: as fast as wrk can (closed loop)")
        let router = try await buildRouter(config: config, store: store, dispatcher: dispatcher, logger: logger, clickJournal: journal)
        router.get("bench/const/{code}") { _, _ in
            Response(status: .found, headers: [.location: "https://shop.example/p?a=1&b=2", .cacheControl: "no-store"])
        }
        let port = PortBox()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "bench"),
            onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(services: [app], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while port.get() == 0 { try await Task.sleep(for: .milliseconds(20)) }
            let base = "http://127.0.0.1:\(port.get())"
            print("wrk: \(wrk) -t\(threads) -c\(connections) -d\(duration)s --latency -s codes.lua \(base)/l  (and \(base)/bench/const)")
            // Warm-up: both routes; the stored one until every link was hit about twice (link
            // cache filled, each link's first click applied), at most a minute.
            _ = try Self.wrk(wrk, base + "/bench/const", script: script, threads: threads, connections: connections, seconds: warmup)
            var warmed = 0
            let warmStart = ContinuousClock.now
            repeat {
                warmed += try Self.wrk(wrk, base + "/l", script: script, threads: threads, connections: connections, seconds: warmup).requests
                if noDrain, let journal { while await journal.drainOnce() > 0 {} }
            } while warmed < 2 * codes.count && ContinuousClock.now - warmStart < .seconds(60)
            print("warm-up: \(warmed) stored requests on \(codes.count) links")
            if noDrain, let journal { while await journal.drainOnce() > 0 {} }
            await journal?.drained()
            var stored: [WrkResult] = []
            var constant: [WrkResult] = []
            var allStored = true
            for round in 1...rounds {
                var cpu = clock()
                let c = try Self.wrk(wrk, base + "/bench/const", script: script, threads: threads, connections: connections, seconds: duration)
                let constantCPU = Self.cpuSeconds(since: cpu)
                let before = try await store.clickHits(campaignId: "bench", filter: .all, limit: 1).first?.id ?? 0
                let fallbacksBefore = journal?.fallbacks ?? 0
                cpu = clock()
                let s = try Self.wrk(wrk, base + "/l", script: script, threads: threads, connections: connections, seconds: duration)
                let storedCPU = Self.cpuSeconds(since: cpu)
                // wrk has stopped: wait until every journaled click is in the store, then count.
                let backlog = journal?.backlog ?? 0
                let drainStart = ContinuousClock.now
                cpu = clock()
                if noDrain, let journal { while await journal.drainOnce() > 0 {} }
                await journal?.drained()
                let drainCPU = Self.cpuSeconds(since: cpu)
                let drain = ContinuousClock.now - drainStart
                let drainMs = Double(drain.components.seconds) * 1e3 + Double(drain.components.attoseconds) / 1e15
                let after = try await store.clickHits(campaignId: "bench", filter: .all, limit: 1).first?.id ?? 0
                let clicks = Int(after - before)
                // Requests still in flight when wrk stopped are answered (and stored) but not counted
                // by wrk: at most one per connection.
                let ok = clicks >= s.requests && clicks - s.requests <= connections
                allStored = allStored && ok
                constant.append(c)
                stored.append(s)
                print(String(format: "round %d  constant: %8.0f req/s  p50 %.2f ms  p99 %.2f ms  errors %d", round, c.rps, c.p50, c.p99, c.errors))
                print(String(format: "round %d  stored:   %8.0f req/s  p50 %.2f ms  p99 %.2f ms  errors %d  ratio %.2f", round, s.rps, s.p50, s.p99, s.errors, s.rps / c.rps))
                // Server process CPU (wrk is another process): robust to other load on the machine,
                // unlike requests/s.
                print(
                    String(
                        format: "round %d  server CPU per request: constant %.1f µs, stored %.1f µs (ratio %.2f); drain after wrk: %.1f µs CPU per click",
                        round, constantCPU / Double(max(c.requests, 1)) * 1e6, (storedCPU + drainCPU) / Double(max(s.requests, 1)) * 1e6,
                        (constantCPU / Double(max(c.requests, 1))) / ((storedCPU + drainCPU) / Double(max(s.requests, 1))),
                        backlog > 0 ? drainCPU / Double(backlog) * 1e6 : 0))
                print(
                    "round \(round)  backlog when wrk stopped \(backlog), drained in \(String(format: "%.1f", drainMs)) ms; "
                        + "clicks stored \(clicks) for \(s.requests) completed requests (\(ok ? "ok" : "MISMATCH")); "
                        + "recorded synchronously (journal fallback) \((journal?.fallbacks ?? 0) - fallbacksBefore)")
            }
            print("every completed stored request has its click in the store after the drain: \(allStored ? "yes" : "NO")")
            let c = constant.map(\.rps).reduce(0, +) / Double(rounds)
            let s = stored.map(\.rps).reduce(0, +) / Double(rounds)
            let p99 = stored.map(\.p99).max() ?? 0
            print(String(format: "mean: constant %.0f req/s, stored %.0f req/s, ratio %.2f (target >= 0.50); worst stored p99 %.2f ms (target < 10 ms)", c, s, s / c, p99))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            await journal?.close()
        }
        if let (url, name) = postgresSchema, let pg = store as? PostgresStore {
            await pg.close()
            try await StoreBench.dropSchema(url, name)
        }
    }

    /// One campaign ("bench"), `links` sent messages with one short link each.
    static func seed(store: any SMSDispatchStore, links: Int) async throws -> [String] {
        try await store.insertProvider(
            ProviderConfig(id: "p", name: "p", url: "http://127.0.0.1:9/", bodyTemplate: "{}", callbackSecret: "s", createdAt: 0))
        let now = Int64(Date().timeIntervalSince1970)
        try await store.insertCampaign(
            Campaign(
                id: "bench", name: "bench", providerId: "p", body: "https://shop.example/p?a=1&b=2",
                links: ["https://shop.example/p?a=1&b=2"], audience: .all, timezone: "UTC", goal: nil, status: .sending,
                createdAt: now))
        var codes: [String] = []
        let messages = (0..<links).map { i -> NewMessage in
            let code = ShortCode.generate()
            codes.append(code)
            return NewMessage(
                campaignId: "bench", userId: "u\(i)", phone: "+4915112345678", meta: "m\(i)", body: "x", segments: 1,
                dispatch: .queued, createdAt: now,
                links: [NewShortLink(code: code, linkIndex: 0, url: "https://shop.example/p?a=1&b=2", expiresAt: now + 86_400)])
        }
        try await store.insertMessages(messages)
        let queued = try await store.queuedMessages(campaignId: "bench", limit: links)
        try await store.recordDispatchResults(queued.map { DispatchResult(messageId: $0.messageId, outcome: .sent(providerMessageId: nil), at: now) })
        return codes
    }

    static let iPhone =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"

    /// A wrk script cycling through the codes with a phone browser's user agent.
    /// `delayMs`: each connection waits this long before each request (wrk's `delay()`; wrk's
    /// latency starts when the request is written, so the wait is not in it).
    static func luaScript(codes: [String], delayMs: Double? = nil) -> String {
        """
        local codes = {\(codes.map { "\"\($0)\"" }.joined(separator: ","))}
        local i = math.random(#codes)
        request = function()
          i = (i % #codes) + 1
          return wrk.format("GET", wrk.path .. "/" .. codes[i], {["User-Agent"] = "\(iPhone)"})
        end
        """ + (delayMs.map { "\ndelay = function() return \(Int($0.rounded())) end\n" } ?? "")
    }

    struct WrkResult {
        var rps: Double
        var p50: Double
        var p99: Double
        var requests: Int
        var errors: Int
    }

    static func wrk(_ path: String, _ url: String, script: URL, threads: Int, connections: Int, seconds: Int) throws -> WrkResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = ["-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", script.path, url]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return parse(String(decoding: data, as: UTF8.self))
    }

    /// Reads `Requests/sec`, the 50 % and 99 % lines of `--latency`, the request count and the
    /// error lines of wrk's report. Latencies in **milliseconds**.
    static func parse(_ text: String) -> WrkResult {
        var r = WrkResult(rps: 0, p50: 0, p99: 0, requests: 0, errors: 0)
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let parts = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if line.hasPrefix("Requests/sec:"), parts.count > 1 { r.rps = Double(parts[1]) ?? 0 }
            if line.hasPrefix("50%"), parts.count > 1 { r.p50 = ms(parts[1]) }
            if line.hasPrefix("99%"), parts.count > 1 { r.p99 = ms(parts[1]) }
            if line.contains("requests in"), let n = Int(parts.first ?? "") { r.requests = n }
            if line.hasPrefix("Non-2xx or 3xx responses:"), let n = Int(parts.last ?? "") { r.errors += n }
            if line.hasPrefix("Socket errors:") {
                for part in line.dropFirst("Socket errors:".count).split(separator: ",") {
                    r.errors += Int(part.split(separator: " ").last ?? "") ?? 0
                }
            }
        }
        return r
    }

    /// `"850.00us"`, `"1.23ms"`, `"2.00s"` → milliseconds.
    static func ms(_ s: String) -> Double {
        if s.hasSuffix("us") { return (Double(s.dropLast(2)) ?? 0) / 1000 }
        if s.hasSuffix("ms") { return Double(s.dropLast(2)) ?? 0 }
        if s.hasSuffix("s") { return (Double(s.dropLast(1)) ?? 0) * 1000 }
        return Double(s) ?? 0
    }

    /// Process CPU time (all threads) since `start` (a `clock()` reading), seconds.
    static func cpuSeconds(since start: clock_t) -> Double { Double(clock() - start) / Double(CLOCKS_PER_SEC) }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}


/// The port the server bound (0 until it runs).
final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var port = 0
    func set(_ p: Int) { lock.withLock { port = p } }
    func get() -> Int { lock.withLock { port } }
}
