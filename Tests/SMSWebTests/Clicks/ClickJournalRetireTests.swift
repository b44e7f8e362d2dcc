import Foundation
import Logging
import SMSCore
@testable import SMSWeb
import Testing

/// How the click journal lets go of applied hits (issue 15): ``ClickJournal/forgetting(timeout:_:)``
/// (an erasure) closes the segment, applies every earlier record before its body runs and deletes
/// the closed segments after it, also when the body throws; ``ClickJournal/retire()`` (every
/// ``ClickJournal/Options/segmentSeconds``) closes a segment holding records and deletes it once
/// applied. Counts and the crash replay stay exact.
@Suite("Click journal: closing and deleting applied segments")
struct ClickJournalRetireTests {
    typealias J = ClickJournalTests

    @Test func forgettingAppliesFirstAndDeletesAfterEvenWhenTheBodyThrows() async throws {
        let (app, cid, codes) = try await J.app(users: ["u1", "u2"])
        let dir = try J.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = try await ClickJournal.open(directory: dir, store: app.store, options: J.options(), logger: Logger(label: "t"))
        let t = app.sentAt + 10
        for i in 0..<3 { #expect(journal.append(J.human(codes[i % 2], at: t + Int64(i)))) }
        #expect(try J.segments(dir) == [1])
        let seen = try await journal.forgetting(timeout: .seconds(5)) { () async throws -> Int64 in
            // Inside: every earlier hit is in the store, the segment is still there.
            #expect(try J.segments(dir) == [1])
            return try await app.stats(cid).clicks
        }
        #expect(seen == 3)
        #expect(try J.segments(dir) == [])

        // A hit after it goes to segment 2; a throwing body still deletes what was closed.
        #expect(journal.append(J.human(codes[0], at: t + 5)))
        #expect(try J.segments(dir) == [2])
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await journal.forgetting(timeout: .seconds(5)) { () async throws -> Int64 in throw Refused() }
        }
        #expect(try J.segments(dir) == [])
        #expect(try await app.stats(cid).clicks == 4)

        // Crash and restart: nothing is replayed twice, the next segment is 3.
        #expect(journal.append(J.human(codes[1], at: t + 6)))
        await journal.abandon()
        let again = try await ClickJournal.open(directory: dir, store: app.store, options: J.options(), logger: Logger(label: "t"))
        #expect(again.recovery.replayed == 1)
        let s = try await app.stats(cid)
        #expect((s.clicks, s.uniqueClicks) == (5, 2))
        await again.close()
    }

    @Test func retireClosesAndDeletesOnlyAppliedSegments() async throws {
        let (app, cid, codes) = try await J.app(users: ["u1"])
        let dir = try J.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = try await ClickJournal.open(directory: dir, store: app.store, options: J.options(), logger: Logger(label: "t"))
        let t = app.sentAt + 10
        // Nothing written: nothing to close or delete (the empty current segment stays).
        #expect(await journal.retire() == 0)
        #expect(try J.segments(dir) == [1])
        for i in 0..<2 { #expect(journal.append(J.human(codes[0], at: t + Int64(i)))) }
        #expect(await journal.retire() == 1)
        #expect(try J.segments(dir) == [])
        #expect(try await app.stats(cid).clicks == 2)
        await journal.close()
    }

    @Test func theDrainingJournalDeletesItsSegmentsEverySegmentSeconds() async throws {
        let (app, cid, codes) = try await J.app(users: ["u1"])
        let dir = try J.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = ClickJournal.Options()
        options.segmentSeconds = .milliseconds(200)
        let journal = try await ClickJournal.open(directory: dir, store: app.store, options: options, logger: Logger(label: "t"))
        let t = app.sentAt + 10
        for i in 0..<3 { #expect(journal.append(J.human(codes[0], at: t + Int64(i)))) }
        var left = try J.segments(dir)
        for _ in 0..<100 where !left.isEmpty {
            try await Task.sleep(for: .milliseconds(20))
            left = try J.segments(dir)
        }
        #expect(left == [])
        #expect(try await app.stats(cid).clicks == 3)
        // Still journaling.
        #expect(journal.append(J.human(codes[0], at: t + 9)))
        await journal.drained()
        #expect(try await app.stats(cid).clicks == 4)
        await journal.close()
    }
}
