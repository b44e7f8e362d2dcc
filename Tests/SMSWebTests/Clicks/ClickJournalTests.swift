import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SMSCore
import SMSStoreSQLite
import Testing

@testable import SMSWeb

/// The redirect's write-behind click journal (``ClickJournal``): record format, start-up replay
/// (exactly once: the position is stored with each batch), torn and damaged records, rotation,
/// the fallback to waiting for the commit, and 503 on a store failure.
@Suite("Click journal", .timeLimit(.minutes(1)))
struct ClickJournalTests {
    static let iPhone = RedirectRouteTests.iPhone

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("click-journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func options(maxBatch: Int = 1_000, maxBacklog: Int = 50_000, segmentBytes: Int64 = 64 << 20) -> ClickJournal.Options {
        var o = ClickJournal.Options()
        o.autoDrain = false
        o.maxBatch = maxBatch
        o.maxBacklog = maxBacklog
        o.segmentBytes = segmentBytes
        return o
    }

    static func human(_ code: String, at: Int64) -> ClickInput {
        ClickInput(code: code, at: at, userAgent: iPhone, ipHash: "ab12", isBot: false, botReason: nil)
    }

    static func segments(_ dir: URL) throws -> [Int64] { try ClickJournalSegment.list(dir).map(\.number) }

    /// An app with one campaign sent to `users`; returns the app, the campaign id and each user's code.
    static func app(users: [String]) async throws -> (ClickTestApp, String, [String]) {
        let app = try await ClickTestApp()
        try await app.addProfiles(users)
        let c = try await app.sendCampaign(id: "cmp_j", body: "Sale https://shop.example/p?a=1&b=2", users: users)
        var codes: [String] = []
        for u in users { codes.append(try #require(await app.codes(for: u, campaignId: c.id).first)) }
        return (app, c.id, codes)
    }

    // MARK: Record format

    /// The exact bytes of one record (checksum = FNV-1a of the rest of the line), and round trips
    /// with every field kind: escapes, `nil` vs empty, non-ASCII.
    @Test func recordFormatAndRoundTrip() throws {
        let c = ClickInput(
            code: "AbCdEfGh12", at: 1_700_000_000, userAgent: "Mozilla\t/5.0", ipHash: nil, isBot: false, botReason: nil,
            clickId: "00000000000000ff")
        let line = ClickJournalRecord.encode(c)
        #expect(String(decoding: line, as: UTF8.self) == "c1\ta89d15fc\t00000000000000ff\t1700000000\t0\tAbCdEfGh12\t-\t+Mozilla\\t/5.0\t-\n")
        #expect(try ClickJournalRecord.decode(line.dropLast()[...]) == c)
        for other in [
            ClickInput(
                code: "ZZZZZZZZZ9", at: 0, userAgent: "a\\b\nc\rd\te — Ünïcode 📱", ipHash: String(repeating: "f", count: 64), isBot: true,
                botReason: "user agent matches 'WhatsApp' (crawler-user-agents)", clickId: "0123456789abcdef"),
            ClickInput(code: "ZZZZZZZZZ9", at: 42, userAgent: "", ipHash: "", isBot: false, botReason: nil, clickId: "1"),
            ClickInput(code: "ZZZZZZZZZ9", at: 42, userAgent: nil, ipHash: nil, isBot: true, botReason: "HEAD request", clickId: "2"),
        ] {
            let bytes = ClickJournalRecord.encode(other)
            #expect(bytes.filter { $0 == 10 }.count == 1, "one line per record")
            #expect(try ClickJournalRecord.decode(bytes.dropLast()[...]) == other)
        }
        // One flipped bit in the user agent: the checksum catches it.
        var damaged = line
        damaged[60] ^= 0x01
        #expect(throws: ClickJournalRecord.DecodeError.checksumMismatch) { try ClickJournalRecord.decode(damaged.dropLast()[...]) }
        #expect(throws: ClickJournalRecord.DecodeError.self) { try ClickJournalRecord.decode(Array("c2\tnot a record".utf8)[...]) }
    }

    /// Click ids: 16 lower-case hex digits, leading zeros kept, different each time.
    @Test func clickIdsAreSixteenHexDigits() {
        let ids = (0..<2_000).map { _ in ClickJournalRecord.newClickId() }
        #expect(ids.allSatisfy { $0.utf8.count == 16 && $0.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } })
        #expect(Set(ids).count == 2_000)
        // Over 2,000 ids some start with "0" (probability 1 - (15/16)^2000): the padding is kept.
        #expect(ids.contains { $0.hasPrefix("0") })
    }

    // MARK: Through the router

    /// Journaled redirects answer like synchronous ones (302 to the stored URL, 404 for unknown and
    /// expired codes, nothing journaled for those), and once drained the stats are the same as
    /// PITFALLS.md #8's: 1 click, 1 unique, 3 bot hits, delivered by inference. Concurrent hits: 20 more
    /// clicks on 3 messages, all counted after `drained()`.
    @Test func journaledRedirectsCountLikeSynchronousOnes() async throws {
        let (app, cid, codes) = try await Self.app(users: ["u1", "u2", "u3"])
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = try await ClickJournal.open(directory: dir, store: app.store, logger: Logger(label: "test"))
        try await app.withClient(journal: journal) { client in
            for (method, agent) in [
                (HTTPRequest.Method.get, "WhatsApp/2.23.20.0 A"),
                (.get, "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"),
                (.head, Self.iPhone),
                (.get, Self.iPhone),
            ] {
                try await client.execute(uri: "/l/\(codes[0])", method: method, headers: [.userAgent: agent]) { r in
                    #expect(r.status == .found)
                    #expect(r.headers[.location] == "https://shop.example/p?a=1&b=2")
                }
            }
            try await client.execute(uri: "/l/AAAAAAAAAA", method: .get, headers: [.userAgent: Self.iPhone]) { r in
                #expect(r.status == .notFound)
                #expect(r.body.text.contains("This link does not exist."))
            }
        }
        await journal.drained()
        var s = try await app.stats(cid)
        #expect((s.clicks, s.uniqueClicks, s.botHits, s.delivered, s.inferredDelivered) == (1, 1, 3, 1, 1))

        try await app.withClient(journal: journal) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<20 {
                    group.addTask {
                        try await client.execute(uri: "/l/\(codes[i % 3])", method: .get, headers: [.userAgent: Self.iPhone]) { r in
                            #expect(r.status == .found)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        await journal.drained()
        s = try await app.stats(cid)
        #expect((s.clicks, s.uniqueClicks, s.botHits, s.delivered, s.inferredDelivered) == (21, 3, 3, 3, 3))
        #expect(journal.backlog == 0)
        await journal.close()
        #expect(try Self.segments(dir) == [], "a clean close leaves no journal file")
    }

    @Test func expiredLinkThroughTheJournalIs404AndJournalsNothing() async throws {
        let app = try await ClickTestApp()
        try await app.insertExpiredLink()
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = try await ClickJournal.open(directory: dir, store: app.store, options: Self.options(), logger: Logger(label: "t"))
        try await app.withClient(journal: journal) { client in
            try await client.execute(uri: "/l/EXPIRED001", method: .get, headers: [.userAgent: Self.iPhone]) { r in
                #expect(r.status == .notFound)
                #expect(r.headers[.location] == nil)
                #expect(r.body.text.contains("This link has expired."))
            }
        }
        #expect(journal.backlog == 0)
    }

    // MARK: Replay

    /// Ten clicks journaled, a batch of four applied, then the process "dies" (the journal is
    /// dropped without closing): the next start replays exactly the other six, from the position
    /// stored with the batch, and a third start replays nothing. 10 clicks, 3 unique, never 14.
    @Test func restartReplaysExactlyTheUnappliedRecords() async throws {
        let (app, cid, codes) = try await Self.app(users: ["u1", "u2", "u3"])
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try await ClickJournal.open(directory: dir, store: app.store, options: Self.options(maxBatch: 4), logger: Logger(label: "t"))
        #expect(first.recovery == ClickJournal.RecoveryReport(from: nil))
        let t = app.sentAt + 10
        for i in 0..<10 { #expect(first.append(Self.human(codes[i % 3], at: t + Int64(i)))) }
        #expect(await first.drainOnce() == 4)
        let stored = try #require(try await app.store.clickJournalPosition(journal: first.id))
        #expect(stored.segment == 1)
        #expect(try await app.stats(cid).clicks == 4)
        #expect(first.backlog == 6)
        // Crash: no close, no further drain.
        await first.abandon()

        let second = try await ClickJournal.open(directory: dir, store: app.store, options: Self.options(), logger: Logger(label: "t"))
        #expect(second.recovery == ClickJournal.RecoveryReport(from: stored, replayed: 6, segments: 1))
        let s = try await app.stats(cid)
        #expect((s.clicks, s.uniqueClicks) == (10, 3))
        #expect(try await app.store.clickHits(campaignId: cid, filter: .humans, limit: 100).count == 10)
        #expect(try Self.segments(dir) == [2], "the replayed segment is deleted; a new one is started")

        await second.abandon()
        let third = try await ClickJournal.open(directory: dir, store: app.store, options: Self.options(), logger: Logger(label: "t"))
        #expect(third.recovery.replayed == 0)
        #expect(try await app.stats(cid).clicks == 10)
        let report = try await app.store.reconcile(campaignId: cid, repair: false)
        #expect((report.stateDrifts, report.linkCounterDrifts, report.cells.count) == (0, 0, 0))
    }

    /// A torn last record (a write cut off without its `\n`) is ignored and reported in the log;
    /// a damaged line in the middle is skipped and reported; the other records are applied.
    @Test func tornLastRecordIsIgnoredAndReported() async throws {
        let (app, cid, codes) = try await Self.app(users: ["u1", "u2"])
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = app.sentAt + 10
        var records = (0..<4).map { ClickJournalRecord.encode(ClickInput(
            code: codes[$0 % 2], at: t + Int64($0), userAgent: Self.iPhone, ipHash: "ab", isBot: false, botReason: nil,
            clickId: "id\($0)")) }
        records[1][50] ^= 0x02  // damaged (checksum mismatch), complete line
        let torn = Array(records[3].prefix(40))
        let bytes = records[0] + records[1] + records[2] + torn
        try Data(bytes).write(to: dir.appendingPathComponent(ClickJournalSegment.fileName(1)))
        let capture = LogCapture()
        let journal = try await ClickJournal.open(directory: dir, store: app.store, options: Self.options(), logger: capture.logger)
        #expect(journal.recovery == ClickJournal.RecoveryReport(from: nil, replayed: 2, segments: 1, tornBytes: 40, corrupt: 1))
        #expect(capture.text.contains("torn last record ignored bytes=40 file=clicks-00000000000000000001.journal"))
        #expect(capture.text.contains("damaged record skipped"))
        let s = try await app.stats(cid)
        #expect((s.clicks, s.uniqueClicks) == (2, 1))  // records 0 and 2: both on u1's link
        #expect(try Self.segments(dir) == [2])
    }

    /// Segments rotate at `segmentBytes`; applied ones are deleted. Nine records of ~200 bytes in
    /// 700-byte segments → 3 files; a batch of 4 (segment 1 and the first record of 2) deletes
    /// segment 1; a crash and restart replays the other 5 from inside segment 2.
    @Test func segmentsRotateAndAppliedOnesAreDeleted() async throws {
        let (app, cid, codes) = try await Self.app(users: ["u1", "u2", "u3"])
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = try await ClickJournal.open(
            directory: dir, store: app.store, options: Self.options(maxBatch: 4, segmentBytes: 700), logger: Logger(label: "t"))
        let t = app.sentAt + 10
        let line = ClickJournalRecord.encode(ClickInput(code: codes[0], at: t, userAgent: Self.iPhone, ipHash: "ab12", isBot: false, botReason: nil, clickId: "0123456789abcdef"))
        #expect((176...233).contains(line.count), "3 records per 700-byte segment")
        for i in 0..<9 { #expect(journal.append(Self.human(codes[i % 3], at: t + Int64(i)))) }
        #expect(try Self.segments(dir) == [1, 2, 3])
        #expect(await journal.drainOnce() == 4)
        #expect(try Self.segments(dir) == [2, 3])
        let position = try #require(try await app.store.clickJournalPosition(journal: journal.id))
        #expect(position.segment == 2)
        // Crash, restart.
        await journal.abandon()
        let again = try await ClickJournal.open(directory: dir, store: app.store, options: Self.options(), logger: Logger(label: "t"))
        #expect(again.recovery == ClickJournal.RecoveryReport(from: position, replayed: 5, segments: 2))
        #expect(try Self.segments(dir) == [4])
        let s = try await app.stats(cid)
        #expect((s.clicks, s.uniqueClicks) == (9, 3))
    }

    // MARK: Fallback and failures

    @Sendable static func get(_ client: any TestClientProtocol, _ code: String) async throws -> (HTTPResponse.Status, String?) {
        try await client.execute(uri: "/l/\(code)", method: .get, headers: [.userAgent: Self.iPhone]) { ($0.status, $0.headers[.retryAfter]) }
    }

    /// Backlog limit 3 (the drainer held back): the 4th and 5th redirects still answer 302 but are
    /// recorded synchronously (counted at once); the journaled 3 count after the drain.
    @Test func overTheBacklogLimitRedirectsWaitForTheirCommit() async throws {
        let (app, cid, codes) = try await Self.app(users: ["u1"])
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = try await ClickJournal.open(directory: dir, store: app.store, options: Self.options(maxBacklog: 3), logger: Logger(label: "t"))
        try await app.withClient(journal: journal) { client in
            for _ in 0..<5 {
                try await client.execute(uri: "/l/\(codes[0])", method: .get, headers: [.userAgent: Self.iPhone]) { r in
                    #expect(r.status == .found)
                    #expect(r.headers[.location] == "https://shop.example/p?a=1&b=2")
                }
            }
        }
        #expect(journal.backlog == 3)
        #expect(try await app.stats(cid).clicks == 2)
        #expect(await journal.drainOnce() == 3)
        let s = try await app.stats(cid)
        #expect((s.clicks, s.uniqueClicks) == (5, 1))
    }

    /// A store that fails: without a journal a redirect answers 503 (with Retry-After), not 500.
    /// With a journal: hits are journaled while batches fail; after 2 failed batches
    /// (`failuresBeforeFallback`) redirects wait for their commit again, so a failing store gives
    /// 503; once the store recovers and a batch succeeds, hits are journaled again. Nothing is lost:
    /// 3 clicks answered 302 → 3 counted.
    @Test func storeFailureIs503AndTheJournalFallsBack() async throws {
        let (app, cid, codes) = try await Self.app(users: ["u1", "u2"])
        let fail = ClickFailureSwitch(failing: true)
        let store = FailingCallbackStore(base: app.store, clicks: fail)
        var logger = Logger(label: "t")
        logger.logLevel = .critical
        // No journal: today's path.
        let plain = try await buildRouter(config: app.config, store: store, dispatcher: app.dispatcher, logger: logger)
        try await Application(router: plain, logger: logger).test(.router) { client async throws in
            let (status, retry) = try await Self.get(client, codes[0])
            #expect(status == .serviceUnavailable)
            #expect(retry == "5")
        }
        fail.set(false)
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = Self.options()
        options.failuresBeforeFallback = 2
        let journal = try await ClickJournal.open(directory: dir, store: store, options: options, logger: logger)
        let router = try await buildRouter(config: app.config, store: store, dispatcher: app.dispatcher, logger: logger, clickJournal: journal)
        try await Application(router: router, logger: logger).test(.router) { client async throws in
            #expect(try await Self.get(client, codes[0]).0 == .found)  // journaled; link cached
            fail.set(true)
            #expect(try await Self.get(client, codes[1]).0 == .serviceUnavailable)  // cache miss, the read fails
            #expect(try await Self.get(client, codes[0]).0 == .found)  // cached link: journaled although the store fails
            #expect(await journal.drainOnce() == 0)
            #expect(await journal.drainOnce() == 0)
            #expect(journal.backlog == 2)
            #expect(try await Self.get(client, codes[0]) == (.serviceUnavailable, "5"))  // fallback: waits for a commit that fails
            fail.set(false)
            #expect(try await Self.get(client, codes[0]).0 == .found)  // fallback: committed at once
            #expect(try await app.stats(cid).clicks == 1)
            #expect(await journal.drainOnce() == 2)
            #expect(try await Self.get(client, codes[0]).0 == .found)  // journaled again
            #expect(journal.backlog == 1)
        }
        #expect(await journal.drainOnce() == 1)
        let s = try await app.stats(cid)
        #expect((s.clicks, s.uniqueClicks) == (4, 1))
    }
}
