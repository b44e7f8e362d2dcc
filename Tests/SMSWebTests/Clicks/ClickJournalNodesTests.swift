import Foundation
import Logging
import SMSCore
import SMSStoreTestSupport
import Testing

@testable import SMSWeb

/// The click journal on both stores, and on PostgreSQL with several nodes: each node journals into
/// its own directory under its own journal id, and the store keeps one applied position per
/// journal (`click_journal_positions`), written in the transaction that applies the batch.
@Suite("Click journal: stores and nodes", .timeLimit(.minutes(8)))
struct ClickJournalNodesTests {
    static let iPhone = RedirectRouteTests.iPhone

    static func options(maxBatch: Int = 1_000) -> ClickJournal.Options {
        var o = ClickJournal.Options()
        o.autoDrain = false
        o.maxBatch = maxBatch
        return o
    }

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("click-journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func human(_ code: String, at: Int64) -> ClickInput {
        ClickInput(
            code: code, at: at, userAgent: iPhone, ipHash: "ab12", isBot: false, botReason: nil,
            clickId: ClickJournalRecord.newClickId())
    }

    static func clicks(_ store: any SMSStore) async throws -> (clicks: Int64, unique: Int64) {
        let totals = try await CampaignStatsQueries(store: store).totals(campaignId: "crash")
        let stats = CampaignReport.stats(totals: totals, callbacksEnabled: false)
        return (totals[RollupKey(.clicks)] ?? 0, stats.uniqueClicks)
    }

    /// Ten hits journaled, a batch of four applied, then a crash (``ClickJournal/abandon()``): the
    /// next start replays exactly the other six from the position stored with the batch; a third
    /// start replays nothing. A batch applied again with a position not past the stored one (a
    /// COMMIT whose answer was lost, then retried) records nothing: 10 clicks, 3 unique, never 14.
    @Test(arguments: StoreKind.allCases)
    func restartReplaysExactlyTheUnappliedRecords(kind: StoreKind) async throws {
        let testStore = try await TestStore.make(kind)
        let store = try #require(testStore.store.capabilities.clickJournal)
        let codes = try await ClickJournalCrashTests.seed(store: testStore.store, messages: 3)
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try await ClickJournal.open(directory: dir, store: store, options: Self.options(maxBatch: 4), logger: Logger(label: "t"))
        #expect(first.recovery == ClickJournal.RecoveryReport(from: nil))
        let t = Int64(Date().timeIntervalSince1970) + 10
        let hits = (0..<10).map { Self.human(codes[$0 % 3], at: t + Int64($0)) }
        for hit in hits { #expect(first.append(hit)) }
        #expect(await first.drainOnce() == 4)
        let stored = try #require(try await store.clickJournalPosition(journal: first.id))
        #expect(stored.segment == 1)
        #expect(try await Self.clicks(store) == (4, 3))
        await first.abandon()

        // The first batch again (its answer lost, retried): already applied, nothing recorded.
        try await store.applyJournaledClicks(Array(hits[0..<4]), through: stored, journal: first.id)
        #expect(try await Self.clicks(store).clicks == 4)

        let second = try await ClickJournal.open(directory: dir, store: store, options: Self.options(), logger: Logger(label: "t"))
        #expect(second.id == first.id)
        #expect(second.recovery == ClickJournal.RecoveryReport(from: stored, replayed: 6, segments: 1))
        #expect(try await Self.clicks(store) == (10, 3))
        await second.abandon()
        let third = try await ClickJournal.open(directory: dir, store: store, options: Self.options(), logger: Logger(label: "t"))
        #expect(third.recovery.replayed == 0)
        #expect(try await Self.clicks(store) == (10, 3))
        #expect(try await testStore.int("SELECT count(DISTINCT click_id) FROM clicks") == 10)
        let report = try await store.reconcile(campaignId: "crash", repair: false)
        #expect((report.stateDrifts, report.linkCounterDrifts, report.cells.count) == (0, 0, 0))
        await third.close()
    }

    /// The drain policy (``ClickJournal/Options/drainNice``, ``ClickJournal/Options/urgentBacklog``):
    /// the drainer runs on its own thread at nice 10, falls back to the shared pool above a backlog
    /// of 100. Held (``ClickJournal/holdDrain(_:)``) while 4 tasks append 3,000 hits on 25 links:
    /// nothing is applied meanwhile (backlog 3,000, no click stored); released: the backlog empties
    /// in batches of at most 64 through both paths; every hit is stored once (3,000 clicks, 3,000
    /// distinct click ids, 25 unique, link counters 3,000), reconcile is clean. Then hits appended
    /// while the drainer runs (load, not held) are applied too: 4,000 in all.
    @Test(arguments: StoreKind.allCases)
    func theDrainOnItsOwnThreadEmptiesTheBacklogOnceEach(kind: StoreKind) async throws {
        let testStore = try await TestStore.make(kind)
        let store = try #require(testStore.store.capabilities.clickJournal)
        let codes = try await ClickJournalCrashTests.seed(store: testStore.store, messages: 25)
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = ClickJournal.Options()
        o.drainNice = 10
        o.urgentBacklog = 100
        o.maxBatch = 64
        o.batchInterval = .milliseconds(2)
        let journal = try await ClickJournal.open(directory: dir, store: store, options: o, logger: Logger(label: "t"))
        #if os(Linux)
        // The thread sets its nice value when it starts.
        for _ in 0..<100 where journal.drainerNice == nil { try await Task.sleep(for: .milliseconds(10)) }
        #expect(journal.drainerNice == 10)
        #endif
        let t = Int64(Date().timeIntervalSince1970) + 10
        @Sendable func load(_ perTask: Int) async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<4 {
                    group.addTask {
                        for i in 0..<perTask {
                            #expect(journal.append(Self.human(codes[(i * 7 + task) % 25], at: t + Int64(i % 60))))
                            if i % 100 == 99 { await Task.yield() }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        journal.holdDrain(true)
        try await load(750)
        try await Task.sleep(for: .milliseconds(100))
        #expect(journal.backlog == 3_000)
        #expect(try await Self.clicks(testStore.store) == (0, 0))
        journal.holdDrain(false)
        await journal.drained()
        #expect(journal.backlog == 0)
        #expect(try await Self.clicks(testStore.store) == (3_000, 25))
        #expect(try await testStore.int("SELECT count(DISTINCT click_id) FROM clicks") == 3_000)
        #expect(try await testStore.int("SELECT CAST(sum(human_clicks) AS BIGINT) FROM short_links") == 3_000)
        try await load(250)
        await journal.drained()
        #expect(journal.fallbacks == 0)
        await journal.close()
        #expect(try await Self.clicks(testStore.store) == (4_000, 25))
        #expect(try await testStore.int("SELECT count(*) FROM clicks") == 4_000)
        #expect(try await testStore.int("SELECT count(DISTINCT click_id) FROM clicks") == 4_000)
        let report = try await testStore.store.reconcile(campaignId: "crash", repair: false)
        #expect((report.stateDrifts, report.linkCounterDrifts, report.cells.count) == (0, 0, 0))
    }

    /// One directory, one process: a second journal on a directory in use is refused (two servers
    /// given one directory would apply the same records twice); after the first closes, it opens.
    @Test func aDirectoryInUseIsRefused() async throws {
        let testStore = try await TestStore.make(.sqlite)
        let store = try #require(testStore.store.capabilities.clickJournal)
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try await ClickJournal.open(directory: dir, store: store, options: Self.options(), logger: Logger(label: "t"), nodeId: "web-1")
        #expect(first.id.hasPrefix("web-1."))
        await #expect(throws: ClickJournal.JournalLockedError.self) {
            _ = try await ClickJournal.open(directory: dir, store: store, options: Self.options(), logger: Logger(label: "t"))
        }
        await first.close()
        // A child process another test spawns at this moment holds a copy of every descriptor
        // (the lock's too) from its fork until its `closefrom` runs: a few milliseconds at most,
        // so the reopen may meet the lock briefly; a lock kept for a second is the failure.
        var again: ClickJournal?
        for attempt in 1...50 {
            do {
                again = try await ClickJournal.open(directory: dir, store: store, options: Self.options(), logger: Logger(label: "t"), nodeId: "web-2")
                break
            } catch is ClickJournal.JournalLockedError where attempt < 50 {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        let reopened = try #require(again)
        #expect(reopened.id == first.id, "an existing journal keeps its id")
        await reopened.close()
    }

    /// Two nodes on one PostgreSQL, each with its own connection pool, journal directory and id,
    /// hitting the same links at once while both drain: then node A crashes after part of its
    /// journal was applied and restarts on a new connection (a new node id): it replays only its
    /// own unapplied records. Totals equal the hits journaled by both (clicks, unique per link),
    /// no click id is stored twice, each journal has its own position row, and reconcile is clean.
    @Test func twoNodesJournalIntoOnePostgreSQL() async throws {
        let testStore = try await TestStore.make(.postgres)
        let codes = try await ClickJournalCrashTests.seed(store: testStore.store, messages: 40)
        let (storeA, closeA) = try await testStore.reopened()
        let (storeB, closeB) = try await testStore.reopened()
        let dirA = try Self.tempDir()
        let dirB = try Self.tempDir()
        defer {
            try? FileManager.default.removeItem(at: dirA)
            try? FileManager.default.removeItem(at: dirB)
        }
        var auto = ClickJournal.Options()
        auto.batchInterval = .milliseconds(5)
        auto.maxBatch = 50
        let a = try await ClickJournal.open(
            directory: dirA, store: try #require(storeA.capabilities.clickJournal), options: Self.options(maxBatch: 50),
            logger: Logger(label: "a"), nodeId: "node-a")
        let b = try await ClickJournal.open(
            directory: dirB, store: try #require(storeB.capabilities.clickJournal), options: auto, logger: Logger(label: "b"),
            nodeId: "node-b")
        #expect(a.id != b.id)
        let t = Int64(Date().timeIntervalSince1970) + 10
        // 400 hits per node on the first 30 links (the last 10 are never clicked), A and B interleaved.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (journal, offset) in [(a, 0), (b, 7)] {
                group.addTask {
                    for i in 0..<400 {
                        #expect(journal.append(Self.human(codes[(i * 13 + offset) % 30], at: t + Int64(i % 50))))
                        if i % 50 == 49 { await Task.yield() }
                    }
                }
            }
            try await group.waitForAll()
        }
        // A applies 5 batches of 50 while B's drainer applies B's hits on the same links.
        for _ in 0..<5 { #expect(await a.drainOnce() == 50) }
        await b.drained()
        let appliedA = try #require(try await storeA.capabilities.clickJournal?.clickJournalPosition(journal: a.id))
        #expect(a.backlog == 400 - 250)
        await a.abandon()  // node A dies with 150 records journaled, not applied
        await closeA()

        let (storeA2, closeA2) = try await testStore.reopened()
        let a2 = try await ClickJournal.open(
            directory: dirA, store: try #require(storeA2.capabilities.clickJournal), options: Self.options(), logger: Logger(label: "a2"),
            nodeId: "node-a-restarted")
        #expect(a2.id == a.id)
        #expect(a2.recovery.from == appliedA)
        #expect(a2.recovery.replayed == 150)
        await a2.close()
        await b.close()

        let totals = try await Self.clicks(testStore.store)
        #expect(totals == (800, 30))
        #expect(try await testStore.int("SELECT count(*) FROM clicks") == 800)
        #expect(try await testStore.int("SELECT count(DISTINCT click_id) FROM clicks") == 800)
        #expect(try await testStore.int("SELECT count(*) FROM click_journal_positions") == 2)
        #expect(try await testStore.int("SELECT CAST(sum(human_clicks) AS BIGINT) FROM short_links") == 800)
        let report = try await testStore.store.reconcile(campaignId: "crash", repair: false)
        #expect((report.stateDrifts, report.linkCounterDrifts, report.cells.count) == (0, 0, 0))
        await closeA2()
        await closeB()
    }
}
