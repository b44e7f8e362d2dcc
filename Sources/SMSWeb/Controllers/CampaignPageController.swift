import Foundation
import Hummingbird
import SMSCore

/// `GET /campaigns/{id}?granularity=day|week|month`: the campaign page (stat cards, Message Trend,
/// Conversion Performance, Split of Clicks, Errors; ``CampaignPageModel``; Delivery:
/// ``DeliveryTabModel``), and
/// `POST /campaigns/{id}/publish` (a draft's publish button) and `POST /campaigns/{id}/resume` (a
/// paused campaign's resume button), `POST /campaigns/{id}/delete|unschedule|duplicate|archive`
/// (the buttons of ``CampaignManagement``); every POST is CSRF-checked. Dead-lettered messages are
/// listed with their errors (``DeadLetterPolicy``).
struct CampaignPageController {
    let dashboard: Dashboard
    let dispatcher: Dispatcher
    let management: CampaignManagement

    struct CSRFForm: Decodable { var csrf: String? }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        let d = dashboard
        group.get("campaigns/{id}") { request, context in
            try await d.signedIn(request) { session in
                let campaign = try await load(context)
                let granularity = try StatsController.granularity(request)
                // The same read path as the stats API (CampaignStatsQueries): the page shows what the API answers.
                let overview = try await CampaignStatsQueries(store: d.store).overview(campaign, granularity: granularity)
                var model = CampaignPageModel(campaign: campaign, overview: overview, granularity: granularity)
                model.deadLetters = try await dispatcher.store.deadLetters(campaignId: campaign.id, limit: Self.deadLetterLimit)
                model.deadLetterCount = try await dispatcher.store.deadLetterCount(campaignId: campaign.id)
                var object = model.object()
                // The Delivery tab: the bodies of /latency, /breakdown and /cost from one read (issue 18).
                let delivery = try await CampaignStatsQueries(store: d.store).delivery(campaign)
                object.merge(
                    DeliveryTabModel(campaignId: campaign.id, providerName: overview.provider?.name ?? campaign.providerId, overview: delivery)
                        .object()
                ) { $1 }
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
        group.post("campaigns/{id}/resume") { request, context in
            try await d.signedIn(request) { session in
                try d.checkCSRF(try await Dashboard.form(CSRFForm.self, request, limit: 16_000).csrf, session)
                let campaign = try await load(context)
                guard try await dispatcher.store.transitionCampaign(id: campaign.id, from: [.paused], to: .sending, publishedAt: nil)
                else {
                    throw HTTPError(.conflict, message: "cannot resume: the campaign is \(campaign.status.rawValue), not paused")
                }
                return Dashboard.redirect("/campaigns/\(Self.pathComponent(campaign.id))")
            }
        }
        let management = management
        group.post("campaigns/{id}/delete") { request, context in
            try await d.signedIn(request) { session in
                try d.checkCSRF(try await Dashboard.form(CSRFForm.self, request, limit: 16_000).csrf, session)
                try await management.delete(id: try PathParameter.text(context, "id"))
                return Dashboard.redirect("/")
            }
        }
        group.post("campaigns/{id}/duplicate") { request, context in
            try await d.signedIn(request) { session in
                try d.checkCSRF(try await Dashboard.form(CSRFForm.self, request, limit: 16_000).csrf, session)
                let copy = try await management.duplicate(id: try PathParameter.text(context, "id"), now: Dashboard.now())
                return Dashboard.redirect("/campaigns/\(Self.pathComponent(copy.id))")
            }
        }
        for action in ["unschedule", "archive"] {
            group.post("campaigns/{id}/\(action)") { request, context in
                try await d.signedIn(request) { session in
                    try d.checkCSRF(try await Dashboard.form(CSRFForm.self, request, limit: 16_000).csrf, session)
                    let id = try PathParameter.text(context, "id")
                    _ = action == "archive" ? try await management.archive(id: id, now: Dashboard.now()) : try await management.unschedule(id: id)
                    return Dashboard.redirect("/campaigns/\(Self.pathComponent(id))")
                }
            }
        }
    }

    /// Dead letters listed on the page (the API lists up to 1,000).
    static let deadLetterLimit = 50

    func load(_ context: AppRequestContext) async throws -> Campaign {
        let id = try PathParameter.text(context, "id")
        guard let c = try await dashboard.store.campaign(id: id) else {
            throw HTTPError(.notFound, message: "there is no campaign '\(InputEcho.text(id))'")
        }
        return c
    }

    /// A campaign id made safe for a path segment.
    static func pathComponent(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_"))) ?? id
    }
}
