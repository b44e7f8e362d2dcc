import Foundation
import SMSCore
import Testing

import SMSStoreTestSupport

/// Property (`docs/DOMAIN.md` §4 "must not depend on arrival order"): a random history of a campaign —
/// messages recorded and dispatched (some with HTTP 429 first), receipts with duplicates, parts,
/// late intermediates, implausible or missing timestamps, receipts before their message exists,
/// clicks (human and bot, ours and provider-reported), replies — fed to a fresh store in several
/// random orders gives the same message states, event log and rollups; and those equal a
/// brute-force recount of the event log written independently below (no ``MessageState``, no
/// ``MessageContribution``, no ``EventTime``); and `reconcile` (``RollupRecount``, the shared
/// ``MessagePlanner`` folded over the stored history) finds no drift. Both stores, one planner.
///
/// Model of "order": each input keeps its receive time (a retry carries a later receive time and
/// an in-window `ts`, so it is a duplicate whatever comes first); only the processing order changes,
/// within what is possible (a message is recorded before it is dispatched or clicked).
@Suite("Callback order independence (property)")
struct CallbackOrderPropertyTests {
    static let t0 = CallbackStoreFixture.t0

    enum Op: Sendable {
        case insert(Int)
        case dispatch(Int, DispatchResult.Outcome, at: Int64)
        case callbacks([CallbackItem], receivedAt: Int64)
        case click(Int, link: Int, at: Int64, bot: Bool)
        case rematch(now: Int64)

        var message: Int? {
            switch self {
            case .dispatch(let i, _, _), .click(let i, _, _, _): i
            default: nil
            }
        }
    }

    struct History {
        var count: Int
        var segments: [Int]
        var ops: [Op]
    }

    @Test("random histories in random orders give identical states and rollups, equal to a recount", arguments: StoreKind.allCases)
    func orderIndependence(kind: StoreKind) async throws {
        var rng = SplitMix64(seed: 0x5EED_CA11_BAC4)
        for round in 0..<30 {
            let history = Self.randomHistory(&rng)
            var reference: Snapshot?
            for permutation in 0..<4 {
                let order = Self.randomOrder(history.ops, &rng)
                let snapshot = try await Self.run(kind, history, order: order)
                if let reference {
                    #expect(snapshot.states == reference.states, "round \(round) permutation \(permutation): states differ")
                    #expect(snapshot.totals == reference.totals, "round \(round) permutation \(permutation): totals differ")
                    #expect(snapshot.buckets == reference.buckets, "round \(round) permutation \(permutation): buckets differ")
                    #expect(snapshot.eventKeys == reference.eventKeys, "round \(round) permutation \(permutation): event log differs")
                } else {
                    reference = snapshot
                    let recount = Self.recount(history, snapshot.log)
                    #expect(snapshot.totals == recount.totals, "round \(round): totals differ from the recount")
                    #expect(snapshot.buckets == recount.buckets, "round \(round): buckets differ from the recount")
                    #expect(snapshot.eventKeys == Self.expectedKeys(history), "round \(round): the event log is not the deduplicated input")
                }
            }
        }
    }

    // MARK: - Generating histories

    static func randomHistory(_ rng: inout SplitMix64) -> History {
        let count = Int.random(in: 2...6, using: &rng)
        var ops: [Op] = []
        var segments: [Int] = []
        for i in 0..<count {
            segments.append(Int.random(in: 1...3, using: &rng))
            ops.append(.insert(i))
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: break  // never dispatched (receipts alone say it was sent)
            case 1: ops.append(.dispatch(i, .failed(reason: "provider HTTP error 429"), at: t0 + Int64.random(in: 0...20, using: &rng)))
            case 2:
                ops.append(.dispatch(i, .failed(reason: "timeout"), at: t0 + Int64.random(in: 0...20, using: &rng)))
                ops.append(.dispatch(i, .sent(providerMessageId: nil), at: t0 + Int64.random(in: 0...20, using: &rng)))
            default: ops.append(.dispatch(i, .sent(providerMessageId: nil), at: t0 + Int64.random(in: 0...20, using: &rng)))
            }
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                let (item, inWindow) = randomItem(meta: meta(i), &rng)
                let receivedAt = firstReceipt(of: item)
                ops.append(.callbacks([item], receivedAt: receivedAt))
                if Bool.random(using: &rng) { ops.append(.callbacks([item], receivedAt: receivedAt)) }  // exact duplicate
                if inWindow, Bool.random(using: &rng) {  // a provider retry, later
                    ops.append(.callbacks([item], receivedAt: receivedAt + Int64.random(in: 1...600, using: &rng)))
                }
            }
            for _ in 0..<Int.random(in: 0...2, using: &rng) {
                ops.append(.click(i, link: Int.random(in: 0...1, using: &rng), at: t0 + Int64.random(in: 5...900, using: &rng),
                                  bot: Int.random(in: 0..<4, using: &rng) == 0))
            }
        }
        // A batch mixing several messages.
        if count > 1 {
            var items: [CallbackItem] = []
            while items.count < 3 {
                let (item, inWindow) = randomItem(meta: meta(Int.random(in: 0..<count, using: &rng)), &rng)
                if inWindow { items.append(item) }  // its receive time does not matter
            }
            ops.append(.callbacks(items, receivedAt: t0 + 500))
        }
        ops.append(.rematch(now: t0 + 1_000))
        return History(count: count, segments: segments, ops: ops)
    }

    static func meta(_ i: Int) -> String { "m\(i)" }

    /// When an item first arrives: a function of its identity (dedup key), so two random items that
    /// happen to be the same event also arrive at the same time (t0 + 30 … t0 + 729).
    static func firstReceipt(of item: CallbackItem) -> Int64 {
        let key = CallbackDedupKey.make(providerId: "p1", item: item)
        return t0 + 30 + Int64(UInt64(key.suffix(8), radix: 16)! % 700)
    }

    /// A random item; `inWindow` is true when its `ts` is plausible for any receive time at or after
    /// t0 + 30 (so a later retry of it is the same event with the same effective time).
    static func randomItem(meta: String, _ rng: inout SplitMix64) -> (CallbackItem, Bool) {
        var ts: Int64?
        var inWindow = true
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: ts = nil; inWindow = false  // Twilio: no timestamp
        case 1: ts = t0 - 10_000; inWindow = false  // long before the send
        case 2: ts = t0 + 200_000; inWindow = false  // far in the future
        default: ts = t0 + Int64.random(in: 25...30, using: &rng)  // plausible, several in the same second
        }
        let part: Int? = Int.random(in: 0..<4, using: &rng) == 0 ? Int.random(in: 1...2, using: &rng) : nil
        let item: CallbackItem
        switch Int.random(in: 0..<10, using: &rng) {
        case 0, 1: item = CallbackItem(kind: .submitted, meta: meta, ts: ts, providerStatus: "sent", part: part)
        case 2, 3, 4: item = CallbackItem(kind: .delivered, meta: meta, ts: ts, part: part)
        case 5, 6:
            let code = ["914", "30003", nil, "901"][Int.random(in: 0..<4, using: &rng)]
            item = CallbackItem(kind: .failed, meta: meta, ts: ts, code: code, description: code.map { "error \($0)" }, part: part)
        case 7: item = CallbackItem(kind: .clicked, meta: meta, ts: ts, url: ["https://a.example/x", "https://b.example/y", "https://other.example/"][Int.random(in: 0..<3, using: &rng)])
        default: item = CallbackItem(kind: .replied, meta: meta, ts: ts, incomingText: Bool.random(using: &rng) ? "STOP" : "thanks")
        }
        return (item, inWindow)
    }

    /// A random order of `ops` in which each message is recorded before it is dispatched or clicked.
    static func randomOrder(_ ops: [Op], _ rng: inout SplitMix64) -> [Op] {
        var remaining = ops
        var inserted = Set<Int>()
        var out: [Op] = []
        while !remaining.isEmpty {
            let ready = remaining.indices.filter { remaining[$0].message.map(inserted.contains) ?? true }
            let pick = ready[Int.random(in: 0..<ready.count, using: &rng)]
            let op = remaining.remove(at: pick)
            if case .insert(let i) = op { inserted.insert(i) }
            out.append(op)
        }
        return out
    }

    // MARK: - Running

    struct LoggedEvent: Hashable {
        var messageId: Int64
        var kind: String
        var ts: Int64?
        var receivedAt: Int64
        var code: String?
        var description: String?
        var url: String?
        var incomingText: String?
    }

    struct LoggedClick: Hashable {
        var messageId: Int64
        var linkIndex: Int
        var at: Int64
        var bot: Bool
    }

    struct Log {
        var metaById: [Int64: String]
        var events: [LoggedEvent]
        var clicks: [LoggedClick]
    }

    struct Snapshot {
        var states: [String: MessageState]
        var totals: [RollupKey: Int64]
        var buckets: [String: Int64]
        var eventKeys: Set<String>
        var log: Log
    }

    static func run(_ kind: StoreKind, _ history: History, order: [Op]) async throws -> Snapshot {
        let f = try await CallbackStoreFixture.make(kind: kind)
        defer { Task { await f.testStore.close() } }
        for op in order {
            switch op {
            case .insert(let i): try await f.insert([meta(i)], segments: history.segments[i])
            case .dispatch(let i, let outcome, let at):
                try await f.store.recordDispatchResults([DispatchResult(messageId: try await f.messageId(meta(i)), outcome: outcome, at: at)])
            case .callbacks(let items, let receivedAt): try await f.callback(items, receivedAt: receivedAt)
            case .click(let i, let link, let at, let bot): try await f.click((link == 0 ? "a" : "b") + meta(i), at: at, bot: bot)
            case .rematch(let now): _ = try await f.store.rematchPendingCallbacks(now: now)
            }
        }
        #expect(try await f.pendingCount() == 0, "every receipt found its message once it was recorded")
        // The recount folds the same planner over the stored history: it agrees with the writes.
        let report = try await f.store.reconcile(campaignId: f.campaignId, repair: false)
        #expect(report.isClean, "\(kind): the recount differs from the incremental writes: \(report)")
        var states: [String: MessageState] = [:]
        for i in 0..<history.count { states[meta(i)] = try await f.state(meta(i)) }
        let totals = try await f.totals().filter { $0.value != 0 }
        var buckets: [String: Int64] = [:]
        for b in try await f.store.rollupBucketCells(campaignId: f.campaignId, variant: nil, metrics: RollupMetric.allCases) where b.value != 0 {
            buckets["\(b.metric.rawValue)@\(b.bucket)"] = b.value
        }
        let ts = f.testStore
        let keys = Set(try await ts.query("SELECT dedup_key FROM message_events").compactMap { $0["dedup_key"]?.text })
        var metaById: [Int64: String] = [:]
        for r in try await ts.query("SELECT id, meta FROM messages") { metaById[r["id"]!.int!] = r["meta"]!.text! }
        let events = try await ts.query("SELECT message_id, kind, ts, received_at, payload FROM message_events").map { r in
            let item = try JSONDecoder().decode(CallbackItem.self, from: Data((r["payload"]!.text!).utf8))
            return LoggedEvent(
                messageId: r["message_id"]!.int!, kind: r["kind"]!.text!, ts: r["ts"]?.int, receivedAt: r["received_at"]!.int!,
                code: item.code, description: item.description, url: item.url, incomingText: item.incomingText)
        }
        let clicks = try await ts.query("SELECT message_id, link_index, at, is_bot FROM clicks").map {
            LoggedClick(messageId: $0["message_id"]!.int!, linkIndex: Int($0["link_index"]!.int!), at: $0["at"]!.int!, bot: $0["is_bot"]!.int! != 0)
        }
        let log = Log(metaById: metaById, events: events, clicks: clicks)
        return Snapshot(states: states, totals: totals, buckets: buckets, eventKeys: keys, log: log)
    }

    /// The dedup keys the event log must hold: every distinct input item once.
    static func expectedKeys(_ history: History) -> Set<String> {
        var keys = Set<String>()
        for case .callbacks(let items, _) in history.ops {
            for item in items { keys.insert(CallbackDedupKey.make(providerId: "p1", item: item)) }
        }
        return keys
    }

    // MARK: - Brute-force recount

    struct Recount {
        var totals: [RollupKey: Int64]
        var buckets: [String: Int64]
    }

    /// Recounts everything from the raw inputs of the event log (receipts, clicks) and the
    /// dispatch results, by the rules of `docs/DOMAIN.md` §4 and §6 written out directly.
    static func recount(_ history: History, _ log: Log) -> Recount {
        var totals: [RollupKey: Int64] = [:]
        var buckets: [String: Int64] = [:]
        func add(_ m: RollupMetric, dim: String = "", at: Int64? = nil, _ n: Int64 = 1) {
            totals[RollupKey(m, dim: dim), default: 0] += n
            if let at { buckets["\(m.rawValue)@\(RollupKey.bucket(of: at))", default: 0] += n }
        }
        let idByMeta = Dictionary(uniqueKeysWithValues: log.metaById.map { ($1, $0) })
        let campaignLinks = ["https://a.example/x", "https://b.example/y"]
        for i in 0..<history.count {
            let id = idByMeta[meta(i)]!
            // Dispatch: any accepted send wins; the send time is the earliest attempt of any kind.
            var sentTimes: [Int64] = []
            var failures: [(Int64, String)] = []
            for case .dispatch(let j, let outcome, let at) in history.ops where j == i {
                switch outcome {
                case .sent: sentTimes.append(at)
                case .failed(let reason): failures.append((at, reason))
                }
            }
            let dispatchedAt = (sentTimes + failures.map(\.0)).min()
            let accepted = !sentTimes.isEmpty
            // Event times: the provider's ts if in [sent − 300, received + 300], else received.
            func effective(_ e: LoggedEvent) -> Int64 {
                guard let ts = e.ts else { return e.receivedAt }
                if ts > e.receivedAt + 300 { return e.receivedAt }
                if let d = dispatchedAt, ts < d - 300 { return e.receivedAt }
                return ts
            }
            let events = log.events.filter { $0.messageId == id }
            let delivered = events.filter { $0.kind == "delivered" }.map(effective)
            let failed = events.filter { $0.kind == "failed" }
            let submitted = events.filter { $0.kind == "submitted" }
            let humanClicks = log.clicks.filter { $0.messageId == id && !$0.bot }.map(\.at)
                + events.filter { $0.kind == "clicked" }.map(effective)
            let everything = events.map(effective) + humanClicks
            let outcome: String
            if !delivered.isEmpty || !humanClicks.isEmpty { outcome = "delivered" }
            else if !failed.isEmpty { outcome = "failed" }
            else if !submitted.isEmpty { outcome = "submitted" }
            else if accepted || !everything.isEmpty { outcome = "sent" }
            else if !failures.isEmpty { outcome = "dispatch_error" }
            else { outcome = "queued" }

            add(.messages)
            switch outcome {
            case "queued": add(.queued)
            case "dispatch_error":
                add(.dispatchErrors)
                add(.dispatchErrorsByReason, dim: failures.map(\.1).min()!)
            default:
                add(.sent, at: dispatchedAt ?? everything.min()!)
                add(.sentSegments, Int64(history.segments[i]))
                if outcome == "sent" || outcome == "submitted" { add(.pending) }
                if outcome == "failed" {
                    // The failure shown: one with a code first, then the earliest, smallest code, description.
                    let chosen = failed.map { (f: $0, at: effective($0)) }.min { a, b in
                        let ka = (a.f.code == nil ? 1 : 0, a.at, a.f.code ?? "", a.f.description ?? "")
                        let kb = (b.f.code == nil ? 1 : 0, b.at, b.f.code ?? "", b.f.description ?? "")
                        return ka < kb
                    }!
                    add(.failed, at: chosen.at)
                    add(.failedByCode, dim: chosen.f.code ?? "")
                }
                if outcome == "delivered" {
                    add(.delivered, at: delivered.min() ?? humanClicks.min()!)
                    if delivered.isEmpty { add(.inferredDelivered) }
                }
                if let first = humanClicks.min() { add(.uniqueClicks, at: first) }
                // Issue 18's histograms: sent → earliest delivered receipt, sent → first human click.
                let sentTime = dispatchedAt ?? everything.min()!
                if let d = delivered.min() { add(.deliveryLatency, dim: Self.latencyBucket(d - sentTime)) }
                if let c = humanClicks.min() { add(.firstClickLatency, dim: Self.latencyBucket(c - sentTime)) }
            }
            // Clicks per link (ours by link index, provider-reported by URL; unknown URL → -1).
            var clicksByLink: [Int: Int] = [:]
            for c in log.clicks where c.messageId == id {
                if c.bot {
                    add(.botHits)
                    add(.linkBotHits, dim: String(c.linkIndex))
                } else {
                    add(.clicks, at: c.at)
                    clicksByLink[c.linkIndex, default: 0] += 1
                }
            }
            for e in events where e.kind == "clicked" {
                add(.clicks, at: effective(e))
                clicksByLink[e.url.flatMap { campaignLinks.firstIndex(of: $0) } ?? -1, default: 0] += 1
            }
            for (link, n) in clicksByLink {
                add(.linkClicks, dim: String(link), Int64(n))
                if link >= 0 { add(.linkUniqueClicks, dim: String(link)) }
            }
            let replies = events.filter { $0.kind == "replied" }
            for r in replies { add(.replies, at: effective(r)) }
            if replies.contains(where: { $0.incomingText == "STOP" }) { add(.optOuts) }
        }
        return Recount(totals: totals.filter { $0.value != 0 }, buckets: buckets.filter { $0.value != 0 })
    }

    /// A latency's histogram bucket by a linear scan of the bounds (negative: bucket 0).
    static func latencyBucket(_ seconds: Int64) -> String {
        LatencyHistogram.bounds.first { $0 >= max(seconds, 0) }.map { String($0) } ?? "inf"
    }
}
