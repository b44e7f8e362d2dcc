import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Issue 15: every `{id}` path parameter is read by one mechanism (``PathParameter``):
/// percent-decoded (`/campaigns/%63amp` is the campaign `camp`), a malformed escape a 400 naming
/// the parameter; numeric ids (segments, ingestion errors) a 400 naming the range 1 to
/// 9223372036854775807, and an id in the range that does not exist a 404.
@Suite("Path parameters: percent-decoded, one rule for every id")
struct PathParameterRouteTests {
    typealias M = ProviderManagementRouteTests

    @Test("campaign, provider and stats ids are percent-decoded; a malformed escape is a 400 naming the parameter", arguments: StoreKind.allCases)
    func textIds(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await t.store.upsertProfiles([Profile(userId: "u1", phone: "+4915112345678", phoneValid: true)])
            try await t.store.insertCampaign(Campaign(
                id: "camp 1", name: "Spring", providerId: "p1", body: "Hi", links: [], audience: .all, timezone: "UTC", goal: nil, createdAt: 0))
            let campaign = try await M.call(client, .get, "/api/v1/campaigns/%63amp%201")
            #expect(campaign.status == .ok, "\(campaign.text)")
            #expect(try M.object(campaign.text)["id"] as? String == "camp 1")
            #expect(try await M.call(client, .get, "/api/v1/campaigns/%63amp%201/stats").status == .ok)
            let patched = try await M.call(client, .patch, "/api/v1/campaigns/camp%201", #"{"name":"Summer"}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(try await t.store.campaign(id: "camp 1")?.name == "Summer")
            let provider = try await M.call(client, .get, "/api/v1/providers/%70%31")
            #expect(provider.status == .ok)
            #expect(try M.object(provider.text)["id"] as? String == "p1")
            #expect(try await M.call(client, .post, "/api/v1/providers/%701/disable").status == .ok)
            #expect(try await t.store.provider(id: "p1")?.disabled == true)
            let bad = try await M.call(client, .get, "/api/v1/campaigns/%zz")
            #expect(bad.status == .badRequest)
            #expect(M.message(bad.text) == "id: '%zz' is not valid percent-encoding (each % must start %XX with two hex digits, and the bytes must be UTF-8)")
            #expect(try await M.call(client, .get, "/api/v1/providers/%00").status == .badRequest)
            let unknown = try await M.call(client, .get, "/api/v1/providers/%6E%6F")
            #expect(unknown.status == .notFound)
            #expect(M.message(unknown.text) == "unknown provider 'no'")
        }
    }

    @Test("numeric ids: 1…9223372036854775807 (decoded) looked up (404 when unknown), anything else a 400 naming the range", arguments: StoreKind.allCases)
    func numericIds(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let created = try await M.call(
                client, .post, "/api/v1/segments", #"{"name":"Berlin","match":"all","rules":[{"field":"country","op":"eq","value":"DE"}]}"#)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(try M.object(created.text)["id"] as? Int)
            let encoded = String(id).map { "%3\($0)" }.joined()
            #expect(try await M.call(client, .get, "/api/v1/segments/" + encoded).status == .ok, "\(encoded)")
            #expect(try await M.call(client, .get, "/api/v1/segments/\(id)").status == .ok)
            let max = try await M.call(client, .get, "/api/v1/segments/9223372036854775807")
            #expect(max.status == .notFound)
            #expect(M.message(max.text) == "unknown segment 9223372036854775807")
            for (entity, base) in [("segment", "/api/v1/segments/"), ("ingestion error", "/api/v1/ingestion-errors/")] {
                for raw in ["9223372036854775808", "0", "abc", "%2B5", "-1"] {
                    let r = try await M.call(client, .get, base + raw)
                    #expect(r.status == .badRequest, "\(base)\(raw)")
                    let shown = raw.removingPercentEncoding ?? raw
                    #expect(
                        M.message(r.text)
                            == "the \(entity) id must be an integer from 1 to 9223372036854775807, ASCII digits only (got '\(shown)')")
                }
            }
            let error = try await M.call(client, .get, "/api/v1/ingestion-errors/9223372036854775807")
            #expect(error.status == .notFound)
        }
    }
}
