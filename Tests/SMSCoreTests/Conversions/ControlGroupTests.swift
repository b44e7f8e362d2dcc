import Foundation
import Testing

@testable import SMSCore

@Suite("Control group and lift (docs/DOMAIN.md §5)")
struct ControlGroupTests {
    /// FNV-1a 64 published test vectors (the hash behind the reproducible choice).
    @Test(arguments: [("", UInt64(0xcbf2_9ce4_8422_2325)), ("a", 0xaf63_dc4c_8601_ec8c), ("foobar", 0x8594_4171_f739_67e8)])
    func fnv1aMatchesPublishedVectors(text: String, hash: UInt64) {
        #expect(StableHash.fnv1a64(text) == hash)
    }

    @Test func sameCampaignAndUserGiveTheSameChoice() {
        for i in 0..<500 {
            let a = CampaignPlanner.isControl(campaignId: "cmp_spring", userId: "u\(i)", percent: 20)
            let b = CampaignPlanner.isControl(campaignId: "cmp_spring", userId: "u\(i)", percent: 20)
            #expect(a == b)
        }
    }

    /// Over 10,000 users the held-out share is within 3 binomial standard deviations of the
    /// percent: tolerance = 3 × √(p(1−p)/n) × 100 percentage points (0.65 pp at 10 %, 1.5 pp at 50 %).
    @Test(arguments: [1.0, 5.0, 10.0, 25.0, 50.0])
    func shareOverTenThousandUsersIsNearThePercent(percent: Double) {
        let n = 10_000
        let held = (0..<n).filter { CampaignPlanner.isControl(campaignId: "cmp_share", userId: "user-\($0)", percent: percent) }.count
        let share = Double(held) / Double(n) * 100
        let p = percent / 100
        let tolerance = 3 * (p * (1 - p) / Double(n)).squareRoot() * 100
        #expect(abs(share - percent) <= tolerance, "share \(share) % for \(percent) %")
    }

    @Test func zeroPercentHoldsNobodyOut() {
        #expect((0..<1_000).allSatisfy { !CampaignPlanner.isControl(campaignId: "c", userId: "u\($0)", percent: 0) })
    }

    /// Two campaigns choose independently: the overlap of two 50 % groups is about 25 %.
    @Test func campaignsChooseIndependently() {
        let n = 10_000
        let both = (0..<n).filter {
            CampaignPlanner.isControl(campaignId: "cmp_a", userId: "u\($0)", percent: 50)
                && CampaignPlanner.isControl(campaignId: "cmp_b", userId: "u\($0)", percent: 50)
        }.count
        let share = Double(both) / Double(n) * 100
        #expect(abs(share - 25) <= 3 * (0.25 * 0.75 / Double(n)).squareRoot() * 100)
    }

    /// Lift = (target rate − control rate) / control rate × 100; incremental revenue =
    /// (ARPU target − ARPU control) × target users.
    @Test func liftAndIncrementalRevenueExactValues() {
        // 1,000 sent, 50 converted (5 %), revenue 2,500.00; control 100, 2 converted (2 %), 100.00.
        let s = CampaignStats(
            totals: [
                .sent: 1_000, .delivered: 900, .controlGroup: 100, .convertedUsers: 50, .clickThroughUsers: 20,
                .revenueCents: 250_000, .controlConvertedUsers: 2, .controlRevenueCents: 10_000,
            ], callbacksEnabled: true)
        #expect(s.convertedPercent == 5)
        #expect(s.controlConvertedPercent == 2)
        #expect(s.lift == 150)  // (5 − 2) / 2 × 100
        #expect(s.arpu == 2.5)
        #expect(s.incrementalRevenue == 1_500)  // (2.50 − 1.00) × 1,000
        #expect(s.revenue == 2_500)
        #expect(s.clickThroughConversions == 20)
        #expect(s.targeted == 1_100)
    }

    @Test func liftWithUnevenRates() {
        // 3 / 7 sent converted vs 1 / 9 control: lift = (42.857… − 11.111…) / 11.111… × 100 = 285.714…
        let s = CampaignStats(
            totals: [.sent: 7, .controlGroup: 9, .convertedUsers: 3, .controlConvertedUsers: 1, .revenueCents: 1_000, .controlRevenueCents: 300],
            callbacksEnabled: false)
        let target = 3.0 / 7 * 100
        let control = 1.0 / 9 * 100
        #expect(abs(s.lift! - (target - control) / control * 100) < 1e-9)
        #expect(abs(s.lift! - 285.714_285_714) < 1e-6)
        // ARPU 10.00 / 7 vs 3.00 / 9, × 7 sent = 10 − 7/3 = 7.666…
        #expect(abs(s.incrementalRevenue! - (10.0 - 7.0 / 3.0)) < 1e-9)
    }

    @Test func noLiftWithoutControlOrWithZeroControlRate() {
        let none = CampaignStats(totals: [.sent: 10, .convertedUsers: 2], callbacksEnabled: true)
        #expect(none.lift == nil)
        #expect(none.incrementalRevenue == nil)
        let zero = CampaignStats(totals: [.sent: 10, .convertedUsers: 2, .controlGroup: 5, .revenueCents: 500], callbacksEnabled: true)
        #expect(zero.lift == nil)
        #expect(zero.incrementalRevenue == 5)  // (0.50 − 0) × 10
    }
}
