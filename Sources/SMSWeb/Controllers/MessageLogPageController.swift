import Foundation
import Hummingbird
import SMSCore

/// The dashboard's message log (issue 17), through the same code as the message log API
/// (``MessageLogController``, ``MessageLogFilter``):
/// - `GET /campaigns/{id}/messages?outcome=&clicked=&converted=&errorCode=&variant=&q=&cursor=`:
///   the campaign's messages in id order, ``pageSize`` a page with a "next" link (keyset,
///   ``MessageLogCursor``); blank filters are ignored, a bad one is a 400 naming it. `q` searches
///   the campaign's messages by user id (exactly) and, when it is a phone number in any format
///   (``PhoneNumber/normalize(_:)``), by that phone: at most ``searchLimit`` matches, newest first.
/// - `GET /campaigns/{id}/messages.csv` / `.ndjson`: the export (``MessageLogExport``) for a signed-in
///   browser, with the page's filters (the API's needs the admin token).
/// - `GET /messages/{meta}`: one message, its fields and its history in event-time order
///   (``MessageLogEvent/ordered(_:)``).
/// Phones are shown masked (``PhoneNumber/masked(_:)``); times in the campaign's time zone.
struct MessageLogPageController {
    let dashboard: Dashboard
    /// Messages per page.
    static let pageSize = 50
    /// Matches a search shows.
    static let searchLimit = 100
    /// The filter fields a page keeps in its links.
    static let filterFields = ["outcome", "clicked", "converted", "errorCode", "variant", "q"]

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        let d = dashboard
        group.get("campaigns/{id}/messages") { request, context in
            try await d.signedIn(request) { session in
                let campaign = try await Self.campaign(d, context)
                let params = try QueryParameter.all(in: request).filter { !$0.1.trimmingCharacters(in: .whitespaces).isEmpty }
                let values = Dictionary(params, uniquingKeysWith: { a, _ in a })
                let (filter, cursor, _) = try MessageLogController.query { values[$0] }
                let q = values["q"]?.trimmingCharacters(in: .whitespaces)
                var object: [String: Any] = [
                    "title": "Messages of \(campaign.name)", "campaignId": campaign.id, "campaignName": campaign.name,
                    "campaignPath": CampaignPageController.pathComponent(campaign.id), "timezone": campaign.timezone,
                    "q": q ?? "", "errorCode": filter.errorCode ?? "", "variant": filter.variant.map(String.init) ?? "",
                    "outcomes": Self.outcomeOptions(filter.outcome),
                    "clicked": Self.choice(filter.clicked, yes: "clicked", no: "not clicked"),
                    "converted": Self.choice(filter.converted, yes: "converted", no: "not converted"),
                ]
                let kept = params.filter { Self.filterFields.contains($0.0) }
                let exportQuery = ProfilePageController.queryString(kept.filter { $0.0 != "q" })
                object["exportCSV"] = "/campaigns/\(CampaignPageController.pathComponent(campaign.id))/messages.csv"
                    + (exportQuery.isEmpty ? "" : "?" + exportQuery)
                object["exportNDJSON"] = "/campaigns/\(CampaignPageController.pathComponent(campaign.id))/messages.ndjson"
                    + (exportQuery.isEmpty ? "" : "?" + exportQuery)
                let entries: [MessageLogEntry]
                if let q, !q.isEmpty {
                    entries = try await Self.search(q, campaignId: campaign.id, filter: filter, store: d.store)
                    object["searching"] = true
                } else {
                    let page = try await filter.page(after: cursor, limit: Self.pageSize) { after, count in
                        try await d.store.messageLog(campaignId: campaign.id, afterId: after, limit: count)
                    }
                    entries = page.items
                    if let next = page.nextCursor {
                        object["next"] = "/campaigns/\(CampaignPageController.pathComponent(campaign.id))/messages?"
                            + ProfilePageController.queryString(kept + [("cursor", next.token)])
                    }
                }
                object["messages"] = entries.map { Self.row($0, timeZone: campaign.timezone) }
                object["empty"] = entries.isEmpty
                return d.page("messages", object, session: session, nav: "campaigns")
            }
        }
        // The Delivery tab's CSV downloads, for a signed-in dashboard user (the API's routes want the
        // bearer token): the same answers as `/api/v1/campaigns/{id}/breakdown.csv` and `latency.csv`.
        let stats = StatsController(store: d.store)
        group.get("campaigns/{id}/breakdown.csv") { request, context in
            try await d.signedIn(request) { _ in try await stats.breakdownCSV(try await Self.campaign(d, context), request) }
        }
        group.get("campaigns/{id}/latency.csv") { request, context in
            try await d.signedIn(request) { _ in try await stats.latencyCSV(try await Self.campaign(d, context), request) }
        }
        for format in MessageLogExport.Format.allCases {
            group.get("campaigns/{id}/messages.\(format.rawValue)") { request, context in
                try await d.signedIn(request) { _ in
                    let campaign = try await Self.campaign(d, context)
                    let values = Dictionary(
                        try QueryParameter.all(in: request).filter { !$0.1.trimmingCharacters(in: .whitespaces).isEmpty },
                        uniquingKeysWith: { a, _ in a })
                    let (filter, cursor, unmask) = try MessageLogController.query { values[$0] }
                    return MessageLogExport.response(
                        store: d.store, campaignId: campaign.id, filter: filter, after: cursor, unmask: unmask, format: format)
                }
            }
        }
        group.get("messages/{meta}") { request, context in
            try await d.signedIn(request) { session in
                let meta = try PathParameter.text(context, "meta")
                guard let found = try await d.store.messageLogEntry(meta: meta) else {
                    throw HTTPError(.notFound, message: "there is no message '\(InputEcho.text(meta))'")
                }
                let zone = try await d.store.campaign(id: found.entry.campaignId)?.timezone ?? "UTC"
                var object = Self.row(found.entry, timeZone: zone)
                object["title"] = "Message \(found.entry.meta)"
                object["campaignPath"] = CampaignPageController.pathComponent(found.entry.campaignId)
                object["timezone"] = zone
                object["providerMessageId"] = found.entry.providerMessageId ?? "–"
                object["events"] = MessageLogEvent.ordered(found.events).map { e -> [String: Any] in
                    var detail: [String] = []
                    if let c = e.code { detail.append("code \(c)") }
                    if let t = e.description { detail.append(t) }
                    if let l = e.linkIndex { detail.append("link \(l + 1)") }
                    if let b = e.botReason { detail.append("bot: \(b)") }
                    if let a = e.attributed { detail.append(a ? "attributed" : "not attributed") }
                    if let id = e.eventId { detail.append("event \(id)") }
                    return [
                        "type": e.type, "at": DisplayFormat.dateTime(e.at, timeZone: zone),
                        "receivedAt": e.receivedAt.map { DisplayFormat.dateTime($0, timeZone: zone) } ?? "",
                        "detail": detail.joined(separator: " · "),
                    ]
                }
                return d.page("message", object, session: session, nav: "campaigns")
            }
        }
    }

    static func campaign(_ d: Dashboard, _ context: AppRequestContext) async throws -> Campaign {
        let id = try PathParameter.text(context, "id")
        guard let c = try await d.store.campaign(id: id) else {
            throw HTTPError(.notFound, message: "there is no campaign '\(InputEcho.text(id))'")
        }
        return c
    }

    /// The campaign's messages `q` finds (by user id, and by phone when it is one) that `filter`
    /// keeps, at most ``searchLimit``, in id order.
    static func search(_ q: String, campaignId: String, filter: MessageLogFilter, store: any SMSStore) async throws -> [MessageLogEntry] {
        var lookups: [MessageLogLookup] = [.userId(q)]
        if let phone = try? PhoneNumber.normalize(q) { lookups.append(.phone(phone)) }
        var found: [Int64: MessageLogEntry] = [:]
        for lookup in lookups {
            let page = try await KeysetPage.page(
                after: nil, limit: searchLimit, scanBudget: 20_000, key: \.id,
                matches: { $0.campaignId == campaignId && filter.matches($0) },
                fetch: { before, count in try await store.messageLog(lookup: lookup, beforeId: before, limit: count) })
            for e in page.items { found[e.id] = e }
        }
        return Array(found.values.sorted { $0.id < $1.id }.suffix(searchLimit))
    }

    /// The options of the outcome filter: any, then every ``MessageLogOutcome``.
    static func outcomeOptions(_ value: MessageLogOutcome?) -> [[String: Any]] {
        var options: [[String: Any]] = [["value": "", "label": "any", "selected": value == nil]]
        for o in MessageLogOutcome.allCases { options.append(["value": o.rawValue, "label": o.rawValue, "selected": value == o]) }
        return options
    }

    /// The options of a yes/no filter.
    static func choice(_ value: Bool?, yes: String, no: String) -> [[String: Any]] {
        [
            ["value": "", "label": "any", "selected": value == nil], ["value": "true", "label": yes, "selected": value == true],
            ["value": "false", "label": no, "selected": value == false],
        ]
    }

    /// One message as the pages show it: the phone masked, times in `timeZone`, `–` for none.
    static func row(_ e: MessageLogEntry, timeZone: String) -> [String: Any] {
        func time(_ t: Int64?) -> String { t.map { DisplayFormat.dateTime($0, timeZone: timeZone) } ?? "–" }
        let error = [e.errorCode, e.errorDescription, e.dispatchReason].compactMap { $0 }.joined(separator: ": ")
        return [
            "meta": e.meta, "metaPath": CampaignPageController.pathComponent(e.meta), "userId": e.userId,
            "userPath": ProfileManagementController.pathComponent(e.userId), "campaignId": e.campaignId,
            "phone": e.phone.map(PhoneNumber.masked) ?? "–", "outcome": e.outcome.rawValue, "variant": e.variant,
            "sentAt": time(e.sentAt), "deliveredAt": time(e.deliveredAt), "firstClickAt": time(e.firstClickAt),
            "convertedAt": time(e.convertedAt), "segments": e.segments, "error": error.isEmpty ? "–" : error,
            "clicks": e.clicks.values.reduce(0, +),
        ]
    }
}
