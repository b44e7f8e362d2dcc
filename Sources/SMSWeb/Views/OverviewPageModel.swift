import Foundation
import SMSCore

/// The dashboard home's overview of a period (template partial `overview.mustache`, issue 18):
/// the numbers of ``CampaignsOverview`` (`GET /api/v1/overview`, the same read), formatted by
/// ``DisplayFormat``: totals as cards, the daily trend as a ``LineChartSVG``, best and worst,
/// top error codes, and the active campaigns with a checkbox each for the comparison page.
/// Every text is escaped by the template (`{{…}}`); the SVG escapes its own texts.
enum OverviewPageModel {
    typealias Object = [String: Any]

    static func object(_ o: CampaignsOverview) -> Object {
        let c: (Int64) -> String = DisplayFormat.count
        let pct = DisplayFormat.percent
        let t = o.totals
        let cards: [Object] = [
            ["key": "campaigns", "label": "Campaigns", "value": DisplayFormat.count(t.campaigns), "hint": "active in the period"],
            ["key": "sent", "label": "Sent", "value": c(t.sent), "hint": "all-time, of these campaigns"],
            ["key": "delivered", "label": "Delivered", "value": c(t.delivered), "hint": "delivery rate \(pct(t.deliveryRate))"],
            ["key": "failed", "label": "Failed", "value": c(t.failed), "hint": "\(c(t.pending)) pending"],
            ["key": "uniqueClicks", "label": "Clicked", "value": c(t.uniqueClicks), "hint": "CTR \(pct(t.ctr))"],
            ["key": "convertedUsers", "label": "Converted users", "value": c(t.convertedUsers), "hint": "revenue \(DisplayFormat.money(cents: t.revenueCents))"],
        ]
        let costs: [Object] = o.cost.map {
            ["currency": $0.currency, "total": DisplayFormat.money($0.total), "campaigns": DisplayFormat.count(Int64($0.campaigns), "campaign")]
        }
        let labels = o.trend.map { DisplayFormat.periodLabel($0.start, monthly: false) }
        let chart = LineChartSVG(
            id: "overview-trend", title: "Daily trend of all campaigns (\(o.timezone))", labels: labels,
            series: [
                .init(name: "Sent", color: "#0a5bd3", dash: nil, values: o.trend.map(\.sent)),
                .init(name: "Delivered", color: "#1a7f37", dash: "7 4", values: o.trend.map(\.delivered)),
                .init(name: "Clicked", color: "#bc4c00", dash: "2 3", values: o.trend.map(\.clicked)),
            ],
            emptyText: "Nothing sent in this period")
        func ranked(_ key: String, _ label: String, _ e: CampaignsOverview.Extremes?) -> Object {
            guard let e else { return ["key": key, "label": label, "none": true] }
            func side(_ r: CampaignsOverview.Ranked) -> Object { ["id": r.id, "name": r.name, "value": pct(r.value), "sent": c(r.sent)] }
            return ["key": key, "label": label, "best": side(e.best), "worst": side(e.worst)]
        }
        let maxError = o.topErrors.first?.count ?? 0
        return [
            "from": o.from, "to": o.to, "timezone": o.timezone, "minSent": c(o.minSent),
            "cards": cards, "costs": costs, "hasCosts": !costs.isEmpty,
            "trendSVG": chart.render(), "trend": o.trend.map { p -> Object in
                ["start": p.start, "sent": c(p.sent), "delivered": c(p.delivered), "clicked": c(p.clicked), "ctr": pct(p.ctr)]
            },
            "rankings": [ranked("deliveryRate", "Delivery rate", o.rankings.deliveryRate), ranked("ctr", "CTR", o.rankings.ctr)],
            "topErrors": o.topErrors.map { e -> Object in
                [
                    "code": e.code, "count": c(e.count),
                    "bar": BarSVG.bar(percent: maxError == 0 ? 0 : Double(e.count) / Double(maxError) * 100, color: "#cf222e"),
                ]
            },
            "hasErrors": !o.topErrors.isEmpty,
            "rows": o.campaigns.map { r -> Object in
                [
                    "id": r.id, "name": r.name, "status": r.status, "periodSent": c(r.periodSent), "sent": c(r.sent),
                    "delivered": r.callbacksEnabled ? c(r.delivered) : "not tracked", "deliveryRate": r.callbacksEnabled ? pct(r.deliveryRate) : "–",
                    "failed": c(r.failed), "ctr": pct(r.ctr), "ctrOn": r.ctrDenominator, "converted": c(r.convertedUsers),
                    "cost": r.cost.map { "\(DisplayFormat.money($0.total)) \($0.currency)" } ?? "–",
                ]
            },
            "hasRows": !o.campaigns.isEmpty,
        ]
    }

    /// The comparison page (template `compare.mustache`): one column per campaign, one row per
    /// number, the values of ``CampaignComparison`` (`GET /api/v1/compare`).
    static func comparison(_ cmp: CampaignComparison) -> Object {
        let c: (Int64) -> String = DisplayFormat.count
        let pct = DisplayFormat.percent
        func seconds(_ s: Int64?) -> String { s.map { "\(c($0)) s" } ?? "–" }
        let rows: [(key: String, label: String, value: (CampaignComparison.Entry) -> String)] = [
            ("sent", "Sent", { c($0.stats.sent) }),
            ("delivered", "Delivered", { $0.stats.callbacksEnabled ? c($0.stats.delivered) : "not tracked" }),
            ("deliveryRate", "Delivery rate", { $0.stats.callbacksEnabled ? pct($0.stats.deliveryRate) : "–" }),
            ("failed", "Failed", { c($0.stats.failed) }),
            ("pending", "Pending", { c($0.stats.pending) }),
            ("uniqueClicks", "Clicked (unique)", { c($0.stats.uniqueClicks) }),
            ("ctr", "CTR", { "\(pct($0.stats.ctr)) on \($0.stats.ctrDenominator)" }),
            ("convertedUsers", "Converted users", { c($0.stats.convertedUsers) }),
            ("revenue", "Revenue", { DisplayFormat.money(cents: $0.stats.revenueCents) }),
            ("p50", "Delivery time p50", { seconds($0.latency.p50Seconds) }),
            ("p90", "Delivery time p90", { seconds($0.latency.p90Seconds) }),
            ("cost", "Cost", { e in e.cost.map { "\(DisplayFormat.money($0.total)) \($0.currency)" } ?? "no price table" }),
            ("perDelivered", "Cost per delivered", { e in
                guard let cost = e.cost else { return "–" }
                return cost.perDelivered.map { "\(String(format: "%.4f", $0)) \(cost.currency)" } ?? "–"
            }),
        ]
        return [
            "title": "Compare campaigns",
            "campaigns": cmp.campaigns.map { ["id": $0.id, "name": $0.name, "status": $0.status] as Object },
            "rows": rows.map { row -> Object in
                ["key": row.key, "label": row.label, "cells": cmp.campaigns.map { ["id": $0.id, "value": row.value($0)] as Object }]
            },
        ]
    }
}
