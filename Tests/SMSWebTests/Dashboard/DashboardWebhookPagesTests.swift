import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
@testable import SMSWeb
import Testing

/// The webhooks page (issue 17): CSRF-checked form POSTs judged by ``WebhookController``'s rules
/// (the API's 400 naming the field, nothing stored), the signing secret shown once and on no other
/// page, a test delivery signed with it against a live receiver, disable, enable and delete.
@Suite("Dashboard: webhooks page")
struct DashboardWebhookPagesTests {
    typealias F = DashboardFixture

    @Test("add: CSRF required, wrong input is the API's 400 naming the field, the secret shown once; test delivery; disable, enable, delete")
    func webhooksPage() async throws {
        try await WebhookReceiver.serve { url, receiver in
            let (app, store) = try await F.app()
            try await app.test(.router) { client in
                let (cookie, csrf) = try await F.signIn(client)
                let form: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
                func get(_ path: String) async throws -> String {
                    try await client.execute(uri: path, method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
                }
                func post(_ path: String, _ fields: [(String, String)]) async throws -> (HTTPResponse.Status, String) {
                    try await client.execute(uri: path, method: .post, headers: form, body: ByteBuffer(string: FormFields.encoded(fields))) {
                        ($0.status, String(buffer: $0.body))
                    }
                }
                #expect(try await get("/webhooks").contains("No webhook yet"))
                let add = [("url", url), ("event.message.delivered", "on"), ("event.message.failed", "on"), ("campaignId", "")]
                #expect(try await post("/webhooks/new", add).0 == .forbidden)
                let noEvents = try await post("/webhooks/new", [("csrf", csrf), ("url", url)])
                #expect(noEvents.0 == .badRequest && noEvents.1.contains("events"))
                let badURL = try await post("/webhooks/new", [("csrf", csrf), ("url", "ftp://x.example/<i>"), ("event.message.sent", "on")])
                #expect(badURL.0 == .badRequest && badURL.1.contains("url") && !badURL.1.contains("<i>"))
                let unknownCampaign = try await post("/webhooks/new", [("csrf", csrf), ("url", url), ("event.message.sent", "on"), ("campaignId", "nope")])
                #expect(unknownCampaign.0 == .badRequest && unknownCampaign.1.contains("campaignId"))
                #expect(try await store.webhooks().isEmpty, "nothing stored by a refused form")

                let (status, page) = try await post("/webhooks/new", [("csrf", csrf)] + add)
                #expect(status == .ok)
                let stored = try #require(try await store.webhooks().first)
                #expect(stored.definition == .init(url: url, events: [.messageDelivered, .messageFailed]))
                #expect(F.text(page, #"data-created="secret""#) == stored.secret)
                let list = try await get("/webhooks")
                let one = try await get("/webhooks/\(stored.id)")
                #expect(!list.contains(stored.secret) && !one.contains(stored.secret), "shown once")
                #expect(list.contains(#"id="webhook-\#(stored.id)""#) && list.contains("message.delivered, message.failed"))
                #expect(F.text(list, #"data-webhook="queueDepth""#) == "0" && F.text(one, #"data-webhook="deliveredEvents""#) == "0")

                // A test delivery, signed with the secret, outside the outbox.
                #expect(try await post("/webhooks/\(stored.id)/test", []).0 == .forbidden)
                let (testStatus, testPage) = try await post("/webhooks/\(stored.id)/test", [("csrf", csrf)])
                #expect(testStatus == .ok && F.text(testPage, #"data-test="status""#) == "200")
                let got = await receiver.deliveries
                #expect(got.count == 1)
                let d = try #require(got.first)
                #expect(d.body.contains(#""type":"webhook.test""#) && testPage.contains(d.id))
                let key = try #require(WebhookSecret.key(of: stored.secret))
                let mac = HMAC<SHA256>.authenticationCode(for: Data("\(d.id).\(d.timestamp).\(d.body)".utf8), using: SymmetricKey(data: key))
                #expect(d.signature == "v1," + Data(mac).base64EncodedString())
                #expect(try await store.webhookDeliveryStats(id: stored.id) == WebhookDeliveryStats(), "not counted")

                #expect(try await post("/webhooks/\(stored.id)/disable", [("csrf", csrf)]).0 == .seeOther)
                #expect(try await store.webhook(id: stored.id)?.definition.enabled == false)
                #expect(try await get("/webhooks").contains(#"action="/webhooks/\#(stored.id)/enable""#))
                #expect(try await post("/webhooks/\(stored.id)/enable", [("csrf", csrf)]).0 == .seeOther)
                #expect(try await store.webhook(id: stored.id)?.definition.enabled == true)
                #expect(try await post("/webhooks/\(stored.id)/delete", [("csrf", "wrong")]).0 == .forbidden)
                #expect(try await post("/webhooks/\(stored.id)/delete", [("csrf", csrf)]).0 == .seeOther)
                #expect(try await store.webhooks().isEmpty)
                #expect(try await client.execute(uri: "/webhooks/\(stored.id)", method: .get, headers: [.cookie: cookie]) { $0.status } == .notFound)
            }
        }
    }
}
