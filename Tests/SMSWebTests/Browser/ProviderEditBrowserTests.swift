import Foundation
import SMSCore
import Testing

@testable import SMSWeb

/// Issue 16: the providers page's edit form in a real browser (Debian's headless Chromium): a
/// Kannel preset's coding mapping, `detectsEncoding` and secret names as the API has them, secret
/// values nowhere in the DOM, the provider's name as text; after an edit posted with the page's
/// own fields (password rotated, a secret added, the UCS-2 coding changed) the page shows the new
/// values, still without any secret.
@Suite("Dashboard in headless Chromium: provider edit form", .enabled(if: HeadlessChromium.path != nil, "chromium not installed (scripts/setup/chromium.sh)"))
struct ProviderEditBrowserTests {
    struct Provider: Decodable {
        var id: String
        var coding: [String: String]?
        var detectsEncoding: Bool?
        var secrets: [String: String]?
    }

    @Test("coding, detectsEncoding and secrets in the edit form as the API has them; secret values never in the DOM; name escaped")
    func providerEditInChromium() async throws {
        try await LiveDashboardServer.withBrowser(run)
    }

    func run(_ server: LiveDashboardServer, _ browser: HeadlessChromium) async throws {
        let created = try await server.json(
            Provider.self, .POST, "/api/v1/providers",
            #"{"preset":"kannel","name":"<i>Kannel</i> & \"Co\"","fields":{"baseUrl":"http://127.0.0.1:13013","username":"tester","password":"pw-browser-1","from":"12345"}}"#)
        let id = created.id
        func open(_ path: String) async throws -> String {
            try await browser.dumpDOM(try await server.loginLink(path), virtualTimeMs: 1_000)
        }
        /// The value of the edit form's input `field` (by its element id `field-<provider id>`).
        func value(_ dom: String, _ field: String) -> String? { DOM.attribute(dom, of: #"id="\#(field)-\#(id)""#, "value") }
        func selected(_ dom: String, _ select: String) -> String? {
            guard let start = dom.range(of: #"id="\#(select)-\#(id)""#), let end = dom[start.upperBound...].range(of: "</select>") else { return nil }
            let options = dom[start.upperBound..<end.lowerBound]
            guard let sel = options.range(of: " selected") else { return nil }
            let open = options[..<sel.lowerBound].range(of: "<option value=\"", options: .backwards)!
            return String(options[open.upperBound...].prefix { $0 != "\"" })
        }

        // 1. As the preset made it.
        let api = try await server.json(Provider.self, .GET, "/api/v1/providers/\(id)")
        #expect(api.coding == ["GSM-7": "0", "UCS-2": "2"] && api.secrets == ["Password": "********"])
        let page = try await open("/providers")
        #expect(value(page, "codingGSM7") == api.coding?["GSM-7"] && value(page, "codingUCS2") == api.coding?["UCS-2"])
        #expect(selected(page, "detects") == "false")
        #expect(DOM.attribute(page, of: #"id="secret-\#(id)-Password""#, "value") == "")
        #expect(DOM.attribute(page, of: #"id="secret-\#(id)-Password""#, "type") == "password")
        #expect(!page.contains("pw-browser-1"))
        #expect(!page.contains("<i>Kannel</i>") && page.contains("&lt;i&gt;Kannel&lt;/i&gt; &amp; \"Co\""), "the name is text")

        // 2. Edit with the page's own fields (as a browser posts them), password rotated, a secret added.
        let (cookie, csrf) = try await BrowserScenario.signIn(server)
        let html = String(decoding: try await server.call(.GET, "/providers", auth: false, headers: [("Cookie", cookie)]).body, as: UTF8.self)
        var fields = try #require(DashboardProviderEditTests.formFields(html, action: "/providers/\(id)/edit"))
        fields.removeAll { ["csrf", "codingUCS2", "detectsEncoding", "secret.Password", "newSecretName", "newSecretValue", "url"].contains($0.0) }
        let url = try #require(DashboardProviderEditTests.formFields(html, action: "/providers/\(id)/edit")?.first { $0.0 == "url" }?.1)
        fields += [
            ("csrf", csrf), ("url", url + "&meta-data=$$Extra"), ("codingUCS2", "8"), ("detectsEncoding", "true"),
            ("secret.Password", "pw-browser-2"), ("newSecretName", "Extra"), ("newSecretValue", "extra-browser-3"),
        ]
        let posted = try await server.call(
            .POST, "/providers/\(id)/edit", body: Data(FormFields.encoded(fields).utf8), auth: false,
            headers: [("Cookie", cookie), ("Content-Type", "application/x-www-form-urlencoded")])
        #expect(posted.status == 303, "\(String(decoding: posted.body, as: UTF8.self).prefix(400))")

        // 3. The page after the edit: the API's values, secret names, no secret value.
        let after = try await server.json(Provider.self, .GET, "/api/v1/providers/\(id)")
        #expect(after.coding == ["GSM-7": "0", "UCS-2": "8"] && after.detectsEncoding == true)
        #expect(after.secrets == ["Password": "********", "Extra": "********"])
        let edited = try await open("/providers")
        #expect(value(edited, "codingGSM7") == "0" && value(edited, "codingUCS2") == "8")
        #expect(selected(edited, "detects") == "true")
        #expect(DOM.attribute(edited, of: #"id="secret-\#(id)-Extra""#, "value") == "")
        #expect(DOM.attribute(edited, of: #"id="secret-\#(id)-Password""#, "value") == "")
        for secret in ["pw-browser-1", "pw-browser-2", "extra-browser-3"] { #expect(!edited.contains(secret), "\(secret) in the DOM") }
        try await browser.screenshot(
            try await server.loginLink("/providers"), to: DashboardBrowserTests.outputDirectory.appendingPathComponent("dashboard-19-provider-edit.png"))
    }
}
