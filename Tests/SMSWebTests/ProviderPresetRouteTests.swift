import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SMSCore
import Testing

/// `GET /api/v1/provider-presets` and `POST /api/v1/providers` with `"preset"` (issue 16); the
/// dashboard's new-provider form with its preset picker.
@Suite("Provider presets: API and dashboard")
struct ProviderPresetRouteTests {
    @Test("GET /api/v1/provider-presets lists the 8 presets with their fields and what they fill")
    func list() async throws {
        let (app, _, _) = try await makeTestApp()
        try await app.test(.router) { client in
            let presets = try await client.execute(uri: "/api/v1/provider-presets", method: .get, headers: auth) { r in
                #expect(r.status == .ok)
                return try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [[String: Any]] ?? []
            }
            #expect(presets.compactMap { $0["kind"] as? String } == ["twilio", "vonage", "plivo", "sinch", "gupshup", "kannel", "jasmin", "infobip"])
            let kannel = try #require(presets.first { $0["kind"] as? String == "kannel" })
            let fields = kannel["fields"] as? [[String: Any]] ?? []
            #expect(fields.compactMap { $0["name"] as? String } == ["baseUrl", "username", "password", "from"])
            #expect(fields.first?["default"] as? String == "http://127.0.0.1:13013")
            #expect(fields.first?["required"] as? Bool == false)
            #expect(fields[2]["secret"] as? Bool == true)
            let fills = kannel["fills"] as? [String: Any] ?? [:]
            #expect(fills["method"] as? String == "GET")
            #expect(fills["kind"] as? String == "kannel")
            #expect(fills["coding"] as? [String: String] == ["GSM-7": "0", "UCS-2": "2"])
        }
    }

    @Test("POST with a preset creates the whole provider; its secret is never shown back; unknown preset or fields are 400s naming them")
    func create() async throws {
        let (app, store, _) = try await makeTestApp()
        try await app.test(.router) { client in
            let created = try await ProviderTrialRequestTests.create(client, #"""
                {"preset":"kannel","name":"Our Kannel","fields":{"username":"tester","password":"foo$bar","from":"12345"},"maxConcurrency":8}
                """#)
            #expect(created.0 == .created, "\(created.1)")
            #expect(!created.1.contains("foo$bar"))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(created.1.utf8)) as? [String: Any])
            #expect(object["secrets"] as? [String: String] == ["Password": "********"])
            #expect(object["name"] as? String == "Our Kannel")
            let stored = try #require(try await store.provider(id: object["id"] as? String ?? ""))
            #expect(stored.kind == .kannel)
            #expect(stored.method == "GET")
            #expect(stored.url == "http://127.0.0.1:13013/cgi-bin/sendsms?username=tester&password=$$Password&from=12345&to=$$To&text=$$Body"
                + "&coding=$$Coding&charset=UTF-8&dlr-mask=31&dlr-url=$$DlrUrl")
            #expect(stored.secrets == ["Password": "foo$bar"])
            #expect(stored.coding == ["GSM-7": "0", "UCS-2": "2"])
            #expect(stored.maxConcurrency == 8)

            for kind in ProviderPreset.all.map(\.kind) {
                let preset = try #require(ProviderPreset.named(kind))
                var fields: [String: String] = [:]
                for field in preset.fields where field.defaultValue == nil {
                    fields[field.name] = field.name == "baseUrl" ? "https://gw.example" : "v-\(field.name)"
                }
                let body = String(decoding: try JSONEncoder().encode(["preset": kind]), as: UTF8.self).dropLast()
                    + #","fields":"# + String(decoding: try JSONEncoder().encode(fields), as: UTF8.self) + "}"
                let answer = try await ProviderTrialRequestTests.create(client, String(body))
                #expect(answer.0 == .created, "\(kind): \(answer.1)")
            }

            let unknown = try await ProviderTrialRequestTests.create(client, #"{"preset":"nexmo","fields":{}}"#)
            #expect(unknown.0 == .badRequest)
            #expect(unknown.1.contains("unknown preset 'nexmo': the presets are twilio, vonage, plivo, sinch, gupshup, kannel, jasmin, infobip"), "\(unknown.1)")
            let missing = try await ProviderTrialRequestTests.create(client, #"{"preset":"twilio","fields":{"accountSid":"AC1","token":"x"}}"#)
            #expect(missing.0 == .badRequest)
            #expect(missing.1.contains("fields.token is not a field of preset 'twilio'"), "\(missing.1)")
            #expect(missing.1.contains("fields.authToken is required"), "\(missing.1)")
            #expect(missing.1.contains("fields.from is required"), "\(missing.1)")
            let stray = try await ProviderTrialRequestTests.create(client, #"{"preset":"twilio","url":"https://x.example","fields":{}}"#)
            #expect(stray.0 == .badRequest)
            #expect(stray.1.contains("unknown field 'url'"), "\(stray.1)")
        }
    }

    @Test("the dashboard's picker shows a preset's fields and what it fills; the form creates the provider")
    func dashboard() async throws {
        let (app, store) = try await DashboardFixture.app()
        try await app.test(.router) { client in
            let (cookie, csrf) = try await DashboardFixture.signIn(client)
            try await client.execute(uri: "/providers", method: .get, headers: [.cookie: cookie]) { r in
                let html = String(buffer: r.body)
                #expect(html.contains(#"<option value="jasmin">Jasmin SMS gateway (HTTP API)</option>"#))
                #expect(!html.contains(#"id="preset-form""#))
            }
            try await client.execute(uri: "/providers?preset=twilio", method: .get, headers: [.cookie: cookie]) { r in
                let html = String(buffer: r.body)
                #expect(html.contains(#"<option value="twilio" selected>"#))
                #expect(html.contains(#"<input id="field-authToken" name="field.authToken" type="password" autocomplete="off" required"#), "\(html)")
                #expect(html.contains("<dt>URL</dt><dd><code>https://api.twilio.com/2010-04-01/Accounts/{{accountSid}}/Messages.json</code></dd>"))
                #expect(html.contains("<dt>Message id path</dt><dd><code>sid</code></dd>"))
            }
            let form = "csrf=\(csrf)&preset=twilio&name=Tw&field.accountSid=AC123&field.authToken=tok&field.from=%2B15557122661"
            try await client.execute(
                uri: "/providers/new", method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: form)
            ) { r in
                #expect(r.status == .seeOther || r.status == .found, "\(String(buffer: r.body))")
            }
            let created = try #require(try await store.providers().first { $0.name == "Tw" })
            #expect(created.url == "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json")
            #expect(created.auth?.password == "tok")
            #expect(created.webhookSigningKey == "tok")
            #expect(created.bodyTemplate == "To=$$To&From=%2B15557122661&Body=$$Body&StatusCallback=$$DlrUrl")
            try await client.execute(
                uri: "/providers/new", method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=\(csrf)&preset=twilio&name=Tw2&field.accountSid=AC123")
            ) { r in
                #expect(r.status == .badRequest)
                #expect(String(buffer: r.body).contains("fields.authToken is required"))
            }
        }
    }
}
