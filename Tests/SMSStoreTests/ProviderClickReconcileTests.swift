import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// A provider-reported click whose URL is our own short link counts for that link, live and in
/// the recount alike (found by a new user: reconcile used to see drift there and `--repair` moved
/// the click to "other links").
@Suite("Provider clicks on our short URLs: live counters equal the recount")
struct ProviderClickReconcileTests {
    typealias F = CallbackStoreFixture
    static let t0 = F.t0

    @Test("clicked with url = our /l/{code} (or shorturl) counts for its link; reconcile finds no drift", arguments: StoreKind.allCases)
    func shortURLClick(kind: StoreKind) async throws {
        let f = try await F.make(kind: kind)
        // Metas of 9 characters: the fixture's codes "a"/"b" + meta are well-formed 10-character codes.
        try await f.insert(["m00000001", "m00000002", "m00000003"])
        for m in ["m00000001", "m00000002", "m00000003"] { try await f.sent(m) }
        try await f.callback([
            CallbackItem(kind: .clicked, meta: "m00000001", ts: Self.t0 + 10, url: "https://sms.example.com/l/bm00000001"),
            CallbackItem(kind: .clicked, meta: "m00000002", ts: Self.t0 + 11, url: "https://wrapped.example/r/x",
                         shortURL: "https://sms.example.com/l/am00000002?utm=1"),
            CallbackItem(kind: .clicked, meta: "m00000003", ts: Self.t0 + 12, url: "https://other.example/"),
        ])
        #expect(try await f.total(.linkUniqueClicks, dim: "1") == 1)
        #expect(try await f.total(.linkUniqueClicks, dim: "0") == 1)
        #expect(try await f.total(.linkClicks, dim: "-1") == 1)
        #expect(try await f.total(.clicks) == 3)
        let report = try await f.store.reconcile(campaignId: f.campaignId, repair: false)
        #expect(report.isClean, "\(report)")
    }
}
