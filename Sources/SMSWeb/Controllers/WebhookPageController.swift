import Foundation
import Hummingbird
import SMSCore

/// `GET /webhooks`: the outbound webhooks page (issue 17): every subscription with its URL, event
/// types, campaign filter, status (enabled, or disabled and why), and its deliveries
/// (``WebhookDeliveryStats``: last status or error, failures, queue depth, latency), and a form to
/// add one. `POST /webhooks/new` creates it through ``WebhookController``'s judgement (a wrong URL,
/// no event type or an unknown campaign is the API's 400 naming the field) and shows its signing
/// secret **once** (`webhook_created`; never again: no other page holds it). `GET /webhooks/{id}`:
/// one subscription's recent deliveries (its delivered, failed and pending events, newest first,
/// ``recentLimit`` each). `POST /webhooks/{id}/test` sends a signed test event
/// (``WebhookTestDelivery``: outside the outbox, no stats) and shows the answer;
/// `POST /webhooks/{id}/disable|enable|delete|replay` do what the API's PATCH `enabled`, DELETE
/// and replay do. Every POST is CSRF-checked; every value is HTML-escaped by the templates.
struct WebhookPageController {
    let dashboard: Dashboard
    /// The dispatch store (the dashboard's own is the narrower ``SMSStore``).
    let store: any SMSDispatchStore

    struct CSRFForm: Decodable { var csrf: String? }

    /// Events of each status listed on a subscription's page.
    static let recentLimit = 20

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        let d = dashboard
        let api = WebhookController(store: store, config: d.config)
        group.get("webhooks") { request, _ in
            try await d.signedIn(request) { session in try await renderList(session: session) }
        }
        group.post("webhooks/new") { request, _ in
            try await d.signedIn(request) { session in
                let form = try await Dashboard.form([String: String].self, request, limit: 100_000)
                try d.checkCSRF(form["csrf"], session)
                let definition = try await api.read(Self.definitionBody(form))
                let created = try await store.insertWebhook(definition, secret: WebhookSecret.generate(), at: d.config.now())
                let object: [String: Any] = [
                    "title": "New webhook", "id": created.id, "url": created.definition.url, "secret": created.secret,
                    "events": created.definition.events.map(\.rawValue).joined(separator: ", "),
                ]
                return d.page("webhook_created", object, session: session, nav: "webhooks")
            }
        }
        group.get("webhooks/{id}") { request, context in
            try await d.signedIn(request) { session in
                try await renderOne(try await api.existing(context), session: session, test: nil)
            }
        }
        group.post("webhooks/{id}/test") { request, context in
            try await d.signedIn(request) { session in
                try d.checkCSRF(try await Dashboard.form(CSRFForm.self, request, limit: 16_000).csrf, session)
                let subscription = try await api.existing(context)
                return try await renderOne(subscription, session: session, test: await WebhookTestDelivery.send(subscription))
            }
        }
        for (action, enabled) in [("disable", false), ("enable", true)] {
            group.post("webhooks/{id}/\(action)") { request, context in
                try await d.signedIn(request) { session in
                    try d.checkCSRF(try await Dashboard.form(CSRFForm.self, request, limit: 16_000).csrf, session)
                    let current = try await api.existing(context)
                    var definition = current.definition
                    definition.enabled = enabled
                    guard try await store.updateWebhook(id: current.id, definition, at: d.config.now()) else {
                        throw WebhookController.unknown(current.id)
                    }
                    return Dashboard.redirect("/webhooks#webhook-\(current.id)")
                }
            }
        }
        group.post("webhooks/{id}/delete") { request, context in
            try await d.signedIn(request) { session in
                try d.checkCSRF(try await Dashboard.form(CSRFForm.self, request, limit: 16_000).csrf, session)
                let id = try WebhookController.id(context)
                guard try await store.deleteWebhook(id: id) else { throw WebhookController.unknown(id) }
                return Dashboard.redirect("/webhooks")
            }
        }
        group.post("webhooks/{id}/replay") { request, context in
            try await d.signedIn(request) { session in
                try d.checkCSRF(try await Dashboard.form(CSRFForm.self, request, limit: 16_000).csrf, session)
                let current = try await api.existing(context)
                _ = try await store.replayWebhookEvents(subscriptionId: current.id, now: d.config.now())
                return Dashboard.redirect("/webhooks/\(current.id)")
            }
        }
    }

    /// The add form as the API's body: `url`, each checked `event.<type>` (in the order of
    /// ``WebhookEventType/allCases``), `campaignId` (blank: every campaign). A checkbox field of
    /// an unknown type is passed on as such, so the API's 400 names it.
    static func definitionBody(_ form: [String: String]) -> WebhookSubscription.Definition.Body {
        let checked = form.filter { $0.key.hasPrefix("event.") && $0.value == "on" }.map { String($0.key.dropFirst(6)) }
        let known = WebhookEventType.allCases.map(\.rawValue)
        let ordered = known.filter(checked.contains) + checked.filter { !known.contains($0) }.sorted()
        let campaign = (form["campaignId"] ?? "").trimmingCharacters(in: .whitespaces)
        return .init(
            url: .string((form["url"] ?? "").trimmingCharacters(in: .whitespaces)), events: .array(ordered.map(JSONValue.string)),
            campaignId: campaign.isEmpty ? nil : .string(campaign))
    }

    /// A subscription and its deliveries as the list and its own page show them.
    func row(_ s: WebhookSubscription) async throws -> [String: Any] {
        let stats = try await store.webhookDeliveryStats(id: s.id)
        return [
            "id": s.id, "url": s.definition.url, "events": s.definition.events.map(\.rawValue).joined(separator: ", "),
            "campaign": s.definition.campaignId ?? "", "hasCampaign": s.definition.campaignId != nil,
            "enabled": s.definition.enabled, "disabledReason": s.disabledReason ?? "",
            "lastStatus": stats.lastStatus.map(String.init) ?? (stats.lastError == nil ? "–" : "no answer"),
            "lastError": stats.lastError ?? "", "hasLastError": stats.lastError != nil,
            "lastAttempt": stats.lastAttemptAt.map { DisplayFormat.dateTime($0, timeZone: "UTC") } ?? "never",
            "latency": stats.lastLatencyMs.map { "\($0) ms" } ?? "–",
            "consecutiveFailures": stats.consecutiveFailures, "failedAttempts": stats.failedAttempts,
            "queueDepth": stats.queueDepth, "deliveredEvents": stats.deliveredEvents, "failedEvents": stats.failedEvents,
            "created": DisplayFormat.dateTime(s.createdAt, timeZone: "UTC"),
        ]
    }

    func renderList(session: DashboardSession) async throws -> Response {
        var rows: [[String: Any]] = []
        for s in try await store.webhooks() { rows.append(try await row(s)) }
        let campaigns = try await store.campaigns().map { ["id": $0.id, "name": $0.name] }
        let types = WebhookEventType.allCases.map { ["type": $0.rawValue] }
        return dashboard.page(
            "webhooks",
            ["title": "Webhooks", "webhooks": rows, "hasWebhooks": !rows.isEmpty, "campaigns": campaigns, "types": types],
            session: session, nav: "webhooks")
    }

    func renderOne(_ s: WebhookSubscription, session: DashboardSession, test: WebhookTestDelivery.Outcome?) async throws -> Response {
        var object = try await row(s)
        object["title"] = "Webhook \(s.id)"
        for status in WebhookController.eventStatuses {
            let events = try await store.webhookEvents(subscriptionId: s.id, status: status, limit: Self.recentLimit)
            object[status] = events.map { e -> [String: Any] in
                [
                    "eventId": e.eventId, "type": e.type.rawValue, "meta": e.meta ?? "–", "version": e.version,
                    "occurred": DisplayFormat.dateTime(e.occurredAt, timeZone: "UTC"), "attempts": e.attempts,
                    "lastError": e.lastError ?? "", "delivered": e.deliveredAt.map { DisplayFormat.dateTime($0, timeZone: "UTC") } ?? "–",
                ]
            }
            object["has_" + status] = !events.isEmpty
        }
        if let test {
            object["test"] = [
                "status": test.status.map(String.init) ?? "no answer", "ok": test.accepted, "eventId": test.eventId,
                "requestBody": test.requestBody, "body": test.responseBody, "error": test.error ?? "", "hasError": test.error != nil,
                "latency": "\(test.latencyMs) ms",
            ] as [String: Any]
        }
        return dashboard.page("webhook", object, session: session, nav: "webhooks")
    }
}
