import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreSQLite
@testable import SMSWeb
import Testing

/// The segment pages: the list with live counts and one segment's count and masked sample, as the
/// API's preview answers them.
@Suite("Dashboard: segments with live counts")
struct DashboardSegmentPagesTests {
    typealias F = DashboardFixture
    struct S: Decodable { var id: Int64 }
    struct Preview: Decodable { var count: Int }

    @Test("the list and the segment page show the preview's count and sample; names are escaped; counts follow the profiles")
    func pages() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            _ = try await F.seed(client, store: store)
            for (id, city) in [("a", "Berlin"), ("b", "Berlin"), ("c", "Paris")] {
                try await client.execute(
                    uri: "/api/v1/profiles/\(id)", method: .patch, headers: auth, body: json(#"{"properties":{"city":"\#(city)"}}"#)
                ) { #expect($0.status == .ok) }
            }
            let berlin = try await client.execute(
                uri: "/api/v1/segments", method: .post, headers: auth,
                body: json(#"{"name":"<script>Berlin</script>","rules":[{"field":"properties.city","op":"eq","value":"Berlin"}]}"#)
            ) { try decode(S.self, $0.body) }
            let germany = try await client.execute(
                uri: "/api/v1/segments", method: .post, headers: auth,
                body: json(#"{"name":"Germany","rules":[{"field":"country","op":"eq","value":"DE"}]}"#)
            ) { try decode(S.self, $0.body) }
            let apiCount = try await client.execute(uri: "/api/v1/segments/\(berlin.id)/preview", method: .get, headers: auth) {
                try decode(Preview.self, $0.body).count
            }
            #expect(apiCount == 2)

            let (cookie, _) = try await F.signIn(client)
            let list = try await client.execute(uri: "/segments", method: .get, headers: [.cookie: cookie]) { r -> String in
                #expect(r.status == .ok)
                return String(buffer: r.body)
            }
            #expect(F.text(list, #"data-count="\#(berlin.id)""#) == "2")
            #expect(F.text(list, #"data-count="\#(germany.id)""#) == "1")
            #expect(list.contains("&lt;script&gt;Berlin&lt;/script&gt;") && !list.contains("<script>Berlin"))
            #expect(list.contains(#"aria-current="page">Segments"#))

            let page = try await client.execute(uri: "/segments/\(berlin.id)", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(F.text(page, #"data-segment="count""#) == "2")
            #expect(F.text(page, #"data-segment="sample""#) == "2")
            #expect(page.contains(#"data-user="a""#) && page.contains(#"data-user="b""#) && !page.contains(#"data-user="c""#))
            #expect(page.contains("+4915*******89") && !page.contains("4915123456789"))

            // The count is live: a profile moving to Berlin is counted at once.
            try await client.execute(uri: "/api/v1/profiles/c", method: .patch, headers: auth, body: json(#"{"properties":{"city":"Berlin"}}"#)) {
                #expect($0.status == .ok)
            }
            let again = try await client.execute(uri: "/segments", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(F.text(again, #"data-count="\#(berlin.id)""#) == "3")
            let missing = try await client.execute(uri: "/segments/999", method: .get, headers: [.cookie: cookie]) { $0.status }
            #expect(missing == .notFound)
        }
    }
}
