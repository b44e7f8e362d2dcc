import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SMSCore
import SMSServer
import SMSStoreTestSupport
import Testing

@testable import SMSDemo

#if canImport(Glibc)
import Glibc
#endif

/// Real processes for the cluster tests: `smsstats sink` (a slow provider when asked), any number
/// of `smsstats serve` nodes on one database at fixed loopback ports, and a seeded campaign. Built
/// on the crash tests' ``ChildProcess`` and helpers (``DispatchCrashTests``).
final class ClusterRun: @unchecked Sendable {
    let dir: URL
    let store: TestStore
    let sink: ChildProcess
    let sinkPort: String
    /// The loopback port of each node.
    let nodePorts: [Int]
    /// The running process of each node (`nil` when stopped).
    private(set) var nodes: [ChildProcess?]
    private var starts = 0
    let drainSeconds: Int
    /// The metas of the queued messages at publish (what the sink must receive).
    private(set) var expected: Set<String> = []
    static let campaignId = "cluster"
    static let providerId = "sink"
    static let callbackSecret = "cluster-secret"

    private init(dir: URL, store: TestStore, sink: ChildProcess, sinkPort: String, nodePorts: [Int], drainSeconds: Int) {
        self.dir = dir
        self.store = store
        self.sink = sink
        self.sinkPort = sinkPort
        self.nodePorts = nodePorts
        self.nodes = Array(repeating: nil, count: nodePorts.count)
        self.drainSeconds = drainSeconds
    }

    /// A new database of `kind`, the sink (answering each send after `sinkDelayMs`), and `nodes` free ports.
    static func make(kind: StoreKind, nodes: Int, sinkDelayMs: Int = 0, drainSeconds: Int = 20) async throws -> ClusterRun {
        let bin = DispatchCrashTests.binary
        try #require(FileManager.default.isExecutableFile(atPath: bin.path), "build the smsstats executable first (swift build --build-tests)")
        let store = try await TestStore.make(kind)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smsstats-cluster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let sink = try ChildProcess(
            bin, ["sink", "--port", "0", "--out", dir.appendingPathComponent("refs.txt").path, "--delay-ms", "\(sinkDelayMs)"],
            log: dir.appendingPathComponent("sink.log"))
        let sinkPort = try await sink.waitForLine(#"sink listening on port (\d+)"#, timeout: .seconds(30))
        var ports: [Int] = []
        while ports.count < nodes {
            guard let p = FreePort.find() else { throw CrashTestError("no free port") }
            if !ports.contains(p) { ports.append(p) }
        }
        return ClusterRun(dir: dir, store: store, sink: sink, sinkPort: sinkPort, nodePorts: ports, drainSeconds: drainSeconds)
    }

    /// The provider (the sink: `batch` refs per request, `concurrency` requests in flight, callbacks
    /// with a secret), `recipients` profiles, a campaign to all of them; published now unless
    /// `sendAt` (epoch seconds) schedules it.
    func seed(
        recipients: Int, batch: Int, concurrency: Int, ratePerSecond: Double? = nil, sendAt: Int64? = nil,
        body: String = "Hello", links: [String] = []
    ) async throws {
        let s = store.store
        try await s.insertProvider(ProviderConfig(
            id: Self.providerId, name: "Sink", url: "http://127.0.0.1:\(sinkPort)/sms/send",
            bodyTemplate: #"{"messages":[{"to":"$$To","text":"$$Body","ref":"$$MessageID"}]}"#,
            batch: BatchConfig(key: "messages", size: batch), callbacksEnabled: true, callbackSecret: Self.callbackSecret,
            messageIdPath: "messages.*.id", ratePerSecond: ratePerSecond, createdAt: 0, maxConcurrency: concurrency))
        var profiles: [Profile] = []
        for i in 0..<recipients {
            profiles.append(Profile(userId: String(format: "user-%06d", i), phone: "+4915\(String(format: "%08d", i))", phoneValid: true))
            if profiles.count == 5_000 {
                try await s.upsertProfiles(profiles)
                profiles = []
            }
        }
        if !profiles.isEmpty { try await s.upsertProfiles(profiles) }
        try await s.insertCampaign(Campaign(
            id: Self.campaignId, name: "Cluster", providerId: Self.providerId, body: body, links: links, audience: .all,
            timezone: "UTC", goal: nil, createdAt: 0))
        if let sendAt {
            try await s.scheduleCampaign(id: Self.campaignId, sendAt: sendAt)
            return
        }
        let d = Dispatcher(store: s, gateway: DispatchCrashTests.NoGateway(), planner: CampaignPlanner(linkBaseURL: "https://s.example"))
        let summary = try await d.publish(campaignId: Self.campaignId)
        #expect(summary.queued == recipients)
        expected = Set(try await s.queuedMessages(campaignId: Self.campaignId, limit: recipients).map(\.meta))
    }

    /// Starts node `i` (`smsstats serve` on its port, with `extra` arguments) and waits until
    /// `/ready` answers 200.
    func startNode(_ i: Int, extra: [String] = []) async throws {
        // The port was probed free when the run began; a client of another test can hold it as its
        // ephemeral port for a moment (CI of 939ba47: "the address is already in use"). Such a
        // start is tried again on the same port (nginx's upstreams name it), up to 5 times.
        for attempt in 1...5 {
            do {
                return try await startNodeOnce(i, extra: extra)
            } catch let error as CrashTestError where attempt < 5 && error.description.contains("the address is already in use") {
                try await Task.sleep(for: .milliseconds(300))
            }
        }
    }

    private func startNodeOnce(_ i: Int, extra: [String]) async throws {
        starts += 1
        let child = try ChildProcess(
            DispatchCrashTests.binary,
            [
                "serve", "--database", store.databaseURL, "--port", "\(nodePorts[i])", "--admin-token", "t",
                "--dispatch-interval-ms", "50", "--log-level", "info", "--drain-seconds", "\(drainSeconds)",
            ]
                // PostgreSQL: each node journals its redirects in its own directory (kept across its
                // restarts). SQLite keeps one journal position: its servers here record synchronously.
                + (store.kind == .postgres ? ["--click-journal", dir.appendingPathComponent("clicks-node\(i)").path] : ["--no-click-journal"])
                + extra,
            log: dir.appendingPathComponent("node\(i)-\(starts).log"))
        nodes[i] = child
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if try await Self.status("http://127.0.0.1:\(nodePorts[i])/ready") == 200 { return }
            guard child.process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CrashTestError("node \(i) did not become ready; log:\n\(child.log)")
    }

    /// Sends SIGTERM to node `i` and waits for it to exit. - Returns: its exit status (`nil` when it
    /// did not exit in `timeout`, or ended by a signal) and how long it took.
    func terminateNode(_ i: Int, timeout: Duration) async throws -> (status: Int32?, took: Duration) {
        guard let child = nodes[i] else { return (nil, .zero) }
        let start = ContinuousClock.now
        child.process.terminate()
        let exited = try await child.waitExit(timeout: timeout)
        let took = ContinuousClock.now - start
        nodes[i] = nil
        guard exited else {
            child.kill(SIGKILL)
            return (nil, took)
        }
        if case .exit(let code) = child.process.waitUntilExit() { return (code, took) }
        return (nil, took)
    }

    /// The log of node `i`'s running process, `nil` when it is stopped.
    func nodeLog(_ i: Int) async throws -> String? { nodes[i]?.log }

    /// SIGKILLs node `i`.
    func killNode(_ i: Int) {
        nodes[i]?.kill(SIGKILL)
        nodes[i] = nil
    }

    /// Every log line of node processes so far, for failure messages.
    func logs() -> String {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return files.filter { $0.hasSuffix(".log") }.sorted().map { name in
            "== \(name)\n" + ((try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)) ?? "")
        }.joined(separator: "\n")
    }

    /// The refs the sink received, in order (duplicates included).
    func received() -> [String] { DispatchCrashTests.lines(dir.appendingPathComponent("refs.txt")) }

    private let snapshot = NSLock()
    private var cached: (at: ContinuousClock.Instant, refs: [String])?

    /// ``received()`` read again at most every 200 ms (for loads that ask for it per request).
    func receivedRecently() -> [String] {
        snapshot.withLock {
            if let cached, ContinuousClock.now - cached.at < .milliseconds(200) { return cached.refs }
            let refs = received()
            cached = (ContinuousClock.now, refs)
            return refs
        }
    }

    /// The campaign's totals (``CampaignStatsQueries``).
    func totals() async throws -> RollupDelta {
        try await CampaignStatsQueries(store: store.store).totals(campaignId: Self.campaignId)
    }

    /// Messages claimed and not recorded.
    func claimed() async throws -> Int { try await store.store.claimedCount(campaignId: Self.campaignId) }

    /// The metas whose message has a delivery receipt recorded.
    func deliveredMetas() async throws -> Set<String> {
        let rows = try await store.query("SELECT meta FROM messages WHERE delivered_at IS NOT NULL")
        return Set(rows.compactMap { if case .text(let s) = $0["meta"] { s } else { nil } })
    }

    func waitCompleted(timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await store.store.campaign(id: Self.campaignId)?.status == .completed { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    func stop() async {
        for i in nodes.indices { killNode(i) }
        sink.kill(SIGTERM)
        try? FileManager.default.removeItem(at: dir)
        await store.close()
    }

    /// Waits until every running node's click journal is applied (`/metrics`:
    /// `smsstats_click_journal_backlog_records 0`). - Returns: `false` at the timeout.
    func journalsApplied(timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var pending = false
            for i in nodes.indices where nodes[i] != nil {
                let text = try await Self.body("http://127.0.0.1:\(nodePorts[i])/metrics") ?? ""
                let line = text.split(separator: "\n").first { $0.hasPrefix("smsstats_click_journal_backlog_records ") }
                if line.flatMap({ Double($0.split(separator: " ").last ?? "") }) != 0 { pending = true }
            }
            if !pending { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// `GET url`'s body, `nil` when nothing answers.
    static func body(_ url: String) async throws -> String? {
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
            return String(buffer: try await response.body.collect(upTo: 1 << 22))
        } catch {
            return nil
        }
    }

    /// `GET url`'s status, `nil` when nothing answers.
    static func status(_ url: String) async throws -> Int? {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            _ = try await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        } catch {
            return nil
        }
    }
}

/// Posts delivery callbacks (generic dialect, batches of `batch` items, one meta per item) for the
/// refs the sink has received, to `baseURL`, from `workers` concurrent clients, until stopped: a
/// ``RequestLoad`` whose items are metas and whose acknowledgement is a 2xx.
final class CallbackLoad: Sendable {
    private let load = RequestLoad()

    var acked: Set<String> { load.acked }
    var failed: [String] { load.failed }
    var requestCount: Int { load.requestCount }
    func stop() { load.stop() }

    /// Runs until ``stop()``; callbacks go to `baseURL` (a node or nginx). `refs` reads the sink's file.
    func run(baseURL: @escaping @Sendable () -> String, refs: @escaping @Sendable () -> [String], batch: Int, workers: Int) async {
        await load.run(items: refs, batch: batch, workers: workers, expected: { (200..<300).contains($0) }) { metas in
            let now = Int64(Date().timeIntervalSince1970)
            let items = metas.map { #"{"meta":"\#($0)","ts":\#(now)}"# }.joined(separator: ",")
            var request = HTTPClientRequest(url: baseURL() + "/callbacks/\(ClusterRun.providerId)?secret=\(ClusterRun.callbackSecret)")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: #"[{"event":"delivered","data":[\#(items)]}]"#))
            return request
        }
    }
}
