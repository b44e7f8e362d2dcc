import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreSQLite
@testable import SMSWeb
import Testing

/// The profile pages: the listing with its filters and cursor, one profile (masked phone,
/// properties escaped, its messages), and the erase form (confirmation + CSRF, then the API's erasure).
@Suite("Dashboard: profile list, profile page and erasure")
struct DashboardProfilePagesTests {
    typealias F = DashboardFixture

    @Test("the list filters by country and search and pages with a next link; the page shows the masked phone, escaped properties and messages")
    func pages() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let s = try await F.seed(client, store: store)
            try await client.execute(
                uri: "/api/v1/profiles/a", method: .patch, headers: auth,
                body: json(#"{"name":"Ada","properties":{"note":"<script>alert(1)</script>","tier":3}}"#)
            ) { #expect($0.status == .ok) }
            let (cookie, _) = try await F.signIn(client)
            let list = try await client.execute(uri: "/profiles", method: .get, headers: [.cookie: cookie]) { r -> String in
                #expect(r.status == .ok)
                return String(buffer: r.body)
            }
            #expect(list.contains("4 profiles stored"))
            for id in ["a", "b", "c", "d"] { #expect(list.contains(#"data-user="\#(id)""#)) }
            #expect(list.contains("+4915*******89") && !list.contains("2345 6789") && !list.contains("4915123456789"))
            #expect(list.contains(#"aria-current="page">Profiles"#))
            let us = try await client.execute(uri: "/profiles?country=US&q=&optedOut=", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(us.contains(#"data-user="b""#) && !us.contains(#"data-user="a""#) && !us.contains(#"data-user="c""#))
            let bad = try await client.execute(uri: "/profiles?country=ZZ", method: .get, headers: [.cookie: cookie]) { $0.status }
            #expect(bad == .badRequest)

            // 60 more profiles: the first page holds 50 and links to the rest.
            let many = (0..<60).map { String(format: #"{"userId":"u%02d","phone":"+4915123456%03d"}"#, $0) }.joined(separator: ",")
            try await client.execute(uri: "/api/v1/profiles", method: .post, headers: auth, body: json("[\(many)]")) { #expect($0.status == .ok) }
            let first = try await client.execute(uri: "/profiles?q=u", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(first.components(separatedBy: "<tr data-user=").count - 1 == 50)
            let link = try #require(first.range(of: #"" rel="next" id="next-page""#))
            let open = try #require(first[..<link.lowerBound].range(of: #"href=""#, options: .backwards))
            let href = String(first[open.upperBound..<link.lowerBound]).replacingOccurrences(of: "&amp;", with: "&")
            #expect(href.hasPrefix("/profiles?q=u&cursor="))
            let second = try await client.execute(uri: href, method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(second.components(separatedBy: "<tr data-user=").count - 1 == 10)
            #expect(second.contains(#"data-user="u59""#) && !second.contains(#"data-user="u49""#) && !second.contains("next-page"))

            let page = try await client.execute(uri: "/profiles/a", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(F.text(page, #"data-profile="phone""#) == "+4915*******89")
            #expect(F.text(page, #"data-profile="country""#) == "DE")
            #expect(F.text(page, #"data-profile="messages""#) == "1")
            #expect(F.text(page, #"data-profile="name""#) == "Ada")
            #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.contains("<script>alert"))
            #expect(page.contains("<dt>tier</dt><dd>3</dd>"))
            #expect(page.contains(#"href="/campaigns/\#(s.campaignId)""#))
            let missing = try await client.execute(uri: "/profiles/nobody", method: .get, headers: [.cookie: cookie]) { $0.status }
            #expect(missing == .notFound)
        }
    }

    @Test("erasing needs the CSRF token and the typed user id; with both it is the API's erasure and shows the report")
    func erase() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            _ = try await F.seed(client, store: store)
            let (cookie, csrf) = try await F.signIn(client)
            let form: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            let page = try await client.execute(uri: "/profiles/a", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(page.contains(#"action="/profiles/a/erase""#))

            try await client.execute(uri: "/profiles/a/erase", method: .post, headers: form, body: ByteBuffer(string: "confirm=a")) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/profiles/a/erase", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)&confirm=b")) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/profiles/a/erase", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)")) {
                #expect($0.status == .badRequest)
            }
            #expect(try await store.profile(userId: "a")?.phone == "+4915123456789")
            #expect(try await store.profileCount() == 4)

            let report = try await client.execute(uri: "/profiles/a/erase", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)&confirm=a")) {
                r -> String in
                #expect(r.status == .ok)
                return String(buffer: r.body)
            }
            #expect(F.text(report, #"data-erased="userId""#) == "a")
            #expect(F.text(report, #"data-erased="profileDeleted""#) == "yes")
            #expect(try await store.profile(userId: "a") == nil)
            #expect(try await store.profileCount() == 3)
            #expect(try await store.messages(userId: "a", limit: 10).isEmpty)
            let gone = try await client.execute(uri: "/profiles/a", method: .get, headers: [.cookie: cookie]) { $0.status }
            #expect(gone == .notFound)
            #expect(try await store.profile(userId: "b")?.phone == "+12125550100")
        }
    }
}
