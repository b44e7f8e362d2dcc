import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Erasure with the redirect's click journal on (issue 15, a new-user tester's finding: the
/// journal's current segment kept the person's hits after `DELETE /api/v1/profiles/{userId}`).
/// After the erasure, neither the database (SQLite file and WAL; every PostgreSQL text column)
/// nor any file of the journal directory holds the person's user agent, IP hash or phone; the
/// click counts stay what they were. On SQLite and PostgreSQL.
@Suite("Erasure: nothing of the person stays in the click journal", .serialized)
struct ErasureJournalTests {
    static let token = "admin-token"
    static let phone = "+4915112345678"
    static let userAgent = "Mozilla/5.0 (Annas-phone-7731)"
    static let code = "ANNAxx0001"

    /// A store with user `u7` (sent, a short link valid for a day) and an app whose redirects go
    /// through a journal in a fresh directory.
    static func withApp(
        _ kind: StoreKind, _ body: @escaping @Sendable (any TestClientProtocol, StatsFixture, String) async throws -> Void
    ) async throws {
        let f = try await StatsFixture(kind: kind)
        let now = Int64(Date().timeIntervalSince1970)
        try await f.store.upsertProfiles([Profile(userId: "u7", phone: phone, phoneValid: true, name: "Anna")])
        try await f.store.insertMessages([
            NewMessage(
                campaignId: "c1", userId: "u7", phone: phone, meta: "m7", body: "Hi", segments: 1, dispatch: .queued,
                createdAt: now - 60,
                links: [NewShortLink(code: code, linkIndex: 0, url: StatsFixture.links[0], expiresAt: now + 86_400)])
        ])
        try await f.dispatchAll()
        let journal = NSTemporaryDirectory() + "erasure-journal-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: journal) }
        var logger = Logger(label: "test.erasure")
        logger.logLevel = .critical
        var config = AppConfig(host: "127.0.0.1", port: 0, publicBaseURL: "https://s.example", adminToken: token, ipHashSalt: "salt")
        config.clickJournalDirectory = journal
        let app = try await buildApplication(config: config, store: f.store, gateway: SilentGateway(), runDispatcher: false, logger: logger)
        try await app.test(.live) { client in try await body(client, f, journal) }
        await f.testStore.close()
    }

    static func redirect(_ client: any TestClientProtocol) async throws -> HTTPResponse.Status {
        try await client.execute(uri: "/l/\(code)", method: .get, headers: [.userAgent: userAgent]) { $0.status }
    }

    static func humanClicks(_ f: StatsFixture) async throws -> Int64? {
        try await f.testStore.int("SELECT COUNT(*) FROM clicks WHERE code = '\(code)' AND is_bot = \(f.testStore.kind == .sqlite ? "0" : "false")")
    }

    @Test("DELETE /api/v1/profiles/u7 applies the journal, erases, and leaves no journal file with the person's clicks", arguments: StoreKind.allCases)
    func erasureScrubsJournal(kind: StoreKind) async throws {
        try await Self.withApp(kind) { client, f, journal in
            for _ in 0..<3 { #expect(try await Self.redirect(client) == .found) }
            // The hits are in the journal (the search can fail), with the peer's IP hash.
            let ipHash = RedirectController.ipHash(ip: "127.0.0.1", salt: "salt")
            #expect(try await f.testStore.places(holding: Self.userAgent, journal: journal).contains { $0.hasPrefix(journal) })
            #expect(try await f.testStore.places(holding: ipHash, journal: journal).contains { $0.hasPrefix(journal) })

            let r = try await client.execute(uri: "/api/v1/profiles/u7", method: .delete, headers: [.authorization: "Bearer \(Self.token)"]) {
                ($0.status, String(buffer: $0.body))
            }
            #expect(r.0 == .ok, "\(r.1)")
            // Every journaled hit was applied before the erasure: all three are counted, none keeps its user agent.
            #expect(try await Self.humanClicks(f) == 3)
            #expect(try await f.testStore.int("SELECT COUNT(*) FROM clicks WHERE code = '\(Self.code)' AND (user_agent IS NOT NULL OR ip_hash IS NOT NULL)") == 0)
            for secret in [Self.userAgent, ipHash, "4915112345678", "15112345678"] {
                let places = try await f.testStore.places(holding: secret, journal: journal)
                #expect(places.isEmpty, "'\(secret)' is still in \(places)")
            }
            // The journal keeps working: a later hit is journaled, applied and counted.
            #expect(try await Self.redirect(client) == .found)
            var counted: Int64? = 0
            for _ in 0..<200 where counted != 4 {
                try await Task.sleep(for: .milliseconds(20))
                counted = try await Self.humanClicks(f)
            }
            #expect(counted == 4)
        }
    }
}
