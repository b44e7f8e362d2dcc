import Foundation
import SMSCore
import Testing

import SMSStoreTestSupport

/// The Stats tab through each store (SQLite, PostgreSQL): rollups maintained by the units of work, read back by
/// ``CampaignStatsQueries`` (`docs/DOMAIN.md` §6, PITFALLS.md #4, 12–14, 20).
@Suite("Stats through the stores")
struct StatsStoreTests {
    typealias F = StatsFixture
    static let t = StatsFixture.t

    @Test(arguments: StoreKind.allCases)
    func pitfall12OneRecipientClickingThreeLinksIsCTR100(kind: StoreKind) async throws {
        let f = try await F(kind: kind)
        try await f.sendMessages(1)
        try await f.callback(.delivered, 0, at: Self.t + 5)
        for link in 0..<3 { try await f.click(0, link: link, at: Self.t + 60 + Int64(link)) }
        let s = try await f.queries.summary(f.campaign).all
        #expect(s.clicks == 3)
        #expect(s.uniqueClicks == 1)
        #expect(s.delivered == 1)
        #expect(s.ctr == 100)
        let links = try await f.queries.links(f.campaign, variant: nil)
        #expect(links.map(\.clicks) == [1, 1, 1])
        #expect(links.map(\.uniqueClicks) == [1, 1, 1])
    }

    /// 10 sent, 8 delivered, 2 unique clickers (one clicks twice).
    static func pitfall13(_ kind: StoreKind, callbacks: Bool) async throws -> F {
        let f = try await F(kind: kind, callbacks: callbacks)
        try await f.sendMessages(10)
        for i in 0..<8 { try await f.callback(.delivered, i, at: Self.t + 10) }
        try await f.click(0, link: 0, at: Self.t + 100)
        try await f.click(0, link: 1, at: Self.t + 110)
        try await f.click(1, link: 0, at: Self.t + 120)
        return f
    }

    @Test(arguments: StoreKind.allCases)
    func pitfall13CTRIs25PercentInSummaryTrendAndFunnelWithCallbacks(kind: StoreKind) async throws {
        let f = try await Self.pitfall13(kind, callbacks: true)
        let s = try await f.queries.summary(f.campaign).all
        #expect((s.sent, s.delivered, s.uniqueClicks, s.clicks) == (10, 8, 2, 3))
        #expect(s.ctr == 25)
        let trend = try await f.queries.trend(f.campaign, granularity: .day, timeZone: nil, variant: nil)
        #expect(trend.buckets.map(\.ctr) == [25])
        #expect(trend.ctrDenominator == "delivered")
        let funnel = try await f.queries.funnel(f.campaign, variant: nil)
        #expect(funnel.ctr == 25)
        #expect(funnel.steps[2].rate == 25)
    }

    @Test(arguments: StoreKind.allCases)
    func pitfall13CTRIs20PercentOnSentWithoutCallbacks(kind: StoreKind) async throws {
        let f = try await Self.pitfall13(kind, callbacks: false)
        let s = try await f.queries.summary(f.campaign).all
        #expect(s.ctr == 20)
        #expect(s.ctrDenominator == "sent")
        #expect(try await f.queries.trend(f.campaign, granularity: .week, timeZone: nil, variant: nil).buckets.map(\.ctr) == [20])
        #expect(try await f.queries.funnel(f.campaign, variant: nil).steps[2].rate == 20)
    }

    @Test(arguments: StoreKind.allCases)
    func pitfall14TrendIsInTheCampaignsZone(kind: StoreKind) async throws {
        let f = try await F(kind: kind, timezone: "Europe/Berlin")
        try await f.store.insertMessages([F.message(0)])
        let late: Int64 = 1_710_027_000  // 2024-03-09T23:30:00Z
        let queued = try await f.store.queuedMessages(campaignId: "c1", limit: 10)
        try await f.store.recordDispatchResults([DispatchResult(messageId: queued[0].messageId, outcome: .sent(providerMessageId: nil), at: late)])
        try await f.click(0, link: 0, at: late)
        let berlin = try await f.queries.trend(f.campaign, granularity: .day, timeZone: nil, variant: nil)
        #expect(berlin.timezone == "Europe/Berlin")
        #expect(berlin.buckets == [TrendPoint(start: "2024-03-10", sent: 1, delivered: 1, clicked: 1, clicks: 1, ctr: 100)])
        let utc = try await f.queries.trend(f.campaign, granularity: .day, timeZone: "UTC", variant: nil)
        #expect(utc.buckets.map(\.start) == ["2024-03-09"])
        await #expect(throws: StatsQueryError.unknownTimeZone("Nowhere/Land")) {
            try await f.queries.trend(f.campaign, granularity: .day, timeZone: "Nowhere/Land", variant: nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func pitfall3LateIntermediateStatusDoesNotMoveTheTrend(kind: StoreKind) async throws {
        let f = try await F(kind: kind, timezone: "UTC")
        try await f.sendMessages(1)
        try await f.callback(.delivered, 0, at: Self.t + 10)
        let before = try await f.queries.trend(f.campaign, granularity: .day, timeZone: nil, variant: nil)
        try await f.callback(.submitted, 0, at: Self.t + 40)
        let after = try await f.queries.trend(f.campaign, granularity: .day, timeZone: nil, variant: nil)
        #expect(after == before)
        #expect(after.buckets == [TrendPoint(start: "2024-03-09", sent: 1, delivered: 1)])
        #expect(try await f.queries.summary(f.campaign).all.pending == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func pitfall16OutOfOrderSameSecondEventsCountInEveryFunnelStep(kind: StoreKind) async throws {
        let goal = ConversionGoal(event: "purchase", windowMinutes: 60)
        let f = try await F(kind: kind, goal: goal)
        let ten: Int64 = 1_710_064_800  // 2024-03-10T10:00:00Z
        try await f.store.insertMessages([F.message(0)])
        let queued = try await f.store.queuedMessages(campaignId: "c1", limit: 1)
        try await f.store.recordDispatchResults([DispatchResult(messageId: queued[0].messageId, outcome: .sent(providerMessageId: nil), at: ten)])
        // The conversion arrives first, then the click, then the receipt stamped after the click.
        _ = try await f.store.ingestConversionEvents(
            [ConversionEventInput(eventId: "e", userId: "u0", name: "purchase", ts: ten + 3, properties: [:])], receivedAt: ten + 3)
        try await f.click(0, link: 0, at: ten + 3)
        try await f.callback(.delivered, 0, at: ten + 5)
        let funnel = try await f.queries.funnel(f.campaign, variant: nil)
        #expect(funnel.steps.map(\.users) == [1, 1, 1, 1])
        #expect(funnel.clickThroughConversions == 1)
        #expect(funnel.steps.map(\.rate) == [100, 100, 100, 100])
    }

    @Test(arguments: StoreKind.allCases)
    func errorsTabShowsReasonsCodesAndProviderDescriptions(kind: StoreKind) async throws {
        let f = try await F(kind: kind)
        try await f.store.insertMessages([
            F.message(90, dispatch: .dispatchError, reason: "no phone on profile"),
            F.message(91, dispatch: .dispatchError, reason: "no phone on profile"),
            F.message(92, dispatch: .dispatchError, reason: "user opted out / DND"),
        ])
        try await f.sendMessages(5)
        // PITFALLS.md #4: 30003 then a failure without a code: still 30003, once.
        try await f.callback(.failed, 0, at: Self.t + 5, code: "30003")
        try await f.callback(.failed, 0, at: Self.t + 9)
        try await f.callback(.failed, 1, at: Self.t + 5, code: "777", description: "Carrier rejected: spam")
        try await f.callback(.failed, 2, at: Self.t + 5, code: "777", description: "Blocked by carrier")
        try await f.callback(.failed, 3, at: Self.t + 5, code: "914", description: "whatever the provider says")
        // A failure then a delivery: delivered, not an error.
        try await f.callback(.failed, 4, at: Self.t + 5, code: "914")
        try await f.callback(.delivered, 4, at: Self.t + 6)
        let errors = try await f.queries.errors(f.campaign, variant: nil)
        #expect(
            errors.dispatch == [
                DispatchErrorStat(reason: "no phone on profile", count: 2), DispatchErrorStat(reason: "user opted out / DND", count: 1),
            ])
        #expect(
            errors.delivery == [
                DeliveryErrorStat(code: "777", description: "Blocked by carrier", category: "unknown", count: 2),
                DeliveryErrorStat(code: "30003", description: "Unknown error 30003", category: "unknown", count: 1),
                DeliveryErrorStat(code: "914", description: "Undelivered after retries", category: "operator", count: 1),
            ])
        #expect(try await f.store.deliveryErrorDescriptions(campaignId: "c1") == [
            "777": "Blocked by carrier", "914": "whatever the provider says",
        ])
    }

    @Test(arguments: StoreKind.allCases)
    func variantsAreCountedApartAndTogether(kind: StoreKind) async throws {
        let f = try await F(kind: kind)
        try await f.sendMessages(6) { $0 % 2 }
        for i in [0, 1, 3] { try await f.callback(.delivered, i, at: Self.t + 5) }
        try await f.click(3, link: 0, at: Self.t + 50)
        let summary = try await f.queries.summary(f.campaign)
        #expect(summary.all.sent == 6)
        #expect(summary.all.delivered == 3)
        #expect(summary.variants.map(\.variant) == [0, 1])
        #expect(summary.variants.map(\.stats.delivered) == [1, 2])
        #expect(summary.variants.map(\.stats.uniqueClicks) == [0, 1])
        #expect(summary.variants[1].stats.ctr == 50)
        let v1 = try await f.queries.links(f.campaign, variant: 1)
        #expect(v1.map(\.clicks) == [1, 0, 0])
        #expect(try await f.queries.funnel(f.campaign, variant: 0).steps.map(\.users) == [3, 1, 0, 0])
        #expect(try await f.queries.trend(f.campaign, granularity: .day, timeZone: nil, variant: 1).buckets.map(\.sent) == [3])
        await #expect(throws: StatsQueryError.unknownVariant(7, known: [0, 1])) {
            try await f.queries.links(f.campaign, variant: 7)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func controlMemberConvertsOnAnEventStoredBeforeTheMessage(kind: StoreKind) async throws {
        let goal = ConversionGoal(event: "purchase", windowMinutes: 60, revenueProperty: "amount")
        let f = try await F(kind: kind, goal: goal)
        _ = try await f.store.ingestConversionEvents(
            [ConversionEventInput(eventId: "e1", userId: "u0", name: "purchase", ts: Self.t + 600, properties: ["amount": .number(20)])],
            receivedAt: Self.t - 10)
        try await f.store.insertMessages([F.message(0, dispatch: .control)])
        let s = try await f.queries.summary(f.campaign).all
        #expect(s.controlGroup == 1)
        #expect(s.controlConvertedUsers == 1)
        #expect(s.controlConvertedPercent == 100)
        #expect(try await f.store.reconcile(campaignId: "c1", repair: false).isClean)
    }


    @Test(arguments: StoreKind.allCases)
    func reconcileFindsNoDriftAfterANormalHistory(kind: StoreKind) async throws {
        let f = try await F.busyHistory(kind)
        let report = try await f.store.reconcile(campaignId: "c1", repair: false)
        #expect(report.messages == 8)
        #expect(report.isClean, "\(report)")
        let s = try await f.queries.summary(f.campaign).all
        #expect((s.sent, s.delivered, s.failed, s.pending, s.dispatchErrors, s.controlGroup) == (6, 2, 1, 3, 1, 1))
        #expect((s.clicks, s.uniqueClicks, s.botHits, s.replies, s.optOuts) == (3, 2, 1, 2, 1))
        #expect((s.convertedUsers, s.clickThroughConversions, s.revenueCents, s.controlConvertedUsers) == (1, 1, 3_000, 1))
    }

    @Test(arguments: StoreKind.allCases)
    func reconcileReportsDriftPerMetricAndRepairFixesIt(kind: StoreKind) async throws {
        let f = try await F.busyHistory(kind)
        // Damage: a lost delivered receipt in the message state, a rollup off by 5, a stray cell,
        // a wrong link counter and a wrong description.
        let db = f.testStore
        try await db.query("UPDATE messages SET delivered_at = NULL WHERE meta = 'm0'")
        // (+5 and +4 through upserts of the base row: on PostgreSQL the written cells are slot rows, ``PGRollupWriter``.)
        try await db.query("""
            INSERT INTO rollups (campaign_id, variant, metric, dim, bucket, value) VALUES ('c1', 1, 'sent', '', -1, 5)
            ON CONFLICT (campaign_id, variant, metric, dim, bucket) DO UPDATE SET value = rollups.value + 5
            """)
        try await db.query("""
            INSERT INTO rollups (campaign_id, variant, metric, dim, bucket, value) VALUES ('c1', 0, 'replies', '', -1, 4)
            ON CONFLICT (campaign_id, variant, metric, dim, bucket) DO UPDATE SET value = rollups.value + 4
            """)
        try await db.query("UPDATE short_links SET human_clicks = 9 WHERE code = 'c0x0'")
        try await db.query("UPDATE delivery_error_descriptions SET description = 'zzz'")
        let report = try await f.store.reconcile(campaignId: "c1", repair: false)
        #expect(report.stateDrifts == 1)
        #expect(report.linkCounterDrifts == 1)
        #expect(report.descriptionDrifts == 1)
        #expect(report.conversionDrifts == 0)
        #expect(report.repaired == false)
        #expect(report.metrics.contains(MetricDrift(metric: .sent, stored: 11, expected: 6, cells: 1)))
        #expect(report.metrics.contains(MetricDrift(metric: .replies, stored: 6, expected: 2, cells: 1)))
        #expect(report.metrics.map(\.metric) == [.sent, .replies])
        // Nothing was changed by the report.
        #expect(try await f.queries.summary(f.campaign).all.sent == 11)

        let repaired = try await f.store.reconcile(campaignId: "c1", repair: true)
        #expect(repaired.repaired)
        #expect(repaired.cells == report.cells)
        let after = try await f.store.reconcile(campaignId: "c1", repair: false)
        #expect(after.isClean, "\(after)")
        let s = try await f.queries.summary(f.campaign).all
        #expect((s.sent, s.delivered, s.replies) == (6, 2, 2))
        #expect(try await f.store.deliveryErrorDescriptions(campaignId: "c1") == ["777": "Blocked"])
        let state = try await f.testStore.messageState(meta: "m0")?.deliveredAt
        #expect(state == Self.t + 5)
    }

    @Test(arguments: StoreKind.allCases)
    func reconcileOfAnUnknownCampaignThrowsNotFound(kind: StoreKind) async throws {
        let f = try await F(kind: kind)
        await #expect(throws: StoreError.notFound("campaign nope")) { try await f.store.reconcile(campaignId: "nope", repair: false) }
    }
}
