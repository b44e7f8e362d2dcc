import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

@Suite("Stores: replies and opt-outs")
struct ReplyStoreTests {
    static let t0 = StoreFixture.t0

    static func reply(_ f: StoreFixture, _ user: String, _ text: String, at: Int64) -> CallbackItem {
        CallbackItem(kind: .replied, meta: f.meta(user), ts: at, incomingText: text)
    }

    @Test(arguments: StoreKind.allCases)
    func repliesAndOptOutsAreCountedPerCampaign(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind: kind, users: ["a", "b", "c"])
        for u in ["a", "b", "c"] { try await f.dispatch(u, at: Self.t0) }
        let r = try await f.callback(
            [
                Self.reply(f, "a", "STOP", at: Self.t0 + 60),
                Self.reply(f, "a", "stop", at: Self.t0 + 70),  // same user again: one opt-out
                Self.reply(f, "b", "Thanks!", at: Self.t0 + 80),
                Self.reply(f, "c", " Unsubscribe. ", at: Self.t0 + 90),
            ], receivedAt: Self.t0 + 100)
        #expect(r.applied == 4)
        let s = try await f.stats()
        #expect((s.replies, s.optOuts) == (4, 2))
        #expect(try await f.store.profile(userId: "a")?.optedOut == true)
        #expect(try await f.store.profile(userId: "b")?.optedOut == false)
        #expect(try await f.store.profile(userId: "c")?.optedOut == true)
        // A reply is evidence of sending, not of delivery.
        #expect(s.delivered == 0)
        // A third STOP from the same user in a later batch: a reply, not another opt-out.
        _ = try await f.callback([Self.reply(f, "a", "STOP", at: Self.t0 + 200)], receivedAt: Self.t0 + 210)
        let later = try await f.stats()
        #expect((later.replies, later.optOuts) == (5, 2))
    }

    @Test(arguments: StoreKind.allCases)
    func configuredKeywordOptsOut(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind: kind, users: ["a"], keywords: OptOutKeywords(extraOptOut: ["STOPP"]))
        try await f.dispatch("a", at: Self.t0)
        _ = try await f.callback([Self.reply(f, "a", "Stopp", at: Self.t0 + 5)], receivedAt: Self.t0 + 10)
        #expect(try await f.store.profile(userId: "a")?.optedOut == true)
        #expect(try await f.stats().optOuts == 1)
    }

    /// STOP at t+60 and START at t+120 leave the profile opted in whichever arrives first; the
    /// latest keyword by event time wins.
    @Test(arguments: StoreKind.allCases, [true, false])
    func latestKeywordWinsWhateverTheArrivalOrder(kind: StoreKind, stopFirst: Bool) async throws {
        let f = try await StoreFixture(kind: kind, users: ["a"])
        try await f.dispatch("a", at: Self.t0)
        let stop = Self.reply(f, "a", "STOP", at: Self.t0 + 60)
        let start = Self.reply(f, "a", "START", at: Self.t0 + 120)
        for item in stopFirst ? [stop, start] : [start, stop] {
            _ = try await f.callback([item], receivedAt: Self.t0 + 200)
        }
        #expect(try await f.store.profile(userId: "a")?.optedOut == false)
        #expect(try await f.stats().optOuts == 1)  // the STOP reply still counts for the campaign
    }

    /// The whole flow in the store: STOP in campaign 1 → campaign 2 holds the user as a dispatch
    /// error "user opted out / DND"; START → campaign 3 sends again.
    @Test(arguments: StoreKind.allCases)
    func laterCampaignsSkipOptedOutProfiles(kind: StoreKind) async throws {
        let first = try await StoreFixture(kind: kind, campaignId: "c1", users: ["a", "b"])
        try await first.dispatch("a", at: Self.t0)
        _ = try await first.callback([Self.reply(first, "a", "STOP", at: Self.t0 + 60)], receivedAt: Self.t0 + 61)
        let second = try await StoreFixture(kind: kind, campaignId: "c2", users: ["a", "b"], store: first.testStore, codePrefix: "B")
        #expect(second.message("a").dispatch == .dispatchError)
        #expect(second.message("a").dispatchErrorReason == "user opted out / DND")
        #expect(second.message("b").dispatch == .queued)
        let totals = try await CampaignStatsQueries(store: first.store).totals(campaignId: "c2")
        #expect(CampaignReport.dispatchErrors(totals: totals).map { "\($0.reason): \($0.count)" } == ["user opted out / DND: 1"])
        _ = try await first.callback([Self.reply(first, "a", "START", at: Self.t0 + 600)], receivedAt: Self.t0 + 601)
        let third = try await StoreFixture(kind: kind, campaignId: "c3", users: ["a"], store: first.testStore, codePrefix: "C")
        #expect(third.message("a").dispatch == .queued)
    }
}
