import AsyncHTTPClient
import Foundation
import SMSCore
import SMSStoreTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The click journal's crash test: `smsstats serve` (a child process; SQLite: the journal beside
/// the database by default; PostgreSQL: `--click-journal DIR`, a new generated node id at every
/// start, so the position is found by the journal's id) under 16 concurrent redirect loops,
/// killed with SIGKILL mid-load three times and restarted; after the last restart (which replays
/// the journal before serving) every redirect that got a 302 is stored exactly once: clicks
/// stored ≥ 302s received and ≤ requests sent, no click id stored twice, and the per-message
/// counters and rollups equal a recount from the click rows.
@Suite("Crash safety: SIGKILL during redirects", .serialized)
struct ClickJournalCrashTests {
    static let iPhone = RedirectRouteTests.iPhone

    final class Tally: Sendable {
        let sent = Mutex(0)
        let found = Mutex(0)
    }

    @Test("3 SIGKILLs under redirect load: every 302 stored exactly once", .timeLimit(.minutes(6)), arguments: StoreKind.allCases)
    func killDuringRedirects(kind: StoreKind) async throws {
        let bin = DispatchCrashTests.binary
        try #require(FileManager.default.isExecutableFile(atPath: bin.path), "build the smsstats executable first (swift build --build-tests)")
        let testStore = try await TestStore.make(kind)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smsstats-clickcrash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let codes = try await Self.seed(store: testStore.store, messages: 300)
        let journalFlags = kind == .sqlite ? [] : ["--click-journal", dir.appendingPathComponent("clicks").path]

        var config = HTTPClient.Configuration()
        config.redirectConfiguration = .disallow
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        let tally = Tally()
        var replayed: [String] = []
        var sentAtKill: [Int] = []
        for round in 0..<4 {
            let serve = try ChildProcess(
                bin, ["serve", "--database", testStore.databaseURL, "--port", "0", "--admin-token", "t", "--dispatch-interval-ms", "1000", "--log-level", "info"]
                    + journalFlags,
                log: dir.appendingPathComponent("serve-\(round).log"))
            let port = try await serve.waitForLine(#"listening on 127\.0\.0\.1:(\d+)"#, timeout: .seconds(60))
            replayed += serve.log.split(separator: "\n").filter { $0.contains("click journal: replayed") }.map(String.init)
            guard round < 3 else {
                serve.kill(SIGTERM)
                break
            }
            let load = Task {
                await withTaskGroup(of: Void.self) { group in
                    for worker in 0..<16 {
                        group.addTask {
                            var i = worker
                            while !Task.isCancelled {
                                i += 16
                                let agent = i % 7 == 0 ? "WhatsApp/2.23.20.0 A" : Self.iPhone
                                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/l/\(codes[(i * 7919) % codes.count])")
                                request.headers.add(name: "User-Agent", value: agent)
                                tally.sent.withLock { $0 += 1 }
                                do {
                                    let response = try await http.execute(request, timeout: .seconds(10))
                                    _ = try await response.body.collect(upTo: 1 << 16)
                                    if response.status == .found { tally.found.withLock { $0 += 1 } }
                                } catch {
                                    return  // the server is gone
                                }
                            }
                        }
                    }
                }
            }
            // Let the load run until 2,000 more 302s (however slow the machine), then kill the server
            // in the middle of it.
            let before = tally.found.withLock { $0 }
            let deadline = ContinuousClock.now + .seconds(80)
            while tally.found.withLock({ $0 }) < before + 2_000, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...300)))
            serve.kill(SIGKILL)
            sentAtKill.append(tally.sent.withLock { $0 })
            load.cancel()
            await load.value
        }
        try await http.shutdown()
        let sent = tally.sent.withLock { $0 }
        let found = tally.found.withLock { $0 }

        func count(_ sql: String) async throws -> Int { Int(try await testStore.int(sql) ?? -1) }
        let rows = try await count("SELECT count(*) FROM clicks")
        let distinctIds = try await count("SELECT count(DISTINCT click_id) FROM clicks")
        let humans = try await count("SELECT count(*) FROM clicks WHERE NOT is_bot")
        let bots = try await count("SELECT count(*) FROM clicks WHERE is_bot")
        let clickedCodes = try await count("SELECT count(DISTINCT code) FROM clicks WHERE NOT is_bot")
        print("click crash test (\(kind)): \(sent) requests sent, \(found) got a 302, \(rows) clicks stored (\(humans) human, \(bots) bot); sent at each kill \(sentAtKill); \(replayed)")
        #expect(found >= 3 * 2_000)
        #expect(rows >= found, "every 302 is stored")
        #expect(rows <= sent, "nothing stored that was not requested")
        #expect(distinctIds == rows, "no hit stored twice")
        #expect(replayed.count >= 1, "the journal was replayed at a restart")
        let store = testStore.store
        let totals = try await CampaignStatsQueries(store: store).totals(campaignId: "crash")
        #expect(totals[RollupKey(.clicks)] ?? 0 == Int64(humans))
        #expect(totals[RollupKey(.botHits)] ?? 0 == Int64(bots))
        let stats = CampaignReport.stats(totals: totals, callbacksEnabled: false)
        #expect(stats.uniqueClicks == Int64(clickedCodes))
        // Per-message counters, states and every rollup cell equal a recount from the raw rows.
        let report = try await store.reconcile(campaignId: "crash", repair: false)
        #expect((report.stateDrifts, report.linkCounterDrifts, report.cells.count) == (0, 0, 0))
    }

    /// A campaign `crash` with `messages` sent messages of one short link each; returns the codes.
    static func seed(store: any SMSStore, messages: Int) async throws -> [String] {
        try await store.insertProvider(
            ProviderConfig(id: "p", name: "p", url: "http://127.0.0.1:9/", bodyTemplate: "{}", callbackSecret: "s", createdAt: 0))
        let now = Int64(Date().timeIntervalSince1970)
        try await store.insertCampaign(
            Campaign(
                id: "crash", name: "crash", providerId: "p", body: "https://shop.example/p?a=1&b=2",
                links: ["https://shop.example/p?a=1&b=2"], audience: .all, timezone: "UTC", goal: nil, status: .sending, createdAt: now))
        var codes: [String] = []
        try await store.insertMessages((0..<messages).map { i in
            let code = ShortCode.generate()
            codes.append(code)
            return NewMessage(
                campaignId: "crash", userId: "u\(i)", phone: "+4915112345678", meta: "m\(i)", body: "x", segments: 1, dispatch: .queued,
                createdAt: now,
                links: [NewShortLink(code: code, linkIndex: 0, url: "https://shop.example/p?a=1&b=2", expiresAt: now + 86_400)])
        })
        let queued = try await store.queuedMessages(campaignId: "crash", limit: messages)
        try await store.recordDispatchResults(
            queued.map { DispatchResult(messageId: $0.messageId, outcome: .sent(providerMessageId: nil), at: now) })
        return codes
    }
}
