import Foundation
import Hummingbird
import NIOCore
import SMSCore

/// `POST|GET /api/v1/webhooks`, `GET|PATCH|DELETE /api/v1/webhooks/{id}` (issue 17): outbound
/// webhook subscriptions (``WebhookSubscription``); `GET /api/v1/webhooks/{id}/events?status=&limit=`
/// lists a subscription's events (`failed` by default: given up after 24 h; `pending`,
/// `delivered`), newest first; `POST /api/v1/webhooks/{id}/replay` queues its failed events again
/// (`{"replayed": N}`).
///
/// A body `{"url", "events": [...], "campaignId"?, "enabled"?}` is decoded by the one strict
/// decoder (an unknown key is a 400 naming it) and judged by
/// ``WebhookSubscription/Definition/read(_:)``: a 400 `invalid webhook: …` names every wrong
/// field; a `campaignId` no campaign has is a 400 naming it. The creation's answer (201) is the
/// only one that holds `secret` (`whsec_<base64>`, ``WebhookSecret``): it is never shown again
/// nor logged. A PATCH merges its fields into the subscription and validates the result as a
/// creation (`"enabled": false` stops it: no event is queued for it meanwhile; `"enabled": true`
/// re-enables one a receiver's 410 disabled, and its queued events are delivered). Every answer carries
/// `deliveries` (``WebhookDeliveryStats``: last status, failures, latency, queue depth).
struct WebhookController {
    let store: any SMSDispatchStore
    let config: AppConfig

    /// A subscription as the API shows it (never its secret).
    struct View: Encodable {
        var id: Int64
        var url: String
        var events: [WebhookEventType]
        var campaignId: String?
        var enabled: Bool
        var disabledReason: String?
        var createdAt: Int64
        var updatedAt: Int64
        var deliveries: WebhookDeliveryStats
        /// Only in the creation's answer.
        var secret: String?

        init(_ s: WebhookSubscription, deliveries: WebhookDeliveryStats, secret: String? = nil) {
            id = s.id
            url = s.definition.url
            events = s.definition.events
            campaignId = s.definition.campaignId
            enabled = s.definition.enabled
            disabledReason = s.disabledReason
            createdAt = s.createdAt
            updatedAt = s.updatedAt
            self.deliveries = deliveries
            self.secret = secret
        }

        enum CodingKeys: String, CodingKey {
            case id, url, events, campaignId, enabled, disabledReason, createdAt, updatedAt, deliveries, secret
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(url, forKey: .url)
            try c.encode(events, forKey: .events)
            try c.encode(campaignId, forKey: .campaignId)
            try c.encode(enabled, forKey: .enabled)
            try c.encode(disabledReason, forKey: .disabledReason)
            try c.encode(createdAt, forKey: .createdAt)
            try c.encode(updatedAt, forKey: .updatedAt)
            try c.encode(deliveries, forKey: .deliveries)
            try c.encodeIfPresent(secret, forKey: .secret)
        }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("webhooks") { request, _ in
            let body = try await request.collectBody(upTo: 100_000, what: "webhook")
            let definition = try await read(try JSON.decode(WebhookSubscription.Definition.Body.self, from: body, what: "webhook"))
            let created = try await store.insertWebhook(definition, secret: WebhookSecret.generate(), at: config.now())
            return try JSON.response(View(created, deliveries: WebhookDeliveryStats(), secret: created.secret), status: .created)
        }
        group.get("webhooks") { _, _ in
            var views: [View] = []
            for s in try await store.webhooks() { views.append(View(s, deliveries: try await store.webhookDeliveryStats(id: s.id))) }
            return try JSON.response(views)
        }
        group.get("webhooks/{id}") { _, context in try JSON.response(try await view(try await existing(context))) }
        group.patch("webhooks/{id}") { request, context in
            let current = try await existing(context)
            let body = try await request.collectBody(upTo: 100_000, what: "webhook")
            let merged = try MergePatch.merged(current.definition.body, patch: body, as: WebhookSubscription.Definition.Body.self, what: "webhook")
            // A campaign filter the PATCH leaves as it was is not judged again: its campaign may have
            // been deleted since (the subscription then stays editable, e.g. to disable it).
            let definition = try await read(merged, keptCampaignId: current.definition.campaignId)
            guard try await store.updateWebhook(id: current.id, definition, at: config.now()) else { throw Self.unknown(current.id) }
            guard let updated = try await store.webhook(id: current.id) else { throw Self.unknown(current.id) }
            return try JSON.response(try await view(updated))
        }
        group.get("webhooks/{id}/events") { request, context in
            let subscription = try await existing(context)
            let limit = try ListLimit.httpParse(request)
            let status = try QueryParameter.single("status", in: request) ?? "failed"
            guard Self.eventStatuses.contains(status) else {
                throw HTTPError(
                    .badRequest,
                    message: "status must be one of \(Self.eventStatuses.joined(separator: ", ")) (got '\(InputEcho.text(status))')")
            }
            let events = try await store.webhookEvents(subscriptionId: subscription.id, status: status, limit: limit)
            return try JSON.response(events.map(EventView.init))
        }
        group.post("webhooks/{id}/replay") { _, context in
            let subscription = try await existing(context)
            let n = try await store.replayWebhookEvents(subscriptionId: subscription.id, now: config.now())
            return try JSON.response(["replayed": n])
        }
        group.delete("webhooks/{id}") { _, context in
            let id = try Self.id(context)
            guard try await store.deleteWebhook(id: id) else { throw Self.unknown(id) }
            return Response(status: .noContent)
        }
    }

    static let eventStatuses = ["pending", "delivered", "failed"]

    /// A queued, delivered or failed event of a subscription (`GET /api/v1/webhooks/{id}/events`).
    struct EventView: Encodable {
        var eventId: String
        var type: String
        var meta: String?
        var campaignId: String?
        var version: Int64
        var occurredAt: Int64
        var queuedAt: Int64
        var attempts: Int
        var status: String
        var lastError: String?
        var deliveredAt: Int64?
        init(_ e: WebhookOutboxEvent) {
            eventId = e.eventId
            type = e.type.rawValue
            meta = e.meta
            campaignId = e.campaignId
            version = e.version
            occurredAt = e.occurredAt
            queuedAt = e.queuedAt
            attempts = e.attempts
            status = e.status
            lastError = e.lastError
            deliveredAt = e.deliveredAt
        }
        enum CodingKeys: String, CodingKey {
            case eventId, type, meta, campaignId, version, occurredAt, queuedAt, attempts, status, lastError, deliveredAt
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(eventId, forKey: .eventId)
            try c.encode(type, forKey: .type)
            try c.encode(meta, forKey: .meta)
            try c.encode(campaignId, forKey: .campaignId)
            try c.encode(version, forKey: .version)
            try c.encode(occurredAt, forKey: .occurredAt)
            try c.encode(queuedAt, forKey: .queuedAt)
            try c.encode(attempts, forKey: .attempts)
            try c.encode(status, forKey: .status)
            try c.encode(lastError, forKey: .lastError)
            try c.encode(deliveredAt, forKey: .deliveredAt)
        }
    }

    func view(_ s: WebhookSubscription) async throws -> View {
        View(s, deliveries: try await store.webhookDeliveryStats(id: s.id))
    }

    /// - Parameter keptCampaignId: a PATCH's current campaign filter: when the result keeps it,
    ///   it is not looked up again.
    /// - Throws: 400 `invalid webhook: …` naming every wrong field, or `campaignId` when no
    ///   campaign has it.
    func read(_ body: WebhookSubscription.Definition.Body, keptCampaignId: String? = nil) async throws -> WebhookSubscription.Definition {
        switch WebhookSubscription.Definition.read(body) {
        case .success(let d):
            if let c = d.campaignId, c != keptCampaignId, try await store.campaign(id: c) == nil {
                throw HTTPError(.badRequest, message: "invalid webhook: campaignId names no campaign (got '\(InputEcho.text(c))')")
            }
            return d
        case .failure(let problems): throw HTTPError(.badRequest, message: "invalid webhook: \(problems)")
        }
    }

    static func unknown(_ id: Int64) -> HTTPError { HTTPError(.notFound, message: "unknown webhook \(id)") }

    /// The path's `{id}` (``PathParameter/id(_:_:entity:)``). - Throws: 400 naming the range.
    static func id(_ context: AppRequestContext) throws -> Int64 {
        try PathParameter.id(context, entity: "webhook")
    }

    func existing(_ context: AppRequestContext) async throws -> WebhookSubscription {
        let id = try Self.id(context)
        guard let s = try await store.webhook(id: id) else { throw Self.unknown(id) }
        return s
    }
}
