import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// Issue 18: `breakdown?by=carrier` groups by the network (MCC-MNC) the callbacks reported
/// (``NetworkCode``), through each store.
@Suite("Carrier breakdown (issue 18)")
struct CarrierBreakdownStoreTests {
    static let t = StatsFixture.t
    /// Reports a receipt may carry: valid codes (two that are prefixes in byte order), bad ones, none.
    static let reports: [String?] = [nil, nil, "26202", "26201", "262021", "310260", "23415", " 26203 ", "bad", "2620", "1234567"]

    /// One message's expected row data, computed by hand from its receipts.
    struct Expected {
        var network: String?
        var delivered = false
        var failed = false
    }

    /// Property: random receipts (kinds, times, networks valid, bad and absent, exact repeats) for
    /// random messages, shuffled and applied in random batches, part of them before the messages
    /// exist (kept pending, matched when the messages are inserted) and part before the send is
    /// recorded: the carrier rows equal a brute-force recount (each message's key the smallest
    /// valid code among its receipts, else "unknown"; sent, delivered, failed and pending per key),
    /// and the stored network of each message is that code.
    @Test("property: carrier rows equal a brute-force recount, whatever the order", arguments: StoreKind.allCases)
    func carrierRowsEqualBruteForce(kind: StoreKind) async throws {
        var rng = SplitMix64(seed: 0xCA22_1E25)
        for round in 0..<4 {
            let f = try await StatsFixture(kind: kind)
            let count = Int.random(in: 4...25, using: &rng)
            var expected = Array(repeating: Expected(), count: count)
            var items: [CallbackItem] = []
            for i in 0..<count {
                for _ in 0..<Int.random(in: 0...4, using: &rng) {
                    let kind: CallbackEventKind = [.submitted, .delivered, .failed][Int.random(in: 0...2, using: &rng)]
                    let report = Self.reports[Int.random(in: 0..<Self.reports.count, using: &rng)]
                    let item = CallbackItem(
                        kind: kind, meta: "m\(i)", ts: Self.t + Int64.random(in: 1...300, using: &rng),
                        code: kind == .failed ? "914" : nil, network: report)
                    items.append(item)
                    if Bool.random(using: &rng) { items.append(item) }  // an exact re-delivery
                    if kind == .delivered { expected[i].delivered = true }
                    if kind == .failed { expected[i].failed = true }
                    if let r = report?.trimmingCharacters(in: .whitespaces), [5, 6].contains(r.count), r.allSatisfy(\.isASCII),
                        r.allSatisfy(\.isNumber)
                    {
                        expected[i].network = [expected[i].network, r].compactMap { $0 }.min()
                    }
                }
            }
            items.shuffle(using: &rng)
            // Messages 0..<early exist before any callback; the others arrive after the first part.
            let early = Int.random(in: 1...count, using: &rng)
            try await f.store.insertMessages((0..<early).map { StatsFixture.message($0) })
            let split = Int.random(in: 0...items.count, using: &rng)
            let sendFirst = Bool.random(using: &rng)
            if sendFirst { try await f.dispatch(Array(0..<early)) }
            try await Self.apply(items[..<split], f, &rng)
            if early < count { try await f.store.insertMessages((early..<count).map { StatsFixture.message($0) }) }
            let rest = sendFirst ? Array(early..<count) : Array(0..<count)
            if !rest.isEmpty { try await f.dispatch(rest) }
            try await Self.apply(items[split...], f, &rng)

            var rows: [String: (sent: Int64, delivered: Int64, failed: Int64, pending: Int64)] = [:]
            for e in expected {
                var r = rows[e.network ?? "unknown", default: (0, 0, 0, 0)]
                r.sent += 1
                if e.delivered { r.delivered += 1 } else if e.failed { r.failed += 1 } else { r.pending += 1 }
                rows[e.network ?? "unknown"] = r
            }
            let b = try await f.queries.breakdown(f.campaign, by: .carrier)
            #expect(b.by == .carrier)
            #expect(Set(b.rows.map(\.key)) == Set(rows.keys), "round \(round)")
            for row in b.rows {
                let want = rows[row.key]
                #expect(want?.sent == row.sent, "round \(round) \(row.key): sent")
                #expect(want?.delivered == row.delivered, "round \(round) \(row.key): delivered")
                #expect(want?.failed == row.failed, "round \(round) \(row.key): failed")
                #expect(want?.pending == row.pending, "round \(round) \(row.key): pending")
            }
            let log = try await f.store.messageLog(campaignId: "c1", afterId: nil, limit: 1000)
            #expect(log.count == count)
            for entry in log {
                #expect(entry.network == expected[Int(entry.meta.dropFirst())!].network, "round \(round) \(entry.meta)")
            }
            await f.testStore.close()
        }
    }

    /// Applies items in random batches (1 to 5 items) received shortly after the latest `ts`.
    static func apply(_ items: ArraySlice<CallbackItem>, _ f: StatsFixture, _ rng: inout SplitMix64) async throws {
        var rest = items[...]
        while !rest.isEmpty {
            let n = Int.random(in: 1...5, using: &rng)
            let batch = Array(rest.prefix(n))
            rest = rest.dropFirst(n)
            _ = try await f.store.applyCallbacks(providerId: "p1", items: batch, receivedAt: t + 400)
        }
    }

    @Test("a Vonage-style delivered receipt with a network puts the message under it; a bad value is ignored, the raw kept", arguments: StoreKind.allCases)
    func badValueIgnoredRawKept(kind: StoreKind) async throws {
        let f = try await StatsFixture(kind: kind)
        try await f.sendMessages(3)
        _ = try await f.store.applyCallbacks(
            providerId: "p1",
            items: [
                CallbackItem(kind: .delivered, meta: "m0", ts: Self.t + 5, network: "26202"),
                CallbackItem(kind: .delivered, meta: "m1", ts: Self.t + 5, network: "Vodafone"),
                CallbackItem(kind: .failed, meta: "m2", ts: Self.t + 5, code: "9", network: "26202"),
            ],
            receivedAt: Self.t + 10)
        let rows = try await f.queries.breakdown(f.campaign, by: .carrier).rows
        #expect(rows.map(\.key) == ["26202", "unknown"])
        #expect(rows.map(\.sent) == [2, 1])
        #expect(rows.map(\.delivered) == [1, 1])
        #expect(rows.map(\.failed) == [1, 0])
        #expect(rows.first?.errors == [CampaignBreakdown.ErrorCount(code: "9", count: 1)])
        let m1 = try #require(try await f.store.messageLogEntry(meta: "m1"))
        #expect(m1.entry.network == nil)
        #expect(m1.entry.outcome == .delivered)
        let raw = try await f.testStore.query(
            "SELECT e.payload FROM message_events e JOIN messages m ON m.id = e.message_id WHERE m.meta = ?", ["m1"])
        #expect(raw.count == 1)
        #expect(raw.first?["payload"]?.text?.contains(#""network":"Vodafone""#) == true)
    }
}
