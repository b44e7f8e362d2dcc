import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import Testing

@testable import SMSWeb

/// The "other links" row of the Split of Clicks (provider-reported clicks on URLs that are none of
/// the campaign's links): `url` null, `other` true and a label in the links API, labelled
/// "Other links (reported by the provider)" on the dashboard and in the CSV export; shares add up
/// to 100.
@Suite("Other links row")
struct OtherLinksRowTests {
    typealias F = DashboardFixture

    @Test func theOtherLinksRowIsLabelledInTheAPITheDashboardAndTheExport() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let s = try await F.seed(client, store: store)
            let now = Int64(Date().timeIntervalSince1970)
            try await F.click(client, s.a, link: 0)
            try await F.click(client, s.a, link: 0)
            try await F.click(client, s.a, link: 1)
            try await F.callback(
                client, s, #"[{"event":"clicked","data":[{"meta":"\#(s.b.meta)","ts":\#(now),"url":"https://elsewhere.example/"}]}]"#)

            let links = try await client.execute(uri: "/api/v1/campaigns/\(s.campaignId)/links", method: .get, headers: auth) { r in
                #expect(r.status == .ok)
                return try #require(try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [[String: Any]])
            }
            #expect(links.map { $0["index"] as? Int } == [0, 1, -1])
            #expect(links[2]["url"] is NSNull)
            #expect(links.map { $0["other"] as? Bool } == [false, false, true])
            #expect(links.map { $0["label"] as? String } == ["Link 1", "Link 2", "Other links (reported by the provider)"])
            #expect(links.map { $0["share"] as? Double } == [50, 25, 25])

            let (cookie, _) = try await F.signIn(client)
            try await client.execute(uri: "/campaigns/\(s.campaignId)", method: .get, headers: [.cookie: cookie]) { r in
                let html = String(buffer: r.body)
                #expect(html.contains(
                    #"<tr><th scope="row" colspan="2" data-link-other>Other links (reported by the provider)</th><td class="num" data-link-clicks>1</td><td class="num" data-link-unique>0</td><td class="num" data-link-share>25.0%</td>"#))
                #expect(html.contains(#"<tr><th scope="row">1</th><td class="url">https://shop.example/p?a=1&amp;b=2</td><td class="num" data-link-clicks>2</td>"#))
            }
            try await client.execute(uri: "/api/v1/campaigns/\(s.campaignId)/export.csv", method: .get, headers: auth) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).contains("\r\nOther links (reported by the provider),,1,0,25.0,0\r\n"))
            }
        }
    }
}
