import Foundation
import HummingbirdTesting
import SMSCore
import SMSStoreTestSupport
import SMSTestSupport
import Testing

/// Property: for random histories (StatsPropertyTests' generator: sends, dispatch errors, receipts
/// with duplicates in any order, human and bot clicks, provider clicks, replies, conversions),
/// played in a random order through the store, every row of `GET /api/v1/campaigns/{id}/messages`
/// equals what a brute-force reading of that message's raw history gives (written here from
/// `docs/DOMAIN.md` §4–5 directly, not with the state machine), read page by page with a random
/// small limit; every filter answers exactly the brute-force matches.
@Suite("Message log equals a brute-force reading of each history")
struct MessageLogPropertyTests {
    typealias P = StatsPropertyTests

    struct Row: Equatable, CustomStringConvertible {
        var meta: String, userId: String, outcome: String, variant: Int, segments: Int
        var sentAt: Int64?, deliveredAt: Int64?, firstClickAt: Int64?, convertedAt: Int64?
        var errorCode: String?, dispatchReason: String?, clicks: [Int: Int], converted: Bool
        var description: String {
            "\(meta) \(outcome) v\(variant) s\(segments) sent=\(sentAt as Any) dlv=\(deliveredAt as Any) click=\(firstClickAt as Any) conv=\(convertedAt as Any) err=\(errorCode as Any) reason=\(dispatchReason as Any) clicks=\(clicks)"
        }
    }

    /// Each message's row, read from the raw history.
    static func expected(_ h: StatsPropertyTests.History) -> [Row] {
        var items: [CallbackItem] = []
        for item in h.items where !items.contains(item) { items.append(item) }
        var events: [ConversionEventInput] = []
        for e in h.conversions where !events.contains(where: { $0.eventId == e.eventId }) { events.append(e) }
        return h.planned.map { p in
            let mine = items.filter { $0.meta == p.meta }
            var human: [(link: Int, at: Int64)] = h.clicks.filter { $0.i == p.i && !$0.bot }.map { ($0.link, $0.at) }
            for item in mine where item.kind == .clicked { human.append((P.links.firstIndex(of: item.url!) ?? -1, item.ts!)) }
            var clicks: [Int: Int] = [:]
            for c in human where c.link >= 0 { clicks[c.link, default: 0] += 1 }
            let firstClick = human.map(\.at).min()
            var row = Row(
                meta: p.meta, userId: p.user, outcome: "", variant: p.variant, segments: p.segments, errorCode: nil,
                dispatchReason: nil, clicks: clicks,
                converted: false)
            row.firstClickAt = firstClick
            func convert(from sentAt: Int64) {
                let q = events.filter { $0.userId == p.user && $0.name == "purchase" && $0.ts > sentAt && $0.ts <= sentAt + P.window }
                row.convertedAt = q.map(\.ts).min()
                row.converted = !q.isEmpty
            }
            if p.kind == .control {
                row.outcome = "control"
                convert(from: P.t0)
                return row
            }
            let evidence = mine.map { $0.ts! } + human.map(\.at)
            let dispatchTime: Int64? = p.kind == .ineligible ? P.t0 : p.dispatch == .none ? nil : p.dispatchAt
            guard p.dispatch == .sent || !evidence.isEmpty else {
                if p.kind == .ineligible || p.dispatch == .failed {
                    row.outcome = "dispatch_error"
                    row.dispatchReason = p.kind == .ineligible ? "no phone on profile" : "provider HTTP error 503"
                } else {
                    row.outcome = "queued"
                }
                return row
            }
            let sentAt = dispatchTime ?? evidence.min()!
            row.sentAt = sentAt
            let delivered = mine.filter { $0.kind == .delivered }.map { $0.ts! }
            let failures = mine.filter { $0.kind == .failed }
            if let at = delivered.min() ?? firstClick {
                row.outcome = "delivered"
                row.deliveredAt = at
            } else if !failures.isEmpty {
                // PITFALLS.md #4: a failure with a code wins; then the earliest; then the smaller code.
                let chosen = failures.min { a, b in
                    (a.code == nil ? 1 : 0, a.ts!, a.code ?? "") < (b.code == nil ? 1 : 0, b.ts!, b.code ?? "")
                }!
                row.outcome = "failed"
                row.errorCode = chosen.code
            } else {
                row.outcome = mine.contains { $0.kind == .submitted } ? "pending" : "sent"
            }
            convert(from: sentAt)
            return row
        }
    }

    struct Item: Decodable {
        struct LinkClicks: Decodable { var link: Int; var clicks: Int }
        var meta: String, userId: String, phone: String?, outcome: String, variant: Int, segments: Int
        var sentAt: Int64?, deliveredAt: Int64?, firstClickAt: Int64?, convertedAt: Int64?
        var errorCode: String?, dispatchReason: String?, providerMessageId: String?, clicks: [LinkClicks]
    }
    struct Page: Decodable { var items: [Item]; var nextCursor: String? }
    struct Detail: Decodable {
        struct Event: Decodable { var type: String; var at: Int64; var linkIndex: Int?; var attributed: Bool? }
        var meta: String, outcome: String, sentAt: Int64?, events: [Event]
    }

    /// Every page of a listing (`query` without `cursor` and `limit`).
    static func all(_ client: any TestClientProtocol, _ query: String, limit: Int) async throws -> [Item] {
        var out: [Item] = []
        var cursor: String?
        repeat {
            let path = "c1/messages?limit=\(limit)" + query + (cursor.map { "&cursor=\($0)" } ?? "")
            let page = try StatsWeb.decode(Page.self, try await StatsWeb.get(client, path))
            #expect(page.items.count <= limit)
            out += page.items
            cursor = page.nextCursor
        } while cursor != nil
        return out
    }

    @Test(arguments: StoreKind.allCases, 0..<10)
    func everyRowEqualsTheBruteForceReading(kind: StoreKind, seed: UInt64) async throws {
        let h = P.generate(seed: seed)
        let want = Self.expected(h)
        let testStore = try await P.play(kind, h, P.operations(h, seed: seed &* 7 &+ 3))
        try await StatsWeb.withRouter(store: testStore.store) { client in
            var r = SeededRandom(seed: seed)
            let got = try await Self.all(client, "", limit: r.int(1...7))
            let rows = got.map { i in
                Row(
                    meta: i.meta, userId: i.userId, outcome: i.outcome, variant: i.variant, segments: i.segments, sentAt: i.sentAt,
                    deliveredAt: i.deliveredAt, firstClickAt: i.firstClickAt, convertedAt: i.convertedAt, errorCode: i.errorCode,
                    dispatchReason: i.dispatchReason, clicks: Dictionary(uniqueKeysWithValues: i.clicks.map { ($0.link, $0.clicks) }),
                    converted: i.convertedAt != nil)
            }
            #expect(Set(rows.map(\.meta)).count == rows.count, "seed \(seed): a message twice")
            let byMeta = Dictionary(uniqueKeysWithValues: rows.map { ($0.meta, $0) })
            #expect(rows.count == want.count)
            for w in want { #expect(byMeta[w.meta] == w, "seed \(seed): want \(w), got \(byMeta[w.meta].map(\.description) ?? "nothing")") }
            // Masked by default; the full phone with unmask=true.
            for i in got {
                let full = "+1416555\(1000 + Int(i.meta.dropFirst())!)"
                #expect(i.phone != full && i.phone?.count == full.count && i.phone?.hasPrefix("+1") == true && i.phone?.contains("*") == true)
            }
            let unmasked = try await Self.all(client, "&unmask=true", limit: 50)
            for i in unmasked { #expect(i.phone == "+1416555\(1000 + Int(i.meta.dropFirst())!)") }
            // Each filter: exactly the matching messages.
            for outcome in MessageLogOutcome.allCases {
                let metas = try await Self.all(client, "&outcome=\(outcome.rawValue)", limit: r.int(1...5)).map(\.meta)
                #expect(metas.sorted() == want.filter { $0.outcome == outcome.rawValue }.map(\.meta).sorted(), "outcome \(outcome)")
            }
            for flag in [true, false] {
                let clicked = try await Self.all(client, "&clicked=\(flag)", limit: 100).map(\.meta)
                #expect(clicked.sorted() == want.filter { ($0.firstClickAt != nil) == flag }.map(\.meta).sorted())
                let converted = try await Self.all(client, "&converted=\(flag)", limit: 100).map(\.meta)
                #expect(converted.sorted() == want.filter { $0.converted == flag }.map(\.meta).sorted())
            }
            for v in 0...1 {
                let metas = try await Self.all(client, "&variant=\(v)&outcome=delivered", limit: 3).map(\.meta)
                #expect(metas.sorted() == want.filter { $0.variant == v && $0.outcome == "delivered" }.map(\.meta).sorted())
            }
            // One message: the same item, plus its history in event-time order, every callback (duplicates
            // once) and every redirect hit of the history in it; found again by its phone.
            var items: [CallbackItem] = []
            for item in h.items where !items.contains(item) { items.append(item) }
            for p in h.planned {
                let r = try await client.execute(
                    uri: "/api/v1/messages/\(p.meta)", method: .get, headers: [.authorization: "Bearer \(StatsWeb.token)"])
                let one = try StatsWeb.decode(Detail.self, r)
                #expect(one.meta == p.meta && one.outcome == want[p.i].outcome && one.sentAt == want[p.i].sentAt)
                #expect(one.events.map(\.at) == one.events.map(\.at).sorted(), "\(p.meta): not in event-time order")
                #expect(one.events.first { $0.type == "queued" }?.at == P.t0)
                let callbackTypes = one.events.map(\.type).filter { ["submitted", "delivered", "failed", "clicked", "replied"].contains($0) }
                #expect(callbackTypes.sorted() == items.filter { $0.meta == p.meta }.map(\.kind.rawValue).sorted(), "\(p.meta)")
                let hits = one.events.filter { $0.type == "click" || $0.type == "bot_hit" }
                let wantHits = h.clicks.filter { $0.i == p.i }
                #expect(
                    hits.map { "\($0.type) \($0.at) \($0.linkIndex ?? -1)" }.sorted()
                        == wantHits.map { "\($0.bot ? "bot_hit" : "click") \($0.at) \($0.link)" }.sorted())
                #expect(one.events.filter { $0.type == "conversion" && $0.attributed == true }.map(\.at).min() == want[p.i].convertedAt)
                let byPhone = try StatsWeb.decode(
                    Page.self,
                    try await client.execute(
                        uri: "/api/v1/messages?phone=%2B1%20416-555-\(1000 + p.i)", method: .get,
                        headers: [.authorization: "Bearer \(StatsWeb.token)"]))
                #expect(byPhone.items.map(\.meta) == [p.meta] && byPhone.nextCursor == nil)
            }
            for code in ["777", "no%20phone%20on%20profile"] {
                let metas = try await Self.all(client, "&errorCode=\(code)", limit: 100).map(\.meta)
                let plain = code.removingPercentEncoding!
                #expect(metas.sorted() == want.filter { $0.errorCode == plain || $0.dispatchReason == plain }.map(\.meta).sorted())
            }
        }
        await testStore.close()
    }

    @Test(arguments: StoreKind.allCases)
    func badParametersAreA400NamingThem(kind: StoreKind) async throws {
        let h = P.generate(seed: 1)
        let testStore = try await P.play(kind, h, P.operations(h, seed: 1))
        try await StatsWeb.withRouter(store: testStore.store) { client in
            func message(_ q: String) async throws -> (Int, String) {
                let r = try await StatsWeb.get(client, "c1/messages?\(q)")
                return (Int(r.status.code), String(buffer: r.body))
            }
            let (s1, b1) = try await message("outcome=bounced")
            #expect(s1 == 400 && b1.contains("outcome must be one of queued, sent, pending, delivered, failed, dispatch_error, control"))
            let (s2, b2) = try await message("limit=1001")
            #expect(s2 == 400 && b2.contains("limit") && b2.contains("1000"))
            let (s3, b3) = try await message("limit=0")
            #expect(s3 == 400 && b3.contains("limit"))
            let (s4, b4) = try await message("cursor=bTE6eHl6")  // base64url of "m1:xyz"
            #expect(s4 == 400 && b4.contains("cursor"))
            let first = try StatsWeb.decode(Page.self, try await StatsWeb.get(client, "c1/messages?limit=2"))
            let token = try #require(first.nextCursor)
            let (s5, _) = try await message("cursor=\(token)x")
            #expect(s5 == 400)
            let (s6, b6) = try await message("clicked=yes")
            #expect(s6 == 400 && b6.contains("clicked must be true or false"))
            let (s7, b7) = try await message("variant=9")
            #expect(s7 == 400 && b7.contains("variant"))
            let r = try await StatsWeb.get(client, "nope/messages")
            #expect(r.status == .notFound)
        }
        await testStore.close()
    }

    /// A store with provider `p1` and two campaigns without links or goal, `c1` and `c2`.
    static func twoCampaigns(_ kind: StoreKind) async throws -> TestStore {
        let testStore = try await TestStore.make(kind)
        try await testStore.store.insertProvider(
            ProviderConfig(
                id: "p1", name: "G", url: "http://127.0.0.1:9/sms", bodyTemplate: #"{"to":"$$To"}"#, callbacksEnabled: true,
                callbackSecret: "s", createdAt: P.t0))
        for c in ["c1", "c2"] {
            try await testStore.store.insertCampaign(
                Campaign(id: c, name: c, providerId: "p1", body: "x", links: [], audience: .all, timezone: "UTC", goal: nil, createdAt: P.t0))
        }
        return testStore
    }

    /// Keyset pagination while messages are added between pages: every message that existed when
    /// the listing started comes exactly once, and no message comes twice.
    @Test(arguments: StoreKind.allCases)
    func pagesAreStableUnderConcurrentInserts(kind: StoreKind) async throws {
        let testStore = try await Self.twoCampaigns(kind)
        let store = testStore.store
        func batch(_ campaign: String, _ range: Range<Int>) -> [NewMessage] {
            range.map {
                NewMessage(
                    campaignId: campaign, userId: "u\($0)", phone: "+14165550\(100 + $0)", meta: "\(campaign)-\($0)", body: "x",
                    segments: 1, dispatch: .queued, createdAt: P.t0, links: [])
            }
        }
        try await store.insertMessages(batch("c1", 0..<40))
        let inserter = Task {
            for k in 0..<20 {
                try await store.insertMessages(batch("c1", (100 + k * 3)..<(103 + k * 3)) + batch("c2", (k * 3)..<(k * 3 + 3)))
                await Task.yield()
            }
        }
        var seen: [String] = []
        var cursor: MessageLogCursor?
        repeat {
            let page = try await MessageLogFilter().page(after: cursor, limit: 3) { after, count in
                try await store.messageLog(campaignId: "c1", afterId: after, limit: count)
            }
            seen += page.items.map(\.meta)
            cursor = page.nextCursor
            await Task.yield()
        } while cursor != nil
        try await inserter.value
        #expect(Set(seen).count == seen.count)
        #expect(Set((0..<40).map { "c1-\($0)" }).isSubset(of: Set(seen)))
        #expect(seen.allSatisfy { $0.hasPrefix("c1-") })
        await testStore.close()
    }

    /// Support lookups across campaigns: by provider message id (in its stored form) and by phone
    /// in any format, newest first, paged; bad input is a 400 naming the parameter.
    @Test(arguments: StoreKind.allCases)
    func lookupByProviderMessageIdAndPhone(kind: StoreKind) async throws {
        let testStore = try await Self.twoCampaigns(kind)
        let store = testStore.store
        for c in ["c1", "c2"] {
            try await store.insertMessages(
                (0..<3).map {
                    NewMessage(
                        campaignId: c, userId: "u\($0)", phone: "+4915112345\(670 + $0)", meta: "\(c)-\($0)", body: "x", segments: 1,
                        dispatch: .queued, createdAt: P.t0, links: [])
                })
        }
        var ids: [String: Int64] = [:]
        for m in try await store.queuedMessages(campaignId: "c2", limit: 10) { ids[m.meta] = m.messageId }
        try await store.recordDispatchResults([
            DispatchResult(messageId: ids["c2-1"]!, outcome: .sent(providerMessageId: "AbC-12"), at: P.t0 + 5)
        ])
        try await StatsWeb.withRouter(store: store) { client in
            func get(_ q: String) async throws -> TestResponse {
                try await client.execute(uri: "/api/v1/messages?\(q)", method: .get, headers: [.authorization: "Bearer \(StatsWeb.token)"])
            }
            let byId = try StatsWeb.decode(Page.self, try await get("providerMessageId=AbC-12&unmask=true"))
            #expect(byId.items.map(\.meta) == ["c2-1"] && byId.items.first?.providerMessageId == "AbC-12")
            #expect(byId.items.first?.phone == "+4915112345671" && byId.items.first?.outcome == "sent")
            #expect(try StatsWeb.decode(Page.self, try await get("providerMessageId=%20AbC-12%20")).items.map(\.meta) == ["c2-1"])
            #expect(try StatsWeb.decode(Page.self, try await get("providerMessageId=nope")).items.isEmpty)
            // The same phone in both campaigns: newest first, one per page.
            let first = try StatsWeb.decode(Page.self, try await get("phone=0049%20151%201234%205671&limit=1"))
            #expect(first.items.map(\.meta) == ["c2-1"])
            #expect(first.items.first?.phone?.contains("12345671") == false)
            let token = try #require(first.nextCursor)
            let second = try StatsWeb.decode(Page.self, try await get("phone=%2B4915112345671&limit=1&cursor=\(token)"))
            #expect(second.items.map(\.meta) == ["c1-1"])
            if let last = second.nextCursor {
                let third = try StatsWeb.decode(Page.self, try await get("phone=%2B4915112345671&limit=1&cursor=\(last)"))
                #expect(third.items.isEmpty && third.nextCursor == nil)
            }
            let bad = try await get("phone=hello")
            #expect(bad.status == .badRequest && String(buffer: bad.body).contains("phone"))
            let both = try await get("phone=%2B4915112345671&providerMessageId=x")
            #expect(both.status == .badRequest && String(buffer: both.body).contains("exactly one of providerMessageId or phone"))
            let none = try await client.execute(uri: "/api/v1/messages/nope", method: .get, headers: [.authorization: "Bearer \(StatsWeb.token)"])
            #expect(none.status == .notFound)
            let detail = try StatsWeb.decode(
                Detail.self,
                try await client.execute(uri: "/api/v1/messages/c2-1", method: .get, headers: [.authorization: "Bearer \(StatsWeb.token)"]))
            #expect(detail.events.map(\.type) == ["queued", "sent"] && detail.events.map(\.at) == [P.t0, P.t0 + 5])
        }
        await testStore.close()
    }
}
