import Foundation
import Hummingbird
import SMSCore

/// The dashboard's profile pages (issue 15), through the same code as the profiles API
/// (``ProfileManagementController``):
/// - `GET /profiles?q=&country=&optedOut=&cursor=`: the listing (``ProfileQuery``), 50 a page,
///   with a "next" link (``ProfileCursor``); blank filters are ignored.
/// - `GET /profiles/{userId}`: one profile (properties, masked phone, country, opt-out) and its
///   newest ``ProfileManagementController/messagesShown`` messages.
/// - `POST /profiles/{userId}/erase` (CSRF; `confirm` must repeat the user id, else 400 and nothing
///   changes): the erasure of `DELETE /api/v1/profiles/{userId}` (``ProfileManagementController/erase(userId:)``),
///   answered with its ``ErasureReport``.
/// Phones are shown masked (``PhoneNumber/masked(_:)``). Links write the user id percent-encoded
/// (``ProfileManagementController/pathComponent(_:)``; `import` as `%69mport`, since
/// `/profiles/import` is the CSV upload).
struct ProfilePageController {
    let dashboard: Dashboard
    /// The profiles API's code (reads, erasure with the click journal).
    let api: ProfileManagementController
    /// Profiles per listing page.
    static let pageSize = 50

    struct EraseForm: Decodable {
        var csrf: String?
        var confirm: String?
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        let d = dashboard
        let api = self.api
        group.get("profiles") { request, _ in
            try await d.signedIn(request) { session in
                let params = try QueryParameter.all(in: request).filter { !$0.1.isEmpty }
                let (query, cursor) = try ProfileManagementController.query(params)
                let page = try await query.page(after: cursor, limit: Self.pageSize, in: d.store)
                let filters = params.filter { $0.0 != "cursor" }
                var object: [String: Any] = [
                    "title": "Profiles", "total": try await d.store.profileCount(),
                    "q": query.q ?? "", "country": query.country ?? "",
                    "optedOutAny": query.optedOut == nil, "optedOutTrue": query.optedOut == true, "optedOutFalse": query.optedOut == false,
                    "profiles": page.profiles.map { Self.row(ProfileManagementController.View($0)) },
                    "empty": page.profiles.isEmpty,
                ]
                if let next = page.nextCursor {
                    object["next"] = "/profiles?" + Self.queryString(filters + [("cursor", next.token)])
                }
                return d.page("profiles", object, session: session, nav: "profiles")
            }
        }
        group.get("profiles/{userId}") { request, context in
            try await d.signedIn(request) { session in
                let profile = try await api.existing(context)
                let messages = try await d.store.messages(userId: profile.userId, limit: ProfileManagementController.messagesShown)
                var object = Self.row(ProfileManagementController.View(profile))
                object["title"] = "Profile \(profile.userId)"
                object["properties"] = profile.properties.keys.sorted().map { ["key": $0, "value": Self.text(profile.properties[$0]!)] }
                object["hasProperties"] = !profile.properties.isEmpty
                object["messages"] = messages.map { m -> [String: Any] in
                    [
                        "campaignId": m.campaignId, "campaignPath": CampaignPageController.pathComponent(m.campaignId),
                        "createdAt": DisplayFormat.dateTime(m.createdAt, timeZone: "UTC"), "outcome": m.outcome.rawValue,
                        "segments": m.segments, "body": m.body,
                    ]
                }
                object["messageCount"] = messages.count
                object["hasMessages"] = !messages.isEmpty
                return d.page("profile", object, session: session, nav: "profiles")
            }
        }
        group.post("profiles/{userId}/erase") { request, context in
            try await d.signedIn(request) { session in
                let form = try await Dashboard.form(EraseForm.self, request, limit: 16_000)
                try d.checkCSRF(form.csrf, session)
                let userId = try ProfileManagementController.userId(context)
                guard form.confirm?.trimmingCharacters(in: .whitespaces) == userId else {
                    throw HTTPError(.badRequest, message: "confirm: type the user id '\(InputEcho.text(userId))' to erase this person; nothing was erased")
                }
                let report = try await api.erase(userId: userId)
                let object: [String: Any] = [
                    "title": "Erased \(userId)", "userId": report.userId, "profileDeleted": report.profileDeleted,
                    "rows": report.rows.keys.sorted().map { ["column": $0, "count": report.rows[$0]!] },
                    "hasRows": !report.rows.isEmpty,
                ]
                return d.page("profile_erased", object, session: session, nav: "profiles")
            }
        }
    }

    /// One profile as the pages show it: the phone masked.
    static func row(_ v: ProfileManagementController.View) -> [String: Any] {
        [
            "userId": v.userId, "path": ProfileManagementController.pathComponent(v.userId), "name": v.name ?? "",
            "phone": v.phone.map(PhoneNumber.masked) ?? "–", "phoneValid": v.phoneValid, "country": v.country ?? "–",
            "optedOut": v.optedOut, "propertyCount": v.properties.count,
        ]
    }

    /// A property value as text: strings as they are, other values as JSON.
    static func text(_ value: JSONValue) -> String {
        if case .string(let s) = value { return s }
        return (try? String(decoding: JSONEncoder().encode(value), as: UTF8.self)) ?? ""
    }

    /// `key=value&…`, percent-encoded.
    static func queryString(_ pairs: [(String, String)]) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.~"))
        return pairs.map { ($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") + "=" + ($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") }
            .joined(separator: "&")
    }
}
