import Foundation
import Logging
import SMSCore
import SMSStorePostgres
import SMSStoreSQLite
import SMSStoreTestSupport
import Testing

/// The `settings` table (``SettingsStore``) and the IP-hash salt kept in it (``IPHashSalt``).
@Suite("Stores: installation settings and the stored IP-hash salt (SQLite and PostgreSQL)")
struct SettingsStoreTests {
    func reopen(_ testStore: TestStore) async throws -> (store: any SettingsStore, close: @Sendable () async -> Void) {
        let reopened = try await testStore.reopened(maxConnections: 1)
        return (reopened.store, reopened.close)
    }

    @Test("the first value stored under a key stays: later candidates are dropped", arguments: StoreKind.allCases)
    func firstWriterWins(kind: StoreKind) async throws {
        let testStore = try await TestStore.make(kind)
        let store = testStore.store
        #expect(try await store.setting(key: "k", insertingIfAbsent: "first") == "first")
        #expect(try await store.setting(key: "k", insertingIfAbsent: "second") == "first")
        #expect(try await store.setting(key: "other", insertingIfAbsent: "x") == "x")
        let rows = try await testStore.query("SELECT key, value FROM settings ORDER BY key")
        #expect(rows.map { $0["key"] } == [.text("k"), .text("other")])
        #expect(rows.map { $0["value"] } == [.text("first"), .text("x")])
    }

    @Test("the IP-hash salt survives reopening the database", arguments: StoreKind.allCases)
    func saltSurvivesReopening(kind: StoreKind) async throws {
        let testStore = try await TestStore.make(kind)
        let salt = try await IPHashSalt.stored(in: testStore.store)
        #expect(salt.count == 64)
        #expect(salt.allSatisfy { "0123456789abcdef".contains($0) })
        let reopened = try await reopen(testStore)
        let again = try await IPHashSalt.stored(in: reopened.store)
        await reopened.close()
        #expect(again == salt)
        #expect(try await IPHashSalt.stored(in: testStore.store) == salt)
        // One row: the salt was generated once.
        let rows = try await testStore.query("SELECT value FROM settings WHERE key = ?", [.text(IPHashSalt.settingKey)])
        #expect(rows.map { $0["value"] } == [.text(salt)])
    }

    @Test("two databases get different salts", arguments: StoreKind.allCases)
    func twoDatabasesTwoSalts(kind: StoreKind) async throws {
        let a = try await TestStore.make(kind)
        let b = try await TestStore.make(kind)
        let saltA = try await IPHashSalt.stored(in: a.store)
        let saltB = try await IPHashSalt.stored(in: b.store)
        #expect(saltA != saltB)
        #expect(saltA.count == 64 && saltB.count == 64)
    }

    @Test("servers starting together over one database agree on one salt", arguments: StoreKind.allCases)
    func concurrentFirstReadsAgree(kind: StoreKind) async throws {
        let testStore = try await TestStore.make(kind)
        let reopened = try await reopen(testStore)
        let stores: [any SettingsStore] = [testStore.store, reopened.store, testStore.store, reopened.store]
        let salts = try await withThrowingTaskGroup(of: String.self) { group in
            for store in stores { group.addTask { try await IPHashSalt.stored(in: store) } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        await reopened.close()
        #expect(salts.count == 1)
        let rows = try await testStore.query("SELECT COUNT(*) AS n FROM settings")
        #expect(rows.map { $0["n"] } == [.int(1)])
    }
}
