import Foundation
import GRDB
import SMSCore
import Testing

@testable import SMSStoreSQLite

/// The planned write path of ``SQLiteStore/applyCallbacks(providerId:items:receivedAt:)``: receipts
/// merged on a read snapshot, then events appended and states written with a compare-and-set.
/// A change committed between the snapshot and the write (forced with the `afterSnapshot` hook)
/// must give exactly what applying the change first and the batch after gives: same message
/// states, same event log (effective times included), same rollups, same counts.
@Suite("Callback planned write (snapshot + compare-and-set)")
struct CallbackPlannedWriteTests {
    typealias F = CallbackStoreFixture
    static let t0 = F.t0

    /// Everything the two stores must agree on.
    struct Dump: Equatable {
        var states: [String: MessageState]
        var events: [String]
        var rollups: [String]
    }

    static func dump(_ f: F, metas: [String]) async throws -> Dump {
        var states: [String: MessageState] = [:]
        for m in metas { states[m] = try await f.state(m) }
        let (events, rollups) = try await f.sqlite.db.read { db in
            (
                try Row.fetchAll(db, sql: """
                    SELECT m.meta, e.dedup_key, e.kind, e.ts, e.effective_ts, e.code, e.received_at
                    FROM message_events e JOIN messages m ON m.id = e.message_id ORDER BY m.meta, e.dedup_key
                    """).map { "\($0)" },
                try Row.fetchAll(db, sql: """
                    SELECT campaign_id, variant, metric, dim, bucket, value FROM rollups WHERE value != 0
                    ORDER BY campaign_id, variant, metric, dim, bucket
                    """).map { "\($0)" }
            )
        }
        return Dump(states: states, events: events, rollups: rollups)
    }

    /// Two stores with `metas` recorded (and sent at `t0 + 1` unless `dispatched` is false): in
    /// `raced`, `change` commits after the batch's snapshot; in `reference`, before the batch.
    static func race(
        metas: [String], dispatched: Bool = true, batch: [CallbackItem], receivedAt: Int64 = t0 + 60,
        change: @escaping @Sendable (F) async throws -> Void
    ) async throws -> (raced: CallbackIngestResult, reference: CallbackIngestResult, rd: Dump, ref: Dump) {
        let raced = try await F.make(kind: .sqlite)
        let reference = try await F.make(kind: .sqlite)
        for f in [raced, reference] {
            try await f.insert(metas)
            if dispatched { for m in metas { try await f.sent(m, at: t0 + 1) } }
        }
        let racedResult = try await raced.sqlite.applyCallbacks(
            providerId: raced.providerId, items: batch, receivedAt: receivedAt, afterSnapshot: { try await change(raced) })
        try await change(reference)
        let referenceResult = try await reference.sqlite.applyCallbacks(
            providerId: reference.providerId, items: batch, receivedAt: receivedAt)
        return (racedResult, referenceResult, try await dump(raced, metas: metas), try await dump(reference, metas: metas))
    }

    @Test("a receipt for the same message committed meanwhile: compare-and-set fails, the message is recomputed")
    func concurrentReceipt() async throws {
        let r = try await Self.race(
            metas: ["m1", "m2"], batch: [.delivered("m1", ts: Self.t0 + 20), .delivered("m2", ts: Self.t0 + 20)]
        ) { f in
            _ = try await f.callback([.failed("m1", ts: Self.t0 + 10, code: "30003")], receivedAt: Self.t0 + 30)
        }
        #expect(r.raced == CallbackIngestResult(applied: 2, duplicates: 0, pending: 0))
        #expect(r.raced == r.reference)
        #expect(r.rd == r.ref)
        // Delivered wins over the earlier failure (docs/DOMAIN.md §4), the failure stays in the state.
        #expect(r.rd.states["m1"]?.deliveredAt == Self.t0 + 20)
        #expect(r.rd.states["m1"]?.failure?.code == "30003")
        #expect(r.rd.states["m1"]?.outcome == .delivered)
    }

    @Test("the send recorded meanwhile moves the effective time: the logged event's effective_ts is corrected")
    func concurrentDispatchMovesEffectiveTime() async throws {
        // ts = t0 − 1000 is plausible while the send time is unknown (only the upper bound
        // applies) and implausible once the send at t0 + 1 is known (below t0 + 1 − 300): then
        // the effective time is the receive time, t0 + 60.
        let r = try await Self.race(
            metas: ["m1"], dispatched: false, batch: [.delivered("m1", ts: Self.t0 - 1_000)]
        ) { f in try await f.sent("m1", at: Self.t0 + 1) }
        #expect(r.raced == CallbackIngestResult(applied: 1, duplicates: 0, pending: 0))
        #expect(r.rd == r.ref)
        #expect(r.rd.states["m1"]?.deliveredAt == Self.t0 + 60)
        #expect(r.rd.states["m1"]?.dispatchedAt == Self.t0 + 1)
        #expect(r.rd.events.count == 1)
        #expect(r.rd.events[0].contains("effective_ts:\(Self.t0 + 60)"))
    }

    @Test("the same receipt logged meanwhile (a provider retry racing): counted once, the batch's copy is a duplicate")
    func concurrentDuplicate() async throws {
        let item = CallbackItem.delivered("m1", ts: Self.t0 + 20)
        let r = try await Self.race(metas: ["m1", "m2"], batch: [item, .submitted("m2", ts: Self.t0 + 5)]) { f in
            _ = try await f.callback([item], receivedAt: Self.t0 + 60)
        }
        #expect(r.raced == CallbackIngestResult(applied: 1, duplicates: 1, pending: 0))
        #expect(r.raced == r.reference)
        #expect(r.rd == r.ref)
        #expect(r.rd.events.count == 2)
    }

    @Test("duplicates inside one batch and across batches: one event each, state and rollups counted once")
    func duplicatesInAndAcrossBatches() async throws {
        let f = try await F.make(kind: .sqlite)
        try await f.insert(["m1", "m2"])
        try await f.sent("m1")
        try await f.sent("m2")
        let d1 = CallbackItem.delivered("m1", ts: Self.t0 + 20)
        let first = try await f.callback([d1, d1, .delivered("m2", ts: Self.t0 + 30), d1])
        #expect(first == CallbackIngestResult(applied: 2, duplicates: 2, pending: 0))
        let second = try await f.callback([.delivered("m2", ts: Self.t0 + 30), d1])
        #expect(second == CallbackIngestResult(applied: 0, duplicates: 2, pending: 0))
        #expect(try await f.eventCount() == 2)
        #expect(try await f.total(.delivered) == 2)
        #expect(try await f.total(.sent) == 2)
        #expect(try await f.state("m1").deliveredAt == Self.t0 + 20)
        // A later delivered receipt for a second part: a new event, no change of state or counts.
        let part = try await f.callback([.delivered("m1", ts: Self.t0 + 40, part: 2)])
        #expect(part == CallbackIngestResult(applied: 1, duplicates: 0, pending: 0))
        #expect(try await f.total(.delivered) == 2)
        #expect(try await f.state("m1").deliveredAt == Self.t0 + 20)
    }

    @Test("mixed kinds in one batch (receipts, click, reply, unknown meta) equal the same items applied one per batch")
    func mixedKinds() async throws {
        let items: [CallbackItem] = [
            .submitted("m1", ts: Self.t0 + 5),
            .delivered("m1", ts: Self.t0 + 20),
            CallbackItem(kind: .clicked, meta: "m2", ts: Self.t0 + 40, url: "https://a.example/x"),
            .delivered("m2", ts: Self.t0 + 30),
            CallbackItem(kind: .replied, meta: "m3", ts: Self.t0 + 50, incomingText: "STOP"),
            .failed("m3", ts: Self.t0 + 15, code: "30005", description: "Unknown destination"),
            .failed("m4", ts: Self.t0 + 15, code: "30007"),
            .delivered("nobody", ts: Self.t0 + 20),
            .delivered("m1", ts: Self.t0 + 20),
        ]
        let metas = ["m1", "m2", "m3", "m4"]
        let batched = try await F.make(kind: .sqlite)
        let single = try await F.make(kind: .sqlite)
        for f in [batched, single] {
            try await f.insert(metas)
            for m in metas { try await f.sent(m) }
        }
        let result = try await batched.callback(items)
        var sum = CallbackIngestResult()
        for item in items {
            let r = try await single.callback([item])
            sum.applied += r.applied
            sum.duplicates += r.duplicates
            sum.pending += r.pending
        }
        #expect(result == CallbackIngestResult(applied: 7, duplicates: 1, pending: 1))
        #expect(result == sum)
        let a = try await Self.dump(batched, metas: metas)
        let b = try await Self.dump(single, metas: metas)
        #expect(a == b)
        #expect(a.states["m4"]?.failure?.code == "30007")
        #expect(try await batched.total(.failedByCode, dim: "30007") == 1)
        // m1 and m2 delivered; m3 failed (a reply is not delivery evidence), m4 failed.
        #expect(try await batched.total(.delivered) == 2)
        #expect(try await batched.total(.failed) == 2)
        #expect(try await batched.pendingCount() == 1)
    }

    @Test("concurrent callers: batches grouped into shared transactions give the sequential result")
    func groupCommit() async throws {
        let f = try await F.make(kind: .sqlite)
        let metas = (0..<400).map { "g\($0)" }
        try await f.insert(metas)
        for m in metas { try await f.sent(m) }
        let results = try await withThrowingTaskGroup(of: CallbackIngestResult.self) { group in
            for b in 0..<8 {
                group.addTask {
                    // Batches overlap by 25 messages: the overlap arrives twice.
                    let part = metas[(b * 50)..<min(b * 50 + 75, metas.count)].map { CallbackItem.delivered($0, ts: Self.t0 + 20) }
                    return try await f.callback(Array(part))
                }
            }
            var all: [CallbackIngestResult] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(results.map(\.applied).reduce(0, +) == 400)
        #expect(results.map(\.duplicates).reduce(0, +) == 7 * 25)
        #expect(try await f.total(.delivered) == 400)
        #expect(try await f.eventCount() == 400)
    }

    @Test("a batch whose write fails fails only its own caller: the other concurrent batches are applied")
    func failedBatchIsIsolated() async throws {
        let f = try await F.make(kind: .sqlite)
        let metas = (0..<200).map { "h\($0)" } + ["poison"]
        try await f.insert(metas)
        for m in metas { try await f.sent(m) }
        // A store failure for one item: the event log refuses the message "poison".
        try await f.sqlite.db.write { db in
            try db.execute(sql: """
                CREATE TRIGGER poison BEFORE INSERT ON message_events
                WHEN NEW.message_id = (SELECT id FROM messages WHERE meta = 'poison')
                BEGIN SELECT RAISE(ABORT, 'poisoned'); END
                """)
        }
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for b in 0..<5 {
                group.addTask {
                    var part = metas[(b * 40)..<(b * 40 + 40)].map { CallbackItem.delivered($0, ts: Self.t0 + 20) }
                    if b == 2 { part.append(.delivered("poison", ts: Self.t0 + 20)) }
                    return (b, (try? await f.callback(part)) != nil)
                }
            }
            var all: [Int: Bool] = [:]
            for await (b, ok) in group { all[b] = ok }
            return all
        }
        #expect(outcomes == [0: true, 1: true, 2: false, 3: true, 4: true])
        #expect(try await f.total(.delivered) == 160)
        #expect(try await f.eventCount() == 160)
        #expect(try await f.state("h80").deliveredAt == nil)  // batch 2 rolled back whole
        #expect(try await f.state("h79").deliveredAt == Self.t0 + 20)
    }
}

extension CallbackStoreFixture {
    /// The SQLite store behind a `.sqlite` fixture: this suite tests its planned write path.
    var sqlite: SQLiteStore { testStore.store as! SQLiteStore }
}
