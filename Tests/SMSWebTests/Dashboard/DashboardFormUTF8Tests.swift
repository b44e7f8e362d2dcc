import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SMSCore
import Testing

/// Issue 12 (a new user's findings): the dashboard's forms refuse a field whose bytes are not
/// UTF-8, naming it, as the JSON API does; nothing is stored with U+FFFD in its place.
@Suite("Dashboard forms: invalid UTF-8 refused by field")
struct DashboardFormUTF8Tests {
    typealias F = DashboardFixture

    @Test("new-campaign form: %FF in the name comes back as a 400 form naming the field, the other fields kept; nothing stored")
    func campaignForm() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let s = try await F.seed(client, store: store, dispatch: false)
            let before = try await store.campaigns()
            let (cookie, csrf) = try await F.signIn(client)
            let form: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            for (bytes, field, problem) in [
                (Array("name=Caf%E9".utf8), "name", "the form field &#39;name&#39; is not valid UTF-8 (byte 0xE9 at byte 3 of its value)"),
                (Array("name=Sale&goalEvent=buy".utf8) + [0xFF], "goalEvent", "the form field &#39;goalEvent&#39; is not valid UTF-8 (byte 0xFF at byte 3 of its value)"),
            ] {
                let body = Array("csrf=\(csrf)&action=create&providerId=\(s.providerId)&body=Hello+there&audience=all&".utf8) + bytes
                try await client.execute(uri: "/campaigns/new", method: .post, headers: form, body: ByteBuffer(bytes: body)) { r in
                    let html = String(buffer: r.body)
                    #expect(r.status == .badRequest, "\(field)")
                    #expect(html.contains("<li>\(problem)</li>"), "\(field): \(html.prefix(3000))")
                    #expect(html.contains("Hello there"), "\(field)")  // the body typed is kept
                    #expect(!html.contains("\u{FFFD}"), "\(field)")
                }
            }
            #expect(try await store.campaigns() == before)
            // The same form in UTF-8 creates the campaign with the text as typed.
            let ok = "csrf=\(csrf)&action=create&providerId=\(s.providerId)&body=Hello+there&audience=all&name=Caf%C3%A9"
            try await client.execute(uri: "/campaigns/new", method: .post, headers: form, body: ByteBuffer(string: ok)) { r in
                #expect(r.status == .seeOther, "\(String(buffer: r.body).prefix(2000))")
            }
            let created = try await store.campaigns().filter { c in !before.contains { $0.id == c.id } }
            #expect(created.map(\.name) == ["Café"])
        }
    }

    @Test("provider edit form and the other forms: a 400 page naming the field; the provider unchanged")
    func providerForm() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let s = try await F.seed(client, store: store, dispatch: false)
            let (cookie, csrf) = try await F.signIn(client)
            let form: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            let before = try #require(try await store.provider(id: s.providerId))
            try await client.execute(
                uri: "/providers/\(s.providerId)/edit", method: .post, headers: form,
                body: ByteBuffer(bytes: Array("csrf=\(csrf)&name=A".utf8) + [0xC3, 0x28] + Array("&ratePerSecond=5".utf8))
            ) { r in
                #expect(r.status == .badRequest)
                #expect(String(buffer: r.body).contains(
                    "the form could not be read: the form field &#39;name&#39; is not valid UTF-8 (byte 0xC3 at byte 1 of its value)"))
            }
            #expect(try await store.provider(id: s.providerId) == before)
            // Sign-in: the token field named too (no session is made).
            try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=%FE&next=%2F")
            ) { r in
                #expect(r.status == .badRequest)
                #expect(r.headers[.setCookie] == nil)
                #expect(String(buffer: r.body).contains("the form field &#39;token&#39; is not valid UTF-8 (byte 0xFE at byte 0 of its value)"))
            }
        }
    }
}
