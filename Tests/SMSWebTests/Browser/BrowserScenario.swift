import Foundation
import NIOHTTP1
import SMSCore

/// Seeds the live server through its API with a demo-like campaign (the shape of `smsstats demo`,
/// smaller): 150 profiles in six countries (a few without a valid phone), a two-link campaign with a
/// goal and a 10 % control group in Europe/Berlin, sends spread over six days, receipts (delivered,
/// failed with generic codes, some missing), human and bot clicks, purchases; plus a campaign
/// named `<script>alert(1)</script>` on a provider without callbacks, and one still sending.
enum BrowserScenario {
    struct Seeded {
        var mainId: String
        var escapingId: String
        var sendingId: String
        var providerId: String
    }

    struct Provider: Decodable { var id: String; var callbackUrl: String }
    struct Campaign: Decodable { var id: String }

    static func phone(_ i: Int) -> String? {
        if i % 29 == 28 { return nil }
        if i % 17 == 16 { return "12345" }
        let n = String(format: "%08d", (i * 7_919) % 100_000_000)
        switch i % 6 {
        case 0: return "+49 151 \(n)"
        case 1: return "+1 (212) 555-\(n.suffix(4))"
        case 2: return "+44 7400 \(n.suffix(6))"
        case 3: return "+91 98\(n)"
        case 4: return "+55 11 9\(n)"
        default: return "+33 6\(n)"
        }
    }

    static func provider(_ s: LiveDashboardServer, _ name: String, callbacks: Bool) async throws -> Provider {
        try await s.json(
            Provider.self, .POST, "/api/v1/providers",
            #"{"name":"\#(name)","url":"http://127.0.0.1:9/send","callbacksEnabled":\#(callbacks),"bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\",\"id\":\"$$MessageID\"}"}"#)
    }

    static func seed(_ s: LiveDashboardServer) async throws -> Seeded {
        let acme = try await provider(s, "Acme SMS", callbacks: true)
        let plain = try await provider(s, "Plain SMS", callbacks: false)
        let slow = try await provider(s, "Slow", callbacks: true)
        var profiles: [String] = []
        for i in 0..<150 {
            let phone = phone(i).map { "\"\($0)\"" } ?? "null"
            profiles.append(#"{"userId":"user-\#(String(format: "%03d", i))","phone":\#(phone),"name":"Customer \#(i)"}"#)
        }
        _ = try await s.call(.POST, "/api/v1/profiles", body: Data(("[" + profiles.joined(separator: ",") + "]").utf8))

        let body = "Winter sale: 30% off today at https://shop.example.com/sale?utm_source=sms&utm_campaign=winter - reviews at https://shop.example.com/reviews. Reply STOP to opt out."
        let main = try await s.json(
            Campaign.self, .POST, "/api/v1/campaigns",
            #"{"name":"Winter sale","providerId":"\#(acme.id)","body":"\#(body)","audience":{"all":true},"timezone":"Europe/Berlin","goal":{"event":"purchase","windowMinutes":1440,"revenueProperty":"amount"},"controlGroupPercent":10}"#)
        _ = try await s.call(.POST, "/api/v1/campaigns/\(main.id)/publish")
        let escaping = try await s.json(
            Campaign.self, .POST, "/api/v1/campaigns",
            #"{"name":"<script>alert(1)</script>","providerId":"\#(plain.id)","body":"Hi https://shop.example.com/x","audience":{"userIds":["user-000","user-001","user-002","user-003"]},"timezone":"Asia/Kolkata"}"#)
        _ = try await s.call(.POST, "/api/v1/campaigns/\(escaping.id)/publish")
        try await s.waitDispatched(main.id)
        try await s.waitDispatched(escaping.id)

        // Receipts: 7 of 10 delivered, 1 failed (generic codes), 2 without a receipt (yet).
        let sent = s.gateway.sent.withLock { $0 }.sorted { $0.meta < $1.meta }
        let mainSent = sent.filter { $0.body.contains("Winter sale") }
        var groups: [String] = []
        for (i, m) in mainSent.enumerated() {
            let ts = m.at + 30
            switch i % 10 {
            case 0...6: groups.append(#"{"event":"delivered","data":[{"meta":"\#(m.meta)","ts":\#(ts)}]}"#)
            case 7: groups.append(#"{"event":"failed","data":[{"meta":"\#(m.meta)","ts":\#(ts),"code":"\#(["914", "901", "905"][i % 3])"}]}"#)
            default: break
            }
        }
        let cb = try await s.call(.POST, String(acme.callbackUrl.dropFirst(s.base.count)), body: Data(("[" + groups.joined(separator: ",") + "]").utf8), auth: false)
        guard cb.status == 200 else { throw HeadlessChromium.Failure(description: "callbacks answered \(cb.status)") }
        // An invalid callback item, for the ingestion-errors page.
        _ = try await s.call(
            .POST, String(acme.callbackUrl.dropFirst(s.base.count)),
            body: Data(#"[{"event":"failed","data":[{"meta":"<b>unknown</b>","ts":1700000000}]}]"#.utf8), auth: false)

        // Clicks through the real redirect; purchases in the conversion window.
        var events: [String] = []
        for (i, m) in mainSent.enumerated() where i % 10 != 7 {
            let links = m.body.components(separatedBy: " ").filter { $0.contains("/l/") }.map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: ".,"))
            }
            guard links.count == 2 else { continue }
            var clicked = false
            if i % 3 == 0 { try await s.hit(links[0]); clicked = true }
            if i % 5 == 0 { try await s.hit(links[1]); clicked = true }
            if i % 9 == 0 && clicked { try await s.hit(links[0]) }  // second device
            if i % 11 == 0 { try await s.hit(links[0], bot: true) }
            if clicked || i % 6 == 1 {
                // Sent today: after the click (a click-through conversion); earlier: 2 min after the send.
                let now = Int64(Date().timeIntervalSince1970) + 1
                let eventTs = now - m.at < 86_000 ? now : m.at + 120
                events.append(#"{"eventId":"ev-\#(m.userId)","userId":"\#(m.userId)","name":"purchase","ts":\#(eventTs),"properties":{"amount":\#(10 + i % 40).5}}"#)
            }
        }
        let controls = (0..<150).map { "user-" + String(format: "%03d", $0) }.filter {
            CampaignPlanner.isControl(campaignId: main.id, userId: $0, percent: 10)
        }
        for u in controls.prefix(2) {
            events.append(#"{"eventId":"ev-c-\#(u)","userId":"\#(u)","name":"purchase","ts":\#(Int64(Date().timeIntervalSince1970)),"properties":{"amount":25}}"#)
        }
        _ = try await s.call(.POST, "/api/v1/events", body: Data(("[" + events.joined(separator: ",") + "]").utf8))
        if let m = sent.first(where: { $0.body.hasPrefix("Hi ") }), let link = m.body.split(separator: " ").last {
            try await s.hit(String(link))
        }

        // A campaign that stays "sending" (its provider holds the dispatcher for a minute).
        let sending = try await s.json(
            Campaign.self, .POST, "/api/v1/campaigns",
            #"{"name":"Still sending","providerId":"\#(slow.id)","body":"Flash sale https://shop.example.com/flash","audience":{"userIds":["user-010","user-011","user-012"]},"timezone":"UTC"}"#)
        _ = try await s.call(.POST, "/api/v1/campaigns/\(sending.id)/publish")
        return Seeded(mainId: main.id, escapingId: escaping.id, sendingId: sending.id, providerId: acme.id)
    }

    /// Signs in over HTTP; returns the cookie and a CSRF token.
    static func signIn(_ s: LiveDashboardServer) async throws -> (cookie: String, csrf: String) {
        let r = try await s.call(
            .POST, "/login", body: Data("token=\(s.token)".utf8), auth: false,
            headers: [("Content-Type", "application/x-www-form-urlencoded")])
        let cookie = String((r.headers.first(name: "Set-Cookie") ?? "").split(separator: ";")[0])
        let page = try await s.call(.GET, "/providers", auth: false, headers: [("Cookie", cookie)])
        let html = String(decoding: page.body, as: UTF8.self)
        guard let range = html.range(of: "name=\"csrf\" value=\"") else { return (cookie, "") }
        return (cookie, String(html[range.upperBound...].prefix { $0 != "\"" }))
    }
}
