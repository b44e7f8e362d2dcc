import Crypto
import Foundation
import Hummingbird
import Mustache
import SMSCore

/// The web dashboard's entry points: sign-in (admin token, or the `--dashboard-password`),
/// one-time sign-in links, sign-out, static assets; and it registers the dashboard pages (the home
/// with the overview and the campaign list, the comparison, campaign page, new campaign, providers, ingestion errors, profile import, profiles, segments,
/// the message log).
struct DashboardController {
    let dashboard: Dashboard
    let dispatcher: Dispatcher
    let assets: StaticAssets
    /// The profiles API's code, shared by the profile pages.
    let profiles: ProfileManagementController

    /// - Parameter loginLinks: where the one-time sign-in links are kept (the database, shared by
    ///   every server).
    init(
        store: any SMSStore, loginLinks: any LoginLinkStore, config: AppConfig, templates: MustacheLibrary, dispatcher: Dispatcher,
        profiles: ProfileManagementController
    ) throws {
        dashboard = Dashboard(store: store, config: config, templates: templates, logins: OneTimeLoginLinks(store: loginLinks))
        self.dispatcher = dispatcher
        self.profiles = profiles
        assets = try StaticAssets.load()
    }

    struct LoginForm: Decodable {
        var token: String?
        var next: String?
    }

    struct LoginLinkInput: Decodable {
        var next: String?
    }

    struct LoginLinkView: Encodable {
        var url: String
        var expiresInSeconds: Int64
    }

    /// Adds the dashboard's routes to `router`, and `POST /api/v1/dashboard/login-links` to `api`.
    func addRoutes(to router: Router<AppRequestContext>, api: RouterGroup<AppRequestContext>) {
        let d = dashboard
        let group = router.group().add(middleware: DashboardErrorMiddleware(dashboard: d))
        assets.addRoutes(to: group)
        group.get("login") { request, _ in
            let next = OneTimeLoginLinks.safeNext(try QueryParameter.single("next", in: request))
            return d.page("login", loginObject(next: next, error: nil), session: d.session(request))
        }
        group.post("login") { request, _ in
            let form = try await Dashboard.form(LoginForm.self, request, limit: 16_000)
            let next = OneTimeLoginLinks.safeNext(form.next)
            guard accepts(form.token ?? "") else {
                try await Task.sleep(for: .milliseconds(250))  // slows guessing down
                let message = d.config.dashboardPassword == nil ? "Wrong admin token." : "Wrong admin token or password."
                return d.page("login", loginObject(next: next, error: message), session: nil, status: .unauthorized)
            }
            return Dashboard.redirect(next, cookie: d.signer.issue(now: Dashboard.now()).cookie)
        }
        group.get("login/once/{nonce}") { _, context in
            let nonce = try context.parameters.require("nonce")
            guard let next = try await d.logins.redeem(nonce, now: Dashboard.now()) else {
                return d.page(
                    "login", loginObject(next: "/", error: "This sign-in link has expired or was already used."), session: nil,
                    status: .unauthorized)
            }
            return Dashboard.redirect(next, cookie: d.signer.issue(now: Dashboard.now()).cookie)
        }
        group.post("logout") { request, _ in
            try await d.signedIn(request) { session in
                struct F: Decodable { var csrf: String? }
                try d.checkCSRF(try await Dashboard.form(F.self, request, limit: 16_000).csrf, session)
                return Dashboard.redirect("/login", cookie: d.signer.clearingCookie)
            }
        }
        api.post("dashboard/login-links") { request, _ in
            let body = try await request.collectBody(upTo: 16_000, what: "login link")
            let input = body.readableBytes == 0 ? LoginLinkInput() : try JSON.decode(LoginLinkInput.self, from: body, what: "login link")
            let next = OneTimeLoginLinks.safeNext(input.next)
            let nonce = try await d.logins.mint(next: next, now: Dashboard.now())
            let query = "?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "%2F")
            return try JSON.response(
                LoginLinkView(url: "\(d.config.publicBaseURL)/login/once/\(nonce)\(query)", expiresInSeconds: OneTimeLoginLinks.lifetime),
                status: .created)
        }
        OverviewPageController(dashboard: d).addRoutes(to: group)
        CampaignPageController(dashboard: d, dispatcher: dispatcher, management: CampaignManagement(store: dispatcher.store, dispatcher: dispatcher))
            .addRoutes(to: group)
        CampaignFormController(dashboard: d, creation: CampaignCreation(store: dispatcher.store, engine: dispatcher.planner.engine))
            .addRoutes(to: group)
        ProviderPageController(dashboard: d).addRoutes(to: group)
        IngestionErrorPageController(dashboard: d).addRoutes(to: group)
        ProfileImportPageController(dashboard: d).addRoutes(to: group)
        ProfilePageController(dashboard: d, api: profiles).addRoutes(to: group)
        SegmentPageController(dashboard: d).addRoutes(to: group)
        MessageLogPageController(dashboard: d).addRoutes(to: group)
        WebhookPageController(dashboard: d, store: dispatcher.store).addRoutes(to: group)
    }

    /// Whether a sign-in secret is the admin token or the dashboard password (constant time).
    func accepts(_ secret: String) -> Bool {
        guard !secret.isEmpty else { return false }
        let token = DashboardSessionSigner.constantTimeEquals(secret, dashboard.config.adminToken)
        let password = dashboard.config.dashboardPassword.map { DashboardSessionSigner.constantTimeEquals(secret, $0) } ?? false
        return token || password
    }

    func loginObject(next: String, error: String?) -> [String: Any] {
        var o: [String: Any] = [
            "title": "Sign in", "next": next, "passwordEnabled": dashboard.config.dashboardPassword != nil,
        ]
        if let error { o["error"] = error }
        return o
    }
}
