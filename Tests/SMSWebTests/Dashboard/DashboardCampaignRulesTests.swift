import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SMSCore
import Testing

@Suite("Dashboard new-campaign form applies the API's create rules")
struct DashboardCampaignRulesTests {
    typealias F = DashboardFixture

    @Test("an unknown template placeholder and an audience without profiles are named; nothing is created")
    func placeholderAndAudience() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let s = try await F.seed(client, store: store, dispatch: false)
            let before = try await store.campaigns().count
            let (cookie, csrf) = try await F.signIn(client)
            let form: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            let body = "Hi {{nickname}}".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            try await client.execute(
                uri: "/campaigns/new", method: .post, headers: form,
                body: ByteBuffer(string: "csrf=\(csrf)&action=create&name=N&providerId=\(s.providerId)&body=\(body)&audience=list&userIds=ghost")
            ) { r in
                let html = String(buffer: r.body)
                #expect(r.status == .badRequest)
                #expect(html.contains("<li>unknown template placeholder &#39;nickname&#39;: no profile has that field and defaults has no value for it</li>"))
                #expect(html.contains("<li>audience is empty: none of the 1 user ids has a profile</li>"))
            }
            #expect(try await store.campaigns().count == before)
        }
    }

    @Test("the form offers the saved segments as an audience; choosing one creates a draft with that segmentId audience")
    func segmentAudience() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let s = try await F.seed(client, store: store, dispatch: false)
            let created = try await client.execute(
                uri: "/api/v1/segments", method: .post, headers: [.authorization: "Bearer \(F.token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"name":"Not opted out","match":"all","rules":[{"field":"optedOut","op":"eq","value":false}]}"#)
            ) { r in (r.status, String(buffer: r.body)) }
            #expect(created.0 == .created, "\(created.1)")
            let segment = try #require(try await store.segments().first)
            let (cookie, csrf) = try await F.signIn(client)
            try await client.execute(uri: "/campaigns/new", method: .get, headers: [.cookie: cookie]) { r in
                let html = String(buffer: r.body)
                #expect(html.contains(#"<input type="radio" name="audience" value="segment"> The saved segment</label>"#))
                #expect(html.contains(#"<option value="\#(segment.id)">Not opted out (#\#(segment.id))</option>"#))
            }
            let form: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            let before = Set(try await store.campaigns().map(\.id))
            try await client.execute(
                uri: "/campaigns/new", method: .post, headers: form,
                body: ByteBuffer(string: "csrf=\(csrf)&action=create&name=Seg&providerId=\(s.providerId)&body=Hello&audience=segment&segmentId=\(segment.id)")
            ) { r in
                #expect(r.status == .seeOther, "\(String(buffer: r.body))")
            }
            let new = try await store.campaigns().filter { !before.contains($0.id) }
            #expect(new.map(\.audience) == [.segment(segment.id)])
            #expect(new.map(\.name) == ["Seg"])
            // No segment chosen: named, nothing created.
            try await client.execute(
                uri: "/campaigns/new", method: .post, headers: form,
                body: ByteBuffer(string: "csrf=\(csrf)&action=create&name=Seg&providerId=\(s.providerId)&body=Hello&audience=segment&segmentId=")
            ) { r in
                #expect(r.status == .badRequest)
                #expect(String(buffer: r.body).contains("<li>audience: choose a saved segment (or another audience)</li>"))
            }
            #expect(try await store.campaigns().count == before.count + 1)
        }
    }
}
