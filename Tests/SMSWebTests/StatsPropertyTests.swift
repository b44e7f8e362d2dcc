import CSV
import Foundation
import HummingbirdTesting
import SMSCore
import SMSTestSupport
import SMSStoreSQLite
import SMSStoreTestSupport
import Testing

/// Property: for random event histories (sends, dispatch errors, receipts with duplicates and in
/// any order, human and bot clicks, provider-reported clicks, replies, conversion events) ingested
/// in random permutations through the store, every stats route answers exactly what a brute-force
/// recount of the raw history gives. The recount below is written from `docs/DOMAIN.md` §4–6 directly;
/// it does not use the state machine, `MessageContribution`, the recount or the report code.
@Suite("Stats routes equal a brute-force recount")
struct StatsPropertyTests {
    static let t0: Int64 = 1_710_000_000  // 2024-03-09T16:00:00Z; Toronto's DST starts 2024-03-10T07:00Z
    static let links = ["https://shop.example/a?x=1&y=2", "https://shop.example/b"]
    static let otherURL = "https://elsewhere.example/"
    static let window: Int64 = 3_600

    // MARK: The generated history

    enum Kind: Equatable { case control, ineligible, queued }

    struct Planned {
        var i: Int
        var variant: Int
        var kind: Kind
        var segments: Int
        /// The dispatcher's answer: sent, failed (dispatch error) or never dispatched.
        var dispatch: DispatchPlan
        var meta: String { "m\(i)" }
        var user: String { "u\(i)" }
        /// Time of the dispatch attempt.
        var dispatchAt: Int64 { StatsPropertyTests.t0 + Int64(i) * 600 }
    }

    enum DispatchPlan: Equatable { case sent, failed, none }

    struct Click { var i: Int; var link: Int; var at: Int64; var bot: Bool }

    enum Op {
        case insert([Int])
        case dispatch(Int)
        case callbacks([CallbackItem])
        case click(Click)
        case conversions([ConversionEventInput])
    }

    struct History {
        var callbacksEnabled: Bool
        var planned: [Planned]
        var items: [CallbackItem]  // with exact duplicates
        var clicks: [Click]
        var conversions: [ConversionEventInput]  // with exact duplicates
        var chunks: [[Int]]
    }

    static func description(code: String?) -> String? {
        switch code {
        case "777": "Carrier rejected: spam"
        case "900": "Handset busy"
        case "914": "retries exhausted"
        default: nil
        }
    }

    static func generate(seed: UInt64) -> History {
        var r = SeededRandom(seed: seed)
        let n = r.int(12...28)
        var planned: [Planned] = []
        for i in 0..<n {
            let x = r.int(0...99)
            let kind: Kind = x < 10 ? .control : x < 20 ? .ineligible : .queued
            let y = r.int(0...99)
            let dispatch: DispatchPlan = kind != .queued ? .none : y < 80 ? .sent : y < 92 ? .failed : .none
            planned.append(Planned(i: i, variant: r.int(0...1), kind: kind, segments: r.int(1...2), dispatch: dispatch))
        }
        var items: [CallbackItem] = []
        var clicks: [Click] = []
        var conversions: [ConversionEventInput] = []
        for p in planned {
            if p.kind == .queued {
                for _ in 0..<r.int(0...4) {
                    let at = p.dispatchAt + r.int64(0...60_000)
                    var item: CallbackItem
                    switch r.int(0...5) {
                    case 0, 1: item = CallbackItem(kind: .delivered, meta: p.meta, ts: at)
                    case 2:
                        let code = ["914", "30003", "777", "900", nil].randomElement(using: &r)!
                        item = CallbackItem(kind: .failed, meta: p.meta, ts: at, code: code, description: description(code: code))
                    case 3: item = CallbackItem(kind: .submitted, meta: p.meta, ts: at)
                    case 4:
                        item = CallbackItem(kind: .replied, meta: p.meta, ts: at, incomingText: r.chance(0.5) ? " stop " : "thanks!")
                    default:
                        item = CallbackItem(kind: .clicked, meta: p.meta, ts: at, url: (links + [otherURL]).randomElement(using: &r)!)
                    }
                    items.append(item)
                    if r.chance(0.3) { items.append(item) }  // a provider retry: exact duplicate
                }
                for _ in 0..<r.int(0...3) {
                    clicks.append(Click(i: p.i, link: r.int(0...1), at: p.dispatchAt + r.int64(0...60_000), bot: r.chance(0.25)))
                }
            }
            if r.chance(0.45) {
                for k in 0..<r.int(1...2) {
                    let e = ConversionEventInput(
                        eventId: "e\(p.i)-\(k)", userId: p.user, name: r.chance(0.85) ? "purchase" : "view",
                        ts: p.dispatchAt + r.int64(-1_200...9_000), properties: ["amount": .number(Double(r.int(1...9_999)) / 100)])
                    conversions.append(e)
                    if r.chance(0.2) { conversions.append(e) }
                }
            }
        }
        let cut1 = r.int(1...(n / 2))
        let cut2 = r.int((cut1 + 1)...(n - 1))
        let order = planned.map(\.i).shuffled(using: &r)
        return History(
            callbacksEnabled: r.chance(0.6), planned: planned, items: items, clicks: clicks, conversions: conversions,
            chunks: [Array(order[..<cut1]), Array(order[cut1..<cut2]), Array(order[cut2...])])
    }

    /// A random order of the history's operations in which a message's dispatch and clicks come
    /// after its insertion (callbacks and conversions may come at any time, even before).
    static func operations(_ h: History, seed: UInt64) -> [Op] {
        var r = SeededRandom(seed: seed ^ 0xABCD)
        var items = h.items.shuffled(using: &r)
        // Each operation with the insert chunk it needs and the chunk it provides.
        var ops: [(op: Op, needs: Int?, provides: Int?)] = h.chunks.indices.map { (.insert(h.chunks[$0]), nil, $0) }
        func chunk(of i: Int) -> Int { h.chunks.firstIndex { $0.contains(i) }! }
        for p in h.planned where p.dispatch != .none { ops.append((.dispatch(p.i), chunk(of: p.i), nil)) }
        for c in h.clicks { ops.append((.click(c), chunk(of: c.i), nil)) }
        while !items.isEmpty {
            let k = min(items.count, r.int(1...3))
            ops.append((.callbacks(Array(items.prefix(k))), nil, nil))
            items.removeFirst(k)
        }
        var conversions = h.conversions.shuffled(using: &r)
        while !conversions.isEmpty {
            let k = min(conversions.count, r.int(1...4))
            ops.append((.conversions(Array(conversions.prefix(k))), nil, nil))
            conversions.removeFirst(k)
        }
        var inserted = Set<Int>()
        var out: [Op] = []
        while !ops.isEmpty {
            let ready = ops.indices.filter { ops[$0].needs.map(inserted.contains) ?? true }
            let next = ops.remove(at: ready.randomElement(using: &r)!)
            if let chunk = next.provides { inserted.insert(chunk) }
            out.append(next.op)
        }
        return out
    }

    /// Plays the operations through the store's units of work.
    static func play(_ kind: StoreKind, _ h: History, _ ops: [Op]) async throws -> TestStore {
        let testStore = try await TestStore.make(kind)
        let store = testStore.store
        try await store.insertProvider(
            ProviderConfig(
                id: "p1", name: "Generic", url: "http://127.0.0.1:9/sms", bodyTemplate: #"{"to":"$$To"}"#,
                callbacksEnabled: h.callbacksEnabled, callbackSecret: "s", createdAt: t0 - 100))
        try await store.insertCampaign(
            Campaign(
                id: "c1", name: "Property", providerId: "p1", body: "x", links: links, audience: .all,
                timezone: "America/Toronto", goal: ConversionGoal(event: "purchase", windowMinutes: 60, revenueProperty: "amount"),
                createdAt: t0 - 50))
        let receivedAt = t0 + 10 * 86_400
        // Message ids are read back by meta after each insert (the queue cannot be used to find
        // them: it leaves out messages the provider already reported on).
        var ids: [String: Int64] = [:]
        for op in ops {
            switch op {
            case .insert(let chunk):
                try await store.insertMessages(
                    chunk.map { i in
                        let p = h.planned[i]
                        return NewMessage(
                            campaignId: "c1", userId: p.user, phone: "+1416555\(1000 + i)", meta: p.meta, body: "x",
                            segments: p.segments, variant: p.variant,
                            dispatch: p.kind == .control ? .control : p.kind == .ineligible ? .dispatchError : .queued,
                            dispatchErrorReason: p.kind == .ineligible ? "no phone on profile" : nil, createdAt: t0,
                            links: p.kind != .queued
                                ? []
                                : links.indices.map { NewShortLink(code: "c\(i)x\($0)", linkIndex: $0, url: links[$0], expiresAt: receivedAt) })
                    })
                for i in chunk { ids[h.planned[i].meta] = try await testStore.messageId(meta: h.planned[i].meta) }
                for q in try await store.queuedMessages(campaignId: "c1", limit: 10_000) { #expect(ids[q.meta] == q.messageId) }
            case .dispatch(let i):
                let p = h.planned[i]
                let outcome: DispatchResult.Outcome = p.dispatch == .sent ? .sent(providerMessageId: nil) : .failed(reason: "provider HTTP error 503")
                try await store.recordDispatchResults([DispatchResult(messageId: ids[p.meta]!, outcome: outcome, at: p.dispatchAt)])
            case .callbacks(let items):
                _ = try await store.applyCallbacks(providerId: "p1", items: items, receivedAt: receivedAt)
            case .click(let c):
                let target = try await store.recordClick(
                    ClickInput(
                        code: "c\(c.i)x\(c.link)", at: c.at, userAgent: c.bot ? "facebookexternalhit/1.1" : "Mozilla/5.0",
                        ipHash: nil, isBot: c.bot, botReason: c.bot ? "crawler" : nil))
                #expect(target?.url == links[c.link])
            case .conversions(let events):
                _ = try await store.ingestConversionEvents(events, receivedAt: receivedAt)
            }
        }
        return testStore
    }

    // MARK: The brute-force recount

    /// What the raw history says, counted the slow and obvious way.
    struct Counts {
        var sent: Int64 = 0, segments: Int64 = 0, delivered: Int64 = 0, inferred: Int64 = 0, failed: Int64 = 0
        var pending: Int64 = 0, queued: Int64 = 0, dispatchErrors: Int64 = 0, control: Int64 = 0
        var clicks: Int64 = 0, unique: Int64 = 0, bots: Int64 = 0, replies: Int64 = 0, optOuts: Int64 = 0
        var converted: Int64 = 0, clickThrough: Int64 = 0, revenueCents: Int64 = 0
        var controlConverted: Int64 = 0, controlRevenueCents: Int64 = 0
        var reasons: [String: Int64] = [:]
        var codes: [String: Int64] = [:]
        var linkClicks: [Int: Int64] = [:], linkUnique: [Int: Int64] = [:], linkBots: [Int: Int64] = [:]
        /// (series, time): "sent", "delivered", "clicked" (first human click), "clicks" (every human click).
        var times: [(String, Int64)] = []
        var messages = 0
    }

    static func recount(_ h: History, only variant: Int? = nil) -> Counts {
        var c = Counts()
        var items: [CallbackItem] = []
        for item in h.items where !items.contains(item) { items.append(item) }
        var events: [ConversionEventInput] = []
        for e in h.conversions where !events.contains(where: { $0.eventId == e.eventId }) { events.append(e) }
        for p in h.planned where variant == nil || p.variant == variant {
            c.messages += 1
            let mine = items.filter { $0.meta == p.meta }
            let redirect = h.clicks.filter { $0.i == p.i }
            // Human clicks: ours (not bots) and the provider's, with their link number.
            var human: [(link: Int, at: Int64)] = redirect.filter { !$0.bot }.map { ($0.link, $0.at) }
            for item in mine where item.kind == .clicked { human.append((links.firstIndex(of: item.url!) ?? -1, item.ts!)) }
            for b in redirect where b.bot {
                c.bots += 1
                c.linkBots[b.link, default: 0] += 1
            }
            for hc in human {
                c.clicks += 1
                c.linkClicks[hc.link, default: 0] += 1
                c.times.append(("clicks", hc.at))
            }
            for link in Set(human.map(\.link)) where link >= 0 { c.linkUnique[link, default: 0] += 1 }
            let replies = mine.filter { $0.kind == .replied }
            c.replies += Int64(replies.count)
            for reply in replies { c.times.append(("replies", reply.ts!)) }
            if replies.contains(where: { $0.incomingText!.trimmingCharacters(in: .whitespaces).uppercased() == "STOP" }) { c.optOuts += 1 }
            let firstClick = human.map(\.at).min()
            if p.kind == .control {
                c.control += 1
                let (converted, _, cents) = conversion(events, user: p.user, sentAt: t0, firstClick: nil)
                if converted {
                    c.controlConverted += 1
                    c.controlRevenueCents += cents
                }
                continue
            }
            let receipts = mine.filter { [.submitted, .delivered, .failed].contains($0.kind) }
            let evidence = (mine.map { $0.ts! } + human.map(\.at))
            let dispatchTime: Int64? = p.kind == .ineligible ? t0 : p.dispatch == .none ? nil : p.dispatchAt
            let isSent = p.dispatch == .sent || !evidence.isEmpty
            guard isSent else {
                if p.kind == .ineligible || p.dispatch == .failed {
                    c.dispatchErrors += 1
                    c.reasons[p.kind == .ineligible ? "no phone on profile" : "provider HTTP error 503", default: 0] += 1
                } else {
                    c.queued += 1
                }
                continue
            }
            let sentAt = dispatchTime ?? evidence.min()!
            c.sent += 1
            c.segments += Int64(p.segments)
            c.times.append(("sent", sentAt))
            let deliveredReceipts = receipts.filter { $0.kind == .delivered }.map { $0.ts! }
            let failures = receipts.filter { $0.kind == .failed }
            if let at = deliveredReceipts.min() ?? firstClick {
                c.delivered += 1
                if deliveredReceipts.isEmpty { c.inferred += 1 }
                c.times.append(("delivered", at))
            } else if !failures.isEmpty {
                // PITFALLS.md #4: a failure with a code wins; then the earliest; then the smaller code.
                let chosen = failures.min { a, b in
                    let ka = (a.code == nil ? 1 : 0, a.ts!, a.code ?? "")
                    let kb = (b.code == nil ? 1 : 0, b.ts!, b.code ?? "")
                    return ka < kb
                }!
                c.failed += 1
                c.codes[chosen.code ?? "", default: 0] += 1
            } else {
                c.pending += 1
            }
            if let firstClick {
                c.unique += 1
                c.times.append(("clicked", firstClick))
            }
            let (converted, clickThrough, cents) = conversion(events, user: p.user, sentAt: sentAt, firstClick: firstClick)
            if converted {
                c.converted += 1
                c.revenueCents += cents
                if clickThrough { c.clickThrough += 1 }
            }
        }
        return c
    }

    /// `docs/DOMAIN.md` §5: qualifying "purchase" events in (sentAt, sentAt + 60 min]; click-through
    /// when a human click came before (or with) one of them.
    static func conversion(_ events: [ConversionEventInput], user: String, sentAt: Int64, firstClick: Int64?)
        -> (Bool, Bool, Int64)
    {
        let q = events.filter { $0.userId == user && $0.name == "purchase" && $0.ts > sentAt && $0.ts <= sentAt + window }
        let cents = q.reduce(Int64(0)) { sum, e in
            guard case .number(let amount) = e.properties["amount"] else { return sum }
            return sum + Int64((amount * 100).rounded())
        }
        let through = firstClick.map { click in q.contains { click <= $0.ts } } ?? false
        return (!q.isEmpty, through, cents)
    }

    static func pct(_ a: Int64, _ b: Int64) -> Double { b == 0 ? 0 : Double(a) * 100 / Double(b) }

    static func close(_ a: Double?, _ b: Double?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return abs(a - b) <= 1e-9 * max(1, abs(a), abs(b))
    }

    // MARK: The test

    @Test(arguments: StoreKind.allCases, 0..<14)
    func everyStatsRouteEqualsABruteForceRecount(kind: StoreKind, seed: UInt64) async throws {
        let h = Self.generate(seed: seed)
        let all = Self.recount(h)
        var previous: String?
        for permutation in 0..<2 {
            let testStore = try await Self.play(kind, h, Self.operations(h, seed: seed &* 31 &+ UInt64(permutation)))
            let store = testStore.store
            let report = try await store.reconcile(campaignId: "c1", repair: false)
            #expect(report.isClean, "seed \(seed): \(report)")
            let bodies = try await StatsWeb.withRouter(store: store) { client in
                try await Self.checkRoutes(client, h, all, seed: seed)
            }
            if let previous { #expect(bodies == previous, "seed \(seed): permutations disagree") }
            previous = bodies
            await testStore.close()
        }
    }

    /// Checks every route against the recount; returns the bodies (to compare permutations).
    static func checkRoutes(_ client: any TestClientProtocol, _ h: History, _ all: Counts, seed: UInt64) async throws -> String {
        var bodies = ""
        func get(_ path: String) async throws -> TestResponse {
            let r = try await StatsWeb.get(client, "c1/" + path)
            bodies += path + "\n" + String(buffer: r.body) + "\n"
            return r
        }
        // /stats, all variants and each variant.
        let summary = try StatsWeb.decode(StatsSummary.self, try await get("stats"))
        checkStats(summary.all, all, all, h.callbacksEnabled, "seed \(seed) all")
        let variants = Set(h.planned.filter { $0.kind != .control }.map(\.variant)).sorted()
        #expect(summary.variants.map(\.variant) == (variants.count > 1 ? variants : []), "seed \(seed)")
        for v in summary.variants {
            checkStats(v.stats, recount(h, only: v.variant), all, h.callbacksEnabled, "seed \(seed) variant \(v.variant)")
        }
        // /trend in the campaign's zone (Toronto, across its DST change) and in Kathmandu.
        let toronto: (Int64) -> Int64 = { t in (t + (t >= 1_710_054_000 ? -14_400 : -18_000)) / 86_400 }
        let kathmandu: (Int64) -> Int64 = { t in (t + 20_700) / 86_400 }
        for (query, day, g) in [
            ("trend", toronto, "day"), ("trend?granularity=week", toronto, "week"),
            ("trend?granularity=month", toronto, "month"), ("trend?tz=Asia/Kathmandu", kathmandu, "day"),
        ] {
            let trend = try StatsWeb.decode(TrendReport.self, try await get(query))
            let expected = expectedTrend(all, day: day, granularity: g, callbacks: h.callbacksEnabled)
            #expect(trend.buckets.map(\.start) == expected.map(\.start), "seed \(seed) \(query)")
            for (a, b) in zip(trend.buckets, expected) {
                #expect(
                    (a.sent, a.delivered, a.clicked, a.clicks) == (b.sent, b.delivered, b.clicked, b.clicks) && close(a.ctr, b.ctr),
                    "seed \(seed) \(query) \(a.start): \(a) vs \(b)")
            }
        }
        for v in variants {
            let trend = try StatsWeb.decode(TrendReport.self, try await get("trend?variant=\(v)"))
            let expected = expectedTrend(recount(h, only: v), day: toronto, granularity: "day", callbacks: h.callbacksEnabled)
            #expect(trend.buckets.map(\.sent) == expected.map(\.sent), "seed \(seed) trend variant \(v)")
        }
        // /funnel
        let funnel = try StatsWeb.decode(CampaignFunnel.self, try await get("funnel"))
        #expect(funnel.steps.map(\.users) == [all.sent, all.delivered, all.unique, all.converted], "seed \(seed)")
        let ctr = pct(all.unique, h.callbacksEnabled ? all.delivered : all.sent)
        let rates = [all.sent == 0 ? 0 : 100, pct(all.delivered, all.sent), ctr, pct(all.converted, all.sent)]
        #expect(zip(funnel.steps.map(\.rate), rates).allSatisfy { close($0, $1) }, "seed \(seed) funnel \(funnel.steps)")
        #expect(funnel.steps[1].tracked == h.callbacksEnabled)
        #expect(close(funnel.ctr, ctr))
        // /links, all and per variant.
        for v in [nil] + variants.map(Optional.some) {
            let counts = v.map { recount(h, only: $0) } ?? all
            let got = try StatsWeb.decode([LinkStats].self, try await get("links" + (v.map { "?variant=\($0)" } ?? "")))
            let indices = [0, 1] + ((counts.linkClicks[-1] ?? 0) > 0 || (counts.linkBots[-1] ?? 0) > 0 ? [-1] : [])
            let total = indices.reduce(Int64(0)) { $0 + (counts.linkClicks[$1] ?? 0) }
            #expect(got.map(\.index) == indices, "seed \(seed) links \(String(describing: v))")
            if total > 0 { #expect(close(got.map(\.share).reduce(0, +), 100), "seed \(seed): shares add up to 100") }
            for l in got {
                #expect(l.url == (l.index >= 0 ? links[l.index] : nil))
                #expect(l.other == (l.index == -1))
                #expect(l.label == (l.index >= 0 ? "Link \(l.index + 1)" : "Other links (reported by the provider)"))
                #expect(
                    (l.clicks, l.uniqueClicks, l.botHits)
                        == (counts.linkClicks[l.index] ?? 0, counts.linkUnique[l.index] ?? 0, counts.linkBots[l.index] ?? 0),
                    "seed \(seed) link \(l.index) variant \(String(describing: v))")
                #expect(close(l.share, pct(counts.linkClicks[l.index] ?? 0, total)))
            }
        }
        // /errors
        let errors = try StatsWeb.decode(ErrorsReport.self, try await get("errors"))
        let reasons = all.reasons.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        #expect(errors.dispatch.map(\.reason) == reasons.map(\.key), "seed \(seed)")
        #expect(errors.dispatch.map(\.count) == reasons.map(\.value), "seed \(seed)")
        let known: [String: (String, String, String)] = [
            "914": ("914", "Undelivered after retries", "operator"), "30003": ("30003", "Unknown error 30003", "unknown"),
            "777": ("777", "Carrier rejected: spam", "unknown"), "900": ("900", "Handset busy", "other"),
            "": ("(none)", "Unknown error (no code given)", "unknown"),
        ]
        let codes = all.codes.map { (known[$0.key]!, $0.value) }.sorted { ($0.1, $1.0.0) > ($1.1, $0.0.0) }
        #expect(
            errors.delivery == codes.map { DeliveryErrorStat(code: $0.0.0, description: $0.0.1, category: $0.0.2, count: $0.1) },
            "seed \(seed)")
        // /export.csv: the same summary, trend and links.
        let csv = try await get("export.csv")
        let reader = try CSVReader(string: String(decoding: Array(csv.body.readableBytesView).dropFirst(3), as: UTF8.self))
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        func value(_ name: String) -> String? { rows.first { $0.first == name }?[1] }
        #expect(value("sent") == String(all.sent))
        #expect(value("delivered") == String(all.delivered))
        #expect(value("uniqueClicks") == String(all.unique))
        #expect(value("convertedUsers") == String(all.converted))
        #expect(value("ctr").flatMap(Double.init).map { close($0, ctr) } == true, "seed \(seed) csv ctr")
        let dayTrend = expectedTrend(all, day: toronto, granularity: "day", callbacks: h.callbacksEnabled)
        for p in dayTrend {
            #expect(rows.contains { $0.count == 6 && $0[0] == p.start && $0[1] == String(p.sent) && $0[4] == String(p.clicks) })
        }
        return bodies
    }

    static func checkStats(_ s: CampaignStats, _ c: Counts, _ all: Counts, _ callbacks: Bool, _ label: String) {
        #expect(s.sent == c.sent, "\(label) sent")
        #expect(s.sentSegments == c.segments, "\(label) segments")
        #expect(s.delivered == c.delivered, "\(label) delivered")
        #expect(s.inferredDelivered == c.inferred, "\(label) inferred")
        #expect(s.failed == c.failed, "\(label) failed")
        #expect(s.pending == c.pending, "\(label) pending")
        #expect(s.queued == c.queued, "\(label) queued")
        #expect(s.dispatchErrors == c.dispatchErrors, "\(label) dispatch errors")
        #expect(s.controlGroup == c.control, "\(label) control")
        #expect(s.targeted == c.sent + c.dispatchErrors + c.control + c.queued, "\(label) targeted")
        #expect(Int64(c.messages) == s.targeted, "\(label) every message is counted once")
        #expect(s.sent == s.delivered + s.failed + s.pending, "\(label) identity")
        #expect(s.clicks == c.clicks, "\(label) clicks")
        #expect(s.uniqueClicks == c.unique, "\(label) unique")
        #expect(s.botHits == c.bots, "\(label) bots")
        #expect(s.replies == c.replies, "\(label) replies")
        #expect(s.optOuts == c.optOuts, "\(label) opt-outs")
        #expect(s.convertedUsers == c.converted, "\(label) converted")
        #expect(s.clickThroughConversions == c.clickThrough, "\(label) click-through")
        #expect(s.revenueCents == c.revenueCents, "\(label) revenue")
        #expect(s.callbacksEnabled == callbacks)
        #expect(close(s.ctr, pct(c.unique, callbacks ? c.delivered : c.sent)), "\(label) ctr")
        #expect(close(s.deliveryRate, pct(c.delivered, c.sent)), "\(label) delivery rate")
        #expect(close(s.convertedPercent, pct(c.converted, c.sent)), "\(label) converted %")
        #expect(close(s.revenue, Double(c.revenueCents) / 100), "\(label) revenue")
        #expect(close(s.arpu, c.sent == 0 ? 0 : Double(c.revenueCents) / 100 / Double(c.sent)), "\(label) arpu")
        // The control group is the campaign's, for every variant.
        let controlRate = pct(all.controlConverted, all.control)
        #expect(s.controlConvertedUsers == all.controlConverted, "\(label) control converted")
        #expect(close(s.controlConvertedPercent, controlRate), "\(label) control rate")
        let lift: Double? = all.control == 0 || controlRate == 0 ? nil : (pct(c.converted, c.sent) - controlRate) / controlRate * 100
        #expect(close(s.lift, lift), "\(label) lift")
        let arpu = c.sent == 0 ? 0 : Double(c.revenueCents) / 100 / Double(c.sent)
        let incremental: Double? =
            all.control == 0 ? nil : (arpu - Double(all.controlRevenueCents) / 100 / Double(all.control)) * Double(c.sent)
        #expect(close(s.incrementalRevenue, incremental), "\(label) incremental revenue")
    }

    /// Dense trend points from the first to the last period with a count.
    static func expectedTrend(_ c: Counts, day: (Int64) -> Int64, granularity: String, callbacks: Bool) -> [TrendPoint] {
        // A period key as a day number (its first local day).
        func key(_ d: Int64) -> Int64 {
            switch granularity {
            case "week": return d - (d + 3) % 7
            case "month":
                let label = CivilDate.label(days: d)
                var k = d
                while CivilDate.label(days: k).prefix(7) == label.prefix(7) { k -= 1 }
                return k + 1
            default: return d
            }
        }
        var points: [Int64: TrendPoint] = [:]
        for (series, t) in c.times where series != "replies" {
            let k = key(day(t))
            var p = points[k] ?? TrendPoint(start: CivilDate.label(days: k))
            switch series {
            case "sent": p.sent += 1
            case "delivered": p.delivered += 1
            case "clicked": p.clicked += 1
            default: p.clicks += 1
            }
            points[k] = p
        }
        guard let first = points.keys.min(), let last = points.keys.max() else { return [] }
        var out: [TrendPoint] = []
        var k = first
        while k <= last {
            var p = points[k] ?? TrendPoint(start: CivilDate.label(days: k))
            p.ctr = pct(p.clicked, callbacks ? p.delivered : p.sent)
            out.append(p)
            k = key(k + (granularity == "week" ? 7 : granularity == "month" ? 31 : 1))
        }
        return out
    }
}
