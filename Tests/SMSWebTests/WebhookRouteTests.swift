import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Webhook subscription routes (issue 17) on SQLite and PostgreSQL: create (the secret shown once),
/// list, get, PATCH (validated as a creation; a 400 names the field and changes nothing), DELETE.
@Suite("Webhooks: subscription routes")
struct WebhookRouteTests {
    static let token = "admin-token"
    typealias Call = ProviderManagementRouteTests

    @Test("create answers the secret once; list and get never show it; PATCH and DELETE", arguments: StoreKind.allCases)
    func crud(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: "s", now: { 1_800_000_000 }) { client, t in
            let cid = "c1"
            try await t.store.insertCampaign(
                Campaign(id: cid, name: "n", providerId: "p1", body: "Hi", links: [], audience: .all, timezone: "UTC", goal: nil, createdAt: 1_800_000_000))
            let created = try await Call.call(
                client, .post, "/api/v1/webhooks",
                #"{"url":"https://hooks.example/in","events":["message.delivered","conversion"],"campaignId":"\#(cid)"}"#)
            #expect(created.status == .created, "\(created.text)")
            let body = try Call.object(created.text)
            let id = try #require(body["id"] as? Int)
            let secret = try #require(body["secret"] as? String)
            #expect(secret.hasPrefix("whsec_"))
            #expect(WebhookSecret.key(of: secret)?.count == 32)
            #expect(body["events"] as? [String] == ["message.delivered", "conversion"])
            #expect(body["campaignId"] as? String == cid)
            #expect(body["enabled"] as? Bool == true)
            #expect(body["createdAt"] as? Int == 1_800_000_000)
            let deliveries = try #require(body["deliveries"] as? [String: Any])
            #expect(deliveries["queueDepth"] as? Int == 0)
            #expect(deliveries["failedEvents"] as? Int == 0)
            #expect(deliveries["lastStatus"] == nil, "absent before the first delivery")
            #expect(deliveries["consecutiveFailures"] as? Int == 0)
            #expect(try await t.store.webhook(id: Int64(id))?.secret == secret)

            let one = try await Call.call(client, .get, "/api/v1/webhooks/\(id)")
            #expect(one.status == .ok)
            #expect(!one.text.contains(secret) && !one.text.contains("secret"))
            let list = try await Call.call(client, .get, "/api/v1/webhooks")
            #expect(!list.text.contains(secret))
            #expect((try JSONSerialization.jsonObject(with: Data(list.text.utf8)) as? [[String: Any]])?.map { $0["id"] as? Int } == [id])

            let patched = try await Call.call(client, .patch, "/api/v1/webhooks/\(id)", #"{"events":["message.failed"],"campaignId":null}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            let p = try Call.object(patched.text)
            #expect(p["events"] as? [String] == ["message.failed"])
            #expect(p["campaignId"] is NSNull)
            #expect(p["url"] as? String == "https://hooks.example/in")
            #expect(p["secret"] == nil)

            let wrong = try await Call.call(client, .patch, "/api/v1/webhooks/\(id)", #"{"url":"mailto:a@b.example","events":["message.opened"]}"#)
            #expect(wrong.status == .badRequest)
            #expect(Call.message(wrong.text).contains(#"url must be an absolute http or https URL with a host and no fragment (got "mailto:a@b.example")"#))
            #expect(Call.message(wrong.text).contains(#"events[0] must be one of message.sent"#))
            #expect(try await t.store.webhook(id: Int64(id))?.definition.events == [.messageFailed])
            #expect(try await t.store.webhook(id: Int64(id))?.secret == secret)

            let unknownCampaign = try await Call.call(client, .post, "/api/v1/webhooks", #"{"url":"https://a.example/","events":["conversion"],"campaignId":"nope"}"#)
            #expect(unknownCampaign.status == .badRequest)
            #expect(Call.message(unknownCampaign.text) == "invalid webhook: campaignId names no campaign (got 'nope')")
            let unknownKey = try await Call.call(client, .post, "/api/v1/webhooks", #"{"url":"https://a.example/","events":["conversion"],"secret":"mine"}"#)
            #expect(unknownKey.status == .badRequest)
            #expect(Call.message(unknownKey.text).contains("secret"))
            #expect(try await t.store.webhooks().count == 1)

            #expect(try await Call.call(client, .get, "/api/v1/webhooks/0").status == .badRequest)
            #expect(try await Call.call(client, .get, "/api/v1/webhooks/999").status == .notFound)
            #expect(try await Call.call(client, .delete, "/api/v1/webhooks/\(id)").status == .noContent)
            #expect(try await Call.call(client, .delete, "/api/v1/webhooks/\(id)").status == .notFound)
            #expect(try await t.store.webhooks().isEmpty)
        }
    }
    @Test("a subscription whose filter campaign was deleted stays editable: a PATCH that keeps the filter is not refused, a new unknown one is", arguments: StoreKind.allCases)
    func filterCampaignDeleted(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: "s", now: { 1_800_000_000 }) { client, t in
            try await t.store.insertCampaign(
                Campaign(id: "d1", name: "draft", providerId: "p1", body: "Hi", links: [], audience: .all, timezone: "UTC", goal: nil, createdAt: 1_800_000_000))
            let created = try await Call.call(client, .post, "/api/v1/webhooks", #"{"url":"https://hooks.example/in","events":["message.sent"],"campaignId":"d1"}"#)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(try Call.object(created.text)["id"] as? Int)
            #expect(try await Call.call(client, .delete, "/api/v1/campaigns/d1").status == .noContent)
            let disabled = try await Call.call(client, .patch, "/api/v1/webhooks/\(id)", #"{"enabled":false}"#)
            #expect(disabled.status == .ok, "\(disabled.text)")
            let moved = try await Call.call(client, .patch, "/api/v1/webhooks/\(id)", #"{"url":"https://hooks.example/other"}"#)
            #expect(moved.status == .ok, "\(moved.text)")
            #expect(try Call.object(moved.text)["campaignId"] as? String == "d1")
            let unknown = try await Call.call(client, .patch, "/api/v1/webhooks/\(id)", #"{"campaignId":"nope"}"#)
            #expect(unknown.status == .badRequest)
            #expect(Call.message(unknown.text) == "invalid webhook: campaignId names no campaign (got 'nope')")
        }
    }
}
