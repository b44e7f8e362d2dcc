import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Campaign management (issue 15): PATCH and DELETE of drafts, duplicate, archive, unschedule
/// (safe against the scheduler's publish on any node); on SQLite and PostgreSQL.
@Suite("Campaign management: PATCH/DELETE drafts, duplicate, archive, unschedule")
struct CampaignManagementRouteTests {
    typealias M = ProviderManagementRouteTests

    static func seed(_ t: TestStore) async throws {
        try await t.store.upsertProfiles([
            Profile(userId: "u1", phone: "+4915112345678", phoneValid: true, properties: ["first_name": .string("Ann")]),
            Profile(userId: "u2", phone: "+4915112345679", phoneValid: true),
        ])
    }

    static func create(_ client: any TestClientProtocol, _ extra: String = "") async throws -> String {
        let r = try await M.call(client, .post, "/api/v1/campaigns", #"{"name":"Spring","providerId":"p1","body":"Hi {{first_name}} https://shop.example/a","audience":{"all":true},"defaults":{"first_name":"there"}\#(extra)}"#)
        #expect(r.status == .created, "\(r.text)")
        return try #require(try M.object(r.text)["id"] as? String)
    }

    static func dispatcher(_ t: TestStore, now: Int64) -> Dispatcher {
        Dispatcher(store: t.store, gateway: FakeGateway(), planner: CampaignPlanner(linkBaseURL: "https://s.example"), now: { now })
    }

    @Test("PATCH changes a draft's fields validated like creation; a 400 names the field and changes nothing", arguments: StoreKind.allCases)
    func patchDraft(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await Self.seed(t)
            let id = try await Self.create(client)
            let before = try #require(try await t.store.campaign(id: id))
            let r = try await M.call(client, .patch, "/api/v1/campaigns/\(id)", #"{"name":"Summer","body":"Sale https://shop.example/b and https://shop.example/c","controlGroupPercent":10}"#)
            #expect(r.status == .ok, "\(r.text)")
            let after = try #require(try await t.store.campaign(id: id))
            #expect(after.name == "Summer")
            #expect(after.links == ["https://shop.example/b", "https://shop.example/c"])
            #expect(after.controlGroupPercent == 10)
            #expect(after.id == id && after.createdAt == before.createdAt && after.status == .draft)
            #expect(after.audience == .all && after.defaults == ["first_name": "there"])
            #expect(try M.object(r.text)["name"] as? String == "Summer")

            let cases: [(String, String)] = [
                (#"{"controlGroupPercent":100}"#, "invalid campaign: controlGroupPercent must be a number from 0 to 99.99 percent with at most 2 fraction digits (got 100)"),
                (#"{"controlGroupPercent":5e-324}"#, "invalid campaign: controlGroupPercent must be a number from 0 to 99.99 percent with at most 2 fraction digits (got 5e-324)"),
                (#"{"controlGroupPercent":99.9999999}"#, "invalid campaign: controlGroupPercent must be a number from 0 to 99.99 percent with at most 2 fraction digits (got 99.9999999)"),
                (#"{"body":"Hi {{nickname}}"}"#, "invalid campaign: unknown template placeholder 'nickname': no profile has that field and defaults has no value for it"),
                (#"{"providerId":"nope"}"#, "invalid campaign: unknown provider 'nope'"),
                (#"{"audience":{"userIds":["ghost"]}}"#, "invalid campaign: audience is empty: none of the 1 user ids has a profile"),
                (#"{"timezone":"Mars/Base"}"#, "invalid campaign: unknown time zone 'Mars/Base' (use an IANA name)"),
                (#"{"name":null}"#, "invalid campaign: name is null, expected a string"),
                (#"{"status":"sending"}"#,
                 "invalid campaign: unknown field 'status': the fields are audience, body, controlGroupPercent, customValues, defaults, goal, name, providerId, sendAt, templateId, timezone, variants"),
            ]
            for (body, expected) in cases {
                let bad = try await M.call(client, .patch, "/api/v1/campaigns/\(id)", body)
                #expect(bad.status == .badRequest, "\(body)")
                #expect(M.message(bad.text).hasPrefix(expected), "\(body): \(bad.text)")
            }
            #expect(try await t.store.campaign(id: id) == after)
            // Variants replace the body when body is cleared; sendAt schedules as a creation would.
            let v = try await M.call(client, .patch, "/api/v1/campaigns/\(id)", #"{"body":null,"variants":[{"body":"A","percent":50},{"body":"B","percent":50}],"sendAt":4000000000}"#)
            #expect(v.status == .ok, "\(v.text)")
            let scheduled = try #require(try await t.store.campaign(id: id))
            #expect(scheduled.variants?.map(\.body) == ["A", "B"] && scheduled.status == .scheduled && scheduled.sendAt == 4_000_000_000)
            #expect(try await M.call(client, .patch, "/api/v1/campaigns/nope", #"{"name":"x"}"#).status == .notFound)
        }
    }

    @Test("PATCH and DELETE of a campaign that is not a draft are 409 naming its status; DELETE of a draft is 204", arguments: StoreKind.allCases)
    func notDraft(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await Self.seed(t)
            let sent = try await Self.create(client)
            _ = try await Self.dispatcher(t, now: 1_700_000_000).publish(campaignId: sent)
            let before = try #require(try await t.store.campaign(id: sent))
            let patch = try await M.call(client, .patch, "/api/v1/campaigns/\(sent)", #"{"name":"x"}"#)
            #expect(patch.status == .conflict)
            #expect(M.message(patch.text) == "campaign is sending; it cannot be edited (only a draft can)")
            let del = try await M.call(client, .delete, "/api/v1/campaigns/\(sent)")
            #expect(del.status == .conflict)
            #expect(M.message(del.text) == "campaign is sending; it cannot be deleted (only a draft can)")
            #expect(try await t.store.campaign(id: sent) == before)

            let draft = try await Self.create(client)
            #expect(try await M.call(client, .delete, "/api/v1/campaigns/\(draft)").status == .noContent)
            #expect(try await t.store.campaign(id: draft) == nil)
            #expect(try await M.call(client, .delete, "/api/v1/campaigns/\(draft)").status == .notFound)
        }
    }

    @Test("duplicate: a new draft with the same definition, a new id and '(copy)'; archive: finished only, hidden from the default list, stats kept", arguments: StoreKind.allCases)
    func duplicateArchive(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await Self.seed(t)
            let id = try await Self.create(client, #","goal":{"event":"purchase","windowMinutes":60}"#)
            let d = Self.dispatcher(t, now: 1_700_000_000)
            _ = try await d.publish(campaignId: id)
            #expect(try await d.runOnce() == 2)
            let source = try #require(try await t.store.campaign(id: id))
            #expect(source.status == .completed)

            let dup = try await M.call(client, .post, "/api/v1/campaigns/\(id)/duplicate")
            #expect(dup.status == .created, "\(dup.text)")
            let copyId = try #require(try M.object(dup.text)["id"] as? String)
            let copy = try #require(try await t.store.campaign(id: copyId))
            #expect(copyId != id && copy.name == "Spring (copy)" && copy.status == .draft && copy.publishedAt == nil)
            #expect(copy.body == source.body && copy.links == source.links && copy.audience == source.audience && copy.goal == source.goal)
            #expect(copy.defaults == source.defaults && copy.providerId == "p1")
            #expect((try M.object(dup.text)["progress"] as? [String: Any])?["targeted"] as? Int == 0)

            let statsBefore = try await M.call(client, .get, "/api/v1/campaigns/\(id)/stats")
            let early = try await M.call(client, .post, "/api/v1/campaigns/\(copyId)/archive")
            #expect(early.status == .conflict)
            #expect(M.message(early.text) == "campaign is draft; it cannot be archived (only a completed or stopped campaign can)")
            let archived = try await M.call(client, .post, "/api/v1/campaigns/\(id)/archive")
            #expect(archived.status == .ok, "\(archived.text)")
            let at = try #require(try M.object(archived.text)["archivedAt"] as? Int)
            #expect(at > 1_700_000_000)

            func ids(_ query: String) async throws -> [String] {
                let r = try await M.call(client, .get, "/api/v1/campaigns\(query)")
                #expect(r.status == .ok, "\(r.text)")
                return try #require(try JSONSerialization.jsonObject(with: Data(r.text.utf8)) as? [[String: Any]]).compactMap { $0["id"] as? String }
            }
            #expect(try await ids("") == [copyId])
            #expect(try await ids("?archived=true") == [id])
            #expect(try await Set(ids("?include=archived")) == [id, copyId])
            #expect(try await ids("?archived=false&limit=5") == [copyId])
            let bad = try await M.call(client, .get, "/api/v1/campaigns?archived=yes")
            #expect(bad.status == .badRequest && M.message(bad.text) == "archived must be true or false (got 'yes')")
            // Stats are kept, byte for byte; archiving again keeps the first time.
            #expect(try await M.call(client, .get, "/api/v1/campaigns/\(id)/stats").text == statsBefore.text)
            #expect(try M.object(try await M.call(client, .post, "/api/v1/campaigns/\(id)/archive").text)["archivedAt"] as? Int == at)
        }
    }

    @Test("unschedule: scheduled → draft (sendAt cleared); 409 while a publish holds the campaign's lock on another connection and once sending", arguments: StoreKind.allCases)
    func unschedule(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await Self.seed(t)
            let id = try await Self.create(client, #","sendAt":4000000000"#)
            #expect(try await t.store.campaign(id: id)?.status == .scheduled)

            // A publish under way (the scheduler on another node holds the lock): 409, nothing changed.
            let (held, release) = AsyncStream<Void>.makeStream()
            let (taken, signalTaken) = AsyncStream<Void>.makeStream()
            let store = t.store
            let holder = Task {
                try await store.exclusively("publish:" + id) {
                    signalTaken.yield()
                    for await _ in held { break }
                }
            }
            for await _ in taken { break }
            let busy = try await M.call(client, .post, "/api/v1/campaigns/\(id)/unschedule")
            #expect(busy.status == .conflict)
            #expect(M.message(busy.text) == "campaign is being published by another request or server right now")
            let patch = try await M.call(client, .patch, "/api/v1/campaigns/\(id)", #"{"name":"x"}"#)
            #expect(patch.status == .conflict)
            release.yield()
            _ = try await holder.value
            #expect(try await t.store.campaign(id: id)?.status == .scheduled)

            let r = try await M.call(client, .post, "/api/v1/campaigns/\(id)/unschedule")
            #expect(r.status == .ok, "\(r.text)")
            let draft = try #require(try await t.store.campaign(id: id))
            #expect(draft.status == .draft && draft.sendAt == nil)
            // The scheduler listed it as due before the unschedule: inside the lock it sees a draft and leaves it.
            await #expect(throws: PublishError.notDue(.draft)) {
                _ = try await Self.dispatcher(t, now: 4_000_000_100).publish(campaignId: id, dueAt: 4_000_000_100)
            }
            #expect(try await t.store.campaign(id: id)?.status == .draft)
            #expect(try await t.store.rollupTotalsByVariant(campaignId: id).isEmpty)

            let again = try await M.call(client, .post, "/api/v1/campaigns/\(id)/unschedule")
            #expect(again.status == .conflict)
            #expect(M.message(again.text) == "campaign is draft; it cannot be unscheduled (only a scheduled campaign can)")
            _ = try await Self.dispatcher(t, now: 1_700_000_000).publish(campaignId: id)
            let sending = try await M.call(client, .post, "/api/v1/campaigns/\(id)/unschedule")
            #expect(sending.status == .conflict)
            #expect(M.message(sending.text) == "campaign is sending; it cannot be unscheduled (only a scheduled campaign can)")
        }
    }
}
