import Foundation
import SMSCore
import SMSSimulator
import SMSBenchLoad
import SMSStoreSQLite

/// Generates a realistic campaign of `count` messages straight into a store: 5 % control group,
/// 2 % dispatch errors, two variants, two links; of the sent: 85 % delivered (10 % of those with a
/// duplicate receipt), 8 % failed (six codes, one unknown with a provider description),
/// 4 % only submitted, 3 % no receipt; 14 % of delivered messages clicked (1–3 human clicks),
/// 30 % of those also get a preview-bot hit; 0.5 % replies (40 % STOP); 4 % of the sent and 2 %
/// of the control group convert. Sends are spread over 48 hours from 2024-03-29T08:00Z (across
/// Europe/Berlin's DST change), whatever `count` is, so both sizes have the same time buckets.
struct StatsBenchData {
    static let t0: Int64 = 1_711_699_200  // 2024-03-29T08:00:00Z
    static let span: Int64 = 48 * 3600
    static let links = ["https://shop.example/spring?utm=sms&x=[1]", "https://shop.example/help#faq"]
    static let failures: [(code: String, description: String?)] = [
        ("914", nil), ("30003", nil), ("905", nil), ("916", nil), ("", nil), ("777", "Carrier rejected: spam filter"),
    ]
    static let reasons = ["invalid phone number (not E.164)", "no phone on profile", "user opted out / DND", "provider HTTP error 503"]

    let campaignId: String
    let count: Int

    var provider: ProviderConfig {
        ProviderConfig(
            id: "bench-provider", name: "Bench", url: "http://127.0.0.1:9/sms", bodyTemplate: #"{"to":"$$To"}"#,
            callbacksEnabled: true, callbackSecret: "bench-secret", createdAt: Self.t0 - 86_400)
    }

    var campaign: Campaign {
        Campaign(
            id: campaignId, name: "Spring sale (\(count) messages)", providerId: "bench-provider",
            body: "Spring sale! \(Self.links[0]) Help: \(Self.links[1])", links: Self.links, audience: .all,
            timezone: "Europe/Berlin", goal: ConversionGoal(event: "purchase", windowMinutes: 7 * 24 * 60, revenueProperty: "amount"),
            controlGroupPercent: 5, status: .completed, createdAt: Self.t0 - 3600, publishedAt: Self.t0)
    }

    /// Messages `range` of the campaign (deterministic per index).
    func messages(_ range: Range<Int>) -> [BulkMessage] {
        range.map(message)
    }

    func message(_ i: Int) -> BulkMessage {
        var rng = SplitMix64(seed: UInt64(i) &* 0x2545_F491_4F6C_DD1D ^ 0x5EED)
        func chance(_ p: Double) -> Bool { Double(rng.next() >> 11) / Double(1 << 53) < p }
        func between(_ a: Int64, _ b: Int64) -> Int64 { a + Int64(rng.next() % UInt64(b - a + 1)) }
        let user = "u\(i)"
        let meta = "m" + Self.padded(i, 10)
        let sentAt = Self.t0 + Int64(i) * Self.span / Int64(max(count, 1))
        var m = BulkMessage(
            userId: user, phone: "+4915112" + Self.padded(i % 1_000_000, 6), meta: meta, body: "", segments: 0,
            variant: i % 2, dispatch: .queued, dispatchedAt: nil, dispatchErrorReason: nil, createdAt: Self.t0, links: [],
            events: [], clicks: [], conversions: [])
        if chance(0.05) {
            m.variant = 0
            m.dispatch = .control
            m.dispatchedAt = Self.t0
            if chance(0.02) { m.conversions = [conversion(i, at: Self.t0 + between(600, 3 * 86_400), &rng)] }
            return m
        }
        if chance(0.02 / 0.95) {
            m.dispatch = .dispatchError
            m.dispatchedAt = sentAt
            m.dispatchErrorReason = Self.reasons[Int(rng.next() % UInt64(Self.reasons.count))]
            return m
        }
        m.dispatch = .sent
        m.dispatchedAt = sentAt
        m.segments = chance(0.2) ? 2 : 1
        m.links = Self.links.indices.map {
            NewShortLink(code: "b\(i)x\($0)", linkIndex: $0, url: Self.links[$0], expiresAt: Self.t0 + 30 * 86_400)
        }
        m.body = "Spring sale! https://s.example/l/b\(i)x0 Help: https://s.example/l/b\(i)x1"
        let r = Double(rng.next() >> 11) / Double(1 << 53)
        var delivered = false
        if r < 0.85 {
            delivered = true
            let at = sentAt + between(3, 120)
            m.events.append(LoggedEvent(kind: .delivered, at: at))
            if chance(0.1) { m.events.append(LoggedEvent(kind: .delivered, at: at + 1)) }
        } else if r < 0.93 {
            let f = Self.failures[Int(rng.next() % UInt64(Self.failures.count))]
            m.events.append(LoggedEvent(kind: .failed, at: sentAt + between(5, 300), code: f.code, description: f.description))
        } else if r < 0.97 {
            m.events.append(LoggedEvent(kind: .submitted, at: sentAt + between(1, 10)))
        }
        if (delivered && chance(0.14)) || (!delivered && chance(0.02)) {
            for _ in 0..<Int(between(1, 3)) {
                m.clicks.append(LoggedClick(linkIndex: Int(rng.next() % 2), at: sentAt + between(60, 3 * 86_400), isBot: false))
            }
            if chance(0.3) { m.clicks.append(LoggedClick(linkIndex: 0, at: sentAt + 2, isBot: true)) }
        }
        if chance(0.005) {
            let stop = chance(0.4)
            m.events.append(
                LoggedEvent(kind: .replied, at: sentAt + between(30, 86_400), code: stop ? OptOutKeywords.Intent.optOut.rawValue : nil))
        }
        if chance(0.04) { m.conversions = [conversion(i, at: sentAt + between(600, 3 * 86_400), &rng)] }
        return m
    }

    /// `n` in decimal, zero-padded to `width` digits (String(format:) is slow on Linux).
    static func padded(_ n: Int, _ width: Int) -> String {
        let digits = String(n)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    func conversion(_ i: Int, at: Int64, _ rng: inout SplitMix64) -> ConversionEventInput {
        ConversionEventInput(
            eventId: "\(campaignId)-e\(i)", userId: "u\(i)", name: "purchase", ts: at,
            properties: ["amount": .number(Double(1_000 + Int(rng.next() % 9_000)) / 100)])
    }
}
