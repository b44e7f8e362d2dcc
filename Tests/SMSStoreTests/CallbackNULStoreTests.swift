import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// No store cuts a callback's text at U+0000: every store keeps it as U+FFFD
/// (``CallbackItem/withoutNUL``; SQLite's text binding used to stop at the NUL).
@Suite("Callbacks: U+0000 in text fields is never cut")
struct CallbackNULStoreTests {
    @Test("a pending item whose meta (a dialect's id) and reply text hold U+0000 keeps both whole, with U+FFFD", arguments: StoreKind.allCases)
    func pendingKeepsText(kind: StoreKind) async throws {
        let t = try await TestStore.make(kind)
        let item = CallbackItem(kind: .replied, meta: "SM\u{0}01", ts: 1_700_000_000, incomingText: "ST\u{0}OP now", toPhone: "+1\u{0}2")
        let result = try await t.store.applyCallbacks(providerId: "p1", items: [item], receivedAt: 1_700_000_000)
        #expect(result.pending == 1)
        let pending = try await t.store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 10)
        #expect(pending.map(\.meta) == ["SM\u{FFFD}01"])
        #expect(pending.map(\.item.incomingText) == ["ST\u{FFFD}OP now"])
        #expect(pending.map(\.item.toPhone) == ["+1\u{FFFD}2"])
        await t.close()
    }
}
