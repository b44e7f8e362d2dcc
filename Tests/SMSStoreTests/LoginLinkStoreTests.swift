import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// The one-time sign-in links' table (``LoginLinkStore``) and the readiness question
/// (``SchemaStatusStore``), on both stores; a second connection stands for a second server.
@Suite("Stores: one-time sign-in links shared by servers, schema status (SQLite and PostgreSQL)")
struct LoginLinkStoreTests {
    static let hashA = String(repeating: "a", count: 64)
    static let hashB = String(repeating: "b", count: 64)

    @Test("a link stored by one server is redeemed once by another; then by nobody", arguments: StoreKind.allCases)
    func onceAcrossServers(kind: StoreKind) async throws {
        let a = try await TestStore.make(kind)
        let b = try await a.reopened()
        try await a.store.insertLoginLink(tokenHash: Self.hashA, next: "/providers", now: 1_000, expiresAt: 1_060, capacity: 256)
        #expect(try await b.store.redeemLoginLink(tokenHash: Self.hashA, now: 1_001) == "/providers")
        #expect(try await a.store.redeemLoginLink(tokenHash: Self.hashA, now: 1_002) == nil)
        #expect(try await b.store.redeemLoginLink(tokenHash: Self.hashA, now: 1_002) == nil)
        #expect(try await a.query("SELECT COUNT(*) AS n FROM login_links").map { $0["n"] } == [.int(0)])
        await b.close()
        await a.close()
    }

    @Test("expiry: refused at expiresAt and after, and the expired row is gone", arguments: StoreKind.allCases)
    func expiry(kind: StoreKind) async throws {
        let t = try await TestStore.make(kind)
        try await t.store.insertLoginLink(tokenHash: Self.hashA, next: "/", now: 1_000, expiresAt: 1_060, capacity: 256)
        try await t.store.insertLoginLink(tokenHash: Self.hashB, next: "/x", now: 1_000, expiresAt: 1_060, capacity: 256)
        #expect(try await t.store.redeemLoginLink(tokenHash: Self.hashA, now: 1_060) == nil)
        #expect(try await t.store.redeemLoginLink(tokenHash: Self.hashB, now: 1_059) == "/x")
        // Minting later drops the links expired by then.
        try await t.store.insertLoginLink(tokenHash: String(repeating: "c", count: 64), next: "/", now: 2_000, expiresAt: 2_060, capacity: 256)
        #expect(try await t.query("SELECT COUNT(*) AS n FROM login_links").map { $0["n"] } == [.int(1)])
        await t.close()
    }

    @Test("at most `capacity` outstanding: the links expiring first go", arguments: StoreKind.allCases)
    func capacity(kind: StoreKind) async throws {
        let t = try await TestStore.make(kind)
        for i in 0..<5 {
            let hash = String(format: "%064d", i)
            try await t.store.insertLoginLink(tokenHash: hash, next: "/\(i)", now: 1_000, expiresAt: 1_060 + Int64(i), capacity: 3)
        }
        let left = try await t.query("SELECT next FROM login_links ORDER BY expires_at").map { $0["next"] }
        #expect(left == [.text("/2"), .text("/3"), .text("/4")])
        #expect(try await t.store.redeemLoginLink(tokenHash: String(format: "%064d", 0), now: 1_001) == nil)
        #expect(try await t.store.redeemLoginLink(tokenHash: String(format: "%064d", 4), now: 1_001) == "/4")
        await t.close()
    }

    @Test("16 concurrent redemptions of one link on two servers: exactly one gets the path", arguments: StoreKind.allCases)
    func concurrentRedeem(kind: StoreKind) async throws {
        let a = try await TestStore.make(kind)
        let b = try await a.reopened()
        for round in 0..<5 {
            let hash = String(format: "%064d", round)
            try await a.store.insertLoginLink(tokenHash: hash, next: "/r\(round)", now: 1_000, expiresAt: 1_060, capacity: 256)
            let stores: [any SMSDispatchStore] = (0..<16).map { $0 % 2 == 0 ? a.store : b.store }
            let answers = try await withThrowingTaskGroup(of: String?.self) { group in
                for store in stores { group.addTask { try await store.redeemLoginLink(tokenHash: hash, now: 1_001) } }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(answers.compactMap { $0 } == ["/r\(round)"])
        }
        await b.close()
        await a.close()
    }

    @Test("schema status: nothing missing after opening; a migration removed from the record is named", arguments: StoreKind.allCases)
    func missingMigrations(kind: StoreKind) async throws {
        let t = try await TestStore.make(kind)
        #expect(try await t.store.missingMigrations() == [])
        switch kind {
        case .sqlite: try await t.query("DELETE FROM grdb_migrations WHERE identifier = ?", [.text("login-links")])
        case .postgres: try await t.query("DELETE FROM schema_migrations WHERE id = ?", [.text("login-links")])
        }
        #expect(try await t.store.missingMigrations() == ["login-links"])
        await t.close()
    }
}
