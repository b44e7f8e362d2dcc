import Foundation
import SMSCore
import SMSStoreSQLite
import Testing

@Suite("SQLite store: the file")
struct SQLiteFileTests {
    func setUp(_ store: SQLiteStore) async throws {
        try await store.insertProvider(
            ProviderConfig(id: "p1", name: "p", url: "https://p.example", bodyTemplate: "$$To $$Body", callbackSecret: "s", createdAt: 0))
        try await store.upsertProfiles([Profile(userId: "u1", phone: "+4915112345678", phoneValid: true)])
        try await store.insertCampaign(
            Campaign(
                id: "c1", name: "c", providerId: "p1", body: "hi https://x.example/a", links: ["https://x.example/a"],
                audience: .all, timezone: "UTC", goal: ConversionGoal(event: "buy", windowMinutes: 60), createdAt: 0))
    }

    func message(_ user: String, meta: String, code: String) -> NewMessage {
        NewMessage(
            campaignId: "c1", userId: user, phone: "+4915112345678", meta: meta, body: "hi https://s.example/l/\(code)",
            segments: 1, dispatch: .queued, createdAt: 1_000,
            links: [NewShortLink(code: code, linkIndex: 0, url: "https://x.example/a", expiresAt: 99_999_999_999)])
    }

    @Test("the database file survives a reopen with its rollups")
    func fileStore() async throws {
        let path = NSTemporaryDirectory() + "smsstats-test-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let store = try SQLiteStore(path: path)
            try await setUp(store)
            try await store.insertMessages([message("u1", meta: "m1", code: "AAAAAAAAAA")])
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try await CampaignStatsQueries(store: reopened).totals(campaignId: "c1")[RollupKey(.queued)] == 1)
    }
}
