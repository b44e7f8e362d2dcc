import Foundation
import SMSCore
import Testing

import SMSStoreTestSupport

/// PITFALLS.md #1–7 (`docs/PITFALLS.md` "Delivery receipts") at store level: one transaction per call,
/// state machine + rollups.
@Suite("Callback pitfalls in the stores")
struct CallbackPitfallStoreTests {
    typealias F = CallbackStoreFixture
    static let t0 = F.t0

    @Test("PITFALLS.md #1: a receipt before its message is stored is held aside and counted once when it appears", arguments: StoreKind.allCases)
    func receiptBeforeMessage(kind: StoreKind) async throws {
        let f = try await F.make(kind: kind)
        let early = try await f.callback([.delivered("m1", ts: Self.t0 + 2)], receivedAt: Self.t0)
        #expect(early == CallbackIngestResult(applied: 0, duplicates: 0, pending: 1))
        #expect(try await f.pendingCount() == 1)
        try await f.insert(["m1"])  // the dispatcher commits 50 ms later
        #expect(try await f.pendingCount() == 0)
        try await f.sent("m1", at: Self.t0 + 1)
        // The provider retries the same callback: a duplicate.
        let again = try await f.callback([.delivered("m1", ts: Self.t0 + 2)], receivedAt: Self.t0 + 600)
        #expect(again == CallbackIngestResult(applied: 0, duplicates: 1, pending: 0))
        let s = try await f.stats()
        #expect((s.sent, s.delivered, s.pending, s.failed) == (1, 1, 0, 0))
        #expect(try await f.eventCount() == 1)
    }

    @Test("PITFALLS.md #1 with a provider id: a Twilio receipt before the send answer is matched when the id is stored", arguments: StoreKind.allCases)
    func providerIdReceiptBeforeSend(kind: StoreKind) async throws {
        let f = try await F.make(kind: kind, provider: .twilio)
        try await f.insert(["m1"])
        let sid = "sm0123456789abcdef0123456789abcdef"
        let early = try await f.callback(
            [CallbackItem(kind: .delivered, meta: sid, providerStatus: "delivered", providerMessageId: sid)], receivedAt: Self.t0 + 2)
        #expect(early.pending == 1)
        try await f.sent("m1", at: Self.t0 + 1, providerMessageId: sid)
        #expect(try await f.pendingCount() == 0)
        #expect(try await f.outcome("m1") == .delivered)
        #expect((try await f.total(.sent), try await f.total(.delivered)) == (1, 1))
    }

    @Test("PITFALLS.md #2: delivered then failed 914 for two parts of one message is one delivered message", arguments: StoreKind.allCases, [false, true])
    func multiPart(kind: StoreKind, reversed: Bool) async throws {
        let f = try await F.make(kind: kind)
        try await f.insert(["m1"], segments: 2)
        try await f.sent("m1")
        var items: [CallbackItem] = [.delivered("m1", ts: Self.t0 + 5), .failed("m1", ts: Self.t0 + 6, code: "914")]
        if reversed { items.reverse() }
        for item in items { try await f.callback([item]) }
        let s = try await f.stats()
        #expect((s.sent, s.sentSegments, s.delivered, s.failed, s.pending) == (1, 2, 1, 0, 0))
        #expect(try await f.total(.failedByCode, dim: "914") == 0)
        // The failure stays in the message's history.
        #expect(try await f.state("m1").failure?.code == "914")
        #expect(try await f.eventCount() == 2)
    }

    @Test("PITFALLS.md #3: a late Twilio 'sent' after 'delivered' never moves the message or the trend", arguments: StoreKind.allCases)
    func lateIntermediate(kind: StoreKind) async throws {
        let f = try await F.make(kind: kind)
        try await f.insert(["m1"])
        try await f.sent("m1", at: Self.t0)
        try await f.callback([.delivered("m1", ts: Self.t0 + 10)], receivedAt: Self.t0 + 10)
        let before = try await f.store.rollupBucketCells(campaignId: f.campaignId, variant: nil, metrics: RollupMetric.allCases).filter { $0.metric == .delivered }
        try await f.callback([.submitted("m1", ts: nil, providerStatus: "sent")], receivedAt: Self.t0 + 40)
        let after = try await f.store.rollupBucketCells(campaignId: f.campaignId, variant: nil, metrics: RollupMetric.allCases).filter { $0.metric == .delivered }
        #expect(try await f.outcome("m1") == .delivered)
        #expect(after.map(\.bucket) == [RollupKey.bucket(of: Self.t0 + 10)])
        #expect(after.map(\.value) == [1])
        #expect(before.map(\.bucket) == after.map(\.bucket))
        #expect((try await f.total(.delivered), try await f.total(.pending)) == (1, 0))
    }

    @Test("PITFALLS.md #4: failed 30003 then failed without a code shows 30003 once", arguments: StoreKind.allCases, [false, true])
    func failureWithoutCode(kind: StoreKind, reversed: Bool) async throws {
        let f = try await F.make(kind: kind, provider: .twilio)
        try await f.insert(["m1"])
        try await f.sent("m1")
        var items: [CallbackItem] = [
            .failed("m1", ts: Self.t0 + 5, code: "30003", description: "Unreachable destination handset"),
            .failed("m1", ts: Self.t0 + 5, code: nil),
        ]
        if reversed { items.reverse() }
        for item in items { try await f.callback([item]) }
        #expect(try await f.total(.failedByCode, dim: "30003") == 1)
        #expect(try await f.total(.failedByCode, dim: "") == 0)
        #expect(try await f.total(.failed) == 1)
        let errors = CampaignReport.deliveryErrors(totals: try await f.totals(), provider: .twilio)
        #expect(errors.map(\.code) == ["30003"])
        #expect(errors.map(\.count) == [1])
    }

    @Test("PITFALLS.md #5: the same delivered three times in one second, different provider event ids → Delivered 1", arguments: StoreKind.allCases)
    func tripleDelivered(kind: StoreKind) async throws {
        let f = try await F.make(kind: kind)
        try await f.insert(["m1"])
        try await f.sent("m1")
        // Generic items: the event id is an unknown key, so the three are the same event to us.
        let same = try await f.callback(Array(repeating: .delivered("m1", ts: Self.t0 + 10), count: 3))
        #expect(same == CallbackIngestResult(applied: 1, duplicates: 2, pending: 0))
        // Plivo-style: three distinct events (Sequence 1, 2, 3) in the same second.
        let distinct = try await f.callback((1...3).map { .delivered("m1", ts: Self.t0 + 10, part: $0) })
        #expect(distinct == CallbackIngestResult(applied: 3, duplicates: 0, pending: 0))
        #expect((try await f.total(.delivered), try await f.total(.sent)) == (1, 1))
    }

    @Test("PITFALLS.md #6: HTTP 429 at dispatch, later delivered → Sent and Delivered once, no dispatch error", arguments: StoreKind.allCases)
    func dispatchErrorThenDelivered(kind: StoreKind) async throws {
        let f = try await F.make(kind: kind)
        try await f.insert(["m1"])
        try await f.dispatchFailed("m1", reason: "provider HTTP error 429")
        #expect(try await f.total(.dispatchErrors) == 1)
        try await f.callback([.delivered("m1", ts: Self.t0 + 30)])
        let s = try await f.stats()
        #expect((s.sent, s.delivered, s.dispatchErrors) == (1, 1, 0))
        #expect(try await f.total(.dispatchErrorsByReason, dim: "provider HTTP error 429") == 0)
        #expect(s.targeted == 1)
    }

    @Test("PITFALLS.md #7: 100 sent, no receipts, 5 clicks → Delivered 5 (inferred), CTR 100 %, receipts missing", arguments: StoreKind.allCases)
    func noReceipts(kind: StoreKind) async throws {
        let f = try await F.make(kind: kind)
        let metas = (0..<100).map { "m\($0)" }
        try await f.insert(metas)
        for meta in metas { try await f.sent(meta) }
        for meta in metas.prefix(5) { try await f.click("a" + meta, at: Self.t0 + 100) }
        try await f.click("b" + metas[0], at: Self.t0 + 120)  // a second link of the same message
        try await f.click("a" + metas[6], at: Self.t0 + 130, bot: true)  // a preview: not evidence
        let s = try await f.stats()
        #expect((s.sent, s.delivered, s.inferredDelivered, s.uniqueClicks, s.clicks, s.botHits) == (100, 5, 5, 5, 6, 1))
        #expect(s.ctr == 100)
        #expect(s.receiptsMissing)
        try await f.callback([.delivered(metas[7], ts: Self.t0 + 50)])
        let later = try await f.stats()
        #expect((later.delivered, later.inferredDelivered) == (6, 5))
        #expect(!later.receiptsMissing)
        #expect(later.ctr == 5.0 / 6.0 * 100)
    }
}
