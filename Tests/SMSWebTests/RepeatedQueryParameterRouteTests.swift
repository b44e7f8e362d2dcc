import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Issue 12 (a new user's findings): a query parameter we read given more than once is a 400
/// naming it (``QueryParameter``), never one of its values picked silently. SQLite and PostgreSQL.
@Suite("Repeated query parameters: 400 naming the parameter")
struct RepeatedQueryParameterRouteTests {
    typealias M = ProviderManagementRouteTests
    typealias P = ProviderMendsRouteTests

    static func message(_ name: String, _ times: Int = 2) -> String { "query parameter '\(name)' is given \(times) times; give it once" }

    @Test("callback ?secret= twice (even both right) is a 400 and nothing is stored; once is accepted", arguments: StoreKind.allCases)
    func callbackSecret(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let body = ByteBuffer(string: #"[{"event":"delivered","data":[{"meta":"m1","ts":1700000000}]}]"#)
            for query in ["secret=\(M.secret)&secret=wrong", "secret=wrong&secret=\(M.secret)", "secret=\(M.secret)&sec%72et=\(M.secret)"] {
                let r = try await client.execute(uri: "/callbacks/p1?\(query)", method: .post, headers: [.contentType: "application/json"], body: body) {
                    ($0.status, String(buffer: $0.body))
                }
                #expect(r.0 == .badRequest, "\(query)")
                #expect(M.message(r.1) == Self.message("secret"), "\(query): \(r.1)")
            }
            #expect(try await t.store.unmatchedCallbacks(receivedBefore: .max, limit: 10).isEmpty)
            #expect(try await t.store.ingestionErrors(limit: 10).isEmpty)
            let once = try await client.execute(uri: "/callbacks/p1?secret=\(M.secret)", method: .post, headers: [.contentType: "application/json"], body: body) { $0.status }
            #expect(once == .ok)
            #expect(try await t.store.unmatchedCallbacks(receivedBefore: .max, limit: 10).map(\.meta) == ["m1"])
        }
    }

    @Test("admin API: limit, region, tz, granularity, variant, include/archived, q, property.<name> twice are 400s naming them; nothing imported", arguments: StoreKind.allCases)
    func adminRoutes(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await CampaignManagementRouteTests.seed(t)
            let id = try await CampaignManagementRouteTests.create(client)
            let cases: [(String, String)] = [
                ("/api/v1/campaigns?limit=5&limit=6", "limit"),
                ("/api/v1/campaigns?archived=true&archived=false", "archived"),
                ("/api/v1/campaigns?include=archived&include=archived", "include"),
                ("/api/v1/ingestion-errors?limit=1&limit=1&limit=1", "limit"),
                ("/api/v1/campaigns/\(id)/trend?granularity=day&granularity=week", "granularity"),
                ("/api/v1/campaigns/\(id)/trend?tz=UTC&tz=Europe/Berlin", "tz"),
                ("/api/v1/campaigns/\(id)/export.csv?tz=UTC&tz=UTC", "tz"),
                ("/api/v1/campaigns/\(id)/links?variant=0&variant=1", "variant"),
                ("/api/v1/profiles?q=u&q=v", "q"),
                ("/api/v1/profiles?property.city=Berlin&property.city=Paris", "property.city"),
            ]
            for (uri, name) in cases {
                let r = try await P.call(client, .get, uri)
                #expect(r.status == .badRequest, "\(uri)")
                #expect(M.message(r.text) == Self.message(name, uri.components(separatedBy: name + "=").count - 1), "\(uri): \(r.text)")
            }
            let before = try await t.store.profileCount()
            let imported = try await client.execute(
                uri: "/api/v1/profiles/import?region=DE&region=US", method: .post,
                headers: [.authorization: "Bearer \(M.token)", .contentType: "text/csv"], body: ByteBuffer(string: "userId,phone\nz1,0151 23456789\n")
            ) { ($0.status, String(buffer: $0.body)) }
            #expect(imported.0 == .badRequest)
            #expect(M.message(imported.1) == Self.message("region"))
            #expect(try await t.store.profileCount() == before)
            // Given once, each is read as before.
            #expect(try await P.call(client, .get, "/api/v1/campaigns?limit=5").status == .ok)
            #expect(try await P.call(client, .get, "/api/v1/profiles?property.city=Berlin&q=u").status == .ok)
        }
    }

    @Test("dashboard: ?archived= twice is a 400 page naming it")
    func dashboard() async throws {
        let (app, _) = try await DashboardFixture.app()
        try await app.test(.router) { client in
            let (cookie, _) = try await DashboardFixture.signIn(client)
            try await client.execute(uri: "/?archived=true&archived=false", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.status == .badRequest)
                #expect(String(buffer: r.body).contains("query parameter &#39;archived&#39; is given 2 times; give it once"))
            }
            try await client.execute(uri: "/profiles?country=DE&country=US", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.status == .badRequest)
                #expect(String(buffer: r.body).contains("query parameter &#39;country&#39; is given 2 times; give it once"))
            }
        }
    }
}
