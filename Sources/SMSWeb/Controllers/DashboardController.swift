import Crypto
import Foundation
import Hummingbird
import Mustache
import SMSCore

/// The web dashboard: sign-in, campaign list, campaign page (server-rendered, swift-mustache;
/// `{{x}}` escapes HTML so user text renders as text).
struct DashboardController {
    let store: any SMSStore
    let config: AppConfig
    let templates: MustacheLibrary

    static let cookieName = "smsstats_session"

    /// The session cookie value: HMAC-SHA256 of a fixed label under the admin token.
    var sessionValue: String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("dashboard-session".utf8), using: SymmetricKey(data: Data(config.adminToken.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("login") { _, _ in html(render("login", ["title": "Sign in"])) }
        router.post("login") { request, _ in
            let body = try await request.body.collect(upTo: 64_000)
            let form = String(decoding: body.readableBytesView, as: UTF8.self)
            let token = URLComponents(string: "?" + form.replacingOccurrences(of: "+", with: "%20"))?
                .queryItems?.first { $0.name == "token" }?.value ?? ""
            guard AdminAuthMiddleware<AppRequestContext>.constantTimeEquals(token, config.adminToken) else {
                return html(render("login", ["title": "Sign in", "error": "Wrong admin token."]), status: .unauthorized)
            }
            return Response(
                status: .seeOther,
                headers: [
                    .location: "/",
                    .setCookie: "\(Self.cookieName)=\(sessionValue); Path=/; HttpOnly; SameSite=Lax; Max-Age=604800",
                ])
        }
        router.get("/") { request, _ in
            guard signedIn(request) else { return Self.toLogin() }
            var rows: [[String: Any]] = []
            for c in try await store.campaigns() {
                let s = try await stats(c)
                rows.append([
                    "id": c.id, "name": c.name, "status": c.status.rawValue, "sent": s.sent,
                    "delivered": s.callbacksEnabled ? "\(s.delivered)" : "not tracked",
                    "ctr": Self.pct(s.ctr), "converted": s.convertedUsers,
                ])
            }
            return html(render("campaigns", ["title": "Campaigns", "campaigns": rows, "hasCampaigns": !rows.isEmpty]))
        }
        router.get("campaigns/{id}") { request, context in
            guard signedIn(request) else { return Self.toLogin() }
            let id = try context.parameters.require("id")
            guard let c = try await store.campaign(id: id) else { throw HTTPError(.notFound, message: "unknown campaign") }
            let s = try await stats(c)
            let denominator = s.callbacksEnabled ? "Delivered" : "Sent"
            let cards: [[String: Any]] = [
                card("sent", "Sent", "\(s.sent)", "Messages the provider accepted", "\(s.sentSegments) segments"),
                card(
                    "delivered", "Delivered", s.callbacksEnabled ? "\(s.delivered)" : "not tracked",
                    "Messages with a delivered receipt, or a human click (inferred)", "\(s.inferredDelivered) inferred from clicks"),
                card("clicked", "Clicked", "\(s.uniqueClicks)", "Messages with at least one human click", "\(s.clicks) clicks in total"),
                card("ctr", "CTR", Self.pct(s.ctr), "Unique clicked / \(denominator) × 100", "on \(denominator)"),
                card(
                    "converted", "Converted users", "\(s.convertedUsers)", "Users with a goal event in the conversion window",
                    Self.pct(s.convertedPercent) + " of users sent"),
            ]
            return html(
                render(
                    "campaign",
                    [
                        "title": c.name, "name": c.name, "status": c.status.rawValue, "timezone": c.timezone,
                        "callbacksEnabled": s.callbacksEnabled, "cards": cards,
                    ]))
        }
    }

    func card(_ key: String, _ label: String, _ value: String, _ formula: String, _ hint: String) -> [String: Any] {
        ["key": key, "label": label, "value": value, "formula": formula, "hint": hint]
    }

    func stats(_ c: Campaign) async throws -> CampaignStats {
        let totals = try await store.rollupTotals(campaignId: c.id)
        let callbacks = try await store.provider(id: c.providerId)?.callbacksEnabled ?? false
        return CampaignReport.stats(totals: totals, callbacksEnabled: callbacks)
    }

    func signedIn(_ request: Request) -> Bool {
        guard let cookie = request.cookies[Self.cookieName]?.value else { return false }
        return AdminAuthMiddleware<AppRequestContext>.constantTimeEquals(cookie, sessionValue)
    }

    func render(_ name: String, _ object: [String: Any]) -> String {
        templates.render(object, withTemplate: name) ?? "template \(name) missing"
    }

    func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func toLogin() -> Response { Response(status: .seeOther, headers: [.location: "/login"]) }

    /// A percentage for display, one decimal.
    static func pct(_ v: Double) -> String { String(format: "%.1f%%", v) }
}
