import Foundation
import SMSCore
import Testing

import SMSStoreTestSupport

/// Unknown meta kept aside and matched later; replay of ingestion errors; batch lookups.
@Suite("Pending callbacks, replay and batch lookups in the stores")
struct CallbackPendingStoreTests {
    typealias F = CallbackStoreFixture
    static let t0 = F.t0

    /// Records a message the way another writer would, without matching pending items.
    static func rawInsert(_ f: F, meta: String) async throws {
        try await f.testStore.query(
            """
            INSERT INTO messages (campaign_id, user_id, meta, body, segments, dispatch, dispatched_at, created_at)
            VALUES ('c1', ?, ?, 'Hi', 1, 'sent', ?, ?)
            """,
            [.text("u-" + meta), .text(meta), .int(t0 + 1), .int(t0)])
    }

    @Test("the periodic re-match picks up a message recorded without matching, within 24 h only", arguments: StoreKind.allCases)
    func periodicRematch(kind: StoreKind) async throws {
        let f = try await F.make(kind: kind)
        try await f.callback([.delivered("fresh", ts: Self.t0 + 5)], receivedAt: Self.t0 + 10)
        try await f.callback([.delivered("old", ts: Self.t0 + 5)], receivedAt: Self.t0 + 10)
        try await Self.rawInsert(f, meta: "fresh")
        try await Self.rawInsert(f, meta: "old")
        // 23 h 59 min later: "fresh" and "old" are both still in the window.
        #expect(try await f.store.rematchPendingCallbacks(now: Self.t0 + 10 + 86_399) == 2)
        #expect(try await f.pendingCount() == 0)
        #expect(try await f.outcome("fresh") == .delivered)

        try await f.callback([.delivered("late", ts: Self.t0 + 5)], receivedAt: Self.t0 + 10)
        try await Self.rawInsert(f, meta: "late")
        // 24 h later it is no longer retried periodically, and it is listed as unmatched.
        #expect(try await f.store.rematchPendingCallbacks(now: Self.t0 + 10 + 86_401) == 0)
        let listed = try await f.store.unmatchedCallbacks(receivedBefore: Self.t0 + 10 + 86_401 - 86_400, limit: 10)
        #expect(listed.map(\.meta) == ["late"])
        #expect(listed.map(\.attempts) == [0])
        #expect(listed.first?.item == .delivered("late", ts: Self.t0 + 5))
    }

    @Test("a miss counts an attempt and the least recently tried rows go first", arguments: StoreKind.allCases)
    func attempts(kind: StoreKind) async throws {
        let f = try await F.make(kind: kind)
        try await f.callback([.delivered("a", ts: nil), .delivered("b", ts: nil)], receivedAt: Self.t0)
        #expect(try await f.store.rematchPendingCallbacks(now: Self.t0 + 60) == 0)
        #expect(try await f.store.rematchPendingCallbacks(now: Self.t0 + 120) == 0)
        let rows = try await f.store.unmatchedCallbacks(receivedBefore: Self.t0 + 1, limit: 10)
        #expect(rows.map(\.attempts) == [2, 2])
    }

    @Test("replay applies at the original receive time, marks the error, and refuses a second replay", arguments: StoreKind.allCases)
    func replay(kind: StoreKind) async throws {
        let f = try await F.make(kind: kind)
        try await f.insert(["m1"])
        try await f.sent("m1", at: Self.t0 + 1)
        try await f.store.recordIngestionErrors([
            IngestionErrorInput(source: "callback", providerId: "p1", reason: "missing required fields: ts", raw: "x", receivedAt: Self.t0 + 50)
        ])
        let id = try #require(try await f.store.ingestionErrors(limit: 1).first?.id)
        let result = try await f.store.replayIngestionError(id: id, providerId: "p1", items: [.delivered("m1", ts: nil)], at: Self.t0 + 9_000)
        #expect(result == CallbackIngestResult(applied: 1))
        #expect(try await f.state("m1").deliveredAt == Self.t0 + 50)  // no ts: the original receive time
        #expect(try await f.store.ingestionError(id: id)?.replayedAt == Self.t0 + 9_000)
        await #expect(throws: ReplayError.alreadyReplayed(at: Self.t0 + 9_000)) {
            try await f.store.replayIngestionError(id: id, providerId: "p1", items: [], at: Self.t0 + 9_001)
        }
        await #expect(throws: ReplayError.notFound(999)) {
            try await f.store.replayIngestionError(id: 999, providerId: "p1", items: [], at: Self.t0)
        }
    }

    @Test("one batch with several items for one message sees each merge (lookup kept current)", arguments: StoreKind.allCases)
    func sameMessageTwiceInBatch(kind: StoreKind) async throws {
        let f = try await F.make(kind: kind)
        try await f.insert(["m1", "m2"])
        try await f.sent("m1")
        try await f.sent("m2")
        let result = try await f.callback([
            .submitted("m1", ts: Self.t0 + 3), .failed("m1", ts: Self.t0 + 4, code: "914"), .delivered("m1", ts: Self.t0 + 5),
            .failed("m2", ts: Self.t0 + 6, code: "901"), .failed("m2", ts: Self.t0 + 6, code: "901"),
        ])
        #expect(result == CallbackIngestResult(applied: 4, duplicates: 1, pending: 0))
        let s = try await f.stats()
        #expect((s.sent, s.delivered, s.failed, s.pending) == (2, 1, 1, 0))
        #expect(try await f.total(.failedByCode, dim: "901") == 1)
        #expect(try await f.total(.failedByCode, dim: "914") == 0)
    }

    @Test("a provider id stored on two messages matches the newest one", arguments: StoreKind.allCases)
    func newestProviderId(kind: StoreKind) async throws {
        let f = try await F.make(kind: kind, provider: .vonage)
        try await f.insert(["m1", "m2"])
        try await f.sent("m1", providerMessageId: "a1")
        try await f.sent("m2", providerMessageId: "a1")
        try await f.callback([CallbackItem(kind: .delivered, meta: "A1", providerMessageId: "a1")])
        #expect(try await f.outcome("m2") == .delivered)
        #expect(try await f.outcome("m1") == .sent)
    }
}
