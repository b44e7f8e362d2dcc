import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Issue 12 (a new user's findings): a campaign has an `ETag` and its PATCH honours `If-Match`
/// by the same mechanism as a provider's (``EntityTag``); a 412 quotes `If-Match` as the client
/// sent it, on both routes. SQLite and PostgreSQL.
@Suite("Campaign ETag / If-Match; If-Match echoed as sent")
struct CampaignETagRouteTests {
    typealias M = ProviderManagementRouteTests
    typealias P = ProviderMendsRouteTests

    @Test("GET gives the ETag; PATCH with it succeeds and gives the new one (= GET's); a stale or other one is 412 and changes nothing", arguments: StoreKind.allCases)
    func campaignIfMatch(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await CampaignManagementRouteTests.seed(t)
            let id = try await CampaignManagementRouteTests.create(client)
            let stored = try #require(try await t.store.campaign(id: id))
            let get = try await P.call(client, .get, "/api/v1/campaigns/\(id)")
            let tag0 = try #require(get.etag)
            #expect(tag0 == EntityTag.campaign(stored))
            #expect(tag0.count == 18 && tag0.first == "\"" && tag0.last == "\"")

            let first = try await P.call(client, .patch, "/api/v1/campaigns/\(id)", #"{"name":"Summer"}"#, ifMatch: tag0)
            #expect(first.status == .ok, "\(first.text)")
            let tag1 = try #require(first.etag)
            #expect(tag1 != tag0)
            #expect(try await P.call(client, .get, "/api/v1/campaigns/\(id)").etag == tag1)

            // A second writer that read the first version loses; nothing changes.
            let before = try #require(try await t.store.campaign(id: id))
            let stale = try await P.call(client, .patch, "/api/v1/campaigns/\(id)", #"{"name":"Winter"}"#, ifMatch: tag0)
            #expect(stale.status == .preconditionFailed)
            #expect(M.message(stale.text) == "campaign '\(id)' has ETag \(tag1); If-Match named \(tag0): read it again and retry")
            // Echoed as sent: a weak tag, a list, spaces.
            let weak = try await P.call(client, .patch, "/api/v1/campaigns/\(id)", #"{"name":"Winter"}"#, ifMatch: #"W/"0",  "abc""#)
            #expect(weak.status == .preconditionFailed)
            #expect(M.message(weak.text) == #"campaign '\#(id)' has ETag \#(tag1); If-Match named W/"0",  "abc": read it again and retry"#)
            #expect(try await t.store.campaign(id: id) == before)

            // Weak form of the current tag, a list holding it, and * match.
            let w = try await P.call(client, .patch, "/api/v1/campaigns/\(id)", #"{"name":"A"}"#, ifMatch: "W/" + tag1)
            #expect(w.status == .ok, "\(w.text)")
            let tag2 = try #require(w.etag)
            #expect(try await P.call(client, .patch, "/api/v1/campaigns/\(id)", #"{"name":"B"}"#, ifMatch: #""x", \#(tag2)"#).status == .ok)
            #expect(try await P.call(client, .patch, "/api/v1/campaigns/\(id)", #"{"name":"C"}"#, ifMatch: "*").status == .ok)
            #expect(try await P.call(client, .patch, "/api/v1/campaigns/\(id)", #"{"name":"D"}"#).status == .ok)
            #expect(try await t.store.campaign(id: id)?.name == "D")

            // Not an entity tag: 400 naming If-Match and what was sent; unknown campaign stays 404.
            let bad = try await P.call(client, .patch, "/api/v1/campaigns/\(id)", #"{"name":"E"}"#, ifMatch: "abc")
            #expect(bad.status == .badRequest)
            #expect(M.message(bad.text) == "invalid If-Match: must be * or the campaign's ETag (the value of the ETag header of GET, in quotes), got 'abc'")
            #expect(try await P.call(client, .patch, "/api/v1/campaigns/nope", #"{"name":"E"}"#, ifMatch: tag0).status == .notFound)
            #expect(try await t.store.campaign(id: id)?.name == "D")
        }
    }

    @Test("a provider's 412 quotes If-Match as sent: \"-0\" is not \"0\", W/\"1\" stays W/\"1\"", arguments: StoreKind.allCases)
    func providerEcho(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            #expect(try await P.call(client, .patch, "/api/v1/providers/p1", #"{"name":"A"}"#, ifMatch: #""0""#).etag == #""1""#)
            let minusZero = try await P.call(client, .patch, "/api/v1/providers/p1", #"{"name":"B"}"#, ifMatch: #""-0""#)
            #expect(minusZero.status == .preconditionFailed)
            #expect(M.message(minusZero.text) == #"provider 'p1' is at version 1 (ETag "1"); If-Match named "-0": read it again and retry"#)
            let weakStale = try await P.call(client, .patch, "/api/v1/providers/p1", #"{"name":"B"}"#, ifMatch: #"W/"0""#)
            #expect(weakStale.status == .preconditionFailed)
            #expect(M.message(weakStale.text) == #"provider 'p1' is at version 1 (ETag "1"); If-Match named W/"0": read it again and retry"#)
            let leadingZero = try await P.call(client, .patch, "/api/v1/providers/p1", #"{"name":"B"}"#, ifMatch: #""01""#)
            #expect(leadingZero.status == .preconditionFailed)
            #expect(M.message(leadingZero.text) == #"provider 'p1' is at version 1 (ETag "1"); If-Match named "01": read it again and retry"#)
            let long = "\"" + String(repeating: "9", count: 100) + "\""
            let cut = try await P.call(client, .patch, "/api/v1/providers/p1", #"{"name":"B"}"#, ifMatch: long)
            #expect(M.message(cut.text) == #"provider 'p1' is at version 1 (ETag "1"); If-Match named "# + InputEcho.text(long) + ": read it again and retry")
            #expect(try await t.store.provider(id: "p1")?.name == "A")
        }
    }
}
