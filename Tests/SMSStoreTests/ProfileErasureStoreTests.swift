import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// Erasure of a person (issue 15) on both stores: a user who was sent, delivered, clicked,
/// replied and converted is erased; every stat stays what it was, reconcile finds no drift, and
/// the phone's digits are nowhere in the database (SQLite file and WAL bytes; every text and
/// bytea column of every PostgreSQL table).
@Suite("Stores: profile erasure")
struct ProfileErasureStoreTests {
    static let t = StatsFixture.t
    static let phone = "+4915112345678"
    static let digits = "4915112345678"
    static let nsn = "15112345678"

    /// The busy history of ``StatsFixture`` plus user `anna-u7` with every kind of record.
    static func history(_ kind: StoreKind) async throws -> StatsFixture {
        let f = try await StatsFixture.busyHistory(kind)
        let store = f.store
        try await store.upsertProfiles([
            Profile(userId: "anna-u7", phone: phone, phoneValid: true, name: "Anna Example", properties: ["city": .string("Berlin")]),
            Profile(userId: "u1", phone: "+49151123451", phoneValid: true),
        ])
        let link = NewShortLink(code: "c7x0", linkIndex: 0, url: StatsFixture.links[0], expiresAt: t + 86_400 * 30)
        try await store.insertMessages([
            NewMessage(
                campaignId: "c1", userId: "anna-u7", phone: phone, meta: "m7", body: "Hi Anna " + StatsFixture.links.joined(separator: " "),
                segments: 1, dispatch: .queued, createdAt: t, links: [link], templateVariables: #"{"phone":"\#(phone)"}"#)
        ])
        try await f.dispatchAll()
        _ = try await store.applyCallbacks(
            providerId: "p1",
            items: [
                CallbackItem(kind: .delivered, meta: "m7", ts: t + 20, toPhone: phone),
                CallbackItem(kind: .replied, meta: "m7", ts: t + 700, incomingText: "yes, call me on 0151 12345678 or \(nsn)"),
                // Unknown meta: kept as a pending callback, with the phone in it.
                CallbackItem(kind: .delivered, meta: "m-unknown", ts: t + 30, toPhone: phone),
            ],
            receivedAt: t + 800)
        _ = try await store.recordClick(
            ClickInput(code: "c7x0", at: t + 40, userAgent: "Mozilla/5.0 (Anna's phone)", ipHash: "iphash-anna", isBot: false, botReason: nil))
        _ = try await store.ingestConversionEvents(
            [
                ConversionEventInput(
                    eventId: "e7", userId: "anna-u7", name: "purchase", ts: t + 600,
                    properties: ["amount": .number(12), "email": .string("anna@example.com"), "phone": .string(phone)])
            ], receivedAt: t + 900)
        try await store.recordIngestionErrors([
            IngestionErrorInput(
                source: "callback", providerId: "p1", reason: "not JSON",
                raw: Array(#"{"to":"\#(phone)","x":"#.utf8) + [0x00, 0xFF] + Array(" tel \(nsn)".utf8), receivedAt: t + 50)
        ])
        return f
    }

    @Test("erasing a user who was sent, delivered, clicked, replied and converted leaves every stat and reconcile unchanged", arguments: StoreKind.allCases)
    func statsUnchanged(kind: StoreKind) async throws {
        let f = try await Self.history(kind)
        let q = f.queries
        let before = (try await q.summary(f.campaign), try await q.overview(f.campaign, granularity: .day))
        #expect(before.0.all.convertedUsers == 2 && before.0.all.revenueCents == 4_200 && before.0.all.replies == 3, "\(before.0.all)")
        #expect(try await f.store.reconcile(campaignId: "c1", repair: false).isClean)

        // The search finds the phone before the erasure (the check below can fail).
        #expect(!(try await f.testStore.places(holding: Self.digits).isEmpty))
        let profile = try await f.store.profile(userId: "anna-u7")
        let outcome = try await f.store.eraseProfile(ProfileErasure(userId: "anna-u7", profile: profile))
        guard case .erased(let report) = outcome else { Issue.record("not erased: \(outcome)"); return }
        #expect(report.profileDeleted)
        #expect(report.rows["profiles.user_id"] == 1)
        #expect(report.rows["messages.phone"] == 1)
        #expect(report.rows["clicks.user_agent"] == 1 && report.rows["clicks.ip_hash"] == 1)
        #expect(report.rows["conversion_events.properties"] == 1)
        #expect(report.rows["pending_callbacks.payload"] == 1)
        #expect(report.rows["ingestion_errors.raw"] == 1)
        #expect(report.rows["messages.user_id"] == 1 && report.rows["conversion_events.user_id"] == 1)
        #expect(report.rows["campaign_conversions.user_id"] == 1)

        let after = (try await q.summary(f.campaign), try await q.overview(f.campaign, granularity: .day))
        #expect(after.0 == before.0)
        #expect(after.1 == before.1)
        let reconcile = try await f.store.reconcile(campaignId: "c1", repair: false)
        #expect(reconcile.isClean, "\(reconcile)")
        #expect(try await f.store.profile(userId: "anna-u7") == nil)
        #expect(try await f.store.profile(userId: "u1")?.phone == "+49151123451")
        #expect(try await f.testStore.int("SELECT COUNT(*) FROM messages WHERE user_id = 'anna-u7'") == 0)
        let pseudonyms = try await f.testStore.query("SELECT user_id, phone, body FROM messages WHERE user_id LIKE 'erased-%'")
        #expect(pseudonyms.count == 1)
        #expect(pseudonyms.first?["user_id"]?.text?.count == 39)
        #expect(pseudonyms.first?["phone"] == .null && pseudonyms.first?["body"]?.text == "")
        let props = try await f.testStore.query("SELECT properties FROM conversion_events WHERE event_id = 'e7'")
        #expect(props.first?["properties"]?.text == #"{"amount":12}"#)
        // The refused callback holding the phone is deleted (a replay could not store it again).
        #expect(try await f.store.ingestionErrors(limit: 10).isEmpty)
        // Erasing again finds nothing left of the user.
        #expect(try await f.store.messages(userId: "anna-u7", limit: 5).isEmpty)

        for secret in Self.secrets {
            let places = try await f.testStore.places(holding: secret)
            #expect(places.isEmpty, "'\(secret)' is still in \(places)")
        }
        await f.testStore.close()
    }

    /// What must be gone after the erasure: the phone's digits, the name, a conversion property,
    /// the IP hash, the reply text, and the user id itself.
    static let secrets = [digits, nsn, "Anna", "anna@example.com", "iphash-anna", "call me", "anna-u7"]

    @Test("erasure removes the user id from every stored userIds audience (a duplicate cannot copy it back); a later click redirects and counts but stores no user agent or IP hash", arguments: StoreKind.allCases)
    func audiencesAndLaterClicks(kind: StoreKind) async throws {
        let f = try await Self.history(kind)
        let store = f.store
        for (id, audience) in [("d1", Audience.userIds(["u1", "anna-u7", "u9", "anna-u7"])), ("d2", .userIds(["anna-u7"])), ("d3", .all), ("d4", .userIds(["anna-u70", "u1"]))] {
            try await store.insertCampaign(Campaign(
                id: id, name: id, providerId: "p1", body: "Hi", links: [], audience: audience, timezone: "UTC", goal: nil, createdAt: Self.t))
        }
        let profile = try await store.profile(userId: "anna-u7")
        guard case .erased(let report) = try await store.eraseProfile(ProfileErasure(userId: "anna-u7", profile: profile)) else {
            Issue.record("not erased")
            return
        }
        #expect(report.rows["campaigns.json"] == 2)
        #expect(try await store.campaign(id: "d1")?.audience == .userIds(["u1", "u9"]))
        #expect(try await store.campaign(id: "d2")?.audience == .userIds([]))
        #expect(try await store.campaign(id: "d3")?.audience == .all)
        #expect(try await store.campaign(id: "d4")?.audience == .userIds(["anna-u70", "u1"]))
        #expect(try await f.testStore.int(#"SELECT COUNT(*) FROM campaigns WHERE json LIKE '%"anna-u7"%'"#) == 0)

        // A click on the erased person's link afterwards: redirected and counted, nothing identifying stored.
        let before = try await f.queries.summary(f.campaign).all.clicks
        let target = try await store.recordClick(
            ClickInput(code: "c7x0", at: Self.t + 2_000, userAgent: "Mozilla/5.0 (Anna again)", ipHash: "iphash-anna-2", isBot: false, botReason: nil))
        #expect(target == ShortLinkTarget(url: StatsFixture.links[0], expired: false))
        #expect(try await f.queries.summary(f.campaign).all.clicks == before + 1)
        let rows = try await f.testStore.query("SELECT user_agent, ip_hash FROM clicks WHERE code = 'c7x0' ORDER BY id")
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0["user_agent"] == .null && $0["ip_hash"] == .null })
        for secret in ["Anna again", "iphash-anna-2"] {
            let places = try await f.testStore.places(holding: secret)
            #expect(places.isEmpty, "'\(secret)' is still in \(places)")
        }
        #expect(try await store.reconcile(campaignId: "c1", repair: false).isClean)
        await f.testStore.close()
    }

    /// A person with a refused conversion event and refused callbacks kept as ingestion errors
    /// (decision, issue 15: such rows are deleted): after the erasure neither the user id nor the
    /// phone digits are anywhere in the database, the other people's errors stay, stats and
    /// reconcile are unchanged.
    @Test("erasure deletes every ingestion error naming the person (user id or phone in any form); others stay", arguments: StoreKind.allCases)
    func ingestionErrors(kind: StoreKind) async throws {
        let f = try await Self.history(kind)
        let store = f.store
        let user = "anna-erase-7731"
        try await store.upsertProfiles([Profile(userId: user, phone: "+4915198765432", phoneValid: true, name: "Anna")])
        try await store.insertMessages([
            NewMessage(
                campaignId: "c1", userId: user, phone: "+4915198765432", meta: "m-anna", body: "Hi", segments: 1, dispatch: .queued,
                createdAt: Self.t, links: [])
        ])
        try await f.dispatchAll()
        _ = try await store.applyCallbacks(
            providerId: "p1", items: [CallbackItem(kind: .delivered, meta: "m-anna", ts: Self.t + 20)], receivedAt: Self.t + 30)
        let naming: [IngestionErrorInput] = [
            // A conversion event refused for its revenue, naming the user.
            IngestionErrorInput(
                source: "events", providerId: nil, reason: "properties.amount must be a decimal amount",
                raw: #"{"eventId":"e-anna","userId":"\#(user)","name":"purchase","ts":1710000600,"properties":{"amount":"x"}}"#,
                receivedAt: Self.t + 40),
            // The same, the user id JSON-escaped.
            IngestionErrorInput(
                source: "events", providerId: nil, reason: "missing fields: ts",
                raw: #"{"eventId":"e-anna2","userId":"\u0061nna-erase-7731","name":"purchase"}"#, receivedAt: Self.t + 41),
            // A refused callback form naming the phone with separators, form-encoded.
            IngestionErrorInput(
                source: "callback", providerId: "p1", reason: "ts must be epoch seconds",
                raw: "meta=m-anna&to=%2B49+151+9876+5432&status=delivered&ts=soon", receivedAt: Self.t + 42),
            // A refused callback whose bytes are no UTF-8, the national number inside.
            IngestionErrorInput(
                source: "callback", providerId: "p1", reason: "body is not UTF-8",
                raw: [0xFF, 0xFE] + Array("from 015198765432".utf8), receivedAt: Self.t + 43),
        ]
        let others: [IngestionErrorInput] = [
            IngestionErrorInput(
                source: "events", providerId: nil, reason: "missing fields: ts",
                raw: #"{"eventId":"e-bob","userId":"bob-erase-7731","name":"purchase"}"#, receivedAt: Self.t + 44),
            IngestionErrorInput(
                source: "callback", providerId: "p1", reason: "not JSON", raw: #"{"to":"+4915198765433","#, receivedAt: Self.t + 45),
        ]
        let earlier = try await store.ingestionErrors(limit: 100).map(\.raw)  // the history's (user anna-u7's)
        try await store.recordIngestionErrors(naming + others)
        let q = f.queries
        let before = (try await q.summary(f.campaign), try await q.overview(f.campaign, granularity: .day))
        for secret in [user, "98765432"] {
            #expect(!(try await f.testStore.places(holding: secret).isEmpty), "the search finds '\(secret)' before")
        }

        let profile = try await store.profile(userId: user)
        guard case .erased(let report) = try await store.eraseProfile(ProfileErasure(userId: user, profile: profile)) else {
            Issue.record("not erased")
            return
        }
        #expect(report.rows["ingestion_errors.raw"] == 4)
        let left = try await store.ingestionErrors(limit: 100)
        #expect(left.count == earlier.count + others.count)
        #expect(Set(left.map(\.raw)) == Set(earlier + others.map(\.raw)), "\(left.map(\.rawText))")
        for secret in [user, "98765432", "9876+5432"] {
            let places = try await f.testStore.places(holding: secret)
            #expect(places.isEmpty, "'\(secret)' is still in \(places)")
        }
        #expect(try await q.summary(f.campaign) == before.0)
        #expect(try await q.overview(f.campaign, granularity: .day) == before.1)
        let reconcile = try await store.reconcile(campaignId: "c1", repair: false)
        #expect(reconcile.isClean, "\(reconcile)")
        await f.testStore.close()
    }

    @Test("a user with a message still queued is not erased (nothing changes)", arguments: StoreKind.allCases)
    func queuedRefused(kind: StoreKind) async throws {
        let f = try await StatsFixture(kind: kind)
        try await f.store.upsertProfiles([Profile(userId: "u3", phone: "+491511234503", phoneValid: true)])
        try await f.store.insertMessages([StatsFixture.message(3)])
        let profile = try await f.store.profile(userId: "u3")
        #expect(try await f.store.eraseProfile(ProfileErasure(userId: "u3", profile: profile)) == .queuedMessages(1))
        #expect(try await f.store.profile(userId: "u3") == profile)
        #expect(try await f.testStore.int("SELECT COUNT(*) FROM messages WHERE user_id = 'u3' AND phone IS NOT NULL") == 1)
        await f.testStore.close()
    }
}
