import Crypto
import Foundation
import SMSCore
import Testing

@testable import SMSWeb

/// Issue 17: the webhooks page in a real browser (Debian's headless Chromium) against a live
/// server and a local receiver: a webhook added through the page's form (its secret shown once,
/// then in no page), a campaign sent, the `message.sent` events delivered by the server's worker
/// and listed as the subscription's recent deliveries with the ids the receiver got; a test
/// delivery signed with the shown secret; disable, enable and delete.
@Suite("Dashboard in headless Chromium: webhooks page", .enabled(if: HeadlessChromium.path != nil, "chromium not installed (scripts/setup/chromium.sh)"))
struct WebhookPageBrowserTests {
    @Test("add (secret once), deliveries listed by id, a signed test delivery, disable / enable / delete")
    func webhooksInChromium() async throws {
        try await WebhookReceiver.serve { url, receiver in
            try await LiveDashboardServer.withBrowser { server, browser in try await run(server, browser, url: url, receiver: receiver) }
        }
    }

    func run(_ server: LiveDashboardServer, _ browser: HeadlessChromium, url: String, receiver: WebhookReceiver) async throws {
        let provider = try await BrowserScenario.provider(server, "Acme SMS", callbacks: true)
        _ = try await server.call(
            .POST, "/api/v1/profiles",
            body: Data(#"[{"userId":"w1","phone":"+4915112340001"},{"userId":"w2","phone":"+4915112340002"},{"userId":"w3","phone":"+4915112340003"}]"#.utf8))
        let campaign = try await server.json(
            BrowserScenario.Campaign.self, .POST, "/api/v1/campaigns",
            #"{"name":"<b>Hooks</b>","providerId":"\#(provider.id)","body":"Hi","audience":{"userIds":["w1","w2","w3"]},"timezone":"UTC"}"#)
        let (cookie, csrf) = try await BrowserScenario.signIn(server)
        let form = [("Cookie", cookie), ("Content-Type", "application/x-www-form-urlencoded")]
        func open(_ path: String) async throws -> String { try await browser.dumpDOM(try await server.loginLink(path), virtualTimeMs: 1_000) }

        // 1. Added through the form (as a browser posts it): the secret is on that page only.
        let empty = try await open("/webhooks")
        #expect(empty.contains("No webhook yet") && empty.contains(#"id="webhook-form""#))
        #expect(empty.contains("&lt;b&gt;Hooks&lt;/b&gt;") && !empty.contains("<b>Hooks</b>"), "the campaign's name is text")
        let created = try await server.call(
            .POST, "/webhooks/new",
            body: Data(FormFields.encoded([("csrf", csrf), ("url", url), ("event.message.sent", "on"), ("campaignId", campaign.id)]).utf8),
            auth: false, headers: form)
        #expect(created.status == 200)
        let createdPage = String(decoding: created.body, as: UTF8.self)
        let secret = try #require(DOM.text(createdPage, #"data-created="secret""#))
        #expect(secret.hasPrefix("whsec_"))
        let subscription = try #require(try await server.store.webhooks().first)
        #expect(subscription.secret == secret && subscription.definition.events == [.messageSent] && subscription.definition.campaignId == campaign.id)

        // 2. The campaign is sent; the server's worker delivers its three message.sent events.
        _ = try await server.call(.POST, "/api/v1/campaigns/\(campaign.id)/publish")
        try await server.waitDispatched(campaign.id)
        let deadline = ContinuousClock.now + .seconds(60)
        while await receiver.acceptedEventIds.count < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let delivered = await receiver.acceptedEventIds
        #expect(delivered.count == 3 && Set(delivered).count == 3)

        // 3. The list: what the API says, no secret.
        let stats = try await server.store.webhookDeliveryStats(id: subscription.id)
        let list = try await open("/webhooks")
        #expect(DOM.text(list, #"data-webhook="url""#) == url)
        #expect(DOM.text(list, #"data-webhook="events""#) == "message.sent")
        #expect(DOM.text(list, #"data-webhook="campaign""#) == campaign.id)
        #expect(DOM.text(list, #"data-webhook="status""#) == "enabled")
        #expect(DOM.text(list, #"data-webhook="deliveredEvents""#) == "3" && stats.deliveredEvents == 3)
        #expect(DOM.text(list, #"data-webhook="queueDepth""#) == "0" && stats.queueDepth == 0)
        #expect(DOM.text(list, #"data-webhook="consecutiveFailures""#) == "0")
        #expect(DOM.text(list, #"data-webhook="lastStatus""#)?.hasPrefix("200") == true)
        #expect(DOM.text(list, #"data-webhook="latency""#) == "\(stats.lastLatencyMs ?? -1) ms")
        #expect(!list.contains(secret), "the secret is never shown again")

        // 4. Its page: the recent deliveries are the events the receiver got, by id.
        let one = try await open("/webhooks/\(subscription.id)")
        let rows = DOM.rows(one, table: "deliveries-delivered")
        #expect(Set(rows.compactMap(\.first)) == Set(delivered))
        #expect(rows.allSatisfy { $0.count == 6 && $0[1] == "message.sent" && $0[5] == "1" })
        #expect(!one.contains(secret))

        // 5. A test delivery: signed with the shown secret, answered 200, outside the outbox.
        let tested = try await server.call(.POST, "/webhooks/\(subscription.id)/test", body: Data("csrf=\(csrf)".utf8), auth: false, headers: form)
        let testPage = String(decoding: tested.body, as: UTF8.self)
        #expect(DOM.text(testPage, #"data-test="status""#) == "200")
        #expect(!testPage.contains(secret))
        let test = try #require(await receiver.deliveries.last)
        #expect(test.body.contains(#""type":"webhook.test""#))
        let key = try #require(WebhookSecret.key(of: secret))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(test.id).\(test.timestamp).\(test.body)".utf8), using: SymmetricKey(data: key))
        #expect(test.signature == "v1," + Data(mac).base64EncodedString())
        #expect(try await server.store.webhookDeliveryStats(id: subscription.id).deliveredEvents == 3, "a test is not counted")

        // 6. Disable, enable, delete.
        #expect(try await server.call(.POST, "/webhooks/\(subscription.id)/disable", body: Data("csrf=\(csrf)".utf8), auth: false, headers: form).status == 303)
        let disabled = try await open("/webhooks")
        #expect(DOM.text(disabled, #"data-webhook="status""#) == "disabled")
        #expect(disabled.contains(#"action="/webhooks/\#(subscription.id)/enable""#))
        #expect(try await server.call(.POST, "/webhooks/\(subscription.id)/enable", body: Data("csrf=\(csrf)".utf8), auth: false, headers: form).status == 303)
        #expect(try await server.store.webhook(id: subscription.id)?.definition.enabled == true)
        try await browser.screenshot(
            try await server.loginLink("/webhooks/\(subscription.id)"),
            to: DashboardBrowserTests.outputDirectory.appendingPathComponent("dashboard-20-webhook.png"))
        #expect(try await server.call(.POST, "/webhooks/\(subscription.id)/delete", body: Data("csrf=\(csrf)".utf8), auth: false, headers: form).status == 303)
        #expect(try await open("/webhooks").contains("No webhook yet"))
    }
}
