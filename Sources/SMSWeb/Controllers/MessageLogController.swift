import Foundation
import Hummingbird
import SMSCore

/// `GET /api/v1/campaigns/{id}/messages?outcome=&clicked=&converted=&errorCode=&variant=&cursor=&limit=&unmask=`:
/// the campaign's message log (issue 17), in message id order, `{"items": [...], "nextCursor": "…" | null}`.
///
/// - `outcome`: one of ``MessageLogOutcome`` (`queued`, `sent`, `pending`, `delivered`, `failed`,
///   `dispatch_error`, `control`); `clicked`, `converted`, `unmask`: `true` or `false`; `errorCode`:
///   a failure code or a dispatch reason, exactly; `variant`: a variant number (``StatsController/variant(_:)``); `cursor`: the
///   previous page's `nextCursor` (``MessageLogCursor``); `limit` 1–1000, default 100
///   (``ListLimit``). Anything else: 400 naming the parameter and what it takes.
/// - A page may hold fewer than `limit` items and still a `nextCursor` (a rare filter; at most
///   20,000 messages are read per page, ``MessageLogFilter/page(after:limit:scanBudget:fetch:)``).
/// - Each item (``MessageLogItem``): the phone masked (``PhoneNumber/masked(_:)``) unless `unmask=true`.
struct MessageLogController {
    let store: any SMSStore

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("campaigns/{id}/messages") { request, context in
            let id = try await campaignId(context)
            let limit = try ListLimit.httpParse(request)
            let (filter, cursor, unmask) = try Self.query(request)
            let page = try await filter.page(after: cursor, limit: limit) { after, count in
                try await store.messageLog(campaignId: id, afterId: after, limit: count)
            }
            return try JSON.response(
                MessageLogPage(items: page.items.map { MessageLogItem($0, unmask: unmask) }, nextCursor: page.nextCursor?.token))
        }
        // The streaming export (``MessageLogExport``): the same filters, `cursor` and `unmask`; no `limit`.
        for format in MessageLogExport.Format.allCases {
            group.get("campaigns/{id}/messages.\(format.rawValue)") { request, context in
                let id = try await campaignId(context)
                let (filter, cursor, unmask) = try Self.query(request)
                return MessageLogExport.response(
                    store: store, campaignId: id, filter: filter, after: cursor, unmask: unmask, format: format)
            }
        }
    }

    /// `GET /api/v1/messages/{meta}`: one message's item plus `events`, its history in event-time
    /// order (``MessageLogEvent/ordered(_:)``); 404 for an unknown meta. `GET /api/v1/messages`
    /// with exactly one of `providerMessageId` (matched in every stored form,
    /// ``ProviderMessageId/storedForms(_:)``) or `phone` (normalised by the phone rule,
    /// ``PhoneNumber/normalize(_:)``; a phone that is none is a 400 naming `phone`): the matching
    /// messages of every campaign, newest first, paged like the campaign log (`cursor`, `limit`).
    func addLookupRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("messages/{meta}") { request, context in
            let meta = try PathParameter.text(context, "meta")
            let unmask = try QueryParameter.bool("unmask", in: request) ?? false
            guard let found = try await store.messageLogEntry(meta: meta) else {
                throw HTTPError(.notFound, message: "unknown message '\(InputEcho.text(meta))'")
            }
            var item = MessageLogItem(found.entry, unmask: unmask)
            item.events = MessageLogEvent.ordered(found.events).map(MessageLogItem.Event.init)
            return try JSON.response(item)
        }
        group.get("messages") { request, context in
            let limit = try ListLimit.httpParse(request)
            let unmask = try QueryParameter.bool("unmask", in: request) ?? false
            let cursor = try Self.cursor(request)
            let byId = try QueryParameter.single("providerMessageId", in: request)
            let byPhone = try QueryParameter.single("phone", in: request)
            let lookup: MessageLogLookup
            switch (byId, byPhone) {
            case (let id?, nil):
                if let p = TextInput.problem(id, field: "providerMessageId", kind: .identifier) { throw HTTPError(.badRequest, message: p) }
                lookup = .providerMessageIds(ProviderMessageId.storedForms(id))
            case (nil, let phone?):
                do {
                    lookup = .phone(try PhoneNumber.normalize(phone))
                } catch {
                    throw HTTPError(.badRequest, message: "phone: \(error) (got '\(InputEcho.text(phone))'); give an E.164 number such as +4915112345678")
                }
            default:
                throw HTTPError(.badRequest, message: "give exactly one of providerMessageId or phone")
            }
            let page = try await MessageLogFilter().page(after: cursor, limit: limit) { before, count in
                try await store.messageLog(lookup: lookup, beforeId: before, limit: count)
            }
            return try JSON.response(
                MessageLogPage(items: page.items.map { MessageLogItem($0, unmask: unmask) }, nextCursor: page.nextCursor?.token))
        }
    }

    /// The `{id}` of an existing campaign.
    /// - Throws: 404 `unknown campaign '<id>'`.
    func campaignId(_ context: AppRequestContext) async throws -> String {
        let id = try PathParameter.text(context, "id")
        guard try await store.campaign(id: id) != nil else {
            throw HTTPError(.notFound, message: "unknown campaign '\(InputEcho.text(id))'")
        }
        return id
    }

    /// The request's `cursor` (``MessageLogCursor``), `nil` when absent.
    /// - Throws: 400 naming `cursor` for anything that is not a `nextCursor` of this listing.
    static func cursor(_ request: Request) throws -> MessageLogCursor? {
        try cursor(try QueryParameter.single("cursor", in: request))
    }

    static func cursor(_ value: String?) throws -> MessageLogCursor? {
        guard let v = value else { return nil }
        guard let c = MessageLogCursor(token: v) else {
            throw HTTPError(.badRequest, message: "cursor: not a cursor of this listing (pass nextCursor as it was given)")
        }
        return c
    }

    /// The filters, cursor and `unmask` of a request.
    /// - Throws: 400 naming the parameter and its allowed values.
    static func query(_ request: Request) throws -> (MessageLogFilter, MessageLogCursor?, Bool) {
        try query { try QueryParameter.single($0, in: request) }
    }

    /// The filters, cursor and `unmask` from `value(name)` (a parameter's one value, `nil` when
    /// absent): the API's query, or the dashboard's with blank fields left out.
    /// - Throws: 400 naming the parameter and its allowed values.
    static func query(_ value: (String) throws -> String?) throws -> (MessageLogFilter, MessageLogCursor?, Bool) {
        func flag(_ name: String) throws -> Bool? { try value(name).map { try QueryParameter.bool(name, value: $0) } }
        var filter = MessageLogFilter()
        if let v = try value("outcome") {
            guard let o = MessageLogOutcome(rawValue: v) else {
                throw HTTPError(
                    .badRequest, message: "outcome must be one of \(MessageLogOutcome.allowedList) (got '\(InputEcho.text(v))')")
            }
            filter.outcome = o
        }
        filter.clicked = try flag("clicked")
        filter.converted = try flag("converted")
        if let v = try value("errorCode") {
            if let p = TextInput.problem(v, field: "errorCode", kind: .identifier) { throw HTTPError(.badRequest, message: p) }
            filter.errorCode = v
        }
        filter.variant = try StatsController.variant(try value("variant"))
        return (filter, try cursor(try value("cursor")), try flag("unmask") ?? false)
    }
}

/// A page of the message log.
struct MessageLogPage: Encodable {
    var items: [MessageLogItem]
    var nextCursor: String?
    enum CodingKeys: String, CodingKey { case items, nextCursor }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(items, forKey: .items)
        try c.encode(nextCursor, forKey: .nextCursor)
    }
}

/// One message log item as the API shows it; times in epoch seconds or `null`; `clicks`: human
/// clicks per link, `[{"link": 0, "clicks": 2}]` in link order.
struct MessageLogItem: Encodable {
    struct LinkClicks: Encodable {
        var link: Int
        var clicks: Int
    }
    var meta: String
    var campaignId: String
    var userId: String
    var phone: String?
    var outcome: String
    var variant: Int
    var sentAt: Int64?
    var deliveredAt: Int64?
    var firstClickAt: Int64?
    var convertedAt: Int64?
    var segments: Int
    var errorCode: String?
    var errorDescription: String?
    var dispatchReason: String?
    var providerMessageId: String?
    var clicks: [LinkClicks]
    /// Only on `GET /api/v1/messages/{meta}`: the history in event-time order.
    var events: [Event]?

    /// One history event (``MessageLogEvent``); absent fields are `null`.
    struct Event: Encodable {
        var type: String
        var at: Int64
        var receivedAt: Int64?
        var providerId: String?
        var code: String?
        var description: String?
        var linkIndex: Int?
        var botReason: String?
        var eventId: String?
        var attributed: Bool?
        init(_ e: MessageLogEvent) {
            type = e.type
            at = e.at
            receivedAt = e.receivedAt
            providerId = e.providerId
            code = e.code
            description = e.description
            linkIndex = e.linkIndex
            botReason = e.botReason
            eventId = e.eventId
            attributed = e.attributed
        }
        enum CodingKeys: String, CodingKey {
            case type, at, receivedAt, providerId, code, description, linkIndex, botReason, eventId, attributed
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(type, forKey: .type)
            try c.encode(at, forKey: .at)
            try c.encode(receivedAt, forKey: .receivedAt)
            try c.encode(providerId, forKey: .providerId)
            try c.encode(code, forKey: .code)
            try c.encode(description, forKey: .description)
            try c.encode(linkIndex, forKey: .linkIndex)
            try c.encode(botReason, forKey: .botReason)
            try c.encode(eventId, forKey: .eventId)
            try c.encode(attributed, forKey: .attributed)
        }
    }

    init(_ e: MessageLogEntry, unmask: Bool) {
        meta = e.meta
        campaignId = e.campaignId
        userId = e.userId
        phone = e.phone.map { unmask ? $0 : PhoneNumber.masked($0) }
        outcome = e.outcome.rawValue
        variant = e.variant
        sentAt = e.sentAt
        deliveredAt = e.deliveredAt
        firstClickAt = e.firstClickAt
        convertedAt = e.convertedAt
        segments = e.segments
        errorCode = e.errorCode
        errorDescription = e.errorDescription
        dispatchReason = e.dispatchReason
        providerMessageId = e.providerMessageId
        clicks = e.clicks.sorted { $0.key < $1.key }.map { LinkClicks(link: $0.key, clicks: $0.value) }
    }

    enum CodingKeys: String, CodingKey {
        case meta, campaignId, userId, phone, outcome, variant, sentAt, deliveredAt, firstClickAt, convertedAt, segments, errorCode,
            errorDescription, dispatchReason, providerMessageId, clicks, events
    }
    /// Every key always present (`null` when absent), so scripts can rely on the shape; `events` only on one message.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(meta, forKey: .meta)
        try c.encode(campaignId, forKey: .campaignId)
        try c.encode(userId, forKey: .userId)
        try c.encode(phone, forKey: .phone)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(variant, forKey: .variant)
        try c.encode(sentAt, forKey: .sentAt)
        try c.encode(deliveredAt, forKey: .deliveredAt)
        try c.encode(firstClickAt, forKey: .firstClickAt)
        try c.encode(convertedAt, forKey: .convertedAt)
        try c.encode(segments, forKey: .segments)
        try c.encode(errorCode, forKey: .errorCode)
        try c.encode(errorDescription, forKey: .errorDescription)
        try c.encode(dispatchReason, forKey: .dispatchReason)
        try c.encode(providerMessageId, forKey: .providerMessageId)
        try c.encode(clicks, forKey: .clicks)
        if let events { try c.encode(events, forKey: .events) }
    }
}
