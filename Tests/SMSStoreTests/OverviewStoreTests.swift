import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// Issue 18: the overview across campaigns, the breakdown across campaigns and the comparison,
/// through each store.
@Suite("Overview across campaigns (issue 18)")
struct OverviewStoreTests {
    static let t = StatsFixture.t
    static let day0 = t / 86_400 * 86_400
    static let phones = BreakdownStoreTests.phones
    static let link = "https://shop.example/p"

    /// One message of the history as this test played it (times epoch seconds).
    struct Played {
        var campaign: String
        var sentAt: Int64?
        var deliveredAt: Int64?
        var failedAt: Int64?
        var clickAt: Int64?
    }

    /// A store with three providers (callbacks on and priced by a default only; callbacks off and
    /// priced per country in another currency; callbacks on without prices) and `count` campaigns
    /// with random messages sent on random days 0–59 after `day0`, with receipts and clicks up to
    /// two days later.
    static func history(_ kind: StoreKind, rng: inout SplitMix64, count: Int) async throws -> (TestStore, [Campaign], [Played]) {
        let ts = try await TestStore.make(kind)
        let store = ts.store
        for (id, callbacks) in [("p1", true), ("p2", false), ("p3", true)] {
            try await store.insertProvider(
                ProviderConfig(
                    id: id, name: id, url: "http://127.0.0.1:9/sms", bodyTemplate: #"{"to":"$$To"}"#, callbacksEnabled: callbacks,
                    callbackSecret: "s", createdAt: t - 100))
        }
        #expect(try await store.setPriceTable(PriceTable(currency: "EUR", defaultMicrosPerSegment: 45_000), providerId: "p1"))
        #expect(
            try await store.setPriceTable(
                PriceTable(currency: "USD", defaultMicrosPerSegment: 10_000, microsPerSegmentByCountry: ["DE": 70_000, "US": 7_900]),
                providerId: "p2"))
        var campaigns: [Campaign] = []
        var played: [Played] = []
        for k in 0..<count {
            let c = Campaign(
                id: "c\(k)", name: "Campaign <\(k)> & co", providerId: ["p1", "p2", "p3"][Int.random(in: 0...2, using: &rng)],
                body: "Hi \(link)", links: [link], audience: .all, timezone: "UTC", goal: nil, createdAt: t - 50 + Int64(k))
            try await store.insertCampaign(c)
            campaigns.append(c)
            let sendDay = day0 + 86_400 * Int64.random(in: 0...59, using: &rng)
            var messages: [NewMessage] = []
            var queued: [Int] = []
            for i in 0..<Int.random(in: 0...25, using: &rng) {
                let kind = Int.random(in: 0..<8, using: &rng)
                let dispatch: DispatchStatus = kind == 0 ? .control : kind == 1 ? .dispatchError : .queued
                let links = dispatch == .queued
                    ? [NewShortLink(code: "k\(k)c\(i)x0", linkIndex: 0, url: link, expiresAt: t + 86_400 * 400)] : []
                messages.append(
                    NewMessage(
                        campaignId: c.id, userId: "u\(k)-\(i)", phone: phones[Int.random(in: 0..<phones.count, using: &rng)].phone,
                        meta: "k\(k)m\(i)", body: "Hi", segments: Int.random(in: 1...3, using: &rng), variant: Int.random(in: 0...1, using: &rng),
                        dispatch: dispatch, dispatchErrorReason: dispatch == .dispatchError ? "opted out" : nil, createdAt: t, links: links))
                if dispatch == .queued, Int.random(in: 0..<5, using: &rng) > 0 { queued.append(i) }
            }
            try await store.insertMessages(messages)
            var results: [DispatchResult] = []
            var sentAt: [Int: Int64] = [:]
            for i in queued {
                let at = sendDay + Int64.random(in: 0..<86_400, using: &rng)
                sentAt[i] = at
                let id = try #require(try await ts.messageId(meta: "k\(k)m\(i)"))
                results.append(DispatchResult(messageId: id, outcome: .sent(providerMessageId: nil), at: at))
            }
            try await store.recordDispatchResults(results)
            for i in queued {
                let sent = sentAt[i]!
                var p = Played(campaign: c.id, sentAt: sent)
                func callback(_ kind: CallbackEventKind, at: Int64, code: String? = nil) async throws {
                    _ = try await store.applyCallbacks(
                        providerId: c.providerId, items: [CallbackItem(kind: kind, meta: "k\(k)m\(i)", ts: at, code: code)], receivedAt: at + 1)
                }
                func click(at: Int64) async throws {
                    _ = try await store.recordClick(
                        ClickInput(code: "k\(k)c\(i)x0", at: at, userAgent: "Mozilla/5.0", ipHash: nil, isBot: false, botReason: nil))
                    p.clickAt = at
                }
                func later() -> Int64 { sent + Int64.random(in: 1...172_800, using: &rng) }
                switch Int.random(in: 0..<6, using: &rng) {
                case 0:
                    p.deliveredAt = later()
                    try await callback(.delivered, at: p.deliveredAt!)
                case 1:
                    p.failedAt = later()
                    try await callback(.failed, at: p.failedAt!, code: ["30003", "914", nil][Int.random(in: 0...2, using: &rng)])
                case 2: try await callback(.submitted, at: sent + 5)
                case 3: try await click(at: later())
                case 4:
                    p.deliveredAt = sent + Int64.random(in: 1...600, using: &rng)
                    try await callback(.delivered, at: p.deliveredAt!)
                    try await click(at: p.deliveredAt! + Int64.random(in: 1...172_800, using: &rng))
                default: break
                }
                played.append(p)
            }
        }
        return (ts, campaigns, played)
    }

    static func label(_ day: Int64) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(day0 + 86_400 * day)))
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// Property: random campaigns and histories, a random period and zone. The active campaigns
    /// are exactly those with a message sent, delivered, failed or clicked in the period (computed
    /// from the played history); the totals equal the sums of their per-campaign `/stats`; the
    /// rates are recomputed from the sums; the trend adds up to the messages sent in the period;
    /// the cost per currency is the sum of their `/cost`; every dimension of the breakdown across
    /// campaigns adds up to the totals; the rankings are the extremes of the rows.
    @Test("property: the overview's totals are the sums of the active campaigns' /stats; breakdown rows add up to them", arguments: StoreKind.allCases)
    func totalsAreSumsOfStats(kind: StoreKind) async throws {
        var rng = SplitMix64(seed: 0x0E4E_2018)
        for round in 0..<5 {
            let (ts, campaigns, played) = try await Self.history(kind, rng: &rng, count: Int.random(in: 2...7, using: &rng))
            let store = ts.store
            let fromDay = Int64.random(in: 0...40, using: &rng)
            let toDay = fromDay + Int64.random(in: 0...25, using: &rng)
            let tz = ["UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns"][Int.random(in: 0...3, using: &rng)]
            let period = try OverviewPeriod(from: Self.label(fromDay), to: Self.label(toDay), tz: tz, now: Self.t)
            let minSent = Int64.random(in: 1...8, using: &rng)
            let overview = try await OverviewQueries(store: store).overview(period, minSent: minSent)
            let stats = CampaignStatsQueries(store: store)

            func inPeriod(_ at: Int64?) -> Bool { at.map { $0 >= period.start && $0 < period.end } ?? false }
            let activeIds = Set(played.filter { inPeriod($0.sentAt) || inPeriod($0.deliveredAt) || inPeriod($0.failedAt) || inPeriod($0.clickAt) }.map(\.campaign))
            #expect(Set(overview.campaigns.map(\.id)) == activeIds, "round \(round) (\(tz) \(period.from)…\(period.to)): active campaigns")
            #expect(overview.totals.campaigns == activeIds.count)

            var sum = (sent: Int64(0), delivered: Int64(0), failed: Int64(0), pending: Int64(0), unique: Int64(0), clicks: Int64(0), denominator: Int64(0))
            var costs: [String: Int64] = [:]
            for c in campaigns where activeIds.contains(c.id) {
                let s = try await stats.summary(c).all
                sum.sent += s.sent
                sum.delivered += s.delivered
                sum.failed += s.failed
                sum.pending += s.pending
                sum.unique += s.uniqueClicks
                sum.clicks += s.clicks
                sum.denominator += s.callbacksEnabled ? s.delivered : s.sent
                let row = try #require(overview.campaigns.first { $0.id == c.id })
                #expect(row.sent == s.sent && row.delivered == s.delivered && row.failed == s.failed && row.pending == s.pending)
                #expect(row.deliveryRate == s.deliveryRate && row.ctr == s.ctr && row.uniqueClicks == s.uniqueClicks && row.name == c.name)
                let cost = try await stats.cost(c)
                #expect(row.cost?.totalMicros == cost?.totalMicros && row.cost?.currency == cost?.currency, "round \(round) \(c.id): cost")
                if let cost { costs[cost.currency, default: 0] += cost.totalMicros }
            }
            let t = overview.totals
            #expect(t.sent == sum.sent && t.delivered == sum.delivered && t.failed == sum.failed && t.pending == sum.pending, "round \(round)")
            #expect(t.uniqueClicks == sum.unique && t.clicks == sum.clicks && t.ctrDenominatorCount == sum.denominator, "round \(round)")
            #expect(t.deliveryRate == CampaignStats.percent(sum.delivered, sum.sent))
            #expect(t.ctr == CampaignStats.percent(sum.unique, sum.denominator))
            #expect(Dictionary(uniqueKeysWithValues: overview.cost.map { ($0.currency, $0.totalMicros) }) == costs, "round \(round): cost per currency")

            // The trend: one point per day, adding up to the messages sent in the period.
            #expect(overview.trend.count == period.days.count && overview.trend.first?.start == period.from && overview.trend.last?.start == period.to)
            #expect(overview.trend.reduce(0) { $0 + $1.sent } == Int64(played.filter { inPeriod($0.sentAt) }.count), "round \(round): trend sent")
            #expect(overview.trend.reduce(0) { $0 + $1.delivered } == Int64(played.filter { inPeriod($0.deliveredAt ?? $0.clickAt) }.count))
            #expect(overview.trend.reduce(0) { $0 + $1.clicked } == Int64(played.filter { inPeriod($0.clickAt) }.count))

            // The breakdown across campaigns adds up to the totals in every dimension.
            for by in BreakdownDimension.allCases {
                let rows = try await OverviewQueries(store: store).breakdown(by: by, period: period).rows
                #expect(rows.reduce(0) { $0 + $1.sent } == t.sent, "round \(round) \(by): sent")
                #expect(rows.reduce(0) { $0 + $1.delivered } == t.delivered, "round \(round) \(by): delivered")
                #expect(rows.reduce(0) { $0 + $1.failed } == t.failed, "round \(round) \(by): failed")
                #expect(rows.reduce(0) { $0 + $1.pending } == t.pending, "round \(round) \(by): pending")
                #expect(rows.reduce(0) { $0 + $1.uniqueClicks } == t.uniqueClicks, "round \(round) \(by): unique clicks")
                var codes: [String: Int64] = [:]
                for r in rows { for e in r.errors { codes[e.code, default: 0] += e.count } }
                #expect(codes == Dictionary(uniqueKeysWithValues: overview.topErrors.map { ($0.code, $0.count) }), "round \(round) \(by): errors")
                for r in rows { #expect(r.deliveryRate == CampaignStats.percent(r.delivered, r.sent)) }
            }
            let byProvider = try await OverviewQueries(store: store).breakdown(by: .provider, period: period).rows
            for r in byProvider {
                #expect(r.sent == overview.campaigns.filter { $0.providerId == r.key }.reduce(0) { $0 + $1.sent })
            }

            // Rankings: the extremes of the qualifying rows.
            let ranked = overview.campaigns.filter { $0.sent >= minSent }
            #expect(overview.rankings.ctr?.best.value == ranked.map(\.ctr).max())
            #expect(overview.rankings.ctr?.worst.value == ranked.map(\.ctr).min())
            #expect(overview.rankings.deliveryRate?.best.value == ranked.filter(\.callbacksEnabled).map(\.deliveryRate).max())
            #expect(overview.rankings.deliveryRate?.worst.value == ranked.filter(\.callbacksEnabled).map(\.deliveryRate).min())
            await ts.close()
        }
    }

    /// The comparison holds each campaign's `/stats`, `/latency` and `/cost` numbers in the order
    /// asked; an unknown id is refused naming it.
    @Test("compare: each campaign's /stats, /latency p50/p90 and /cost side by side; unknown ids refused", arguments: StoreKind.allCases)
    func comparison(kind: StoreKind) async throws {
        var rng = SplitMix64(seed: 0xC0_4FA2E)
        let (ts, campaigns, _) = try await Self.history(kind, rng: &rng, count: 4)
        let stats = CampaignStatsQueries(store: ts.store)
        let ids = [campaigns[2].id, campaigns[0].id, campaigns[3].id]
        let cmp = try await OverviewQueries(store: ts.store).compare(ids: ids)
        #expect(cmp.campaigns.map(\.id) == ids)
        for (entry, id) in zip(cmp.campaigns, ids) {
            let c = try #require(campaigns.first { $0.id == id })
            #expect(entry.stats == (try await stats.summary(c).all))
            let latency = try await stats.latency(c, variant: nil)
            #expect(entry.latency.p50Seconds == latency.p50Seconds && entry.latency.p90Seconds == latency.p90Seconds)
            #expect(entry.latency.delivered == latency.delivered)
            let cost = try await stats.cost(c)
            #expect(entry.cost?.totalMicros == cost?.totalMicros && entry.cost?.perDelivered == cost?.perDelivered)
            #expect((entry.cost == nil) == (c.providerId == "p3"))
        }
        await #expect(throws: CompareIdsError(description: "ids names unknown campaign(s): 'nope'")) {
            try await OverviewQueries(store: ts.store).compare(ids: ["c0", "nope"])
        }
        await ts.close()
    }
}
