import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SMSCore
import SMSSimulator

/// The demo's script and its ground truth. Every choice comes from a seeded generator, so a seed
/// always plays the same campaign.
struct DemoScenario: Sendable {
    let options: DemoOptions
    let simConfig: SimulatorConfig

    struct Outcome {
        var campaignId: String
        var rows: [(name: String, measured: String, expected: String)]
        var matchesGroundTruth: Bool
    }

    struct ProviderView: Decodable {
        var id: String
        var callbackUrl: String
    }
    struct CampaignView: Decodable {
        struct Progress: Decodable { var queued: Int }
        var id: String
        var progress: Progress
    }
    struct PublishSummary: Decodable {
        var queued: Int
        var control: Int
        var dispatchErrors: Int
    }
    struct ProfileReport: Decodable {
        var upserted: Int
    }
    struct Stats: Decodable {
        var sent, delivered, inferredDelivered, failed, pending, dispatchErrors, controlGroup, clicks, uniqueClicks,
            botHits, convertedUsers, clickThroughConversions, revenueCents: Int64
        var ctr: Double
    }

    static let phoneUA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
    static let androidUA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36"
    static let previewUA = "WhatsApp/2.24.6.77 A"

    /// Phone numbers in several countries, valid E.164 once normalised.
    static func phone(_ i: Int) -> String? {
        if i % 199 == 198 { return nil }  // no phone
        if i % 97 == 96 { return "12345" }  // not E.164
        let n = String(format: "%08d", (i * 7_919) % 100_000_000)
        switch i % 6 {
        case 0: return "+49 151 \(n)"  // Germany, mobile
        case 1: return "+1 (212) 555-\(n.suffix(4))"  // USA
        case 2: return "+44 7400 \(n.suffix(6))"  // UK, mobile (7700 900xxx is reserved for drama: not a valid number)
        case 3: return "+91 98\(n)"  // India
        case 4: return "+55 11 9\(n)"  // Brazil
        default: return "+33 6\(n)"  // France
        }
    }

    func play(api: DemoAPIClient, simulator: ProviderSimulator, simPort: Int, say: @Sendable (String) -> Void) async throws -> Outcome {
        var rng = SplitMix64(seed: options.seed &+ 7)
        // 1. Provider pointing at the simulator; callbacks to our generic route.
        let provider = try await api.json(
            ProviderView.self, .POST, "/api/v1/providers",
            body: ProviderInput(
                name: "Simulator", method: "POST", url: "http://127.0.0.1:\(simPort)/sms/send", bodyType: "json",
                bodyTemplate: #"{"messages":[{"to":"$$To","text":"$$Body","ref":"$$MessageID"}]}"#,
                headers: ["Authorization": "Bearer \(simConfig.apiKey)"], batch: .init(key: "messages", size: 100),
                callbacksEnabled: true, messageIdPath: "messages.*.id"))
        await simulator.setCallbackURL(provider.callbackUrl)
        say("provider \(provider.id) → simulator on port \(simPort); callbacks to \(provider.callbackUrl.prefix(60))…")

        // 2. Profiles.
        var profiles: [ProfileInput] = []
        var userByPhone: [String: String] = [:]
        var invalidPhones = 0
        for i in 0..<options.profiles {
            let userId = String(format: "user-%05d", i)
            var p = ProfileInput(userId: userId, phone: nil, name: "Customer \(i)")
            if let raw = Self.phone(i) {
                p.phone = raw
                if let e164 = try? PhoneNumber.normalize(raw) { userByPhone[e164] = userId } else { invalidPhones += 1 }
            } else {
                invalidPhones += 1
            }
            profiles.append(p)
        }
        let imported = try await api.json(ProfileReport.self, .POST, "/api/v1/profiles", body: profiles)
        say("\(imported.upserted) profiles imported (\(invalidPhones) without a valid phone)")

        // 3. Campaign with two links, a goal and a 10 % control group.
        let body = "Winter sale: 30% off today only at https://shop.example.com/sale?utm_source=sms&utm_campaign=winter - reviews at https://shop.example.com/reviews. Reply STOP to opt out."
        let campaign = try await api.json(
            CampaignView.self, .POST, "/api/v1/campaigns",
            body: CampaignInput(
                name: "Winter sale", providerId: provider.id, body: body, audience: .all, timezone: "Europe/Berlin",
                goal: ConversionGoal(event: "purchase", windowMinutes: 1440, revenueProperty: "amount"),
                controlGroupPercent: 10))
        let published = try await api.json(PublishSummary.self, .POST, "/api/v1/campaigns/\(campaign.id)/publish")
        let publishedAt = Int64(Date().timeIntervalSince1970)
        say("published \(campaign.id): \(published.queued) queued, \(published.control) control group, \(published.dispatchErrors) dispatch errors")

        // 4. Dispatch and receipts (up to 2 minutes: a loaded machine, e.g. CI running every test at once).
        for _ in 0..<2_400 {
            let c = try await api.json(CampaignView.self, .GET, "/api/v1/campaigns/\(campaign.id)")
            if c.progress.queued == 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        _ = await simulator.waitUntilIdle(timeout: .seconds(30))
        let truth = await simulator.groundTruth()
        say("simulator: \(truth.accepted) accepted, \(truth.delivered) delivered, \(truth.failed) failed, \(truth.noReceipt) without receipt; \(truth.callbackRequests) callback requests (\(truth.duplicatesPosted) duplicates, \(truth.outOfOrderPosted) out of order)")

        // 5. Clicks through the real redirect: humans on phones, plus link-preview bots.
        var clickedMessages = Set<String>()
        var inferred = 0
        var clicks = 0
        var botHits = 0
        var clickedUsers = Set<String>()
        for sms in await simulator.inbox().sorted(by: { $0.ref < $1.ref }) {
            let links = LinkExtractor.extract(from: sms.text).map(\.url)
            guard links.count == 2, let userId = userByPhone[sms.to] else { continue }
            let fate = SimulatedFate.decide(ref: sms.ref, config: simConfig)
            let draw = rng.nextDouble()
            var humanClicks: [String] = []
            switch fate.outcome {
            case .delivered:
                if draw < 0.30 { humanClicks.append(links[0]) }
                if draw < 0.06 { humanClicks.append(links[1]) }
                if draw < 0.03 { humanClicks.append(links[0]) }  // same link from a second device
            case .noReceipt:
                if draw < 0.15 { humanClicks.append(links[0]) }
            case .failed:
                break
            }
            for (i, url) in humanClicks.enumerated() {
                let r = try await api.hit(url, userAgent: i % 2 == 0 ? Self.phoneUA : Self.androidUA)
                guard r.status == 302 else { throw DemoAPIClient.Failure(description: "redirect answered \(r.status)") }
                clicks += 1
            }
            if !humanClicks.isEmpty {
                clickedMessages.insert(sms.ref)
                clickedUsers.insert(userId)
                if case .noReceipt = fate.outcome { inferred += 1 }
            }
            if rng.nextDouble() < 0.05 {
                _ = try await api.hit(links[0], userAgent: Self.previewUA)
                _ = try await api.hit(links[1], method: .HEAD, userAgent: Self.phoneUA)
                botHits += 2
            }
        }
        say("clicks: \(clicks) human clicks on \(clickedMessages.count) messages, \(botHits) bot / preview hits")

        // 6. Conversion events: purchases by some sent users and some control-group users,
        //    one duplicate delivery, one purchase before the send, one non-goal event.
        let sentUsers = await simulator.inbox().compactMap { userByPhone[$0.to] }
        let controlUsers = (0..<options.profiles).map { String(format: "user-%05d", $0) }.filter {
            CampaignPlanner.isControl(campaignId: campaign.id, userId: $0, percent: 10)
        }
        let ts = Int64(Date().timeIntervalSince1970) + 2
        var events: [ConversionEventInput] = []
        var converted = Set<String>()
        var clickThrough = Set<String>()
        var revenueCents: Int64 = 0
        for u in Set(sentUsers).sorted() {
            let p = clickedUsers.contains(u) ? 0.35 : 0.08
            guard rng.nextDouble() < p else { continue }
            let cents = Int64(1_000 + rng.next() % 9_000)
            events.append(Self.event("ev-\(u)", u, "purchase", ts, cents))
            converted.insert(u)
            if clickedUsers.contains(u) { clickThrough.insert(u) }
            revenueCents += cents
        }
        for u in controlUsers where rng.nextDouble() < 0.08 {
            events.append(Self.event("ev-\(u)", u, "purchase", ts, 2_500))
        }
        if let first = events.first { events.append(first) }  // duplicate delivery of an event
        if let u = sentUsers.first {
            events.append(Self.event("ev-early-\(u)", u, "purchase", publishedAt - 3_600, 9_999))  // before the send
            events.append(Self.event("ev-open-\(u)", u, "app_open", ts, 0))  // not the goal
        }
        let (status, _) = try await api.call(.POST, "/api/v1/events", body: try JSONEncoder().encode(events))
        say("events: \(events.count) posted (HTTP \(status)); \(converted.count) target users converted")

        // 7. Compare.
        let expected: [String: String] = [
            "Sent": "\(truth.accepted)",
            "Delivered": "\(truth.delivered + inferred)",
            "  inferred from clicks": "\(inferred)",
            "Failed": "\(truth.failed)",
            "Pending": "\(truth.noReceipt - inferred)",
            "Dispatch errors": "\(published.dispatchErrors)",
            "Control group": "\(published.control)",
            "Clicks": "\(clicks)",
            "Unique clicks": "\(clickedMessages.count)",
            "Bot hits": "\(botHits)",
            "CTR %": String(format: "%.2f", CampaignStats.percent(Int64(clickedMessages.count), Int64(truth.delivered + inferred))),
            "Converted users": "\(converted.count)",
            "Click-through conv.": "\(clickThrough.count)",
            "Revenue": String(format: "%.2f", Double(revenueCents) / 100),
        ]
        var stats = try await api.json(Stats.self, .GET, "/api/v1/campaigns/\(campaign.id)/stats")
        var rows = Self.rows(stats, expected)
        for _ in 0..<100 where rows.contains(where: { $0.measured != $0.expected }) {
            try await Task.sleep(for: .milliseconds(100))
            stats = try await api.json(Stats.self, .GET, "/api/v1/campaigns/\(campaign.id)/stats")
            rows = Self.rows(stats, expected)
        }
        return Outcome(campaignId: campaign.id, rows: rows, matchesGroundTruth: rows.allSatisfy { $0.measured == $0.expected })
    }

    static func rows(_ s: Stats, _ expected: [String: String]) -> [(name: String, measured: String, expected: String)] {
        let measured: [(String, String)] = [
            ("Sent", "\(s.sent)"), ("Delivered", "\(s.delivered)"), ("  inferred from clicks", "\(s.inferredDelivered)"),
            ("Failed", "\(s.failed)"), ("Pending", "\(s.pending)"), ("Dispatch errors", "\(s.dispatchErrors)"),
            ("Control group", "\(s.controlGroup)"), ("Clicks", "\(s.clicks)"), ("Unique clicks", "\(s.uniqueClicks)"),
            ("Bot hits", "\(s.botHits)"), ("CTR %", String(format: "%.2f", s.ctr)), ("Converted users", "\(s.convertedUsers)"),
            ("Click-through conv.", "\(s.clickThroughConversions)"), ("Revenue", String(format: "%.2f", Double(s.revenueCents) / 100)),
        ]
        return measured.map { (name: $0.0, measured: $0.1, expected: expected[$0.0] ?? "?") }
    }

    static func event(_ id: String, _ user: String, _ name: String, _ ts: Int64, _ cents: Int64) -> ConversionEventInput {
        ConversionEventInput(
            eventId: id, userId: user, name: name, ts: ts,
            properties: ["amount": .number(Double(cents) / 100), "currency": .string("EUR")])
    }
}

struct ProviderInput: Encodable {
    var name, method, url, bodyType, bodyTemplate: String
    var headers: [String: String]
    var batch: BatchConfig
    var callbacksEnabled: Bool
    var messageIdPath: String
}

struct ProfileInput: Encodable {
    var userId: String
    var phone: String?
    var name: String
}

struct CampaignInput: Encodable {
    var name, providerId, body: String
    var audience: Audience
    var timezone: String
    var goal: ConversionGoal
    var controlGroupPercent: Double
}
