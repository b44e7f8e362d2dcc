import Foundation
import SMSCore
import Testing

@Suite("Retention: the age form, when a campaign finished, which campaigns are due, the partition cutoff")
struct RawRetentionTests {
    @Test("<N>d, <N>h, <N>s are days, hours, seconds; anything else names the form", arguments: [
        ("90d", Int64(7_776_000)), ("12h", 43_200), ("30s", 30), ("0d", 0), ("36500d", 3_153_600_000),
    ])
    func ages(text: String, seconds: Int64) throws {
        #expect(try RawRetention.parseAge(text) == seconds)
    }

    @Test("malformed ages are refused", arguments: ["90", "d", "-1d", "1.5d", "90m", "", "+3d", " 3d", "99999999999999d", "٣d"])
    func badAges(text: String) {
        #expect(throws: RetentionAgeError(text: text)) { try RawRetention.parseAge(text) }
        #expect(RetentionAgeError(text: "90m").description
            == "--older-than must be <N>d, <N>h or <N>s (N a whole number from 0, at most 100 years: 36500d, 876000h or 3153600000s), got '90m'")
    }

    static func campaign(_ id: String, _ status: CampaignStatus, createdAt: Int64, stoppedAt: Int64? = nil, completedAt: Int64? = nil) -> Campaign {
        var c = Campaign(
            id: id, name: id, providerId: "p", body: "b", links: [], audience: .all, timezone: "UTC", goal: nil, status: status,
            createdAt: createdAt, publishedAt: createdAt + 10)
        c.stoppedAt = stoppedAt
        c.completedAt = completedAt
        return c
    }

    @Test("due: finished (completed or stopped) at least the age ago and not purged; the cutoff is the earliest creation of the others")
    func due() {
        let r = RawRetention(olderThanSeconds: 1_000)
        let now: Int64 = 10_000
        let old = Self.campaign("old", .completed, createdAt: 100, completedAt: 8_000)
        let stopped = Self.campaign("stopped", .stopped, createdAt: 200, stoppedAt: 9_500)
        let legacy = Self.campaign("legacy", .completed, createdAt: 300)  // no completedAt: its publish time, 310
        let sending = Self.campaign("sending", .sending, createdAt: 400)
        let paused = Self.campaign("paused", .paused, createdAt: 50)
        var purged = Self.campaign("purged", .stopped, createdAt: 10, stoppedAt: 20)
        purged.rawPurgedAt = 5_000
        #expect(r.isDue(old, now: now) && r.isDue(legacy, now: now))
        #expect(!r.isDue(stopped, now: now) && !r.isDue(sending, now: now) && !r.isDue(paused, now: now) && !r.isDue(purged, now: now))
        #expect(r.isDue(stopped, now: 10_500))
        #expect(RawRetention.finishedAt(legacy) == 310 && RawRetention.finishedAt(sending) == nil)
        // Kept: stopped (200), sending (400), paused (50) → 50.
        #expect(r.partitionCutoff(campaigns: [old, stopped, legacy, sending, paused, purged], now: now) == 50)
        #expect(r.partitionCutoff(campaigns: [old, legacy, purged], now: now) == 9_000)
    }

    @Test("a campaign completes at the time the store gives")
    func completedAt() {
        let sending = Self.campaign("c", .sending, createdAt: 1)
        #expect(sending.completed(left: 0, at: 77)?.completedAt == 77)
        #expect(sending.completed(left: 0)?.completedAt == nil)
    }
}
