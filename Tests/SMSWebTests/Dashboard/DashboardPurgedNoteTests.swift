import Foundation
import HummingbirdTesting
import SMSCore
import SMSStoreSQLite
@testable import SMSWeb
import Testing

/// The campaign page of a purged campaign says what the purge removed and what it kept
/// (issue 15, a new-user tester's finding: it said conversion events were gone; they are kept,
/// ``RawRetention``).
@Suite("Dashboard: the note on a purged campaign")
struct DashboardPurgedNoteTests {
    @Test("the note names what went (receipts, replies, clicks, texts, late arrivals) and that conversion events are kept")
    func note() async throws {
        let store = try SQLiteStore.inMemory()
        try await store.insertProvider(ProviderConfig(
            id: "p1", name: "P", url: "http://127.0.0.1:9/sms", bodyTemplate: #"{"to":"$$To"}"#, callbackSecret: "s", createdAt: 0))
        var c = Campaign(
            id: "cmp_old", name: "Old", providerId: "p1", body: "Hi", links: [], audience: .all, timezone: "UTC", goal: nil,
            status: .completed, createdAt: 1_700_000_000)
        c.completedAt = 1_700_000_100
        try await store.insertCampaign(c)
        let (app, _) = try await DashboardFixture.app(store: store)
        try await app.test(.router) { client in
            let (cookie, _) = try await DashboardFixture.signIn(client)
            let before = try await client.execute(uri: "/campaigns/cmp_old", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(!before.contains("note-raw-purged"))
            _ = try await store.purgeRawHistory(campaignId: "cmp_old", now: 1_710_000_000, batchSize: 1_000, dryRun: false)
            let page = try await client.execute(uri: "/campaigns/cmp_old", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            let note = try #require(DashboardFixture.text(page, #"id="note-raw-purged""#))
            #expect(
                note == "Raw history purged 2024-03-09 16:00 (retention): the receipt log (receipts, replies with their texts), the redirect clicks "
                    + "(user agents, IP hashes) and the messages' phone numbers and texts are gone, and so are those of receipts and clicks "
                    + "that arrived later; conversion events are kept (they belong to a person, not a campaign; they go with the person's "
                    + "erasure); the numbers below are kept.", "\(note)")
            #expect(!note.contains("conversion events are gone"))
        }
    }
}
