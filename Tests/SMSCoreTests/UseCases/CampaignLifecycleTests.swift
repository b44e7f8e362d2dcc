import Testing

@testable import SMSCore

/// A campaign's status moves (``Campaign/moved(to:publishedAt:)``, `stopped`, `scheduled`,
/// `completed`) and when its run of dead letters ends (``DeadLetterPolicy``).
@Suite("Campaign status moves and the run of dead letters")
struct CampaignMoveTests {
    static let paused: Campaign = {
        var c = Campaign(
            id: "c1", name: "n", providerId: "p", body: "b", links: [], audience: .all, timezone: "UTC", goal: nil,
            status: .paused, createdAt: 10, publishedAt: 20)
        c.pausedReason = "paused after 3 consecutive dead-lettered messages; last error: x"
        c.pausedAt = 30
        return c
    }()

    @Test func resumingClearsThePauseAndEndsTheRun() {
        let c = Self.paused.moved(to: .sending, publishedAt: nil)
        #expect(c.status == .sending && c.pausedReason == nil && c.pausedAt == nil && c.publishedAt == 20)
        #expect(DeadLetterPolicy.endsRun(movingTo: .sending))
    }

    @Test func pausingKeepsTheRunAndTheReason() {
        let c = Self.paused.moved(to: .paused, publishedAt: 99)
        #expect(c.status == .paused && c.pausedReason == Self.paused.pausedReason && c.pausedAt == 30 && c.publishedAt == 99)
        #expect(!DeadLetterPolicy.endsRun(movingTo: .paused))
    }

    @Test func stoppingSetsTheTimeOnceAndRefusesACompletedCampaign() throws {
        var sending = Self.paused.moved(to: .sending, publishedAt: nil)
        let stopped = try #require(try sending.stopped(at: 1_700_000_500))
        #expect(stopped.status == .stopped && stopped.stoppedAt == 1_700_000_500)
        #expect(try stopped.stopped(at: 1_700_000_900) == nil)
        sending.status = .completed
        #expect(throws: CampaignTransitionError(status: .completed, action: "stopped")) { try sending.stopped(at: 1) }
    }

    @Test func onlyADraftOrScheduledCampaignIsScheduled() throws {
        var draft = Self.paused
        draft.status = .draft
        let s = try draft.scheduled(at: 1_800_000_000)
        #expect(s.status == .scheduled && s.sendAt == 1_800_000_000)
        #expect(try s.scheduled(at: 1_800_000_600).sendAt == 1_800_000_600)
        #expect(throws: CampaignTransitionError(status: .paused, action: "scheduled")) { try Self.paused.scheduled(at: 1) }
    }

    @Test func aSendingCampaignCompletesWhenNothingIsLeft() {
        let sending = Self.paused.moved(to: .sending, publishedAt: nil)
        #expect(sending.completesWhenSent)
        #expect(sending.completed(left: 1) == nil)
        #expect(sending.completed(left: 0)?.status == .completed)
        #expect(!Self.paused.completesWhenSent)
        #expect(Self.paused.completed(left: 0) == nil)
    }
}
