import Foundation
import Hummingbird
import SMSCore

/// `GET /api/v1/profiles`, `GET|PATCH|DELETE /api/v1/profiles/{userId}` (issue 15).
///
/// - The listing takes `cursor` (opaque, ``ProfileCursor``), `limit` (``ListLimit``, 1–1000,
///   default 100), `q`, `property.<name>`, `country`, `optedOut` (``ProfileQuery``), and answers
///   `{"profiles": [...], "nextCursor": "…" | null}`; a page may hold fewer than `limit` profiles
///   when the filters match few (``ProfileQuery/page(after:limit:scanBudget:fetch:)``), the end is
///   `nextCursor: null`.
/// - One profile: its fields, its `country`, and its newest ``messagesShown`` messages.
/// - PATCH: ``ProfilePatch``.
/// - DELETE: erasure (``ProfileErasure``): 200 with the ``ErasureReport``; 404 for a user id with
///   neither a profile nor messages; 409 while messages of the user are queued; 503 when the
///   click journal cannot apply its hits (nothing erased).
/// - `{userId}` is percent-decoded (``userId(_:)``); the user id `import` is reached at
///   `/api/v1/profiles/import` with GET, PATCH and DELETE (POST there is the CSV import).
struct ProfileManagementController {
    let store: any SMSStore
    /// The redirect's click journal, `nil` without one: an erasure first has it apply every hit
    /// it holds, and deletes its files afterwards (``ClickJournal/forgetting(timeout:_:)``), so no
    /// journal file keeps the person's clicks (user agent, IP hash).
    var clickJournal: ClickJournal? = nil

    /// Messages shown with one profile (newest first).
    static let messagesShown = 50

    /// A profile as the API shows it: its fields and the region of its phone.
    struct View: Encodable {
        var userId: String
        var phone: String?
        var phoneValid: Bool
        var name: String?
        var properties: [String: JSONValue]
        var optedOut: Bool
        /// ISO 3166-1 alpha-2 of a valid phone (``PhoneNumber/region(ofE164:)``), else `null`.
        var country: String?
        var messages: [ProfileMessage]?

        init(_ p: Profile, messages: [ProfileMessage]? = nil) {
            userId = p.userId
            phone = p.phone
            phoneValid = p.phoneValid
            name = p.name
            properties = p.properties
            optedOut = p.optedOut
            country = p.phoneValid ? p.phone.flatMap(PhoneNumber.region(ofE164:)) : nil
            self.messages = messages
        }

        enum CodingKeys: String, CodingKey { case userId, phone, phoneValid, name, properties, optedOut, country, messages }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(userId, forKey: .userId)
            try c.encode(phone, forKey: .phone)
            try c.encode(phoneValid, forKey: .phoneValid)
            try c.encode(name, forKey: .name)
            try c.encode(properties, forKey: .properties)
            try c.encode(optedOut, forKey: .optedOut)
            try c.encode(country, forKey: .country)
            try c.encodeIfPresent(messages, forKey: .messages)
        }
    }

    struct Page: Encodable {
        var profiles: [View]
        var nextCursor: String?
        enum CodingKeys: String, CodingKey { case profiles, nextCursor }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(profiles, forKey: .profiles)
            try c.encode(nextCursor, forKey: .nextCursor)
        }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("profiles") { request, _ in
            let limit = try ListLimit.httpParse(request)
            let (query, cursor) = try Self.query(try QueryParameter.all(in: request))
            let page = try await query.page(after: cursor, limit: limit, in: store)
            return try JSON.response(Page(profiles: page.profiles.map { View($0) }, nextCursor: page.nextCursor?.token))
        }
        // `/profiles/import` is also the CSV import (POST, ``ProfileController``): GET, PATCH and
        // DELETE there mean the profile whose user id is `import`.
        for (path, fixed) in [("profiles/{userId}", nil), ("profiles/import", Self.importUserId)] as [(RouterPath, String?)] {
            group.get(path) { _, context in
                let profile = try await existing(fixed ?? Self.userId(context))
                let messages = try await store.messages(userId: profile.userId, limit: Self.messagesShown)
                return try JSON.response(View(profile, messages: messages))
            }
            group.patch(path) { request, context in
                let userId = try fixed ?? Self.userId(context)
                let body = try await request.collectBody(upTo: 1_000_000, what: "profile")
                // Read, merge and write in one transaction holding the row: concurrent PATCHes merge.
                guard let updated = try await store.updateProfile(userId: userId, { try ProfilePatch.merged($0, patch: body) }) else {
                    throw Self.unknown(userId)
                }
                return try JSON.response(View(updated))
            }
            group.delete(path) { _, context in
                let report = try await erase(userId: fixed ?? Self.userId(context))
                return try JSON.response(report)
            }
        }
    }

    /// Erases a user (``ProfileErasure``), with or without a stored profile.
    /// - Throws: 404 `unknown profile '<id>'` when there is neither a profile nor a message of
    ///   the user id; 409 naming the queued messages (nothing changed).
    func erase(userId: String) async throws -> ErasureReport {
        let profile = try await store.profile(userId: userId)
        if profile == nil, try await store.messages(userId: userId, limit: 1).isEmpty { throw Self.unknown(userId) }
        let erasure = ProfileErasure(userId: userId, profile: profile)
        let outcome: ErasureOutcome
        if let clickJournal {
            do {
                outcome = try await clickJournal.forgetting(timeout: Self.journalWait) { try await store.eraseProfile(erasure) }
            } catch let e as ClickJournal.NotAppliedError {
                throw HTTPError(
                    .serviceUnavailable, headers: [.retryAfter: "5"],
                    message: "\(e); nothing was erased, try again")
            }
        } else {
            outcome = try await store.eraseProfile(erasure)
        }
        switch outcome {
        case .erased(let report): return report
        case .queuedMessages(let n):
            throw HTTPError(
                .conflict,
                message: "profile '\(userId)' has \(n) message(s) queued or in flight; nothing was erased "
                    + "(stop the campaign or let it send, then erase)")
        }
    }

    static func unknown(_ userId: String) -> HTTPError { HTTPError(.notFound, message: "unknown profile '\(userId)'") }

    /// The user id `/api/v1/profiles/import` (and the dashboard's `/profiles/import`) cannot
    /// spell by path without meaning the CSV import: the API routes GET, PATCH and DELETE of that
    /// path to the profile, and ``pathComponent(_:)`` writes it percent-encoded (`%69mport`).
    static let importUserId = "import"

    /// Longest wait for the click journal to apply its hits before an erasure (``ClickJournal/forgetting(timeout:_:)``).
    static let journalWait: Duration = .seconds(10)

    /// The path's `{userId}`, percent-decoded (RFC 3986 §2.1: `a%20b` is the user id `a b`).
    /// Used by the API and the dashboard.
    /// - Throws: 400 naming `userId` for a malformed escape (`%zz`, a `%` without two hex digits),
    ///   bytes that decode to no UTF-8 text, or a control character, decoded or not (`%00`; no
    ///   stored user id holds one).
    static func userId(_ context: AppRequestContext) throws -> String {
        try PathParameter.text(context, "userId")
    }

    /// A user id as one path segment: percent-encoded except letters, digits, `-` and `_`, and
    /// ``importUserId`` as `%69mport` (so the link reaches the profile, not the import page).
    static func pathComponent(_ userId: String) -> String {
        if userId == importUserId { return "%69mport" }
        return userId.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_"))) ?? userId
    }

    /// The profile `id`. - Throws: 404 `unknown profile '<id>'`.
    func existing(_ id: String) async throws -> Profile {
        guard let p = try await store.profile(userId: id) else { throw Self.unknown(id) }
        return p
    }

    /// The profile named by the path. - Throws: 400 (``userId(_:)``), 404 `unknown profile '<id>'`.
    func existing(_ context: AppRequestContext) async throws -> Profile {
        try await existing(try Self.userId(context))
    }

    /// The filters and cursor of a listing.
    /// - Throws: 400 naming `cursor`, `country`, `optedOut` or a `property.` without a name and what they take.
    static func query(_ params: [(String, String)]) throws -> (ProfileQuery, ProfileCursor?) {
        var query = ProfileQuery()
        var cursor: ProfileCursor?
        for (key, value) in params {
            if let p = TextInput.problem(value, field: key, kind: .identifier) { throw HTTPError(.badRequest, message: p) }
            switch key {
            case "cursor":
                guard let c = ProfileCursor(token: value) else {
                    throw HTTPError(.badRequest, message: "cursor: not a cursor of this listing (pass nextCursor as it was given)")
                }
                cursor = c
            case "q": query.q = value.trimmingCharacters(in: .whitespaces)
            case "country":
                try ProfileController.checkRegion(value, field: "country")
                query.country = value
            case "optedOut": query.optedOut = try QueryParameter.bool(key, value: value)
            default:
                if key.hasPrefix("property.") {
                    let name = String(key.dropFirst("property.".count))
                    guard !name.isEmpty else {
                        throw HTTPError(
                            .badRequest,
                            message: "property.: the property name is empty; filter by a property as property.<name>=<value> (property.city=Berlin)")
                    }
                    query.properties[name] = value
                }
            }
        }
        return (query, cursor)
    }
}
