import Foundation
import PostgresNIO
@testable import SMSStorePostgres
import SMSStoreTestSupport
import Synchronization
import Testing

/// The retry of a whole unit of work on SQLSTATE 40001 (serialization failure) and 40P01 (deadlock
/// detected): forced with a real server error raised inside the transaction (`RAISE … USING
/// ERRCODE`), so the error travels the same path as one PostgreSQL raises by itself. The first
/// attempt's write must be rolled back (exactly one row after the retry), and other errors must
/// not be retried.
@Suite("PostgreSQL store: retry on serialization failure and deadlock")
struct PostgresRetryTests {
    static func store(_ ts: TestStore) throws -> PostgresStore {
        try #require(ts.store as? PostgresStore)
    }

    @Test(arguments: ["serialization_failure", "deadlock_detected"])
    func retriedFromTheStartOnce(condition: String) async throws {
        let ts = try await TestStore.make(.postgres)
        let store = try Self.store(ts)
        try await store.write { tx in try await tx.exec("CREATE TABLE retry_probe (n INT NOT NULL)") }
        let attempts = Mutex(0)
        let result = try await store.write { tx -> Int in
            let attempt = attempts.withLock { n in
                n += 1
                return n
            }
            try await tx.exec("INSERT INTO retry_probe (n) VALUES (\(attempt))")
            if attempt == 1 {
                try await tx.exec(PostgresQuery(unsafeSQL: "DO $$ BEGIN RAISE EXCEPTION 'forced' USING ERRCODE = '\(condition)'; END $$"))
            }
            return attempt
        }
        #expect(result == 2)
        #expect(attempts.withLock { $0 } == 2)
        // The first attempt's insert was rolled back with its transaction.
        let rows = try await store.write { tx in try await tx.rows("SELECT n FROM retry_probe ORDER BY n").map { try $0.get("n", Int.self) } }
        #expect(rows == [2])
        await ts.close()
    }

    /// Runs a unit of work that always raises `condition` and returns how many times it ran.
    static func attemptsUntilThrown(_ condition: String) async throws -> Int {
        let ts = try await TestStore.make(.postgres)
        let store = try Self.store(ts)
        let attempts = Mutex(0)
        await #expect(throws: PSQLError.self) {
            try await store.write { tx in
                attempts.withLock { $0 += 1 }
                try await tx.exec(PostgresQuery(unsafeSQL: "DO $$ BEGIN RAISE EXCEPTION 'forced' USING ERRCODE = '\(condition)'; END $$"))
            }
        }
        await ts.close()
        return attempts.withLock { $0 }
    }

    @Test func otherErrorsAreNotRetried() async throws {
        #expect(try await Self.attemptsUntilThrown("unique_violation") == 1)
    }

    @Test func givesUpAfterMaxAttempts() async throws {
        #expect(try await Self.attemptsUntilThrown("serialization_failure") == PostgresStore.maxAttempts)
        #expect(PostgresStore.maxAttempts == 8)
    }
}
