import Foundation
import Hummingbird
import SMSCore

/// Campaign routes: create, publish, read, list (the stats views are in ``StatsController``).
struct CampaignController {
    let store: any SMSStore
    let dispatcher: Dispatcher

    /// A campaign with its dispatch progress.
    struct View: Encodable {
        var campaign: Campaign
        var progress: Progress
        func encode(to encoder: any Encoder) throws {
            try campaign.encode(to: encoder)
            var c = encoder.container(keyedBy: K.self)
            try c.encode(progress, forKey: .progress)
        }
        enum K: String, CodingKey { case progress }
    }

    struct Progress: Encodable {
        var queued: Int64
        var sent: Int64
        var dispatchErrors: Int64
        var controlGroup: Int64
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("campaigns") { request, _ in
            let body = try await request.body.collect(upTo: 1_000_000)
            let draft = try JSON.decode(CampaignDraft.self, from: body, what: "campaign")
            let exists = try await store.provider(id: draft.providerId) != nil
            let campaign: Campaign
            do {
                campaign = try draft.validated(id: "cmp_" + ShortCode.generate(), providerExists: exists, now: Self.now())
            } catch let error as CampaignValidationError {
                throw HTTPError(.badRequest, message: error.description)
            }
            try await store.insertCampaign(campaign)
            return try JSON.response(try await view(campaign), status: .created)
        }
        group.get("campaigns") { _, _ in
            var views: [View] = []
            for c in try await store.campaigns() { views.append(try await view(c)) }
            return try JSON.response(views)
        }
        group.get("campaigns/{id}") { _, context in
            try JSON.response(try await view(try await load(context)))
        }
        group.post("campaigns/{id}/publish") { _, context in
            let campaign = try await load(context)
            do {
                let summary = try await dispatcher.publish(campaignId: campaign.id)
                return try JSON.response(summary)
            } catch let error as PublishError {
                throw HTTPError(.conflict, message: error.description)
            }
        }
        // The stats views live in StatsController.
    }

    func load(_ context: AppRequestContext) async throws -> Campaign {
        let id = try context.parameters.require("id")
        guard let c = try await store.campaign(id: id) else {
            throw HTTPError(.notFound, message: "unknown campaign '\(id)'")
        }
        return c
    }

    func view(_ c: Campaign) async throws -> View {
        let t = try await store.rollupTotals(campaignId: c.id)
        func v(_ m: RollupMetric) -> Int64 { t[RollupKey(m)] ?? 0 }
        return View(
            campaign: c,
            progress: Progress(
                queued: v(.queued), sent: v(.sent), dispatchErrors: v(.dispatchErrors), controlGroup: v(.controlGroup)))
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
