import Foundation
import SMSCore
import Testing

/// The Stats-tab formulas of `docs/DOMAIN.md` §6 with written-out values.
@Suite("Stats formulas, summary, funnel, links and errors")
struct StatsFormulaTests {
    static let t: Int64 = 1_710_000_000

    /// Totals of messages built from facts, through the state machine and the contribution.
    static func totals(_ histories: [[MessageFact]], segments: Int = 1) -> RollupDelta {
        var d = RollupDelta()
        for facts in histories {
            var s = MessageState()
            for f in facts { s.apply(f) }
            d.add(MessageContribution.of(s, segments: segments))
        }
        return d
    }

    @Test func pitfall12OneDeliveredMessageClickedOnThreeLinksIsCTR100() {
        var d = Self.totals([
            [.dispatched(at: Self.t), .receipt(kind: .delivered, at: Self.t + 5, code: nil, description: nil),
             .humanClick(at: Self.t + 60), .humanClick(at: Self.t + 70), .humanClick(at: Self.t + 80)],
        ])
        d.bump(.clicks, by: 3)  // the click counter counts every human click
        let s = CampaignReport.stats(totals: d, callbacksEnabled: true)
        #expect(s.uniqueClicks == 1)
        #expect(s.clicks == 3)
        #expect(s.delivered == 1)
        #expect(s.ctr == 100)
        #expect(CampaignReport.stats(totals: d, callbacksEnabled: false).ctr == 100)
    }

    /// 10 sent, 8 delivered (2 of them clicked), 2 pending.
    static var pitfall13Totals: RollupDelta {
        let delivered: [[MessageFact]] = (0..<8).map { i in
            var f: [MessageFact] = [.dispatched(at: t), .receipt(kind: .delivered, at: t + 10, code: nil, description: nil)]
            if i < 2 { f.append(.humanClick(at: t + 100)) }
            return f
        }
        return totals(delivered + [[.dispatched(at: t)], [.dispatched(at: t)]])
    }

    @Test func pitfall13CTRIs25PercentOnDeliveredWithCallbacksAnd20OnSentWithout() {
        let on = CampaignReport.stats(totals: Self.pitfall13Totals, callbacksEnabled: true)
        #expect(on.sent == 10)
        #expect(on.delivered == 8)
        #expect(on.uniqueClicks == 2)
        #expect(on.ctr == 25)
        #expect(on.ctrDenominator == "delivered")
        let off = CampaignReport.stats(totals: Self.pitfall13Totals, callbacksEnabled: false)
        #expect(off.ctr == 20)
        #expect(off.ctrDenominator == "sent")
        // The funnel's clicked step uses the same rate and denominator.
        let funnel = CampaignFunnel(stats: on)
        #expect(funnel.ctr == 25)
        #expect(funnel.steps.map(\.step) == ["sent", "delivered", "clicked", "converted"])
        #expect(funnel.steps.map(\.users) == [10, 8, 2, 0])
        #expect(funnel.steps[2].rate == 25)
        #expect(funnel.steps[2].formula == "unique clicked / delivered × 100")
        #expect(funnel.steps[1].rate == 80)
        #expect(funnel.steps[2].percentOfSent == 20)
        let funnelOff = CampaignFunnel(stats: off)
        #expect(funnelOff.steps[2].rate == 20)
        #expect(funnelOff.steps[1].tracked == false)
    }

    @Test func ctrIsZeroWhenTheDenominatorIsZero() {
        #expect(CampaignStats.ctr(uniqueClicks: 0, delivered: 0, sent: 0, callbacksEnabled: true) == 0)
        #expect(CampaignStats.ctr(uniqueClicks: 3, delivered: 0, sent: 10, callbacksEnabled: true) == 0)
        #expect(CampaignStats.ctr(uniqueClicks: 3, delivered: 0, sent: 10, callbacksEnabled: false) == 30)
        #expect(CampaignStats.percent(1, 3) == 33.33333333333333)
    }

    @Test func pitfall7ClicksWithoutReceiptsAreInferredDeliveriesAndCTRStaysAt100() {
        // Callbacks configured, none arrive: 100 sent, 5 of them clicked.
        let histories: [[MessageFact]] = (0..<100).map { i in
            i < 5 ? [.dispatched(at: Self.t), .humanClick(at: Self.t + 30)] : [.dispatched(at: Self.t)]
        }
        let s = CampaignReport.stats(totals: Self.totals(histories), callbacksEnabled: true)
        #expect(s.delivered == 5)
        #expect(s.inferredDelivered == 5)
        #expect(s.pending == 95)
        #expect(s.ctr == 100)
        #expect(s.deliveryRate == 5)
    }

    @Test func conversionRevenueArpuLiftAndIncrementalRevenue() {
        let totals: [RollupMetric: Int64] = [
            .sent: 200, .delivered: 180, .convertedUsers: 30, .clickThroughUsers: 12, .revenueCents: 60_000,
            .controlGroup: 50, .controlConvertedUsers: 5, .controlRevenueCents: 5_000,
        ]
        let s = CampaignStats(totals: totals, callbacksEnabled: true)
        #expect(s.convertedPercent == 15)
        #expect(s.clickThroughConversions == 12)
        #expect(s.revenue == 600)
        #expect(s.arpu == 3)
        #expect(s.controlConvertedPercent == 10)
        #expect(s.lift == 50)  // (15 − 10) / 10 × 100
        #expect(s.incrementalRevenue == 400)  // (3.00 − 1.00) × 200
        #expect(s.deliveryRate == 90)
        #expect(s.targeted == 250)
    }

    @Test func liftIsAbsentWithoutControlGroupOrWithAZeroControlRate() {
        let none = CampaignStats(totals: [.sent: 10, .convertedUsers: 2], callbacksEnabled: true)
        #expect(none.lift == nil)
        #expect(none.incrementalRevenue == nil)
        let zero = CampaignStats(totals: [.sent: 10, .convertedUsers: 2, .revenueCents: 1_000, .controlGroup: 4], callbacksEnabled: true)
        #expect(zero.lift == nil)
        #expect(zero.incrementalRevenue == 10)  // (1.00 − 0) × 10
    }

    @Test func sentIsDeliveredPlusFailedPlusPendingAndTargetedAddsUp() {
        let histories: [[MessageFact]] = [
            [.dispatched(at: Self.t), .receipt(kind: .delivered, at: Self.t + 1, code: nil, description: nil)],
            [.dispatched(at: Self.t), .receipt(kind: .failed, at: Self.t + 1, code: "914", description: nil)],
            [.dispatched(at: Self.t), .receipt(kind: .submitted, at: Self.t + 1, code: nil, description: nil)],
            [.dispatched(at: Self.t)],
            [.dispatchFailed(reason: "timeout", at: Self.t)],
            // PITFALLS.md #6: a 429 then a delivered callback: sent and delivered, no dispatch error.
            [.dispatchFailed(reason: "provider HTTP error 429", at: Self.t),
             .receipt(kind: .delivered, at: Self.t + 9, code: nil, description: nil)],
        ]
        var d = Self.totals(histories)
        d.add(MessageContribution.of(MessageState(dispatch: .control, dispatchedAt: Self.t), segments: 1))
        let s = CampaignReport.stats(totals: d, callbacksEnabled: true)
        #expect(s.sent == 5)
        #expect(s.delivered == 2)
        #expect(s.failed == 1)
        #expect(s.pending == 2)
        #expect(s.dispatchErrors == 1)
        #expect(s.controlGroup == 1)
        #expect(s.sent == s.delivered + s.failed + s.pending)
        #expect(s.targeted == 7)
        #expect(CampaignReport.dispatchErrors(totals: d) == [DispatchErrorStat(reason: "timeout", count: 1)])
    }

    @Test func variantsAreListedWhenThereAreSeveralAndAllAddsThemUp() throws {
        var v0 = Self.totals((0..<4).map { i in
            i == 0 ? [.dispatched(at: Self.t), .humanClick(at: Self.t + 5)] : [.dispatched(at: Self.t)]
        })
        v0.add(MessageContribution.of(MessageState(dispatch: .control, dispatchedAt: Self.t), segments: 0))
        v0.add(MessageContribution.of(MessageState(dispatch: .control, dispatchedAt: Self.t), segments: 0))
        v0.bump(.controlConvertedUsers)
        let v1 = Self.totals((0..<6).map { i in
            i < 3 ? [.dispatched(at: Self.t), .receipt(kind: .delivered, at: Self.t + 5, code: nil, description: nil)]
                : [.dispatched(at: Self.t)]
        })
        var v1c = v1
        v1c.bump(.convertedUsers, by: 3)
        let summary = CampaignReport.summary(byVariant: [0: v0, 1: v1c], callbacksEnabled: true)
        #expect(summary.all.sent == 10)
        #expect(summary.all.delivered == 4)
        #expect(summary.all.controlGroup == 2)
        #expect(summary.variants.map(\.variant) == [0, 1])
        #expect(summary.variants[0].stats.sent == 4)
        #expect(summary.variants[1].stats.sent == 6)
        #expect(summary.variants[1].stats.convertedPercent == 50)
        // Variant 1's lift is against the campaign's control group (1 of 2 converted: 50 %).
        #expect(summary.variants[1].stats.controlConvertedPercent == 50)
        #expect(summary.variants[1].stats.lift == 0)
        #expect(summary.all.lift == -40)  // all: 30 % vs control 50 %

        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(summary)) as? [String: Any]
        let variants = try #require(json?["variants"] as? [[String: Any]])
        #expect(variants.count == 2)
        #expect(variants[1]["variant"] as? Int == 1)
        #expect(variants[1]["sent"] as? Int == 6)
        #expect(json?["sent"] as? Int == 10)
        #expect(try JSONDecoder().decode(StatsSummary.self, from: JSONEncoder().encode(summary)) == summary)
    }

    @Test func oneVariantOrAControlOnlyVariantGivesNoVariantsList() throws {
        let sent = Self.totals([[.dispatched(at: Self.t)]])
        let control = MessageContribution.of(MessageState(dispatch: .control, dispatchedAt: Self.t), segments: 0)
        #expect(CampaignReport.summary(byVariant: [0: sent], callbacksEnabled: true).variants.isEmpty)
        // Control members recorded under variant 0 while the variants are 1 and 2: two variants.
        let s = CampaignReport.summary(byVariant: [0: control, 1: sent, 2: sent], callbacksEnabled: true)
        #expect(s.variants.map(\.variant) == [1, 2])
        #expect(s.all.controlGroup == 1)
        let json = try JSONSerialization.jsonObject(
            with: JSONEncoder().encode(CampaignReport.summary(byVariant: [0: sent], callbacksEnabled: true))) as? [String: Any]
        #expect(json?["variants"] == nil)
    }

    @Test func statsJSONCarriesEveryFieldNameOfDomainSection6() throws {
        let json = try JSONSerialization.jsonObject(
            with: JSONEncoder().encode(CampaignReport.summary(byVariant: [0: Self.pitfall13Totals], callbacksEnabled: true)))
            as? [String: Any]
        let names = [
            "sent", "sentSegments", "delivered", "inferredDelivered", "failed", "pending", "dispatchErrors", "controlGroup",
            "clicks", "uniqueClicks", "botHits", "ctr", "deliveryRate", "convertedUsers", "convertedPercent",
            "clickThroughConversions", "revenue", "arpu", "replies", "optOuts", "callbacksEnabled",
        ]
        for name in names { #expect(json?[name] != nil, "missing \(name)") }
        #expect(json?["ctr"] as? Double == 25)
    }

    @Test func linksShareIsOfAllHumanClicksAndUnmatchedClicksAreListedLast() {
        var d = RollupDelta()
        d.bump(.linkClicks, dim: "0", by: 6)
        d.bump(.linkUniqueClicks, dim: "0", by: 4)
        d.bump(.linkClicks, dim: "1", by: 3)
        d.bump(.linkUniqueClicks, dim: "1", by: 3)
        d.bump(.linkBotHits, dim: "1", by: 2)
        d.bump(.linkClicks, dim: "-1", by: 1)
        let links = CampaignReport.links(totals: d, urls: ["https://a.example/x?a=1&b=2", "https://b.example/"])
        #expect(
            links == [
                LinkStats(index: 0, url: "https://a.example/x?a=1&b=2", clicks: 6, uniqueClicks: 4, share: 60, botHits: 0),
                LinkStats(index: 1, url: "https://b.example/", clicks: 3, uniqueClicks: 3, share: 30, botHits: 2),
                LinkStats(index: -1, url: nil, clicks: 1, uniqueClicks: 0, share: 10, botHits: 0),
            ])
        #expect(CampaignReport.links(totals: [:], urls: ["https://a.example/"]).map(\.share) == [0])
    }

    @Test func theOtherLinksRowIsSelfDescribingInJSONWithANullURL() throws {
        let rows = [
            LinkStats(index: 0, url: "https://a.example/x", clicks: 3, uniqueClicks: 2, share: 75, botHits: 1),
            LinkStats(index: -1, url: nil, clicks: 1, uniqueClicks: 0, share: 25, botHits: 0),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(rows), as: UTF8.self)
        #expect(
            json
                == #"[{"botHits":1,"clicks":3,"index":0,"label":"Link 1","other":false,"share":75,"uniqueClicks":2,"url":"https:\/\/a.example\/x"},"#
                + #"{"botHits":0,"clicks":1,"index":-1,"label":"Other links (reported by the provider)","other":true,"share":25,"uniqueClicks":0,"url":null}]"#)
        #expect(try JSONDecoder().decode([LinkStats].self, from: Data(json.utf8)) == rows)
        #expect(rows.map(\.share).reduce(0, +) == 100)
    }

    @Test func deliveryErrorsUseTheCatalogAndKeepProviderDescriptionsForUnknownCodes() {
        var d = RollupDelta()
        d.bump(.failedByCode, dim: "914", by: 3)
        d.bump(.failedByCode, dim: "777", by: 2)
        d.bump(.failedByCode, dim: "900", by: 2)
        d.bump(.failedByCode, dim: "", by: 1)
        let rows = CampaignReport.deliveryErrors(
            totals: d, provider: .generic, descriptions: ["777": "Carrier rejected: spam", "900": "Handset busy", "914": "ignored"])
        #expect(
            rows == [
                DeliveryErrorStat(code: "914", description: "Undelivered after retries", category: "operator", count: 3),
                DeliveryErrorStat(code: "777", description: "Carrier rejected: spam", category: "unknown", count: 2),
                DeliveryErrorStat(code: "900", description: "Handset busy", category: "other", count: 2),
                DeliveryErrorStat(code: "(none)", description: "Unknown error (no code given)", category: "unknown", count: 1),
            ])
    }
}
