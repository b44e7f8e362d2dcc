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

/// The new-user tester's findings on presets and endpoint URLs (session 12).
@Suite("Provider presets: base URLs, choices, message ids; url placeholders only in path and query")
struct ProviderPresetInputTests {
    @Test("a base URL with a trailing / is placed without it; a query, fragment, user or no scheme is a 400 naming fields.baseUrl")
    func baseURL() async throws {
        let (app, store, _) = try await makeTestApp()
        try await app.test(.router) { client in
            let slash = try await ProviderTrialRequestTests.create(client, #"{"preset":"kannel","fields":{"baseUrl":"http://127.0.0.1:23013/","username":"u","password":"p","from":"x"}}"#)
            #expect(slash.0 == .created, "\(slash.1)")
            let id = try #require((try JSONSerialization.jsonObject(with: Data(slash.1.utf8)) as? [String: Any])?["id"] as? String)
            #expect(try await store.provider(id: id)?.url.hasPrefix("http://127.0.0.1:23013/cgi-bin/sendsms?username=u&") == true)
            for bad in ["http://127.0.0.1:23013/?a=b#frag", "http://127.0.0.1:23013/#x", "xxxxx.api.infobip.com", "ftp://gw.example", "http://user:pw@gw.example", "http:// gw.example"] {
                let answer = try await ProviderTrialRequestTests.create(
                    client, #"{"preset":"infobip","fields":{"baseUrl":"\#(bad)","apiKey":"k","from":"x"}}"#)
                #expect(answer.0 == .badRequest, "\(bad): \(answer.1)")
                #expect(answer.1.contains("fields.baseUrl must be an absolute http(s) URL with a host and no query or fragment"), "\(bad): \(answer.1)")
            }
        }
    }

    @Test("Sinch's region is one of us, eu, au, br, ca: evil.com/ is a 400 naming fields.region; the list is in GET /provider-presets")
    func region() async throws {
        let (app, _, _) = try await makeTestApp()
        try await app.test(.router) { client in
            let evil = try await ProviderTrialRequestTests.create(
                client, #"{"preset":"sinch","fields":{"region":"evil.com/","servicePlanId":"p","apiToken":"t","from":"x"}}"#)
            #expect(evil.0 == .badRequest)
            #expect(evil.1.contains("fields.region must be one of us, eu, au, br, ca (got 'evil.com\\/')"), "\(evil.1)")
            let eu = try await ProviderTrialRequestTests.create(
                client, #"{"preset":"sinch","fields":{"region":"eu","servicePlanId":"p","apiToken":"t","from":"x"}}"#)
            #expect(eu.0 == .created, "\(eu.1)")
        }
        let sinch = try #require(ProviderPreset.named("sinch"))
        #expect(sinch.fields.first { $0.name == "region" }?.choices == ["us", "eu", "au", "br", "ca"])
    }

    @Test("Jasmin's and Gupshup's presets read the message id from their text answers")
    func messageIdPatterns() throws {
        let jasmin = try MessageIdPattern(try #require(ProviderPreset.named("jasmin")?.provider.messageIdPattern))
        #expect(jasmin.ids(in: #"Success "869f9167-0b0e-4d5c-9b7a-53c7ff1f2e3b""#, count: 1) == ["869f9167-0b0e-4d5c-9b7a-53c7ff1f2e3b"])
        let gupshup = try MessageIdPattern(try #require(ProviderPreset.named("gupshup")?.provider.messageIdPattern))
        #expect(gupshup.ids(in: "success | 4915550001 | 3693210948712-123456789", count: 1) == ["3693210948712-123456789"])
        #expect(gupshup.ids(in: "error | 105 | Invalid mobile number", count: 1) == [nil])
    }

    @Test("a placeholder in the url's host or fragment is a 400 naming url; an unknown one in the url is named as url's")
    func urlPlaceholders() async throws {
        let (app, _, _) = try await makeTestApp()
        try await app.test(.router) { client in
            func provider(_ url: String) async throws -> (HTTPResponse.Status, String) {
                try await ProviderTrialRequestTests.create(
                    client, #"{"name":"p","method":"GET","url":"\#(url)","bodyType":"form","bodyTemplate":""}"#)
            }
            let host = try await provider("http://$$To.example.com/?b=$$Body")
            #expect(host.0 == .badRequest)
            #expect(host.1.contains("url: $$To is in the scheme or the host"), "\(host.1)")
            let host2 = try await provider("http://$$Body/x?to=$$To")
            #expect(host2.1.contains("url: $$Body is in the scheme or the host"), "\(host2.1)")
            let fragment = try await provider("http://gw.example/send?to=$$To&b=$$Body#$$MessageID")
            #expect(fragment.0 == .badRequest)
            #expect(fragment.1.contains("url: $$MessageID is in the fragment (after #), which is never sent"), "\(fragment.1)")
            let unknown = try await provider("http://gw.example/send?to=$$To&b=$$Body&x=$$Nope")
            #expect(unknown.0 == .badRequest)
            #expect(unknown.1.contains("url: unknown placeholder $$Nope"), "\(unknown.1)")
            let fine = try await provider("http://gw.example/v1/$$ToDigits/send?b=$$Body&m=$$MessageID")
            #expect(fine.0 == .created, "\(fine.1)")
        }
    }
}
