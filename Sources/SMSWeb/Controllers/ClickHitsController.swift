import Foundation
import Hummingbird
import SMSCore

/// `GET /api/v1/campaigns/{id}/hits?kind=all|bots|humans&limit=N`: the stored redirect hits of a
/// campaign, newest first (`docs/DOMAIN.md` §6: bot and link-preview hits are kept, flagged and shown
/// apart). `limit` 1…1000, default 100, anything else 400 (``ListLimit``). Each hit: `id`, `messageId`, `linkIndex`, `at` (epoch
/// seconds), `userAgent`, `ipHash` (salted SHA-256; raw IPs are never stored), `isBot`, `botReason`.
struct ClickHitsController {
    let store: any SMSStore

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("campaigns/{id}/hits") { request, context in
            let id = try PathParameter.text(context, "id")
            guard try await store.campaign(id: id) != nil else {
                throw HTTPError(.notFound, message: "unknown campaign '\(InputEcho.text(id))'")
            }
            let kindText = try QueryParameter.single("kind", in: request) ?? "all"
            guard let kind = ClickHit.Filter(rawValue: kindText) else {
                throw HTTPError(.badRequest, message: "kind must be all, bots or humans (got '\(InputEcho.text(kindText))')")
            }
            let limit = try ListLimit.httpParse(request)
            return try JSON.response(try await store.clickHits(campaignId: id, filter: kind, limit: limit))
        }
    }
}
