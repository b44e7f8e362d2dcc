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
}
