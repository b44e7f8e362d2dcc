import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import SMSCore

/// What every dashboard page shares: the store, the templates, the session signer, and the
/// page helpers (sign-in check, CSRF check, rendering with security headers).
///
/// Pages are server-rendered with swift-mustache (`{{x}}` escapes `& < > " '`, so user text is
/// text); the only unescaped insertions (`{{{…}}}`) are SVG built by ``LineChartSVG`` and
/// ``BarSVG``, which escape their own text. Every page answers with a strict
/// Content-Security-Policy: scripts and styles from this origin only, so even an escaping bug
/// could not run an injected inline script.
struct Dashboard: Sendable {
    let store: any SMSStore
    let config: AppConfig
    let templates: MustacheLibrary
    let signer: DashboardSessionSigner
    let logins: OneTimeLoginLinks

    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    init(store: any SMSStore, config: AppConfig, templates: MustacheLibrary, logins: OneTimeLoginLinks) {
        self.store = store
        self.config = config
        self.templates = templates
        self.logins = logins
        self.signer = DashboardSessionSigner(
            adminToken: config.adminToken, password: config.dashboardPassword,
            secureCookie: config.publicBaseURL.lowercased().hasPrefix("https://"))
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// The signed-in session of a request, or `nil`.
    func session(_ request: Request) -> DashboardSession? {
        guard let value = request.cookies[DashboardSessionSigner.cookieName]?.value else { return nil }
        return signer.verify(value, now: Self.now())
    }

    /// Runs `body` for a signed-in request; otherwise redirects to `/login?next=<this path>`.
    func signedIn(_ request: Request, _ body: (DashboardSession) async throws -> Response) async throws -> Response {
        guard let session = session(request) else {
            let next = OneTimeLoginLinks.safeNext(request.uri.string)
            let query = next == "/" ? "" : "?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            return Response(status: .seeOther, headers: [.location: "/login" + query])
        }
        return try await body(session)
    }

    /// Checks a POSTed form's `csrf` field against the session's token (403 page otherwise).
    func checkCSRF(_ token: String?, _ session: DashboardSession) throws {
        guard let token, DashboardSessionSigner.constantTimeEquals(token, session.csrfToken) else {
            throw HTTPError(.forbidden, message: "the form's security token is missing or stale: reload the page and try again")
        }
    }

    /// Renders a template into a full page response. `object` gets `title`, `csrf`, `signedIn` and
    /// `nav` (the active section) added.
    func page(
        _ template: String, _ object: [String: Any], session: DashboardSession?, nav: String = "",
        status: HTTPResponse.Status = .ok
    ) -> Response {
        var o = object
        o["csrf"] = session?.csrfToken ?? ""
        o["signedIn"] = session != nil
        o["nav_" + (nav.isEmpty ? "none" : nav)] = true
        let text = templates.render(o, withTemplate: template) ?? "template \(template) missing"
        return Self.html(text, status: status)
    }

    /// An HTML response with the dashboard's security headers.
    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .contentSecurityPolicy: contentSecurityPolicy,
                .xContentTypeOptions: "nosniff",
                HTTPField.Name("Referrer-Policy")!: "same-origin",
                .cacheControl: "no-store",
                HTTPField.Name("X-Frame-Options")!: "DENY",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A 303 redirect (after a POST, or to sign in).
    static func redirect(_ location: String, cookie: String? = nil) -> Response {
        var headers: HTTPFields = [.location: location]
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }

    /// Decodes an `application/x-www-form-urlencoded` body (400 naming the problem otherwise: a
    /// field whose percent-decoded bytes are not UTF-8 is refused by name,
    /// ``FormFields/strictPairs(bytes:checkedPart:)``, never read as U+FFFD; a field given more than once is
    /// refused by name, `the form could not be read: the form field 'name' is given 2 times; give it once`).
    /// Numbers in a form are text; the controllers read them by the JSON API's number rule
    /// (``JSONBody/number(text:)``).
    static func form<T: Decodable>(_ type: T.Type, _ request: Request, limit: Int = 1_000_000) async throws -> T {
        let (form, invalid) = try await formKeepingValid(type, request, limit: limit)
        if let invalid { throw HTTPError(.badRequest, message: "the form could not be read: \(invalid.message)") }
        return form
    }

    /// Like ``form(_:_:limit:)``, but a field that is not UTF-8 is left out (so a form can be
    /// shown again with what was typed) and named in the second value.
    static func formKeepingValid<T: Decodable>(
        _ type: T.Type, _ request: Request, limit: Int = 1_000_000
    ) async throws -> (T, FormFields.InvalidUTF8Fields?) {
        let body = try await request.collectBody(upTo: limit, what: "form")
        let invalid: FormFields.InvalidUTF8Fields?
        let text: String
        let pairs: [(String, String)]
        switch FormFields.strictPairs(bytes: Array(body.readableBytesView)) {
        case .success(let all): (pairs, invalid) = (all, nil)
        case .failure(let refused): (pairs, invalid) = (refused.valid, refused)
        }
        // A field given twice is refused naming it, in our words (the decoder's own text was
        // "Found duplicate keys with name 'name'"), as query parameters are (``QueryParameter``).
        if let (name, times) = QueryParameter.firstRepeated(pairs) {
            throw HTTPError(.badRequest, message: "the form could not be read: the form field '\(InputEcho.text(name))' is given \(times) times; give it once")
        }
        text = FormFields.encoded(pairs)
        return (try decode(type, text), invalid)
    }

    /// `text` (form text whose fields are UTF-8) as `T`. - Throws: 400 naming the problem.
    private static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        if let problem = nulProblem(form: text) { throw HTTPError(.badRequest, message: "the form could not be read: \(problem)") }
        do {
            return try URLEncodedFormDecoder().decode(type, from: text)
        } catch {
            throw HTTPError(.badRequest, message: "the form could not be read: \(error)")
        }
    }

    /// The first form field (name or value) holding U+0000 (`%00`), as ``TextInput`` words it: no
    /// text field may hold it (`docs/DOMAIN.md` §1); `nil` when none does.
    static func nulProblem(form text: String) -> String? {
        guard text.contains("%00") else { return nil }
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                .map { $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            let name = parts[0]
            if let p = TextInput.problem(name, field: "a form field's name", kind: .text) { return p }
            if parts.count > 1, let p = TextInput.problem(parts[1], field: name, kind: .text) { return p }
        }
        return nil
    }
}
