import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// Random histories of sends, callbacks, clicks (human and bot, ours and provider-reported) and
/// conversion events, ingested in random permutations: the stats are identical in every order and
/// equal to a brute-force recount of the raw history written here, independently of the store.
@Suite("Conversion stats are a function of the raw events (property)")
struct ConversionPropertyTests {
    static let t0 = StoreFixture.t0
    static let window: Int64 = 3_600
    static let links = ["https://shop.example/p?a=1&b=2", "https://shop.example/help"]
    static let goal = ConversionGoal(
        event: "purchase", windowMinutes: 60, revenueProperty: "value",
        filters: [PropertyFilter(property: "plan", op: .notEquals, value: .string("free"))])
    /// Revenue values and their cents, worked out by hand (major units, half away from zero).
    static let values: [(JSONValue, Int64)] = [(.number(9.99), 999), (.number(20), 2_000), (.string("5.5"), 550), (.number(1.005), 101), (.string("abc"), 0)]
    static let plans: [JSONValue?] = [.string("free"), .string("pro"), nil]

    enum Action {
        case dispatch(user: String, at: Int64, ok: Bool)
        case callback(CallbackItem)
        case click(user: String, link: Int, at: Int64, bot: Bool)
        case events([ConversionEventInput])

        var needsMessages: Bool {
            switch self {
            case .dispatch, .click: true
            case .callback, .events: false
            }
        }
    }

    /// The raw history of one user, as generated.
    struct UserHistory {
        var control = false
        var dispatchAt: Int64 = 0
        var dispatchOK = false
        var delivered: [Int64] = []
        var failed: [Int64] = []
        var humanClicks: [Int64] = []
        var providerClicks: Set<Int64> = []  // distinct provider click times (resends collapse)
        var botHits = 0
        var events: [String: (name: String, ts: Int64, cents: Int64, plan: JSONValue?)] = [:]
    }

    struct Expected: Equatable, CustomStringConvertible {
        var sent = 0, delivered = 0, clicks = 0, uniqueClicks = 0, botHits = 0
        var converted = 0, clickThrough = 0, revenue: Int64 = 0, controlConverted = 0, controlRevenue: Int64 = 0
        var description: String {
            "sent \(sent) delivered \(delivered) clicks \(clicks)/\(uniqueClicks) bots \(botHits) converted \(converted) ct \(clickThrough) revenue \(revenue) control \(controlConverted)/\(controlRevenue)"
        }
    }

    static func actual(_ s: CampaignStats, totals: RollupDelta) -> Expected {
        Expected(
            sent: Int(s.sent), delivered: Int(s.delivered), clicks: Int(s.clicks), uniqueClicks: Int(s.uniqueClicks),
            botHits: Int(s.botHits), converted: Int(s.convertedUsers), clickThrough: Int(s.clickThroughConversions),
            revenue: s.revenueCents, controlConverted: Int(s.controlConvertedUsers),
            controlRevenue: totals[RollupKey(.controlRevenueCents)] ?? 0)
    }

    /// Generates one history (the fixture is only used for its plan: codes, metas, control members).
    static func generate(seed: UInt64, plan: StoreFixture) -> (actions: [Action], users: [String: UserHistory]) {
        var rng = SplitMix64(seed: seed)
        func r(_ range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &rng) }
        func p(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < probability }
        var actions: [Action] = []
        var users: [String: UserHistory] = [:]
        for m in plan.messages {
            var h = UserHistory()
            let base: Int64
            if m.dispatch == .control {
                h.control = true
                base = t0
            } else {
                h.dispatchAt = t0 + r(0...120)
                h.dispatchOK = p(0.8)
                base = h.dispatchAt
                actions.append(.dispatch(user: m.userId, at: h.dispatchAt, ok: h.dispatchOK))
                for _ in 0..<Int(r(0...2)) {
                    let ts = base + r(1...300)
                    let delivered = p(0.7)
                    let item = CallbackItem(kind: delivered ? .delivered : .failed, meta: m.meta, ts: ts, code: delivered ? nil : "914")
                    if delivered { h.delivered.append(ts) } else { h.failed.append(ts) }
                    actions.append(.callback(item))
                    if p(0.3) { actions.append(.callback(item)) }  // provider resend
                }
                for _ in 0..<Int(r(0...2)) {
                    let at = base + r(0...window)
                    h.humanClicks.append(at)
                    actions.append(.click(user: m.userId, link: Int(r(0...1)), at: at, bot: false))
                }
                for _ in 0..<Int(r(0...2)) {
                    h.botHits += 1
                    actions.append(.click(user: m.userId, link: Int(r(0...1)), at: base + r(-60...window), bot: true))
                }
                if p(0.3) {
                    let at = base + r(0...window)
                    let item = CallbackItem(kind: .clicked, meta: m.meta, ts: at, url: links[Int(r(0...1))])
                    h.providerClicks.insert(at)
                    actions.append(.callback(item))
                    if p(0.5) { actions.append(.callback(item)) }
                }
            }
            for k in 0..<Int(r(0...3)) {
                let id = "\(m.userId)-e\(k)"
                let name = p(0.8) ? "purchase" : "view"
                let ts = base + r(-600...4_000)
                let (value, cents) = values[Int(r(0...Int64(values.count - 1)))]
                let planValue = plans[Int(r(0...2))]
                var props: [String: JSONValue] = ["value": value]
                if let planValue { props["plan"] = planValue }
                h.events[id] = (name, ts, cents, planValue)
                let e = ConversionEventInput(eventId: id, userId: m.userId, name: name, ts: ts, properties: props)
                actions.append(.events([e]))
                if p(0.3) { actions.append(.events([e])) }  // client retry: same eventId
            }
            users[m.userId] = h
        }
        actions.append(.events([ConversionEventInput(eventId: "ghost-1", userId: "ghost", name: "purchase", ts: t0 + 10, properties: [:])]))
        return (actions, users)
    }

    /// The recount: `docs/DOMAIN.md` §4–5 applied to the raw history, nothing read from the store.
    static func recount(_ users: [String: UserHistory]) -> Expected {
        var x = Expected()
        for h in users.values {
            let firstHuman = (h.humanClicks + Array(h.providerClicks)).min()
            x.clicks += h.humanClicks.count + h.providerClicks.count
            x.botHits += h.botHits
            let sentAt: Int64?
            if h.control {
                sentAt = t0
            } else {
                let evidence = !h.delivered.isEmpty || !h.failed.isEmpty || firstHuman != nil
                sentAt = h.dispatchOK || evidence ? h.dispatchAt : nil
                if sentAt != nil { x.sent += 1 }
                if !h.delivered.isEmpty || firstHuman != nil { x.delivered += 1 }
                if firstHuman != nil { x.uniqueClicks += 1 }
            }
            guard let sentAt else { continue }
            let qualifying = h.events.values.filter {
                $0.name == "purchase" && $0.plan != .string("free") && $0.ts > sentAt && $0.ts <= sentAt + window
            }
            guard !qualifying.isEmpty else { continue }
            let cents = qualifying.reduce(Int64(0)) { $0 + $1.cents }
            if h.control {
                x.controlConverted += 1
                x.controlRevenue += cents
            } else {
                x.converted += 1
                x.revenue += cents
                if let c = firstHuman, c >= sentAt - 300, qualifying.contains(where: { c <= $0.ts }) { x.clickThrough += 1 }
            }
        }
        return x
    }

    static func run(_ kind: StoreKind, _ actions: [Action], seed: UInt64, order: UInt64) async throws -> Expected {
        let f = try await StoreFixture(
            kind: kind,
            campaignId: "cmp_prop_\(seed)", users: (0..<8).map { "u\($0)" }, links: links, goal: goal, controlPercent: 25,
            insert: false)
        var rng = SplitMix64(seed: seed &* 1_000 &+ order)
        var deferred: [Action] = []
        var inserted = false
        var sequence: [Action?] = actions.map { $0 } + [nil]  // nil = record the messages
        sequence.shuffle(using: &rng)
        func perform(_ a: Action) async throws {
            switch a {
            case .dispatch(let user, let at, let ok): try await f.dispatch(user, at: at, ok: ok)
            case .callback(let item): _ = try await f.callback([item], receivedAt: t0 + 100_000)
            case .click(let user, let link, let at, let bot):
                _ = try await f.click(user, link: link, at: at, bot: bot ? "user agent matches 'x' (test)" : nil)
            case .events(let e): _ = try await f.store.ingestConversionEvents(e, receivedAt: t0 + 100_000)
            }
        }
        for step in sequence {
            guard let a = step else {
                try await f.insert()
                inserted = true
                for d in deferred { try await perform(d) }
                deferred = []
                continue
            }
            if a.needsMessages && !inserted { deferred.append(a) } else { try await perform(a) }
        }
        return actual(try await f.stats(), totals: try await CampaignStatsQueries(store: f.store).totals(campaignId: f.campaign.id))
    }

    @Test(arguments: StoreKind.allCases, 1...20)
    func everyOrderGivesTheRecount(kind: StoreKind, seed: Int) async throws {
        let seed = UInt64(seed)
        let plan = try await StoreFixture(
            kind: kind,
            campaignId: "cmp_prop_\(seed)", users: (0..<8).map { "u\($0)" }, links: Self.links, goal: Self.goal, controlPercent: 25,
            insert: false)
        let (actions, users) = Self.generate(seed: seed, plan: plan)
        let expected = Self.recount(users)
        for order in UInt64(1)...3 {
            let got = try await Self.run(kind, actions, seed: seed, order: order)
            #expect(got == expected, "seed \(seed) order \(order)")
        }
    }

    /// Guards the generator: over all seeds, the histories exercise every branch the recount has.
    @Test func historiesCoverEveryCase() async throws {
        let kind = StoreKind.sqlite  // the plan only: no store behaviour is checked here
        var total = Expected()
        for seed in UInt64(1)...20 {
            let plan = try await StoreFixture(
            kind: kind,
                campaignId: "cmp_prop_\(seed)", users: (0..<8).map { "u\($0)" }, links: Self.links, goal: Self.goal, controlPercent: 25,
                insert: false)
            let x = Self.recount(Self.generate(seed: seed, plan: plan).users)
            total.converted += x.converted
            total.clickThrough += x.clickThrough
            total.controlConverted += x.controlConverted
            total.botHits += x.botHits
            total.sent += x.sent
            total.delivered += x.delivered
        }
        #expect(total.converted >= 10)
        #expect(total.clickThrough >= 3)
        #expect(total.controlConverted >= 3)
        #expect(total.botHits >= 20)
        #expect(total.sent < 20 * 8)  // some dispatch errors stay unsent
    }
}
