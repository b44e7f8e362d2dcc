import Foundation
import SMSCore

/// The data of the campaign page (template `campaign.mustache`), built from the campaign and its
/// ``CampaignOverview`` (``CampaignStatsQueries/overview(_:granularity:)``, the read path of the
/// stats API). Every number comes from the core; this type only picks, formats and explains them.
///
/// States a user meets (`docs/DOMAIN.md` §6, PITFALLS.md #7):
/// - callbacks not configured: Delivered shows "not tracked", CTR is on Sent, a note says so;
/// - receipts missing: callbacks on, sent > 0, no receipt (delivered or failed) yet: a note, and
///   Delivered counts only the deliveries inferred from clicks, shown as such;
/// - still sending (status `sending` or messages queued): a banner, and the page refreshes itself;
/// - no clicks yet: a friendly empty state in Split of Clicks.
struct CampaignPageModel {
    var campaign: Campaign
    var provider: ProviderConfig?
    var stats: CampaignStats
    var links: [LinkStats]
    var dispatchErrors: [DispatchErrorStat]
    var deliveryErrors: [DeliveryErrorStat]
    var trend: [TrendPoint]
    /// The zone the trend and the page's times are in: the campaign's, or UTC when its stored zone
    /// is no zone at all (``IANAZone/readable(_:)``), with ``zoneNote`` saying so.
    var trendZone: String
    var zoneNote: String?
    var granularity: TrendGranularity
    /// The campaign's dead-lettered messages (the first ones) and how many there are.
    var deadLetters: [DeadLetter] = []
    var deadLetterCount = 0

    init(campaign: Campaign, overview: CampaignOverview, granularity: TrendGranularity) {
        self.campaign = campaign
        self.provider = overview.provider
        self.granularity = granularity
        stats = overview.summary.all
        links = overview.links
        dispatchErrors = overview.errors.dispatch
        deliveryErrors = overview.errors.delivery
        trend = overview.trend.buckets
        trendZone = overview.trend.timezone
        zoneNote = overview.trend.zoneNote
    }

    /// Callbacks on, messages sent, and not one receipt yet (PITFALLS.md #7; the rule is in the core).
    var receiptsMissing: Bool { stats.receiptsMissing }

    /// Dispatch still running: the page refreshes itself.
    var sending: Bool { campaign.status == .sending || stats.queued > 0 }

    var noClicks: Bool { stats.clicks == 0 && stats.botHits == 0 }

    typealias Object = [String: Any]

    func object() -> Object {
        let s = stats
        let c: (Int64) -> String = DisplayFormat.count
        var o: Object = [
            "title": campaign.name, "id": campaign.id, "name": campaign.name, "status": campaign.status.rawValue,
            "timezone": campaign.timezone, "body": campaign.body, "providerName": provider?.name ?? campaign.providerId,
            "providerId": campaign.providerId,
            "createdAt": DisplayFormat.dateTime(campaign.createdAt, timeZone: campaign.timezone),
            "isDraft": campaign.status == .draft, "sending": sending, "queuedText": DisplayFormat.count(s.queued, "message"),
            "inferredText": DisplayFormat.count(s.inferredDelivered, "message"),
            "callbacksOff": !s.callbacksEnabled, "receiptsMissing": receiptsMissing,
            "sent": c(s.sent), "inferred": c(s.inferredDelivered), "targeted": c(s.targeted),
            "cards": cards(), "trendZone": trendZone,
        ]
        if let zoneNote {
            let sentence: String = String(zoneNote.prefix(1)).uppercased() + String(zoneNote.dropFirst())
            o["zoneNote"] = sentence + " (the trend and the times on this page)."
        }
        if let p = campaign.publishedAt { o["publishedAt"] = DisplayFormat.dateTime(p, timeZone: campaign.timezone) }
        o["isScheduled"] = campaign.status == .scheduled
        o["archivable"] = campaign.isFinished && campaign.archivedAt == nil
        if let a = campaign.archivedAt { o["archivedAt"] = DisplayFormat.dateTime(a, timeZone: campaign.timezone) }
        if let r = campaign.rawPurgedAt { o["rawPurgedAt"] = DisplayFormat.dateTime(r, timeZone: campaign.timezone) }
        o.merge(deadLetterObject()) { $1 }
        o.merge(trendObject()) { $1 }
        o.merge(conversionObject()) { $1 }
        o.merge(clicksObject()) { $1 }
        o.merge(errorsObject()) { $1 }
        return o
    }

    // MARK: Dead letters

    /// The paused note (with its reason and a resume button) and the dead-letter list.
    func deadLetterObject() -> Object {
        var o: Object = [
            "paused": campaign.status == .paused, "pausedReason": campaign.pausedReason ?? "",
            "hasDeadLetters": deadLetterCount > 0, "deadLetterCountText": DisplayFormat.count(Int64(deadLetterCount), "message"),
            "deadLettersShown": deadLetters.count, "deadLettersMore": deadLetterCount > deadLetters.count,
        ]
        o["deadLetters"] = deadLetters.map { l -> Object in
            [
                "messageId": String(l.messageId), "userId": l.userId, "error": l.error, "sendAttempts": String(l.sendAttempts),
                "answer": l.providerAnswer.map { $0 + (l.providerMessageId.map { " (" + $0 + ")" } ?? "") } ?? "unknown",
                "at": DisplayFormat.dateTime(l.deadLetteredAt, timeZone: campaign.timezone),
            ]
        }
        return o
    }

    // MARK: Stat cards

    func card(_ key: String, _ label: String, _ value: String, formula: String, denominator: String, hint: String) -> Object {
        ["key": key, "label": label, "value": value, "formula": formula, "denominator": denominator, "hint": hint]
    }

    func cards() -> [Object] {
        let s = stats
        let c: (Int64) -> String = DisplayFormat.count
        let pct = DisplayFormat.percent
        let denominatorName = s.callbacksEnabled ? "Delivered" : "Sent"
        let denominatorValue = s.callbacksEnabled ? s.delivered : s.sent
        var delivered: Object
        if s.callbacksEnabled {
            delivered = card(
                "delivered", "Delivered", c(s.delivered),
                formula: "Messages with a delivered receipt, plus messages with a human click but no receipt (inferred from clicks).",
                denominator: "Delivery rate = Delivered ÷ Sent × 100 = \(pct(s.deliveryRate)) of \(c(s.sent)) sent.",
                hint: receiptsMissing
                    ? "no receipts yet · \(c(s.inferredDelivered)) inferred from clicks"
                    : "\(pct(s.deliveryRate)) of sent · \(c(s.inferredDelivered)) inferred from clicks")
        } else {
            delivered = card(
                "delivered", "Delivered", "not tracked",
                formula: "Delivery is tracked only when the provider sends delivery callbacks; they are not configured for this provider.",
                denominator: "No denominator: not measured.", hint: "callbacks not configured")
        }
        let goal = campaign.goal
        let converted: Object
        if let goal {
            converted = card(
                "converted", "Converted users", pct(s.convertedPercent),
                formula: "Users sent who did \u{201C}\(goal.event)\u{201D} within \(Self.window(goal.windowMinutes)) after the send ÷ users sent × 100.",
                denominator: "Users sent = \(c(s.sent)).",
                hint: "\(c(s.convertedUsers)) of \(c(s.sent)) users sent")
        } else {
            converted = card(
                "converted", "Converted users", "no goal", formula: "Set a conversion goal on the campaign to measure conversions.",
                denominator: "No denominator: no goal.", hint: "no conversion goal set")
        }
        return [
            card(
                "sent", "Sent", c(s.sent), formula: "Messages the provider accepted (answered 2xx).",
                denominator: "Base of Delivered, of Converted users\(s.callbacksEnabled ? "" : " and of CTR").",
                hint: "\(c(s.sentSegments)) SMS segments · \(c(s.targeted)) targeted"),
            delivered,
            card(
                "clicked", "Clicked", c(s.uniqueClicks),
                formula: "Messages with at least one human click on a tracked link; bots and link previews are not counted.",
                denominator: "Counts messages (unique clicks), not clicks.", hint: "\(DisplayFormat.count(s.clicks, "click")) in total"),
            card(
                "ctr", "CTR", pct(s.ctr), formula: "Unique clicked ÷ \(denominatorName) × 100.",
                denominator: "Denominator: \(denominatorName) = \(c(denominatorValue))"
                    + (s.callbacksEnabled ? "." : " (callbacks not configured, so CTR is on Sent)."),
                hint: "on \(denominatorName) (\(c(denominatorValue)))"),
            converted,
        ]
    }

    /// A conversion window in words: `1440` → `"24 h"`, `90` → `"90 min"`, `10080` → `"7 days"`.
    static func window(_ minutes: Int) -> String {
        if minutes % 1440 == 0 && minutes >= 2880 { return "\(minutes / 1440) days" }
        if minutes % 60 == 0 && minutes >= 60 { return "\(minutes / 60) h" }
        return "\(minutes) min"
    }

    // MARK: Message Trend

    func trendObject() -> Object {
        let monthly = granularity == .month
        let labels = trend.map { DisplayFormat.periodLabel($0.start, monthly: monthly) }
        var series = [LineChartSVG.Series(name: "Sent", color: "#0a5bd3", dash: nil, values: trend.map(\.sent))]
        if stats.callbacksEnabled {
            series.append(.init(name: "Delivered", color: "#1a7f37", dash: "7 4", values: trend.map(\.delivered)))
        }
        series.append(.init(name: "Clicked", color: "#bc4c00", dash: "2 3", values: trend.map(\.clicked)))
        let unit = ["day": "Daily", "week": "Weekly", "month": "Monthly"][granularity.rawValue] ?? ""
        let chart = LineChartSVG(
            id: "trend-chart", title: "\(unit) performance trend (\(trendZone))", labels: labels, series: series,
            emptyText: "Nothing sent yet")
        let periodWord = ["day": "day", "week": "ISO week (Monday to Sunday)", "month": "month"][granularity.rawValue] ?? "period"
        let periodHeader = ["day": "Day", "week": "Week starting (Monday)", "month": "Month"][granularity.rawValue] ?? "Period"
        return [
            "trendSVG": chart.render(), "hasTrend": !trend.isEmpty, "periodHeader": periodHeader, "periodWord": periodWord,
            "granularities": TrendGranularity.allCases.map { g -> Object in
                [
                    "value": g.rawValue, "label": ["day": "Daily", "week": "Weekly", "month": "Monthly"][g.rawValue] ?? g.rawValue,
                    "current": g == granularity,
                ]
            },
            "trendRows": trend.map { p -> Object in
                [
                    "start": monthly ? String(p.start.prefix(7)) : p.start, "sent": DisplayFormat.count(p.sent),
                    "delivered": stats.callbacksEnabled ? DisplayFormat.count(p.delivered) : "not tracked",
                    "clicked": DisplayFormat.count(p.clicked),
                ]
            },
        ]
    }

    // MARK: Conversion Performance

    func conversionObject() -> Object {
        let s = stats
        let c: (Int64) -> String = DisplayFormat.count
        let pct = DisplayFormat.percent
        let hasControl = s.controlGroup > 0
        var o: Object = [
            "hasGoal": campaign.goal != nil, "goalEvent": campaign.goal?.event ?? "",
            "goalWindow": campaign.goal.map { Self.window($0.windowMinutes) } ?? "",
            "hasRevenue": campaign.goal?.revenueProperty != nil, "revenueProperty": campaign.goal?.revenueProperty ?? "",
            "convertedUsers": c(s.convertedUsers), "convertedPercent": pct(s.convertedPercent),
            "clickThrough": c(s.clickThroughConversions),
            "clickThroughPercent": pct(CampaignStats.percent(s.clickThroughConversions, s.sent)),
            "revenue": DisplayFormat.money(s.revenue), "arpu": DisplayFormat.money(s.arpu),
            "hasControl": hasControl, "controlGroup": c(s.controlGroup), "controlConverted": c(s.controlConvertedUsers),
            "controlPercent": pct(s.controlConvertedPercent),
            "lift": s.lift.map(DisplayFormat.signedPercent) ?? "–",
            "incrementalRevenue": s.incrementalRevenue.map(DisplayFormat.signedMoney) ?? "–",
        ]
        if hasControl && s.lift == nil {
            o["liftNote"] = "No control-group user converted, so lift cannot be computed."
        }
        func step(_ key: String, _ label: String, _ users: Int64, rate: String, tracked: Bool = true) -> Object {
            let share = CampaignStats.percent(users, s.sent)
            return [
                "key": key, "label": label, "value": tracked ? c(users) : "not tracked", "tracked": tracked,
                "percentOfSent": tracked ? pct(share) : "–", "rate": rate,
                "bar": BarSVG.bar(percent: tracked ? share : 0, color: "#0a5bd3", hatched: !tracked),
            ]
        }
        o["funnel"] = [
            step("sent", "Sent", s.sent, rate: "100% of sent"),
            step(
                "delivered", "Delivered", s.delivered, rate: s.callbacksEnabled ? "delivery rate \(pct(s.deliveryRate))" : "callbacks not configured",
                tracked: s.callbacksEnabled),
            step("clicked", "Clicked", s.uniqueClicks, rate: "CTR \(pct(s.ctr)) on \(s.callbacksEnabled ? "delivered" : "sent")"),
            step("converted", "Converted users", s.convertedUsers, rate: "\(pct(s.convertedPercent)) of users sent"),
        ]
        return o
    }

    // MARK: Split of Clicks

    func clicksObject() -> Object {
        let c: (Int64) -> String = DisplayFormat.count
        return [
            "hasLinks": !campaign.links.isEmpty, "noClicks": noClicks, "totalClicks": c(stats.clicks),
            "totalUnique": c(stats.uniqueClicks), "botHits": c(stats.botHits), "hasBotHits": stats.botHits > 0,
            "linkRows": links.map { l -> Object in
                [
                    "number": "\(l.index + 1)", "url": l.url ?? "", "other": l.other, "label": l.label,
                    "clicks": c(l.clicks), "unique": c(l.uniqueClicks), "share": DisplayFormat.percent(l.share),
                    "botHits": c(l.botHits), "bar": BarSVG.bar(percent: l.share, color: "#bc4c00"),
                ]
            },
        ]
    }

    // MARK: Errors

    func errorsObject() -> Object {
        let c: (Int64) -> String = DisplayFormat.count
        let dispatchTotal = dispatchErrors.reduce(Int64(0)) { $0 + $1.count }
        let deliveryTotal = deliveryErrors.reduce(Int64(0)) { $0 + $1.count }
        return [
            "hasDispatchErrors": !dispatchErrors.isEmpty, "dispatchTotal": c(dispatchTotal),
            "dispatchRows": dispatchErrors.map { e -> Object in
                ["reason": e.reason, "count": c(e.count), "share": DisplayFormat.percent(CampaignStats.percent(e.count, dispatchTotal))]
            },
            "hasDeliveryErrors": !deliveryErrors.isEmpty, "deliveryTotal": c(deliveryTotal),
            "deliveryRows": deliveryErrors.map { e -> Object in
                [
                    "code": e.code, "description": e.description, "category": e.category, "count": c(e.count),
                    "share": DisplayFormat.percent(CampaignStats.percent(e.count, deliveryTotal)),
                ]
            },
        ]
    }
}
