import Foundation
import Hummingbird
import SMSCore

/// Campaign routes: create, publish, read, list (archived ones hidden by default); the stats views
/// are in ``StatsController``, edit / delete / duplicate / archive / unschedule in
/// ``CampaignManagementController``.
struct CampaignController {
    let store: any SMSDispatchStore
    let dispatcher: Dispatcher

    /// A campaign with its dispatch progress.
    /// `warnings` only in the answer of a creation, when there are any
    /// (``CampaignCreation/warnings(texts:provider:)``, then ``CampaignCreation/costWarnings(bodies:variants:linkBaseURL:)``).
    struct View: Encodable {
        var campaign: Campaign
        var progress: Progress
        var warnings: [String]? = nil
        func encode(to encoder: any Encoder) throws {
            try campaign.encode(to: encoder)
            var c = encoder.container(keyedBy: K.self)
            try c.encode(progress, forKey: .progress)
            try c.encodeIfPresent(warnings, forKey: .warnings)
        }
        enum K: String, CodingKey { case progress, warnings }
    }

    /// Dispatch progress. `queued` includes `inFlight` (claimed, provider call under way);
    /// `deadLetters` = messages taken out of the loop with an error (``DeadLetterPolicy``; listed by
    /// `GET /api/v1/campaigns/{id}/dead-letters`), not in `queued`;
    /// `targeted` = every message of the campaign = queued + deadLetters + sent + dispatchErrors +
    /// controlGroup (a message with a receipt counts in `sent`); `sentSegments` = SMS parts of the
    /// sent messages.
    struct Progress: Encodable {
        var queued: Int64
        var inFlight: Int64
        var deadLetters: Int64
        var sent: Int64
        var sentSegments: Int64
        var dispatchErrors: Int64
        var controlGroup: Int64
        var targeted: Int64
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("campaigns") { request, _ in
            let body = try await request.collectBody(upTo: 1_000_000, what: "campaign")
            let draft = try JSON.decode(CampaignDraft.self, from: body, what: "campaign")
            let campaign = try await CampaignCreation(store: store, engine: dispatcher.planner.engine).validate(draft)
            try await store.insertCampaign(campaign)
            var created = try await view(campaign)
            let warnings = CampaignCreation.warnings(texts: campaign.variantBodies, provider: try await store.provider(id: campaign.providerId))
                + CampaignCreation.costWarnings(
                    bodies: campaign.variantBodies, variants: campaign.variants != nil, linkBaseURL: dispatcher.planner.linkBaseURL)
            if !warnings.isEmpty { created.warnings = warnings }
            return try JSON.response(created, status: .created)
        }
        group.get("campaigns") { request, _ in
            let limit = try ListLimit.httpParse(request)
            var views: [View] = []
            for c in try await store.campaigns(limit: limit, archived: try Self.archivedFilter(request)) { views.append(try await view(c)) }
            return try JSON.response(views)
        }
        group.get("campaigns/{id}") { _, context in
            let campaign = try await load(context)
            return Self.tagged(try JSON.response(try await view(campaign)), campaign)
        }
        group.post("campaigns/{id}/publish") { request, context in
            try await JSON.refuseFields(request, what: "publish request")
            let campaign = try await load(context)
            do {
                let summary = try await dispatcher.publish(campaignId: campaign.id)
                return try JSON.response(summary)
            } catch let error as PublishError {
                throw HTTPError(.conflict, message: error.description)
            }
        }
        group.post("campaigns/{id}/schedule") { request, context in
            let campaign = try await load(context)
            let body = try await request.collectBody(upTo: 64_000, what: "schedule request")
            let input = try JSON.decode(ScheduleInput.self, from: body, what: "schedule request")
            let sendAt: Int64
            do {
                sendAt = try SendTime.resolve(input.sendAt, timeZone: campaign.timezone)
            } catch {
                throw HTTPError(.badRequest, message: "\(error)")
            }
            guard sendAt >= Self.now() - 60 else {
                throw HTTPError(.badRequest, message: "sendAt is in the past (\(sendAt) < now \(Self.now()))")
            }
            do {
                try await store.scheduleCampaign(id: campaign.id, sendAt: sendAt)
            } catch let error as CampaignTransitionError {
                throw HTTPError(.conflict, message: error.description)
            }
            return try JSON.response(try await view(try await load(context)))
        }
        group.get("campaigns/{id}/dead-letters") { request, context in
            let campaign = try await load(context)
            let limit = try ListLimit.httpParse(request)
            return try JSON.response(try await store.deadLetters(campaignId: campaign.id, limit: limit))
        }
        group.post("campaigns/{id}/resume") { request, context in
            try await JSON.refuseFields(request, what: "resume request")
            let campaign = try await load(context)
            guard try await store.transitionCampaign(id: campaign.id, from: [.paused], to: .sending, publishedAt: nil) else {
                throw HTTPError(.conflict, message: "campaign is \(campaign.status.rawValue); only a paused campaign can be resumed")
            }
            return try JSON.response(try await view(try await load(context)))
        }
        group.post("campaigns/{id}/stop") { request, context in
            try await JSON.refuseFields(request, what: "stop request")
            let campaign = try await load(context)
            do {
                let summary = try await store.stopCampaign(id: campaign.id, now: Self.now())
                return try JSON.response(StopView(summary: summary, campaign: try await view(try await load(context))))
            } catch let error as CampaignTransitionError {
                throw HTTPError(.conflict, message: error.description)
            }
        }
        // The stats views live in StatsController.
    }

    /// The list's `archived=true|false` (`true`: archived campaigns only) and `include=archived`
    /// (every campaign) parameters; neither: the campaigns not archived.
    /// - Throws: 400 naming the parameter and its allowed values.
    static func archivedFilter(_ request: Request) throws -> ArchivedFilter {
        if let include = try QueryParameter.single("include", in: request) {
            guard include == "archived" else { throw HTTPError(.badRequest, message: "include must be archived (got '\(InputEcho.text(include))')") }
            return .included
        }
        switch try QueryParameter.bool("archived", in: request) {
        case nil, false?: return .hidden
        case true?: return .only
        }
    }

    struct ScheduleInput: Decodable {
        var sendAt: SendTimeInput
    }

    struct StopView: Encodable {
        var summary: StopSummary
        var campaign: View
    }

    func load(_ context: AppRequestContext) async throws -> Campaign {
        let id = try PathParameter.text(context, "id")
        guard let c = try await store.campaign(id: id) else {
            throw HTTPError(.notFound, message: "unknown campaign '\(InputEcho.text(id))'")
        }
        return c
    }

    /// `response` with the campaign's `ETag` (``EntityTag/campaign(_:)``), for `If-Match` on PATCH.
    static func tagged(_ response: Response, _ campaign: Campaign) -> Response {
        var r = response
        r.headers[.eTag] = EntityTag.campaign(campaign)
        return r
    }

    func view(_ c: Campaign) async throws -> View {
        let t = try await CampaignStatsQueries(store: store).totals(c, variant: nil)
        func v(_ m: RollupMetric) -> Int64 { t[RollupKey(m)] ?? 0 }
        var inFlight: Int64 = 0
        var deadLetters: Int64 = 0
        if v(.queued) > 0 {
            inFlight = Int64(try await store.claimedCount(campaignId: c.id))
            // A dead letter is still `queued` in the rollups: its derived work is what failed.
            deadLetters = Int64(try await store.deadLetterCount(campaignId: c.id))
        }
        return View(
            campaign: c,
            progress: Progress(
                queued: v(.queued) - deadLetters, inFlight: inFlight, deadLetters: deadLetters, sent: v(.sent),
                sentSegments: v(.sentSegments),
                dispatchErrors: v(.dispatchErrors), controlGroup: v(.controlGroup), targeted: v(.messages)))
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
