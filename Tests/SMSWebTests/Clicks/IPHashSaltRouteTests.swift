import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SMSCore
import SMSServer
import SMSStoreTestSupport
import Testing

@testable import SMSWeb

/// The click IP-hash salt is the database's (``IPHashSalt``): the same visitor hashes to the same
/// value across restarts of the server, and to a different value on another installation.
@Suite("Clicks: the IP-hash salt is stored in the database")
struct IPHashSaltRouteTests {
    static let browser =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"

    static var logger: Logger {
        var logger = Logger(label: "test.ip-hash-salt")
        logger.logLevel = .critical
        return logger
    }

    /// `hex(SHA-256(salt + "|" + ip))`, written out independently of the redirect's code.
    static func expectedHash(salt: String, ip: String) -> String {
        SHA256.hash(data: Data("\(salt)|\(ip)".utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Provider `p1`, profile `u1`, campaign `c1` and one queued message whose short link is `code`.
    static func seed(_ store: any SMSDispatchStore, code: String) async throws {
        try await store.insertProvider(
            ProviderConfig(id: "p1", name: "p", url: "http://127.0.0.1:9/send", bodyTemplate: "$$To $$Body", callbackSecret: "s", createdAt: 0))
        try await store.upsertProfiles([Profile(userId: "u1", phone: "+4915112345678", phoneValid: true)])
        try await store.insertCampaign(
            Campaign(
                id: "c1", name: "c", providerId: "p1", body: "hi https://x.example/a", links: ["https://x.example/a"],
                audience: .all, timezone: "UTC", goal: nil, createdAt: 0))
        try await store.insertMessages([
            NewMessage(
                campaignId: "c1", userId: "u1", phone: "+4915112345678", meta: "m1", body: "hi https://s.example/l/\(code)",
                segments: 1, dispatch: .queued, createdAt: 1_000,
                links: [NewShortLink(code: code, linkIndex: 0, url: "https://x.example/a", expiresAt: 99_999_999_999)])
        ])
    }

    /// Builds the whole application (as `smsstats serve` does) over `store` and clicks `code` once
    /// from 127.0.0.1 over a live socket.
    static func clickThroughNewApp(store: any SMSDispatchStore, code: String, ipHashSalt: String? = nil) async throws {
        var config = AppConfig(port: 0, adminToken: "admin-test-token")
        config.ipHashSalt = ipHashSalt
        let app = try await buildApplication(
            config: config, store: store, gateway: FixedTimeGateway(at: 1_000), runDispatcher: false, logger: logger)
        try await app.test(.live) { client in
            try await client.execute(uri: "/l/\(code)", method: .get, headers: [.userAgent: browser]) { r in
                #expect(r.status == .found)
            }
        }
    }

    @Test("the same IP hashes to the same value in two app builds over one database", arguments: StoreKind.allCases)
    func sameIPSameHashAcrossRestarts(kind: StoreKind) async throws {
        let testStore = try await TestStore.make(kind)
        try await Self.seed(testStore.store, code: "SALTCODE01")
        try await Self.clickThroughNewApp(store: testStore.store, code: "SALTCODE01")
        // A "restart": a new store connection over the same database, a new application.
        try await OpenedStore.using(database: testStore.databaseURL, logger: Self.logger) { reopened in
            try await Self.clickThroughNewApp(store: reopened.store, code: "SALTCODE01")
        }
        let salt = try await testStore.store.setting(key: IPHashSalt.settingKey, insertingIfAbsent: "not-stored")
        #expect(salt.count == 64)
        #expect(salt != "not-stored")
        let hits = try await testStore.store.clickHits(campaignId: "c1", filter: .all, limit: 10)
        let expected = Self.expectedHash(salt: salt, ip: "127.0.0.1")
        #expect(hits.map(\.ipHash) == [expected, expected])
        #expect(hits.map(\.isBot) == [false, false])
    }

    @Test("another database hashes the same IP differently (its own salt)")
    func anotherDatabaseHashesDifferently() async throws {
        let first = try await TestStore.make(.sqlite)
        let second = try await TestStore.make(.sqlite)
        try await Self.seed(first.store, code: "SALTCODE02")
        try await Self.seed(second.store, code: "SALTCODE02")
        try await Self.clickThroughNewApp(store: first.store, code: "SALTCODE02")
        try await Self.clickThroughNewApp(store: second.store, code: "SALTCODE02")
        let a = try await first.store.clickHits(campaignId: "c1", filter: .all, limit: 10).map(\.ipHash)
        let b = try await second.store.clickHits(campaignId: "c1", filter: .all, limit: 10).map(\.ipHash)
        let saltA = try await first.store.setting(key: IPHashSalt.settingKey, insertingIfAbsent: "x")
        let saltB = try await second.store.setting(key: IPHashSalt.settingKey, insertingIfAbsent: "x")
        #expect(saltA != saltB)
        #expect(a == [Self.expectedHash(salt: saltA, ip: "127.0.0.1")])
        #expect(b == [Self.expectedHash(salt: saltB, ip: "127.0.0.1")])
        #expect(a != b)
    }

    @Test("a configured salt (--ip-hash-salt) is used instead of the stored one, and nothing is stored")
    func configuredSaltWins() async throws {
        let testStore = try await TestStore.make(.sqlite)
        try await Self.seed(testStore.store, code: "SALTCODE03")
        try await Self.clickThroughNewApp(store: testStore.store, code: "SALTCODE03", ipHashSalt: "operator-salt-0123456789")
        let hits = try await testStore.store.clickHits(campaignId: "c1", filter: .all, limit: 10)
        #expect(hits.map(\.ipHash) == [Self.expectedHash(salt: "operator-salt-0123456789", ip: "127.0.0.1")])
        // No salt was generated: the first reader now stores its candidate.
        #expect(try await testStore.store.setting(key: IPHashSalt.settingKey, insertingIfAbsent: "first") == "first")
    }
}
