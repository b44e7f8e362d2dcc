import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Issue 12, the new-user tester's zones: a campaign whose stored zone means nothing (`GMT+99`,
/// `''`, written into the database as an older release could) reads its trend and page in UTC
/// and says so (``IANAZone/readable(_:)``); a PATCH that leaves the zone alone does not judge the
/// stored one (`GMT+0530` has no IANA name), one that sets it judges the new one only. On SQLite
/// and PostgreSQL.
@Suite("Stored zones: UTC with a note, PATCH judges only a zone it sets")
struct StoredZoneRouteTests {
    typealias M = ProviderManagementRouteTests

    /// A draft to `u1` in UTC whose stored zone is then rewritten in the row to `zone`.
    static func campaign(zoneInRow zone: String, _ client: any TestClientProtocol, _ t: TestStore) async throws -> String {
        try await t.store.upsertProfiles([Profile(userId: "u1", phone: "+4915112345678", phoneValid: true)])
        let created = try await M.call(client, .post, "/api/v1/campaigns", #"{"name":"z","providerId":"p1","body":"Hi","audience":{"userIds":["u1"]}}"#)
        let id = try #require(try M.object(created.text)["id"] as? String, "\(created.text)")
        try await t.query("UPDATE campaigns SET json = REPLACE(json, ?, ?) WHERE id = ?", [
            .text(#""timezone":"UTC""#), .text(#""timezone":"\#(zone)""#), .text(id),
        ])
        #expect(try await t.store.campaign(id: id)?.timezone == zone)
        return id
    }

    @Test("the default trend, the export and the dashboard page of a campaign stored with GMT+99 or '' are in UTC with a note",
          arguments: StoreKind.allCases, ["GMT+99", ""])
    func meaninglessZone(kind: StoreKind, zone: String) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let id = try await Self.campaign(zoneInRow: zone, client, t)
            let trend = try await M.call(client, .get, "/api/v1/campaigns/\(id)/trend")
            #expect(trend.status == .ok, "\(trend.text)")
            let body = try M.object(trend.text)
            #expect(body["timezone"] as? String == "UTC")
            #expect(body["zoneNote"] as? String == "the campaign's stored time zone '\(zone)' is no time zone; UTC is used")
            // A tz asked for is used as asked, without a note.
            let berlin = try M.object(try await M.call(client, .get, "/api/v1/campaigns/\(id)/trend?tz=Europe/Berlin").text)
            #expect(berlin["timezone"] as? String == "Europe/Berlin")
            #expect(berlin["zoneNote"] == nil)
            let export = try await M.call(client, .get, "/api/v1/campaigns/\(id)/export.csv")
            #expect(export.status == .ok)
            #expect(export.text.contains("Trend (day, UTC, CTR on "))
            #expect(export.text.contains("is no time zone; UTC is used"))
            // The dashboard's campaign page: 200, the note, the trend titled in UTC.
            let cookie = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=\(M.token)&next=%2F")
            ) { String(($0.headers[.setCookie] ?? "").split(separator: ";")[0]) }
            let page = try await client.execute(uri: "/campaigns/\(id)", method: .get, headers: [.cookie: cookie]) {
                ($0.status, String(buffer: $0.body))
            }
            #expect(page.0 == .ok, "\(page.1.prefix(300))")
            #expect(page.1.contains(#"id="note-zone""#))
            #expect(page.1.contains("is no time zone; UTC is used (the trend and the times on this page)."))
            #expect(page.1.contains("in the campaign&#39;s time zone UTC.") || page.1.contains("in the campaign's time zone UTC."))
        }
    }

    @Test("a PATCH that leaves a stored GMT+0530 alone passes and keeps it; setting GMT+0530 is a 400; a wall-time sendAt reads the stored zone",
          arguments: StoreKind.allCases)
    func legacyOffsetPatch(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let id = try await Self.campaign(zoneInRow: "GMT+0530", client, t)
            let rename = try await M.call(client, .patch, "/api/v1/campaigns/\(id)", #"{"name":"renamed"}"#)
            #expect(rename.status == .ok, "\(rename.text)")
            #expect(try await t.store.campaign(id: id)?.name == "renamed")
            #expect(try await t.store.campaign(id: id)?.timezone == "GMT+0530")
            let set = try await M.call(client, .patch, "/api/v1/campaigns/\(id)", #"{"timezone":"GMT+0530"}"#)
            #expect(set.status == .badRequest)
            #expect(M.message(set.text) == "invalid campaign: unknown time zone 'GMT+0530' (use an IANA name)")
            // 2030-01-01 09:00 at UTC+05:30 is 03:30 UTC: 1893456000 + 12600.
            let scheduled = try await M.call(client, .patch, "/api/v1/campaigns/\(id)", #"{"sendAt":"2030-01-01T09:00:00"}"#)
            #expect(scheduled.status == .ok, "\(scheduled.text)")
            let stored = try #require(try await t.store.campaign(id: id))
            #expect(stored.sendAt == 1_893_468_600)
            #expect(stored.status == .scheduled)
            #expect(stored.timezone == "GMT+0530")
        }
    }

    @Test("a stored GMT+99: a rename passes, a wall-time sendAt is a 400 saying how to give the instant, setting Asia/Kolkata passes",
          arguments: StoreKind.allCases)
    func meaninglessZonePatch(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let id = try await Self.campaign(zoneInRow: "GMT+99", client, t)
            #expect(try await M.call(client, .patch, "/api/v1/campaigns/\(id)", #"{"name":"renamed"}"#).status == .ok)
            let wall = try await M.call(client, .patch, "/api/v1/campaigns/\(id)", #"{"sendAt":"2030-01-01T09:00:00"}"#)
            #expect(wall.status == .badRequest)
            #expect(M.message(wall.text) == "invalid campaign: sendAt '2030-01-01T09:00:00' is a wall time, but the campaign's stored time zone 'GMT+99' is no time zone: add Z or an offset (2025-03-30T09:00:00Z), or set the campaign's timezone")
            let kolkata = try await M.call(client, .patch, "/api/v1/campaigns/\(id)", #"{"timezone":"Asia/Kolkata"}"#)
            #expect(kolkata.status == .ok, "\(kolkata.text)")
            #expect(try await t.store.campaign(id: id)?.timezone == "Asia/Kolkata")
            #expect(try await t.store.campaign(id: id)?.name == "renamed")
        }
    }
}
