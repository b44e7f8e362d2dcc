import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreSQLite
@testable import SMSWeb
import Testing

/// Issue 16: the providers page's edit form sets a provider's `coding` mapping, `detectsEncoding`
/// and its `secrets` (`$$Name` credentials: typed anew to rotate, removed, added), read back through
/// the API; a secret's value is never rendered; a wrong value is the API's 400 naming the field,
/// nothing changed.
@Suite("Dashboard: provider edit form, coding and secrets")
struct DashboardProviderEncodingEditTests {
    typealias F = DashboardFixture
    typealias E = DashboardProviderEditTests

    @Test("coding, detectsEncoding and secrets edited through the form read back through the API; secret values never rendered")
    func codingAndSecrets() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let created = #"""
                {"preset":"kannel","name":"<b>Kannel</b> & Co","fields":{"baseUrl":"http://127.0.0.1:13013","username":"tester","password":"pw-old-1","from":"12345"}}
                """#
            let id = try await client.execute(uri: "/api/v1/providers", method: .post, headers: auth, body: json(created)) { r in
                #expect(r.status == .created, "\(String(buffer: r.body))")
                return try decode(F.P.self, r.body).id
            }
            let (cookie, csrf) = try await F.signIn(client)
            let headers: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            func page() async throws -> String {
                try await client.execute(uri: "/providers", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            }
            func edit(_ pairs: [(String, String)]) async throws -> (HTTPResponse.Status, String) {
                try await client.execute(uri: "/providers/\(id)/edit", method: .post, headers: headers, body: E.form([("csrf", csrf)] + pairs)) {
                    ($0.status, E.unescape(String(buffer: $0.body)))
                }
            }
            func stored() async throws -> ProviderConfig { try #require(try await store.provider(id: id)) }
            /// `p` without its version, `requireSignature` nil as false (the form posts `false`).
            func plain(_ p: ProviderConfig) -> ProviderConfig {
                var p = p
                p.version = nil
                p.requireSignature = p.requireSignature ?? false
                return p
            }

            // The preset's values in the form; the password's name only.
            let first = try await page()
            let fields = try #require(E.formFields(first, action: "/providers/\(id)/edit"))
            let byName = Dictionary(fields, uniquingKeysWith: { a, _ in a })
            #expect(byName["codingGSM7"] == "0" && byName["codingUCS2"] == "2")
            #expect(byName["detectsEncoding"] == "false")
            #expect(byName["secret.Password"] == "" && byName["newSecretName"] == "" && byName["newSecretValue"] == "")
            #expect(!first.contains("pw-old-1"))
            #expect(first.contains("&lt;b&gt;Kannel&lt;/b&gt; &amp; Co") && !first.contains("<b>Kannel</b>"), "the name is escaped")

            // 1. Rotate the password, add a secret, change the coding, mark detectsEncoding.
            let template = try await stored().url + "&apikey=$$ApiKey"
            let (s1, b1) = try await edit([
                ("url", template), ("codingGSM7", "0"), ("codingUCS2", "8"), ("detectsEncoding", "true"),
                ("secret.Password", "pw-new-2"), ("newSecretName", "ApiKey"), ("newSecretValue", "key <&> 3"),
            ])
            #expect(s1 == .seeOther, "\(b1.prefix(300))")
            let a1 = try await E.api(client, id)
            #expect(a1["coding"] as? [String: String] == ["GSM-7": "0", "UCS-2": "8"])
            #expect(a1["detectsEncoding"] as? Bool == true)
            #expect(a1["secrets"] as? [String: String] == ["Password": "********", "ApiKey": "********"])
            #expect(try await stored().secrets == ["Password": "pw-new-2", "ApiKey": "key <&> 3"])
            let second = try await page()
            for secret in ["pw-old-1", "pw-new-2", "key &lt;&amp;&gt; 3", "key <&> 3"] { #expect(!second.contains(secret), "\(secret) rendered") }
            let fields2 = Dictionary(try #require(E.formFields(second, action: "/providers/\(id)/edit")), uniquingKeysWith: { a, _ in a })
            #expect(fields2["codingUCS2"] == "8" && fields2["detectsEncoding"] == "true")
            #expect(fields2["secret.ApiKey"] == "" && fields2["secret.Password"] == "")

            // 2. A blank secret keeps it; the form posted back as rendered changes nothing.
            let before = try await stored()
            #expect(try await edit(Array(fields2.filter { $0.key != "csrf" })).0 == .seeOther)
            #expect(plain(try await stored()) == plain(before))

            // 3. Wrong values: the API's (or the form's) 400 naming the field; nothing changes.
            for (pairs, named) in [
                ([("secret.ApiKey", "********")], "secrets.ApiKey holds '********'"),
                ([("removeSecret.Password", "on")], "$$Password"),
                ([("secret.ApiKey", "x"), ("removeSecret.ApiKey", "on")], "secrets.ApiKey: type a new value or remove it, not both"),
                ([("newSecretName", ""), ("newSecretValue", "v")], "a new secret's value was typed without its name"),
                ([("newSecretName", "Token"), ("newSecretValue", "")], "secrets.Token: a new secret needs a value"),
                ([("newSecretName", "To"), ("newSecretValue", "v")], "secrets has the name 'To'"),
                ([("codingGSM7", ""), ("codingUCS2", "")], "$$Coding"),
                ([("detectsEncoding", "maybe")], "detectsEncoding"),
            ] as [([(String, String)], String)] {
                let (s, body) = try await edit([("name", "Changed")] + pairs)
                #expect(s == .badRequest, "\(pairs)")
                #expect(body.contains(named), "\(pairs): \(body.prefix(500))")
                #expect(plain(try await stored()) == plain(before), "\(pairs) changed nothing")
            }

            // 4. Remove a secret no longer used, clear the coding where the template uses none.
            let plain = template.replacingOccurrences(of: "&apikey=$$ApiKey", with: "").replacingOccurrences(of: "&coding=$$Coding", with: "")
            let (s4, b4) = try await edit([
                ("url", plain), ("removeSecret.ApiKey", "on"), ("codingGSM7", ""), ("codingUCS2", ""), ("detectsEncoding", "false"),
            ])
            #expect(s4 == .seeOther, "\(b4.components(separatedBy: "<main").last?.prefix(600) ?? "")")
            let a4 = try await E.api(client, id)
            #expect(a4["coding"] == nil)
            #expect(a4["detectsEncoding"] as? Bool ?? false == false)
            #expect(a4["secrets"] as? [String: String] == ["Password": "********"])
            #expect(try await stored().secrets == ["Password": "pw-new-2"])
        }
    }
}
