import Testing

@testable import SMSCore

@Suite("Stats formulas (docs/DOMAIN.md §6)")
struct CampaignStatsTests {
    @Test("PITFALLS.md #12: one delivered message whose recipient clicks 3 links → CTR 100 %, not 300 %")
    func threeLinksOneMessage() {
        var s = MessageState(dispatch: .sent, dispatchedAt: 100)
        s.apply(.receipt(kind: .delivered, at: 110, code: nil, description: nil))
        for t in [120, 121, 122] as [Int64] { s.apply(.humanClick(at: t)) }
        var totals = MessageContribution.of(s, segments: 1)
        totals.bump(.clicks, by: 3)
        let stats = CampaignReport.stats(totals: totals, callbacksEnabled: true)
        #expect(stats.clicks == 3)
        #expect(stats.uniqueClicks == 1)
        #expect(stats.ctr == 100)
    }

    @Test("PITFALLS.md #13: 10 sent, 8 delivered, 2 unique clickers → CTR 25 % with callbacks, 20 % without")
    func ctrDenominatorSwitch() {
        let totals: [RollupMetric: Int64] = [.sent: 10, .delivered: 8, .uniqueClicks: 2, .pending: 2]
        let on = CampaignStats(totals: totals, callbacksEnabled: true)
        let off = CampaignStats(totals: totals, callbacksEnabled: false)
        #expect(on.ctr == 25)
        #expect(on.ctrDenominator == "delivered")
        #expect(off.ctr == 20)
        #expect(off.ctrDenominator == "sent")
        #expect(on.deliveryRate == 80)
    }

    @Test("zero denominators give 0, never NaN")
    func zeroDenominators() {
        let s = CampaignStats(totals: [:], callbacksEnabled: true)
        #expect(s.ctr == 0)
        #expect(s.deliveryRate == 0)
        #expect(s.convertedPercent == 0)
        #expect(s.arpu == 0)
        #expect(s.lift == nil)
        #expect(s.incrementalRevenue == nil)
    }

    @Test("conversions: rate on users sent, ARPU, lift and incremental revenue")
    func conversionFormulas() {
        // 200 sent, 30 converted (15 %), revenue 600.00; control 50 users, 5 converted (10 %), 50.00.
        let s = CampaignStats(
            totals: [
                .sent: 200, .delivered: 180, .convertedUsers: 30, .clickThroughUsers: 12, .revenueCents: 60_000,
                .controlGroup: 50, .controlConvertedUsers: 5, .controlRevenueCents: 5_000,
            ], callbacksEnabled: true)
        #expect(s.convertedPercent == 15)
        #expect(s.revenue == 600)
        #expect(s.arpu == 3)
        #expect(s.controlConvertedPercent == 10)
        #expect(abs(s.lift! - 50) < 1e-9)  // (15 − 10) / 10 × 100
        #expect(abs(s.incrementalRevenue! - 400) < 1e-9)  // (3.00 − 1.00) × 200
        #expect(s.clickThroughConversions == 12)
    }

    @Test("identities: Sent = Delivered + Failed + Pending; Targeted = Sent + dispatch errors + control")
    func identities() {
        let states: [MessageState] = [
            MessageState(dispatch: .sent, dispatchedAt: 1, deliveredAt: 2),
            MessageState(dispatch: .sent, dispatchedAt: 1, failure: .init(code: "914", description: nil, at: 3)),
            MessageState(dispatch: .sent, dispatchedAt: 1),
            MessageState(dispatch: .sent, dispatchedAt: 1, submittedAt: 2),
            MessageState(dispatch: .dispatchError, dispatchedAt: 1, dispatchErrorReason: "timeout"),
            MessageState(dispatch: .control, dispatchedAt: 1),
        ]
        var totals = RollupDelta()
        for s in states { totals.add(MessageContribution.of(s, segments: 1)) }
        let stats = CampaignReport.stats(totals: totals, callbacksEnabled: true)
        #expect(stats.sent == 4)
        #expect(stats.delivered == 1)
        #expect(stats.failed == 1)
        #expect(stats.pending == 2)
        #expect(stats.sent == stats.delivered + stats.failed + stats.pending)
        #expect(stats.targeted == 6)
        #expect(stats.targeted == stats.sent + stats.dispatchErrors + stats.controlGroup)
    }

    @Test("PITFALLS.md #14: Europe/Berlin, click at 2024-03-09T23:30:00Z counts on 10 March")
    func berlinDay() throws {
        let b = try TrendBucketer(timeZoneIdentifier: "Europe/Berlin", granularity: .day)
        let t: Int64 = 1_710_027_000  // 2024-03-09T23:30:00Z
        #expect(b.periodStart(ofEpochSeconds: t) == "2024-03-10")
        let points = b.trend(cells: [RollupBucketCell(metric: .uniqueClicks, bucket: RollupKey.bucket(of: t), value: 1)])
        #expect(points == [TrendPoint(start: "2024-03-10", clicked: 1)])
    }

    @Test("links: shares of all human clicks, bot hits apart")
    func linkSplit() {
        let totals: RollupDelta = [
            RollupKey(.linkClicks, dim: "0"): 3, RollupKey(.linkUniqueClicks, dim: "0"): 2,
            RollupKey(.linkClicks, dim: "1"): 1, RollupKey(.linkUniqueClicks, dim: "1"): 1,
            RollupKey(.linkBotHits, dim: "1"): 4,
        ]
        let links = CampaignReport.links(totals: totals, urls: ["https://a.example/x", "https://b.example/y"])
        #expect(links.map(\.clicks) == [3, 1])
        #expect(links.map(\.uniqueClicks) == [2, 1])
        #expect(links.map(\.share) == [75, 25])
        #expect(links.map(\.botHits) == [0, 4])
    }
}
