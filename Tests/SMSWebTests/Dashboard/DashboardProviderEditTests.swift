import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreSQLite
@testable import SMSWeb
import Testing

/// The providers page's edit form covers every field of `PATCH /api/v1/providers/{id}`: each is
/// edited through the form and read back through the API; secrets are never rendered and a blank
/// secret keeps the stored one; a wrong value is the API's 400 naming the field, nothing changed.
@Suite("Dashboard: provider edit form, every PATCH field")
struct DashboardProviderEditTests {
    typealias F = DashboardFixture

    static let created = #"""
        {"name":"Acme","url":"https://p.example/send","bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\"}",
         "headers":{"X-Api-Key":"hdr-secret-1","X-Tenant":"t1"},"auth":{"type":"basic","username":"u1","password":"pw-secret-1"},
         "webhookSigningKey":"sign-secret-1"}
        """#

    /// `application/x-www-form-urlencoded` of the pairs.
    static func form(_ pairs: [(String, String)]) -> ByteBuffer {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.~"))
        return ByteBuffer(string: pairs.map {
            ($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") + "=" + ($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        }.joined(separator: "&"))
    }

    /// The API's view of the provider, as JSON.
    static func api(_ client: some TestClientProtocol, _ id: String) async throws -> [String: Any] {
        try await client.execute(uri: "/api/v1/providers/\(id)", method: .get, headers: auth) { r in
            #expect(r.status == .ok)
            return try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any] ?? [:]
        }
    }

    @Test("each field edited through the form reads back through the API; blank secrets keep, secrets never rendered")
    func everyField() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let id = try await client.execute(uri: "/api/v1/providers", method: .post, headers: auth, body: json(Self.created)) { r in
                #expect(r.status == .created)
                return try decode(F.P.self, r.body).id
            }
            let (cookie, csrf) = try await F.signIn(client)
            let headers: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            let page = try await client.execute(uri: "/providers", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            for secret in ["hdr-secret-1", "pw-secret-1", "sign-secret-1"] { #expect(!page.contains(secret), "\(secret) rendered") }
            #expect(page.contains("X-Api-Key:\nX-Tenant: t1</textarea>"))
            #expect(page.contains(#"<option value="basic" selected>basic</option>"#))
            #expect(page.contains(#"name="authUsername" value="u1""#))

            func edit(_ pairs: [(String, String)]) async throws -> (HTTPResponse.Status, String) {
                try await client.execute(uri: "/providers/\(id)/edit", method: .post, headers: headers, body: Self.form([("csrf", csrf)] + pairs)) {
                    ($0.status, String(buffer: $0.body))
                }
            }

            // 1. Every field at once; secrets typed anew or left blank.
            let template = #"{"messages":[{"to":"$$To","text":"$$Body","ref":"$$MessageID"}]}"#
            let (status, _) = try await edit([
                ("name", "Acme 2"), ("kind", "vonage"), ("url", "https://q.example/v2/send"), ("method", "POST"), ("bodyType", "json"),
                ("bodyTemplate", template), ("headers", "X-Api-Key:\r\nX-Tenant: t2\r\nX-Extra: e e"), ("messageIdPath", "messages.0.id"),
                ("ratePerSecond", "2.5"), ("maxConcurrency", "8"), ("batchKey", "messages"), ("batchSize", "50"),
                ("callbacksEnabled", "false"), ("requireSignature", "true"), ("authType", "oauth2"),
                ("authTokenUrl", "https://auth.example/token"), ("authClientId", "cid"), ("authClientSecret", "cs-secret-2"),
                ("authScope", "sms"), ("authClientAuthMethod", "body"), ("webhookSigningKey", ""),
            ])
            #expect(status == .seeOther)
            let a = try await Self.api(client, id)
            #expect(a["name"] as? String == "Acme 2")
            #expect(a["kind"] as? String == "vonage")
            #expect(a["url"] as? String == "https://q.example/v2/send")
            #expect(a["method"] as? String == "POST" && a["bodyType"] as? String == "json")
            #expect(a["bodyTemplate"] as? String == template)
            #expect(a["headers"] as? [String: String] == ["X-Api-Key": "********", "X-Tenant": "t2", "X-Extra": "e e"])
            #expect(a["messageIdPath"] as? String == "messages.0.id")
            #expect(a["ratePerSecond"] as? Double == 2.5)
            #expect(a["maxConcurrency"] as? Int == 8)
            #expect((a["batch"] as? [String: Any])?["key"] as? String == "messages" && (a["batch"] as? [String: Any])?["size"] as? Int == 50)
            #expect(a["callbacksEnabled"] as? Bool == false)
            #expect(a["requireSignature"] as? Bool == true)
            #expect(a["auth"] as? [String: String] == [
                "type": "oauth2", "tokenUrl": "https://auth.example/token", "clientId": "cid", "clientSecret": "********", "scope": "sms",
                "clientAuthMethod": "body",
            ])
            #expect(a["webhookSigningKey"] as? String == "********")
            let stored = try #require(try await store.provider(id: id))
            #expect(stored.headers["X-Api-Key"] == "hdr-secret-1", "a blank credential header keeps its value")
            #expect(stored.webhookSigningKey == "sign-secret-1", "a blank signing key keeps it")
            #expect(stored.auth?.clientSecret == "cs-secret-2")
            let rendered = try await client.execute(uri: "/providers", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            for secret in ["hdr-secret-1", "cs-secret-2", "sign-secret-1"] { #expect(!rendered.contains(secret), "\(secret) rendered") }
            #expect(rendered.contains(#"name="batchSize" value="50""#) && rendered.contains(#"<option value="true" selected>yes</option>"#))

            // 2. A blank secret with nothing stored to keep, and other wrong values: the API's 400 naming the field; nothing changes.
            for (pairs, named) in [
                ([("authType", "basic"), ("authUsername", "u2"), ("authPassword", "")], "auth.password is required for basic auth"),
                ([("batchSize", "5000")], "batch.size must be an integer from 1 to 1000"),
                ([("maxConcurrency", "lots")], "maxConcurrency"),
                ([("ratePerSecond", "0")], "ratePerSecond must be a number from 0.001"),
                ([("kind", "nope")], "kind"),
                ([("requireSignature", "maybe")], "requireSignature"),
                ([("method", "PUT")], "method must be POST or GET"),
                ([("headers", "X-Tenant t3")], "headers line 1 must be 'Name: value'"),
                ([("webhookSigningKey", "new"), ("removeWebhookSigningKey", "on")], "webhookSigningKey"),
                ([("authType", "bearer"), ("authToken", "********")], "auth.token holds '********'"),
            ] as [([(String, String)], String)] {
                let (s, body) = try await edit([("name", "Changed")] + pairs)
                #expect(s == .badRequest, "\(pairs)")
                #expect(Self.unescape(body).contains(named), "\(pairs): \(body.prefix(400))")
                #expect(try await store.provider(id: id) == stored, "\(pairs) changed nothing")
            }

            // 3. Clearing: no headers, no batch, no message id path, no rate or concurrency, no signing key; bearer auth.
            let (cleared, _) = try await edit([
                ("kind", "generic"), ("bodyTemplate", #"{"to":"$$To","text":"$$Body"}"#), ("headers", ""), ("batchKey", ""), ("batchSize", ""),
                ("messageIdPath", ""), ("ratePerSecond", ""), ("maxConcurrency", ""), ("requireSignature", "false"),
                ("callbacksEnabled", "true"), ("authType", "bearer"), ("authToken", "tok-3"), ("removeWebhookSigningKey", "on"),
            ])
            #expect(cleared == .seeOther)
            let b = try await Self.api(client, id)
            #expect(b["kind"] as? String == "generic" && b["name"] as? String == "Acme 2")
            #expect(b["headers"] as? [String: String] == [:])
            #expect(b["batch"] == nil && b["messageIdPath"] == nil && b["ratePerSecond"] == nil && b["maxConcurrency"] == nil)
            #expect(b["webhookSigningKey"] == nil)
            #expect(b["requireSignature"] as? Bool == false && b["callbacksEnabled"] as? Bool == true)
            #expect(b["auth"] as? [String: String] == ["type": "bearer", "token": "********"])
            #expect(try await store.provider(id: id)?.auth == ProviderAuth(type: .bearer, token: "tok-3"))

            // 4. A blank token keeps the stored one; auth "none" removes authentication.
            #expect(try await edit([("authType", "bearer"), ("authToken", "")]).0 == .seeOther)
            #expect(try await store.provider(id: id)?.auth == ProviderAuth(type: .bearer, token: "tok-3"))
            #expect(try await edit([("authType", "none")]).0 == .seeOther)
            #expect(try await Self.api(client, id)["auth"] == nil)
        }
    }

    @Test("the form as rendered, posted back unchanged, changes no field")
    func roundTrip() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let body = #"""
                {"name":"R & \"D\" <x>","kind":"kannel","url":"https://p.example/send?a=1&b=2&pw=$$Password&c=$$Coding","bodyTemplate":"{\"messages\":[{\"to\":\"$$To\",\"text\":\"$$Body\"}]}",
                 "coding":{"GSM-7":"0","UCS-2":"2"},"detectsEncoding":true,"secrets":{"Password":"pw <&> 9","ApiKey":"apikey-val-1"},
                 "headers":{"Authorization":"Basic abc","X-Tenant":"t'1"},"batch":{"key":"messages","size":7},"messageIdPath":"a.b",
                 "ratePerSecond":0.5,"maxConcurrency":3,"requireSignature":true,"callbacksEnabled":false,
                 "auth":{"type":"oauth2","tokenUrl":"https://a.example/t","clientId":"c","clientSecret":"s3cr3t","scope":"x y"},
                 "webhookSigningKey":"wsk"}
                """#
            let id = try await client.execute(uri: "/api/v1/providers", method: .post, headers: auth, body: json(body)) { r in
                #expect(r.status == .created, "\(String(buffer: r.body))")
                return try decode(F.P.self, r.body).id
            }
            let before = try #require(try await store.provider(id: id))
            let (cookie, _) = try await F.signIn(client)
            let page = try await client.execute(uri: "/providers", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            let fields = try #require(Self.formFields(page, action: "/providers/\(id)/edit"))
            // Every PATCH field is in the form; auth, batch, coding and secrets by their parts.
            #expect(Set(fields.map(\.0)).isSuperset(of: ProviderPatch.fields.subtracting(["auth", "batch", "coding", "secrets"])))
            #expect(Set(fields.map(\.0)).isSuperset(of: ["codingGSM7", "codingUCS2", "secret.ApiKey", "secret.Password", "newSecretName"]))
            #expect(fields.filter { $0.0.hasPrefix("secret.") || $0.0 == "newSecretValue" }.allSatisfy { $0.1.isEmpty }, "no secret value rendered")
            #expect(!page.contains("pw &lt;&amp;&gt; 9") && !page.contains("apikey-val-1"))
            #expect(fields.contains { $0.0 == "authClientSecret" && $0.1 == "" } && fields.contains { $0.0 == "batchSize" && $0.1 == "7" })
            let status = try await client.execute(
                uri: "/providers/\(id)/edit", method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: Self.form(fields)
            ) { $0.status }
            #expect(status == .seeOther)
            var after = try #require(try await store.provider(id: id))
            #expect(after.version == (before.version ?? 0) + 1)
            after.version = before.version
            #expect(after == before)
        }
    }

    /// The fields a browser would post for the form with `action`: inputs (checkboxes only when
    /// checked), textareas, and each select's selected option; values unescaped.
    static func formFields(_ html: String, action: String) -> [(String, String)]? {
        guard let start = html.range(of: #"action="\#(action)""#), let end = html[start.upperBound...].range(of: "</form>") else { return nil }
        let form = String(html[start.upperBound..<end.lowerBound])
        var out: [(String, String)] = []
        func attribute(_ tag: String, _ name: String) -> String? {
            guard let r = tag.range(of: " \(name)=\"") else { return nil }
            return unescape(String(tag[r.upperBound...].prefix { $0 != "\"" }))
        }
        let element = try! NSRegularExpression(pattern: #"<(input|textarea|select)\b[^>]*>"#, options: [])
        for m in element.matches(in: form, range: NSRange(form.startIndex..., in: form)) {
            let tag = String(form[Range(m.range, in: form)!])
            guard let name = attribute(tag, "name") else { continue }
            let after = form[Range(m.range, in: form)!.upperBound...]
            if tag.hasPrefix("<textarea") {
                out.append((name, unescape(String(after[..<after.range(of: "</textarea>")!.lowerBound]))))
            } else if tag.hasPrefix("<select") {
                let options = after[..<after.range(of: "</select>")!.lowerBound]
                guard let sel = options.range(of: " selected>") else { continue }
                let open = options[..<sel.lowerBound].range(of: "<option value=\"", options: .backwards)!
                out.append((name, unescape(String(options[open.upperBound...].prefix { $0 != "\"" }))))
            } else if attribute(tag, "type") == "checkbox" {
                if tag.contains(" checked") { out.append((name, attribute(tag, "value") ?? "on")) }
            } else {
                out.append((name, attribute(tag, "value") ?? ""))
            }
        }
        return out
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&#x27;", with: "'").replacingOccurrences(of: "&#x2F;", with: "/")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
