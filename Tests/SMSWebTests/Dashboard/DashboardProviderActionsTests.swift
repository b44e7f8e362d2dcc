import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreSQLite
@testable import SMSWeb
import Testing

/// The providers page's edit form, secret rotation and disable/enable buttons: CSRF-checked form
/// POSTs through ``ProviderController``'s PATCH, rotation and disable code.
@Suite("Dashboard: provider edit, callback secret rotation, disable / enable")
struct DashboardProviderActionsTests {
    typealias F = DashboardFixture

    @Test("edit: CSRF required, blank fields unchanged, a bad rate is a 400 that changes nothing, names are escaped")
    func edit() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let s = try await F.seed(client, store: store)
            let (cookie, csrf) = try await F.signIn(client)
            let form: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            let page = try await client.execute(uri: "/providers", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(page.contains(#"action="/providers/\#(s.providerId)/edit""#) && page.contains(#"action="/providers/\#(s.providerId)/rotate-secret""#))
            #expect(page.contains(#"name="graceSeconds" value="86400""#))

            try await client.execute(uri: "/providers/\(s.providerId)/edit", method: .post, headers: form, body: ByteBuffer(string: "name=Other")) {
                #expect($0.status == .forbidden)
            }
            #expect(try await store.provider(id: s.providerId)?.name == "Acme SMS")
            try await client.execute(
                uri: "/providers/\(s.providerId)/edit", method: .post, headers: form,
                body: ByteBuffer(string: "csrf=\(csrf)&name=%3Cb%3ENew%3C%2Fb%3E&ratePerSecond=5&webhookSigningKey=&url=&callbacksEnabled=true")
            ) { #expect($0.status == .seeOther) }
            let edited = try #require(try await store.provider(id: s.providerId))
            #expect(edited.name == "<b>New</b>" && edited.ratePerSecond == 5 && edited.url == "https://p.example/send")
            #expect(edited.webhookSigningKey == nil && edited.callbackSecret == s.secret)
            try await client.execute(
                uri: "/providers/\(s.providerId)/edit", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)&ratePerSecond=-1&name=X")
            ) { r in
                #expect(r.status == .badRequest)
                #expect(String(buffer: r.body).contains("ratePerSecond"))
            }
            #expect(try await store.provider(id: s.providerId)?.name == "<b>New</b>")
            #expect(try await store.provider(id: s.providerId)?.ratePerSecond == 5)
            let after = try await client.execute(uri: "/providers", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(after.contains("&lt;b&gt;New&lt;/b&gt;") && !after.contains("<b>New</b>"))
        }
    }

    @Test("rotate shows the new secret; the old one still works within the grace period; disable and enable")
    func rotateAndDisable() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let s = try await F.seed(client, store: store)
            let (cookie, csrf) = try await F.signIn(client)
            let form: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            try await client.execute(uri: "/providers/\(s.providerId)/rotate-secret", method: .post, headers: form, body: ByteBuffer(string: "graceSeconds=60")) {
                #expect($0.status == .forbidden)
            }
            #expect(try await store.provider(id: s.providerId)?.callbackSecret == s.secret)
            let page = try await client.execute(
                uri: "/providers/\(s.providerId)/rotate-secret", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)&graceSeconds=3600")
            ) { r -> String in
                #expect(r.status == .ok)
                return String(buffer: r.body)
            }
            let shown = try #require(F.text(page, #"data-rotated="secret""#))
            let stored = try #require(try await store.provider(id: s.providerId))
            #expect(shown == stored.callbackSecret && shown != s.secret && shown.count == 30)
            #expect(stored.previousCallbackSecret == s.secret)
            let until = try #require(stored.previousSecretValidUntil)
            #expect(abs(until - (Dashboard.now() + 3600)) <= 5)
            let body = json(#"[{"event":"delivered","data":[{"meta":"unknown-1","ts":1700000000}]}]"#)
            for secret in [s.secret, shown] {
                try await client.execute(uri: "/callbacks/\(s.providerId)?secret=\(secret)", method: .post, body: body) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/callbacks/\(s.providerId)?secret=wrong", method: .post, body: body) { #expect($0.status == .unauthorized) }
            try await client.execute(
                uri: "/providers/\(s.providerId)/rotate-secret", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)&graceSeconds=-5")
            ) { #expect($0.status == .badRequest) }
            #expect(try await store.provider(id: s.providerId)?.callbackSecret == shown)

            try await client.execute(uri: "/providers/\(s.providerId)/disable", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)")) {
                #expect($0.status == .seeOther)
            }
            #expect(try await store.provider(id: s.providerId)?.disabled == true)
            let disabledPage = try await client.execute(uri: "/providers", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(disabledPage.contains(#"id="disabled-\#(s.providerId)""#) && disabledPage.contains(#"action="/providers/\#(s.providerId)/enable""#))
            try await client.execute(uri: "/providers/\(s.providerId)/enable", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)")) {
                #expect($0.status == .seeOther)
            }
            #expect(try await store.provider(id: s.providerId)?.disabled == nil)
        }
    }
}
