import Foundation
import SMSCore

/// The campaign list (template `campaigns.mustache`): one row per campaign with status, Sent,
/// Delivered ("not tracked" without callbacks), CTR and converted users, newest first.
enum CampaignListModel {
    static func build(store: any SMSStore) async throws -> [String: Any] {
        let queries = CampaignStatsQueries(store: store)
        var rows: [[String: Any]] = []
        for c in try await store.campaigns().sorted(by: { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }) {
            // The stats API's numbers (the same read path).
            let s = try await queries.summary(c).all
            rows.append([
                "id": c.id, "name": c.name, "status": c.status.rawValue, "sent": DisplayFormat.count(s.sent),
                "delivered": s.callbacksEnabled ? DisplayFormat.count(s.delivered) : "not tracked",
                "ctr": DisplayFormat.percent(s.ctr), "ctrOn": s.callbacksEnabled ? "delivered" : "sent",
                "converted": c.goal == nil ? "no goal" : DisplayFormat.percent(s.convertedPercent),
                "convertedUsers": c.goal == nil ? "" : DisplayFormat.count(s.convertedUsers),
                "created": DisplayFormat.dateTime(c.createdAt, timeZone: "UTC"),
                "sending": c.status == .sending || s.queued > 0, "hasGoal": c.goal != nil,
            ])
        }
        return ["title": "Campaigns", "campaigns": rows, "hasCampaigns": !rows.isEmpty]
    }
}
