import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// Erasure of a person with a short or common user id (issue 15, a new-user tester's finding:
/// erasing user `1` or `delivered` deleted 27 of 52 other people's ingestion errors on SQLite, 4 of
/// 5 on PostgreSQL; pending callbacks kept the phone unless it was written `+49…` exactly).
/// On both stores: the person's errors go, every other one stays byte for byte; the person's
/// pending callbacks lose the phone in any writing, others' stay as they were.
@Suite("Stores: erasure matches the person field by field")
struct ErasureMentionStoreTests {
    static let t = StatsFixture.t
    static let phone = "+4915198765432"

    /// Other people's input holding the user id, status words, parts and neighbours of the phone.
    static func others(_ id: String) -> [IngestionErrorInput] {
        let raws: [String] = [
            #"{"eventId":"e1","userId":"u2","name":"purchase","ts":1700000001,"properties":{"qty":1}}"#,
            #"{"eventId":"1","userId":"2","name":"delivered","ts":"1"}"#,
            #"{"eventId":"e3","userId":"\#(id)x","name":"\#(id)"}"#,
            #"{"eventId":"e4","userId":"x\#(id)","name":"delivered","properties":{"note":"\#(id)"}}"#,
            #"{"eventId":"e5","owner":"\#(id)","user":"\#(id)2","ts":1}"#,
            "meta=m1&status=delivered&ts=1700000000&to=%2B4915198765433",
            #"{"meta":"mZZ","status":"delivered","to":"+49 151 9876 543"}"#,
            #"{"items":[{"meta":"m2","status":"1"}],"note":"user \#(id) delivered"}"#,
            "id=1&err=1&text=51987654&sub=001&dlvrd=001&stat=DELIVRD&u=\(id)",
            "to=151987654321&from=9915198765432",
            "GET /callbacks/p1?meta=mErase7Q1B&status=1&id=\(id)",
            "98765432",
            "\(id)",
        ]
        return raws.enumerated().map { i, raw in
            IngestionErrorInput(
                source: raw.hasPrefix(#"{"eventId""#) ? "events" : "callback", providerId: raw.hasPrefix(#"{"eventId""#) ? nil : "p1",
                reason: i % 2 == 0 ? "refused: \(id) delivered 1" : "ts must be epoch seconds", raw: raw, receivedAt: t + 100 + Int64(i))
        }
    }

    /// The person's input: by user id field, message meta, and phone with or without separators.
    static func naming(_ id: String) -> [IngestionErrorInput] {
        [
            IngestionErrorInput(
                source: "events", providerId: nil, reason: "properties.amount must be a decimal amount",
                raw: #"{"eventId":"e-p","userId":"\#(id)","name":"purchase","ts":1710000600,"properties":{"amount":"x"}}"#, receivedAt: t + 40),
            IngestionErrorInput(
                source: "events", providerId: nil, reason: "missing fields: ts",
                raw: #"{"eventId":"e-p2","userId":"\#(id.unicodeScalars.map { String(format: "\\u%04x", $0.value) }.joined())"}"#,
                receivedAt: t + 41),
            IngestionErrorInput(
                source: "events", providerId: nil, reason: "body is not valid JSON", raw: #"[{"userId" : "\#(id)", "name":"#, receivedAt: t + 42),
            IngestionErrorInput(
                source: "callback", providerId: "p1", reason: "ts must be epoch seconds", raw: "meta=mErase7Q1&status=delivered&ts=soon",
                receivedAt: t + 43),
            IngestionErrorInput(
                source: "callback", providerId: "p1", reason: "ts must be epoch seconds",
                raw: "meta=mX&to=%2B49+151+9876+5432&status=delivered&ts=soon", receivedAt: t + 44),
            IngestionErrorInput(
                source: "callback", providerId: "p1", reason: "body is not UTF-8",
                raw: [0xFF, 0x00] + Array("from (0151) 9876-5432".utf8), receivedAt: t + 45),
            IngestionErrorInput(source: "callback", providerId: "p1", reason: "unknown phone 015198765432", raw: "x", receivedAt: t + 46),
        ]
    }

    @Test("erasing user '1' or 'delivered' deletes exactly the person's ingestion errors and masks the phone in their pending callbacks", arguments: StoreKind.allCases, ["1", "delivered"])
    func shortUserId(kind: StoreKind, id: String) async throws {
        let f = try await StatsFixture.busyHistory(kind)
        let store = f.store
        try await store.upsertProfiles([Profile(userId: id, phone: Self.phone, phoneValid: true, name: "P")])
        try await store.insertMessages([
            NewMessage(
                campaignId: "c1", userId: id, phone: Self.phone, meta: "mErase7Q1", body: "Hi", segments: 1, dispatch: .queued,
                createdAt: Self.t, links: [])
        ])
        try await f.dispatchAll()
        _ = try await store.applyCallbacks(
            providerId: "p1",
            items: [
                CallbackItem(kind: .delivered, meta: "mErase7Q1", ts: Self.t + 20),
                // Pending: the person's phone with separators, and someone else's with the id in a status word.
                CallbackItem(
                    kind: .replied, meta: "m-unknown-1", ts: Self.t + 30, description: "from +49 151 9876 5432",
                    incomingText: "call 0151/9876 5432", toPhone: "+49 (151) 98765432"),
                CallbackItem(kind: .delivered, meta: "m-unknown-2", ts: Self.t + 31, description: "\(id) delivered to +4915198765433"),
            ],
            receivedAt: Self.t + 40)
        let earlier = try await store.ingestionErrors(limit: 1_000).map(\.raw)
        let others = Self.others(id), naming = Self.naming(id)
        try await store.recordIngestionErrors(naming + others)
        let pendingBefore = try await store.unmatchedCallbacks(receivedBefore: Self.t + 1_000, limit: 100)
        #expect(pendingBefore.filter { $0.meta.hasPrefix("m-unknown-") }.count == 2)
        let q = f.queries
        let summary = try await q.summary(f.campaign)

        let profile = try await store.profile(userId: id)
        guard case .erased(let report) = try await store.eraseProfile(ProfileErasure(userId: id, profile: profile)) else {
            Issue.record("not erased")
            return
        }
        #expect(report.rows["ingestion_errors.raw"] == naming.count)
        let left = try await store.ingestionErrors(limit: 1_000)
        #expect(left.count == earlier.count + others.count)
        #expect(Set(left.map(\.raw)) == Set(earlier + others.map(\.raw)), "\(left.map(\.rawText))")
        // Pending: the person's lost reply text and phone, the digits masked; the other one is as it was.
        #expect(report.rows["pending_callbacks.payload"] == 1)
        let pending = try await store.unmatchedCallbacks(receivedBefore: Self.t + 1_000, limit: 100)
        let mine = try #require(pending.first { $0.meta == "m-unknown-1" })
        #expect(mine.item.incomingText == nil && mine.item.toPhone == nil)
        #expect(mine.item.description == "from +49 *** **** ****")
        #expect(pending.first { $0.meta == "m-unknown-2" }?.item == pendingBefore.first { $0.meta == "m-unknown-2" }?.item)
        for secret in ["98765432", "9876 5432", "9876+5432", "9876-5432"] {
            let places = try await f.testStore.places(holding: secret)
            #expect(places.allSatisfy { !$0.hasPrefix("pending_callbacks") && !$0.hasPrefix("messages") }, "'\(secret)' is still in \(places)")
        }
        #expect(try await q.summary(f.campaign) == summary)
        let reconcile = try await store.reconcile(campaignId: "c1", repair: false)
        #expect(reconcile.isClean, "\(reconcile)")
        await f.testStore.close()
    }
}
