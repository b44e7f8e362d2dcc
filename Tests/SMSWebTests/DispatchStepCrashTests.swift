import Foundation
import Logging
import SMSCore
import SMSServer
import SMSStoreTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 12, "a crash never becomes a send loop": `smsstats serve` (a child process) sending to
/// `smsstats sink` kills itself (SIGKILL, through the test-only `SMSSTATS_TEST_CRASH_AT` hook,
/// ``CrashHook``) at each named step of dispatch, and is restarted. A crash once resends at most
/// the claim in flight (only when the provider answered and the answer was not yet recorded);
/// a crash at the same step on every start ends in dead letters and a paused campaign after a
/// bounded number of starts, never a loop — with derived work that always dies, the provider
/// receives each message exactly once. On SQLite and PostgreSQL.
@Suite("Crash safety: SIGKILL at each step of dispatch", .serialized)
struct DispatchStepCrashTests {
    static let batch = 5

    @Test(
        "one SIGKILL at each step: everyone received, a resend only for the claim whose answer was not recorded",
        // Up to 60 s + 60 s of waits per case; 3 minutes were too few under the whole suite's load.
        .timeLimit(.minutes(6)), arguments: StoreKind.allCases, CrashHook.Step.allCases)
    func killOnceAtStep(kind: StoreKind, step: CrashHook.Step) async throws {
        let run = try await CrashRun.start(kind: kind, recipients: 20, batch: Self.batch)
        defer { run.stop() }
        let crashing = try run.serve(crashAt: step)
        #expect(try await crashing.waitExit(timeout: .seconds(60)), "serve did not die at step \(step)")
        #expect(crashing.wasKilled)
        let atCrash = run.received()
        let serve = try run.serve(crashAt: nil)
        #expect(try await run.waitStatus(.completed, timeout: .seconds(60)), "campaign did not complete; log:\n\(serve.log)")
        serve.kill(SIGTERM)

        let received = run.received()
        var perRef: [String: Int] = [:]
        for ref in received { perRef[ref, default: 0] += 1 }
        #expect(Set(perRef.keys) == run.expected)
        let duplicates = received.count - perRef.count
        switch step {
        case .claim:
            // Died inside the claim transaction: nothing was claimed, nothing sent.
            #expect(atCrash.isEmpty)
            #expect(duplicates == 0)
        case .send:
            // Claimed, not sent: queued again and sent once.
            #expect(atCrash.isEmpty)
            #expect(duplicates == 0)
        case .answer:
            // The provider got the first request; its answer was lost: that claim is sent again, once.
            #expect(atCrash.count == Self.batch)
            #expect(duplicates == Self.batch)
            #expect(perRef.values.allSatisfy { $0 <= 2 })
        case .record, .derive:
            // The answer was committed before the derived work: never sent again.
            #expect(atCrash.count == Self.batch)
            #expect(duplicates == 0)
        }
        let (totals, letters) = try await run.outcome()
        #expect(totals[RollupKey(.sent)] == 20)
        #expect((totals[RollupKey(.queued)] ?? 0) == 0)
        #expect(letters.isEmpty)
        await run.close()
    }

    @Test(
        "derived work that dies on every start: each message received exactly once, dead-lettered after 3 attempts, campaign paused",
        .timeLimit(.minutes(5)), arguments: StoreKind.allCases)
    func poisonDerivedWork(kind: StoreKind) async throws {
        // Per message: 3 recording attempts die (the dispatcher's and 2 retries), the 4th start
        // dead-letters it; the 3rd dead letter in a row pauses the campaign.
        let error = "repeated crash while recording the provider's answer (3 attempts)"
        let run = try await Self.crashOnEveryStart(kind: kind, step: .derive, maxStarts: 14, crashes: 9, error: error)
        #expect(run.perRef.values.allSatisfy { $0 == 1 })
        #expect(run.letters.allSatisfy { $0.providerAnswer == "sent" && $0.providerMessageId?.hasPrefix("SINK-") == true && $0.sendAttempts == 1 })
        #expect((run.totals[RollupKey(.sent)] ?? 0) == 0)
    }

    @Test(
        "a crash after every provider answer: each message sent at most twice, then dead-lettered; campaign paused",
        .timeLimit(.minutes(5)), arguments: StoreKind.allCases)
    func crashAfterEveryAnswer(kind: StoreKind) async throws {
        // Per message: sent, crash, queued again, sent again, crash, dead-lettered at the next start.
        let error = "repeated crash during dispatch (2 provider calls, outcome unknown)"
        let run = try await Self.crashOnEveryStart(kind: kind, step: .answer, maxStarts: 12, crashes: 6, error: error)
        #expect(run.perRef.values.allSatisfy { $0 == 2 })
        #expect(run.letters.allSatisfy { $0.providerAnswer == nil })
    }

    /// The shape of both crash-on-every-start tests: 3 recipients, one per provider request,
    /// `serve` dying at `step` on every start until the campaign is paused. Checks what both
    /// share: `crashes` starts died, every recipient received, 3 dead letters with `error`, the
    /// campaign paused with it as the reason.
    /// - Returns: receipts per ref, the dead letters and the rollup totals, for the test's own checks.
    static func crashOnEveryStart(
        kind: StoreKind, step: CrashHook.Step, maxStarts: Int, crashes expected: Int, error: String
    ) async throws -> (perRef: [String: Int], letters: [DeadLetter], totals: RollupDelta) {
        let run = try await CrashRun.start(kind: kind, recipients: 3, batch: 1)
        defer { run.stop() }
        let crashes = try await run.crashUntilPaused(step: step, maxStarts: maxStarts)
        #expect(crashes == expected)
        var perRef: [String: Int] = [:]
        for ref in run.received() { perRef[ref, default: 0] += 1 }
        #expect(Set(perRef.keys) == run.expected)
        let (totals, letters) = try await run.outcome()
        #expect(letters.count == 3)
        #expect(letters.allSatisfy { $0.error == error })
        let campaign = try await run.campaign()
        #expect(campaign?.status == .paused)
        #expect(campaign?.pausedReason == "paused after 3 consecutive dead-lettered messages; last error: \(error)")
        await run.close()
        return (perRef, letters, totals)
    }
}

/// One crash-test setup: a sink, a store (SQLite file or PostgreSQL schema), a published campaign.
final class CrashRun: @unchecked Sendable {
    let dir: URL
    let dbPath: String
    let sink: ChildProcess
    let port: String
    let postgres: TestStore?
    var expected: Set<String> = []
    private var starts = 0
    private var children: [ChildProcess] = []

    private init(dir: URL, dbPath: String, sink: ChildProcess, port: String, postgres: TestStore?) {
        self.dir = dir
        self.dbPath = dbPath
        self.sink = sink
        self.port = port
        self.postgres = postgres
    }

    static func start(kind: StoreKind, recipients: Int, batch: Int) async throws -> CrashRun {
        let bin = DispatchCrashTests.binary
        try #require(FileManager.default.isExecutableFile(atPath: bin.path), "build the smsstats executable first (swift build --build-tests)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smsstats-stepcrash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let postgres: TestStore? = kind == .postgres ? try await TestStore.make(.postgres) : nil
        let dbPath = postgres?.databaseURL ?? dir.appendingPathComponent("db.sqlite").path
        let sink = try ChildProcess(
            bin, ["sink", "--port", "0", "--out", dir.appendingPathComponent("refs.txt").path], log: dir.appendingPathComponent("sink.log"))
        let port = try await sink.waitForLine(#"sink listening on port (\d+)"#, timeout: .seconds(30))
        let run = CrashRun(dir: dir, dbPath: dbPath, sink: sink, port: port, postgres: postgres)
        try await run.seed(recipients: recipients, batch: batch)
        return run
    }

    /// A provider (the sink, `batch` per request, one request in flight), profiles, a campaign to all, published.
    func seed(recipients: Int, batch: Int) async throws {
        let opened = try await DispatchCrashTests.open(dbPath)
        let store = opened.store
        try await store.insertProvider(ProviderConfig(
            id: "sink", name: "Sink", url: "http://127.0.0.1:\(port)/sms/send",
            bodyTemplate: #"{"messages":[{"to":"$$To","text":"$$Body","ref":"$$MessageID"}]}"#,
            batch: BatchConfig(key: "messages", size: batch), callbacksEnabled: false, callbackSecret: "s",
            messageIdPath: "messages.*.id", createdAt: 0, maxConcurrency: 1))
        try await store.upsertProfiles((0..<recipients).map { i in
            Profile(userId: String(format: "user-%03d", i), phone: "+4915\(String(format: "%08d", i))", phoneValid: true)
        })
        try await store.insertCampaign(Campaign(
            id: "crash", name: "Crash", providerId: "sink", body: "Hello", links: [], audience: .all, timezone: "UTC", goal: nil,
            createdAt: 0))
        let d = Dispatcher(store: store, gateway: DispatchCrashTests.NoGateway(), planner: CampaignPlanner(linkBaseURL: "https://s.example"))
        _ = try await d.publish(campaignId: "crash")
        expected = Set(try await store.queuedMessages(campaignId: "crash", limit: recipients).map(\.meta))
        await opened.close()
    }

    /// Starts `smsstats serve`, armed to kill itself at `crashAt`.
    func serve(crashAt: CrashHook.Step?) throws -> ChildProcess {
        starts += 1
        let child = try ChildProcess(
            DispatchCrashTests.binary,
            ["serve", "--database", dbPath, "--port", "0", "--admin-token", "t", "--dispatch-interval-ms", "20", "--lease-seconds", "2", "--node-id", "crash-node", "--log-level", "info"],
            log: dir.appendingPathComponent("serve-\(starts).log"),
            environment: crashAt.map { ["SMSSTATS_TEST_CRASH_AT": $0.rawValue] } ?? [:])
        children.append(child)
        return child
    }

    /// Starts serve armed at `step` again and again until a start no longer dies and the campaign
    /// is paused. - Returns: how many starts died.
    func crashUntilPaused(step: CrashHook.Step, maxStarts: Int) async throws -> Int {
        var crashes = 0
        for _ in 0..<maxStarts {
            let serve = try serve(crashAt: step)
            let deadline = ContinuousClock.now + .seconds(60)
            while serve.process.isRunning, ContinuousClock.now < deadline {
                if try await campaign()?.status == .paused {
                    serve.kill(SIGTERM)
                    return crashes
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            if serve.process.isRunning { throw CrashTestError("serve neither died nor paused the campaign; log:\n\(serve.log)") }
            #expect(serve.wasKilled, "serve ended otherwise than by its hook; log:\n\(serve.log)")
            crashes += 1
        }
        throw CrashTestError("still crashing after \(maxStarts) starts: a send loop")
    }

    func received() -> [String] { DispatchCrashTests.lines(dir.appendingPathComponent("refs.txt")) }

    func waitStatus(_ status: CampaignStatus, timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await campaign()?.status == status { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    func campaign() async throws -> Campaign? {
        let opened = try await DispatchCrashTests.open(dbPath)
        let c = try await opened.store.campaign(id: "crash")
        await opened.close()
        return c
    }

    /// The campaign's rollup totals and dead letters.
    func outcome() async throws -> (RollupDelta, [DeadLetter]) {
        let opened = try await DispatchCrashTests.open(dbPath)
        let totals = try await CampaignStatsQueries(store: opened.store).totals(campaignId: "crash")
        let letters = try await opened.store.deadLetters(campaignId: "crash", limit: 100)
        await opened.close()
        return (totals, letters)
    }

    func stop() {
        for c in children { c.kill(SIGKILL) }
        sink.kill(SIGTERM)
        try? FileManager.default.removeItem(at: dir)
    }

    func close() async { await postgres?.close() }
}
