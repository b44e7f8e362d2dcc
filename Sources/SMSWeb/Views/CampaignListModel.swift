import Foundation
import SMSCore

/// The campaign list (template `campaigns.mustache`): one row per campaign with status, Sent,
/// Delivered ("not tracked" without callbacks), CTR and converted users, newest first. Archived
/// campaigns are left out (`archived: .only` lists them: `/?archived=true`).
enum CampaignListModel {
    static func build(store: any SMSStore, archived: ArchivedFilter = .hidden) async throws -> [String: Any] {
        let queries = CampaignStatsQueries(store: store)
        var rows: [[String: Any]] = []
        let all = try await store.campaigns()
        for c in all.sorted(by: { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }) where archived.admits(c) {
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
        let archivedCount = all.filter { $0.archivedAt != nil }.count
        return [
            "title": archived == .only ? "Archived campaigns" : "Campaigns", "campaigns": rows, "hasCampaigns": !rows.isEmpty,
            "showingArchived": archived == .only, "archivedCount": archivedCount, "hasArchived": archivedCount > 0 && archived != .only,
        ]
    }
}
