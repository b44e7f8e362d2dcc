import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// The nonces of signed callbacks (``SignatureNonceStore``), on both stores; a second connection
/// stands for a second server on the same database.
@Suite("Stores: signed callbacks' nonces, accepted once by any server (SQLite and PostgreSQL)")
struct SignatureNonceStoreTests {
    static func nonce(_ i: Int, expiresAt: Int64 = 1_300) -> SignatureReplay.Nonce {
        SignatureReplay.Nonce(key: String(format: "%064d", i), expiresAt: expiresAt)
    }

    @Test("recorded once: a replay is refused on the same connection and on a second one until the expiry, then taken over", arguments: StoreKind.allCases)
    func onceAcrossServers(kind: StoreKind) async throws {
        let a = try await TestStore.make(kind)
        let b = try await a.reopened()
        #expect(try await a.store.recordSignatureNonce(Self.nonce(1), now: 1_000) == true)
        #expect(try await a.store.recordSignatureNonce(Self.nonce(1), now: 1_001) == false)
        #expect(try await b.store.recordSignatureNonce(Self.nonce(1), now: 1_001) == false)
        #expect(try await b.store.recordSignatureNonce(Self.nonce(1), now: 1_299) == false)
        // Another nonce is its own.
        #expect(try await b.store.recordSignatureNonce(Self.nonce(2), now: 1_001) == true)
        // At its expiry the row no longer counts (SignatureReplay.isSeen): taken over with the new expiry.
        #expect(try await b.store.recordSignatureNonce(Self.nonce(1, expiresAt: 1_600), now: 1_300) == true)
        #expect(try await a.store.recordSignatureNonce(Self.nonce(1, expiresAt: 1_600), now: 1_599) == false)
        let rows = try await a.query("SELECT nonce_key, expires_at FROM signature_nonces ORDER BY nonce_key")
        #expect(rows.map { $0["nonce_key"] } == [.text(Self.nonce(1).key), .text(Self.nonce(2).key)])
        #expect(rows.map { $0["expires_at"] } == [.int(1_600), .int(1_300)])
        await b.close()
        await a.close()
    }

    @Test("released: the same nonce is recorded again at once; a release with another expiry leaves the row", arguments: StoreKind.allCases)
    func release(kind: StoreKind) async throws {
        let t = try await TestStore.make(kind)
        #expect(try await t.store.recordSignatureNonce(Self.nonce(7), now: 1_000) == true)
        try await t.store.releaseSignatureNonce(Self.nonce(7, expiresAt: 1_299))
        #expect(try await t.store.recordSignatureNonce(Self.nonce(7), now: 1_001) == false)
        try await t.store.releaseSignatureNonce(Self.nonce(7))
        #expect(try await t.count("signature_nonces") == 0)
        #expect(try await t.store.recordSignatureNonce(Self.nonce(7), now: 1_002) == true)
        await t.close()
    }

    @Test("sweep: deletes the nonces expired at now (expires_at <= now) and counts them; the others stay refused", arguments: StoreKind.allCases)
    func sweep(kind: StoreKind) async throws {
        let t = try await TestStore.make(kind)
        for (i, expiry) in [1_100, 1_200, 1_200, 1_300, 1_500].enumerated() {
            #expect(try await t.store.recordSignatureNonce(Self.nonce(i, expiresAt: Int64(expiry)), now: 1_000) == true)
        }
        #expect(try await t.store.sweepSignatureNonces(now: 1_099) == 0)
        #expect(try await t.store.sweepSignatureNonces(now: 1_200) == 3)
        #expect(try await t.count("signature_nonces") == 2)
        #expect(try await t.store.recordSignatureNonce(Self.nonce(3, expiresAt: 1_600), now: 1_250) == false)
        #expect(try await t.store.recordSignatureNonce(Self.nonce(4, expiresAt: 1_600), now: 1_250) == false)
        #expect(try await t.store.sweepSignatureNonces(now: 2_000) == 2)
        #expect(try await t.count("signature_nonces") == 0)
        await t.close()
    }

    @Test("16 concurrent records of one nonce on two connections, 10 rounds: exactly one is recorded each time", arguments: StoreKind.allCases)
    func concurrentRace(kind: StoreKind) async throws {
        let a = try await TestStore.make(kind)
        let b = try await a.reopened()
        for round in 0..<10 {
            let nonce = Self.nonce(100 + round)
            let stores: [any SMSDispatchStore] = (0..<16).map { $0 % 2 == 0 ? a.store : b.store }
            let answers = try await withThrowingTaskGroup(of: Bool.self) { group in
                for store in stores { group.addTask { try await store.recordSignatureNonce(nonce, now: 1_000) } }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(answers.filter { $0 }.count == 1, "round \(round): \(answers)")
            #expect(answers.count == 16)
        }
        #expect(try await a.count("signature_nonces") == 10)
        await b.close()
        await a.close()
    }
}
