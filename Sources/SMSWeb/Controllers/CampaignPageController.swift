import Foundation
import Hummingbird
import SMSCore

/// `GET /campaigns/{id}?granularity=day|week|month`: the campaign page (stat cards, Message Trend,
/// Conversion Performance, Split of Clicks, Errors; ``CampaignPageModel``), and
/// `POST /campaigns/{id}/publish` (a draft's publish button; CSRF-checked).
struct CampaignPageController {
    let dashboard: Dashboard
    let dispatcher: Dispatcher

    struct CSRFForm: Decodable { var csrf: String? }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        let d = dashboard
        group.get("campaigns/{id}") { request, context in
            try await d.signedIn(request) { session in
                let campaign = try await load(context)
                let g = request.uri.queryParameters.get("granularity") ?? "day"
                guard let granularity = TrendGranularity(rawValue: g) else {
                    throw HTTPError(.badRequest, message: "granularity must be day, week or month (got '\(g)')")
                }
                // The same read path as the stats API (CampaignStatsQueries): the page shows what the API answers.
                let overview = try await CampaignStatsQueries(store: d.store).overview(campaign, granularity: granularity)
                let model = CampaignPageModel(campaign: campaign, overview: overview, granularity: granularity)
                var object = model.object()
                object["granularity"] = granularity.rawValue
                object["updatedAt"] = DisplayFormat.dateTime(Dashboard.now(), timeZone: campaign.timezone)
                return d.page("campaign", object, session: session, nav: "campaigns")
            }
        }
        group.post("campaigns/{id}/publish") { request, context in
            try await d.signedIn(request) { session in
                try d.checkCSRF(try await Dashboard.form(CSRFForm.self, request, limit: 16_000).csrf, session)
                let campaign = try await load(context)
                do {
                    _ = try await dispatcher.publish(campaignId: campaign.id)
                } catch let error as PublishError {
                    throw HTTPError(.conflict, message: "cannot publish: \(error.description)")
                }
                return Dashboard.redirect("/campaigns/\(Self.pathComponent(campaign.id))")
            }
        }
    }

    func load(_ context: AppRequestContext) async throws -> Campaign {
        let id = try context.parameters.require("id")
        guard let c = try await dashboard.store.campaign(id: id) else {
            throw HTTPError(.notFound, message: "there is no campaign '\(id)'")
        }
        return c
    }

    /// A campaign id made safe for a path segment.
    static func pathComponent(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_"))) ?? id
    }
}
