import Foundation
import SMSCore
import Logging
import SMSServer
import SMSStoreTestSupport
import SMSTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A child process with its output going to a file.
final class ChildProcess: @unchecked Sendable {
    let process: SpawnedProcess
    let logURL: URL

    init(_ executable: URL, _ arguments: [String], log: URL, environment: [String: String] = [:]) throws {
        logURL = log
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        // Exits when the test process does, even when it is killed before `defer` runs.
        var env = ProcessInfo.processInfo.environment
        env["SMSSTATS_EXIT_WITH_PARENT"] = String(ProcessInfo.processInfo.processIdentifier)
        env["SMSSTATS_TEST_CRASH_AT"] = nil
        env.merge(environment) { $1 }
        process = try SpawnedProcess(
            executable: executable.path, arguments: arguments, environment: env,
            standardOutput: handle.fileDescriptor, standardError: handle.fileDescriptor)
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// Waits until the log holds a line matching `pattern`; returns its first capture group.
    func waitForLine(_ pattern: String, timeout: Duration) async throws -> String {
        let regex = try NSRegularExpression(pattern: pattern)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = log
            if let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), let r = Range(m.range(at: 1), in: text) {
                return String(text[r])
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw CrashTestError("no line matching \(pattern) in time; log:\n\(log)")
    }

    /// Waits until the process exits; whether it did within `timeout`.
    func waitExit(timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return !process.isRunning
    }

    /// Whether it ended by SIGKILL.
    var wasKilled: Bool { process.termination == .signal(SIGKILL) }

    func kill(_ signal: Int32) {
        guard process.isRunning else { return }
        process.signal(signal)
        process.waitUntilExit()
    }
}

struct CrashTestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// The crash test of issue 3 / PITFALLS.md #15: a 10,000-recipient campaign dispatched by `smsstats
/// serve` (a child process) to `smsstats sink` (another child process), the server killed with
/// SIGKILL at random points and restarted; at the end every recipient was received at least once,
/// the duplicates stay inside the stated at-least-once window (claimed messages: concurrency ×
/// batch = 400 per kill), and the campaign's counts add up.
@Suite("Crash safety: SIGKILL during dispatch", .serialized)
struct DispatchCrashTests {
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["SMSSTATS_BIN"] { return URL(fileURLWithPath: path) }
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = me.deletingLastPathComponent()
        // The test runner is `<build>/debug/SMSStatsPackageTests.xctest` (a file on Linux).
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("smsstats").path), dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("smsstats")
    }

    /// On SQLite (a file) and on PostgreSQL (a new schema; the server's connections die with it).
    @Test(
        "10,000 recipients, 5 SIGKILLs: each recipient received, duplicates within the window, counts add up",
        // By construction up to 5 × (15 s + 0.9 s) + 90 s of waits plus the setup; with the whole
        // suite's PostgreSQL load beside it the PostgreSQL case needed more than 3 minutes in CI.
        .timeLimit(.minutes(8)), arguments: StoreKind.allCases)
    func killAndRestart(kind: StoreKind) async throws {
        let bin = Self.binary
        try #require(FileManager.default.isExecutableFile(atPath: bin.path), "build the smsstats executable first (swift build --build-tests)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smsstats-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let refsFile = dir.appendingPathComponent("refs.txt")
        let postgres: TestStore? = kind == .postgres ? try await TestStore.make(.postgres) : nil
        let dbPath = postgres?.databaseURL ?? dir.appendingPathComponent("db.sqlite").path

        let sink = try ChildProcess(bin, ["sink", "--port", "0", "--out", refsFile.path], log: dir.appendingPathComponent("sink.log"))
        defer { sink.kill(SIGTERM) }
        let port = try await sink.waitForLine(#"sink listening on port (\d+)"#, timeout: .seconds(30))

        let recipients = 10_000
        let (campaignId, expectedQueued) = try await Self.seed(dbPath: dbPath, sinkPort: port, recipients: recipients)

        var delays: [Int] = []
        var recovered: [Int] = []
        var receivedAtKill: [Int] = []
        var finished = false
        for round in 0..<6 {
            let serve = try ChildProcess(
                bin,
                ["serve", "--database", dbPath, "--port", "0", "--admin-token", "t", "--dispatch-interval-ms", "20", "--lease-seconds", "2", "--node-id", "crash-node", "--log-level", "info"],
                log: dir.appendingPathComponent("serve-\(round).log"))
            if round < 5 {
                // A restarted server is killed only after it has sent something new (up to 15 s):
                // under load a debug `serve` may need more than a second to start, and killing it
                // before then would meet the same claims twice and trip the crash-loop guard
                // (dead letters, campaign paused) instead of testing a kill while sending.
                if let before = receivedAtKill.last {
                    let deadline = ContinuousClock.now + .seconds(15)
                    while Self.lines(refsFile).count <= before, ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
                let delay = Int.random(in: round == 0 ? 700...1_600 : 200...900)
                delays.append(delay)
                try await Task.sleep(for: .milliseconds(delay))
                serve.kill(SIGKILL)
                receivedAtKill.append(Self.lines(refsFile).count)
            } else {
                finished = try await Self.waitCompleted(dbPath: dbPath, campaignId: campaignId, timeout: .seconds(90))
                serve.kill(SIGTERM)
                if !finished {
                    print("last serve's log (\(kind)):\n" + String(serve.log.suffix(6_000)))
                    if let postgres {
                        print(try await postgres.query(
                            "SELECT claim_node, lease_expires_at, dispatch_attempts, COUNT(*) AS n FROM messages WHERE send_attempt IS NOT NULL GROUP BY 1, 2, 3"))
                        print(try await postgres.query("SELECT status, json FROM campaigns"))
                        print(Date().timeIntervalSince1970)
                    }
                }
            }
            recovered.append(contentsOf: Self.recoveredCounts(serve.log))
        }
        #expect(finished, "campaign did not complete")

        let received = Self.lines(refsFile)
        var perRef: [String: Int] = [:]
        for ref in received { perRef[ref, default: 0] += 1 }
        let duplicates = received.count - perRef.count
        let midCampaignKills = receivedAtKill.filter { $0 < perRef.count }.count
        #expect(midCampaignKills >= 3, "most kills should land while sending: \(receivedAtKill)")
        let opened = try await Self.open(dbPath)
        let totals = try await CampaignStatsQueries(store: opened.store).totals(campaignId: campaignId)
        let letters = try await opened.store.deadLetters(campaignId: campaignId, limit: 100)
        await opened.close()
        func v(_ m: RollupMetric) -> Int64 { totals[RollupKey(m)] ?? 0 }
        // A claim in flight at two kills in a row had 2 provider calls of unknown outcome: it is
        // dead-lettered, never sent a 3rd time. Claims re-queued after a kill are sent alone
        // (SuspectClaim), so a kill dead-letters at most one message of the campaign, and one dead
        // letter never pauses it.
        #expect(letters.count <= delays.count, "at most one dead letter per kill: \(letters.map(\.error))")
        #expect(letters.allSatisfy { $0.error == "repeated crash during dispatch (2 provider calls, outcome unknown)" })
        let dead = Set(letters.map(\.meta))
        // Every recipient that should get the SMS got it (a dead letter may or may not have); nobody else did.
        #expect(Set(perRef.keys).isSubset(of: expectedQueued))
        #expect(expectedQueued.subtracting(dead).isSubset(of: Set(perRef.keys)))
        // Counts add up: Targeted = Sent + dispatch errors + control group + dead letters.
        #expect(v(.messages) == Int64(recipients))
        #expect(v(.sent) + v(.dispatchErrors) + v(.controlGroup) + Int64(letters.count) == Int64(recipients))
        #expect(v(.sent) == Int64(expectedQueued.count - letters.count))
        // A dead letter never got an answer: it stays queued in the stats (listed by dead-letters).
        #expect(v(.queued) == Int64(letters.count))
        // The at-least-once window: at most the claimed messages (4 requests × 100) per kill, and a
        // duplicate only where a restart re-queued claims.
        let window = 4 * 100
        #expect(duplicates <= window * delays.count)
        // (Each restart re-queues what the killed process had claimed; the log lines give those
        // counts — printed below, not asserted: a kill can land between a re-queue and its log line.)
        print(
            "crash test: \(midCampaignKills) of \(delays.count) kills mid-campaign, after \(delays) ms; refs received at each kill \(receivedAtKill); claims re-queued per restart \(recovered); "
                + "received \(received.count) for \(perRef.count) recipients → \(duplicates) duplicates (bound \(window) per kill); \(letters.count) dead letters")
        try? "kills_ms=\(delays) received_at_kill=\(receivedAtKill) requeued=\(recovered) received=\(received.count) unique=\(perRef.count) duplicates=\(duplicates) dead_letters=\(letters.count)\n"
            .write(to: Self.outputDirectory().appendingPathComponent("dispatch-crash-\(kind).txt"), atomically: true, encoding: .utf8)
        await postgres?.close()
    }

    /// The store at a SQLite path or `postgres://` URL.
    static func open(_ database: String) async throws -> OpenedStore {
        var logger = Logger(label: "test.crash")
        logger.logLevel = .critical
        return try await OpenedStore.open(database: database, logger: logger)
    }

    /// Provider (the sink; by default batch 100, 4 in flight, 800 msg/s so that kills land
    /// mid-campaign), profiles (every 50th without a phone, every 77th opted out), a campaign with a
    /// 5 % control group, published (all messages recorded) by this process.
    static func seed(
        dbPath: String, sinkPort: String, recipients: Int, rate: Double = 800, batch: Int = 100, concurrency: Int = 4
    ) async throws -> (String, Set<String>) {
        let opened = try await open(dbPath)
        defer { Task { await opened.close() } }
        let store = opened.store
        try await store.insertProvider(ProviderConfig(
            id: "sink", name: "Sink", url: "http://127.0.0.1:\(sinkPort)/sms/send",
            bodyTemplate: #"{"messages":[{"to":"$$To","text":"$$Body","ref":"$$MessageID"}]}"#,
            batch: BatchConfig(key: "messages", size: batch), callbacksEnabled: false, callbackSecret: "s", ratePerSecond: rate,
            createdAt: 0, maxConcurrency: concurrency))
        try await store.upsertProfiles((0..<recipients).map { i in
            Profile(
                userId: String(format: "user-%05d", i), phone: i % 50 == 0 ? nil : "+4915\(String(format: "%08d", i))",
                phoneValid: i % 50 != 0, optedOut: i % 77 == 0)
        })
        try await store.insertCampaign(Campaign(
            id: "crash", name: "Crash", providerId: "sink", body: "Sale https://shop.example/p?a=1&b=2", links: ["https://shop.example/p?a=1&b=2"],
            audience: .all, timezone: "UTC", goal: nil, controlGroupPercent: 5, createdAt: 0))
        let d = Dispatcher(store: store, gateway: NoGateway(), planner: CampaignPlanner(linkBaseURL: "https://s.example"))
        let summary = try await d.publish(campaignId: "crash")
        #expect(summary.queued + summary.control + summary.dispatchErrors == recipients)
        let queued = try await store.queuedMessages(campaignId: "crash", limit: recipients)
        #expect(queued.count == summary.queued)
        return ("crash", Set(queued.map(\.meta)))
    }

    struct NoGateway: SMSGateway {
        func send(_ messages: [OutboundMessage], via provider: ProviderConfig, customValues: [String: String]) async -> [DispatchResult] { [] }
    }

    static func waitCompleted(dbPath: String, campaignId: String, timeout: Duration) async throws -> Bool {
        let opened = try await open(dbPath)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await opened.store.campaign(id: campaignId)?.status == .completed {
                await opened.close()
                return true
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        await opened.close()
        return false
    }

    static func lines(_ url: URL) -> [String] {
        ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// `count=N` of the "queued again … unknown outcome" log lines.
    static func recoveredCounts(_ log: String) -> [Int] {
        log.split(separator: "\n").filter { $0.contains("unknown outcome") }.compactMap { line in
            guard let r = line.range(of: #"count=(\d+)"#, options: .regularExpression) else { return nil }
            return Int(line[r].dropFirst("count=".count))
        }
    }

    static func outputDirectory() -> URL {
        let path = ProcessInfo.processInfo.environment["SMSSTATS_TEST_OUTPUT"] ?? FileManager.default.temporaryDirectory.path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return URL(fileURLWithPath: path)
    }
}
