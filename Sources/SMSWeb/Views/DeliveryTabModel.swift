import Foundation
import SMSCore

/// The data of the campaign page's Delivery tab (template `campaign.mustache`, section
/// `#delivery`), from ``CampaignDeliveryOverview`` (``CampaignStatsQueries/delivery(_:)``: the
/// bodies of `/latency`, `/breakdown?by=country|provider|carrier` and `/cost`). Every number comes
/// from the core; this type only picks and formats them (``DisplayFormat``), so the tab shows what
/// the API answers. Bars are ``BarSVG``; every text is HTML-escaped by the template.
struct DeliveryTabModel {
    var campaignId: String
    var providerName: String
    var overview: CampaignDeliveryOverview

    typealias Object = [String: Any]

    func object() -> Object {
        var o: Object = ["deliveryCampaignPath": CampaignPageController.pathComponent(campaignId)]
        o.merge(latencyObject()) { $1 }
        o["breakdowns"] = [
            table(overview.country, title: "By country", keyHeader: "Country", note: "ISO 3166 region of the E.164 number; unknown without a valid one."),
            table(overview.provider, title: "By provider", keyHeader: "Provider", note: "A campaign sends through one provider."),
            table(
                overview.carrier, title: "By carrier (network)", keyHeader: "MCC-MNC",
                note: "The network the delivery receipts report (Vonage network-code, the generic callback's network); unknown when none did."),
        ]
        o.merge(costObject()) { $1 }
        return o
    }

    // MARK: Latency

    func latencyObject() -> Object {
        let l = overview.latency
        let c: (Int64) -> String = DisplayFormat.count
        let pct: (Double?) -> String = { $0.map(DisplayFormat.percent) ?? "–" }
        let largest = l.histogram.map(\.count).max() ?? 0
        return [
            "latencyDelivered": c(l.delivered), "hasLatency": l.delivered > 0,
            "p50": Self.seconds(l.p50Seconds), "p90": Self.seconds(l.p90Seconds), "p99": Self.seconds(l.p99Seconds),
            "resolution": l.resolutionSeconds.map { DisplayFormat.count($0) + " s" } ?? "–",
            "within": [
                ["label": "within 10 s", "key": "10s", "value": pct(l.within.s10)],
                ["label": "within 1 min", "key": "60s", "value": pct(l.within.s60)],
                ["label": "within 10 min", "key": "600s", "value": pct(l.within.s600)],
                ["label": "within 1 h", "key": "3600s", "value": pct(l.within.s3600)],
            ] as [Object],
            "firstClickCount": c(l.firstClick.clicked), "hasFirstClick": l.firstClick.clicked > 0,
            "firstClickP50": Self.seconds(l.firstClick.p50Seconds), "firstClickP90": Self.seconds(l.firstClick.p90Seconds),
            "histogramRows": l.histogram.map { b -> Object in
                [
                    "label": Self.bucketLabel(b), "count": c(b.count),
                    "share": DisplayFormat.percent(CampaignStats.percent(b.count, l.delivered)),
                    "bar": BarSVG.bar(percent: largest == 0 ? 0 : Double(b.count) * 100 / Double(largest), color: "#1a7f37"),
                ]
            },
        ]
    }

    /// A percentile in seconds (the bucket's upper bound, `/latency`): `"≤ 12 s"`, `"–"` without data.
    static func seconds(_ s: Int64?) -> String {
        guard let s else { return "–" }
        return "≤ " + duration(s)
    }

    /// `45` → `"45 s"`, `120` → `"2 min"`, `5400` → `"90 min"`, `7200` → `"2 h"`, `172800` → `"2 days"`.
    static func duration(_ s: Int64) -> String {
        if s >= 86_400 && s % 86_400 == 0 { return DisplayFormat.count(s / 86_400, "day") }
        if s >= 3_600 && s % 3_600 == 0 { return "\(DisplayFormat.count(s / 3_600)) h" }
        if s >= 60 && s % 60 == 0 { return "\(DisplayFormat.count(s / 60)) min" }
        return "\(DisplayFormat.count(s)) s"
    }

    /// A histogram bucket as the range it holds (over the lower bound, up to the upper one), in the
    /// largest unit both bounds are whole numbers of: `"≤ 0 s"` (bucket 0: receipts timed at or
    /// before the send), `"7 s"` (a 1-second bucket), `"60–75 s"`, `"3–4 min"`, `"1–2 days"`,
    /// `"over 7 days"`.
    static func bucketLabel(_ b: LatencyHistogram.Bucket) -> String {
        guard let up = b.upToSeconds else { return "over " + duration(LatencyHistogram.bounds.last ?? 604_800) }
        if up <= 0 { return "≤ 0 s" }
        let width = b.widthSeconds ?? 1
        if width <= 1 { return "\(DisplayFormat.count(up)) s" }
        let lo = up - width
        for (unit, name) in [(Int64(86_400), "days"), (3_600, "h"), (60, "min"), (1, "s")] where lo % unit == 0 && up % unit == 0 {
            return "\(DisplayFormat.count(lo / unit))–\(DisplayFormat.count(up / unit)) \(name)"
        }
        return "\(lo)–\(up) s"
    }

    // MARK: Breakdowns

    func table(_ b: CampaignBreakdown, title: String, keyHeader: String, note: String) -> Object {
        let c: (Int64) -> String = DisplayFormat.count
        return [
            "by": b.by.rawValue, "title": title, "keyHeader": keyHeader, "note": note, "hasRows": !b.rows.isEmpty,
            "csvPath": "/campaigns/\(CampaignPageController.pathComponent(campaignId))/breakdown.csv?by=\(b.by.rawValue)",
            "rows": b.rows.map { r -> Object in
                [
                    "key": b.by == .provider && r.key == overview.provider.rows.first?.key ? "\(providerName) (\(r.key))" : r.key,
                    "rawKey": r.key, "sent": c(r.sent), "delivered": c(r.delivered), "failed": c(r.failed),
                    "pending": c(r.pending), "deliveryRate": DisplayFormat.percent(r.deliveryRate),
                    "uniqueClicks": c(r.uniqueClicks), "ctr": DisplayFormat.percent(r.ctr),
                    "errors": r.errors.prefix(3).map { "\($0.code) × \(c($0.count))" }.joined(separator: ", "),
                    "bar": BarSVG.bar(percent: r.deliveryRate, color: "#1a7f37"),
                ]
            },
        ]
    }

    // MARK: Cost

    func costObject() -> Object {
        guard let cost = overview.cost else { return ["hasCost": false] }
        let money: (Double?) -> String = { $0.map { Self.money($0, cost.currency) } ?? "–" }
        return [
            "hasCost": true, "currency": cost.currency,
            "costCards": [
                ["key": "total", "label": "Total cost", "value": money(cost.total), "hint": "sent segments × price per segment"],
                ["key": "perDelivered", "label": "Per delivered", "value": money(cost.perDelivered), "hint": "total ÷ delivered messages"],
                ["key": "perClick", "label": "Per click", "value": money(cost.perClick), "hint": "total ÷ unique clicks"],
                ["key": "perConversion", "label": "Per conversion", "value": money(cost.perConversion), "hint": "total ÷ converted users"],
                [
                    "key": "return", "label": "Return", "value": money(cost.return),
                    "hint": cost.return == nil ? "the goal has no revenue property" : "revenue − total cost",
                ],
            ] as [Object],
            "costRows": cost.byCountry.map { r -> Object in
                [
                    "country": r.country, "segments": DisplayFormat.count(r.segments),
                    "price": Self.money(r.pricePerSegment, cost.currency), "cost": Self.money(r.cost, cost.currency),
                ]
            },
        ]
    }

    /// An amount of the price table's currency, up to 6 fraction digits as stored (micro-units),
    /// at least 2: `0.07` → `"0.07 EUR"`, `0.012345` → `"0.012345 EUR"`, `1234.5` → `"1,234.50 EUR"`.
    static func money(_ amount: Double, _ currency: String) -> String {
        let micros = (amount * 1_000_000).rounded()
        guard micros.isFinite, abs(micros) < 9.2e18 else { return "–" }
        let m = Int64(micros)
        let whole = DisplayFormat.count(Int64(m.magnitude / 1_000_000))
        var frac = String(format: "%06d", Int(m.magnitude % 1_000_000))
        while frac.count > 2 && frac.hasSuffix("0") { frac.removeLast() }
        return (m < 0 ? "-" : "") + whole + "." + frac + " " + currency
    }
}
