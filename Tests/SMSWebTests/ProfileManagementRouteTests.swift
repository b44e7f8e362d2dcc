import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Profile management routes (issue 15): listing with cursor and filters, one profile with its
/// messages, PATCH validated like the upsert (a 400 naming the field changes nothing), DELETE =
/// erasure; on SQLite and PostgreSQL.
@Suite("Profile management: list, get, PATCH, DELETE")
struct ProfileManagementRouteTests {
    static let token = "admin-token"
    typealias Call = ProviderManagementRouteTests

    static func seed(_ t: TestStore) async throws {
        var profiles: [Profile] = []
        for i in 0..<25 {
            let two = String(format: "%02d", i)
            let city: JSONValue = .string(i % 2 == 0 ? "Berlin" : "Hamburg")
            let properties: [String: JSONValue] = ["city": city, "n": .number(Double(i))]
            profiles.append(
                Profile(userId: "user" + two, phone: "+49151123456" + two, phoneValid: true, properties: properties, optedOut: i % 5 == 0))
        }
        profiles.append(Profile(userId: "us1", phone: "+16502530000", phoneValid: true, properties: ["city": .string("Berlin")]))
        profiles.append(Profile(userId: "x-invalid", phone: "0151 oops", phoneValid: false))
        try await t.store.upsertProfiles(profiles)
    }

    static func ids(_ text: String) throws -> [String] {
        let page = try Call.object(text)
        return (page["profiles"] as? [[String: Any]] ?? []).compactMap { $0["userId"] as? String }
    }

    @Test("listing: filters, search by user id prefix or phone, cursor pages covering everything once", arguments: StoreKind.allCases)
    func listing(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: "s") { client, t in
            try await Self.seed(t)
            let all = try await Call.call(client, .get, "/api/v1/profiles")
            #expect(all.status == .ok, "\(all.text)")
            #expect(try Self.ids(all.text).count == 27)
            #expect(try Call.object(all.text)["nextCursor"] is NSNull)
            let first = try Call.object(all.text)["profiles"] as? [[String: Any]]
            // Byte order of the user id: "us1" < "user00".
            #expect(first?.first?["userId"] as? String == "us1" && first?.first?["country"] as? String == "US")
            #expect(first?[1]["phone"] as? String == "+4915112345600" && first?[1]["country"] as? String == "DE")

            // Pages of 10: 3 pages, every profile once, in user id order.
            var seen: [String] = []
            var uri = "/api/v1/profiles?limit=10"
            var pages = 0
            while pages < 10 {
                let r = try await Call.call(client, .get, uri)
                #expect(r.status == .ok, "\(r.text)")
                seen += try Self.ids(r.text)
                pages += 1
                guard let next = try Call.object(r.text)["nextCursor"] as? String else { break }
                uri = "/api/v1/profiles?limit=10&cursor=\(next)"
            }
            #expect(seen == (try Self.ids(all.text)))
            #expect(pages == 3)

            #expect(try Self.ids(await Call.call(client, .get, "/api/v1/profiles?country=US").text) == ["us1"])
            #expect(try Self.ids(await Call.call(client, .get, "/api/v1/profiles?q=user2").text) == ["user20", "user21", "user22", "user23", "user24"])
            #expect(try Self.ids(await Call.call(client, .get, "/api/v1/profiles?q=%2B49%20151%2012345607").text) == ["user07"])
            // q is a prefix of the E.164 digits (the README's example), as typed: +49151, 0049 151, 49151.
            let german = (0..<25).map { "user" + String(format: "%02d", $0) }
            for q in ["%2B49151", "0049%20151", "49151", "%2B49151123456"] {
                #expect(try Self.ids(await Call.call(client, .get, "/api/v1/profiles?q=\(q)&limit=100").text) == german, "q=\(q)")
            }
            #expect(try Self.ids(await Call.call(client, .get, "/api/v1/profiles?q=%2B4915112345601").text) == ["user01"])
            #expect(try Self.ids(await Call.call(client, .get, "/api/v1/profiles?q=%2B491511234561&limit=3").text) == ["user10", "user11", "user12"])
            #expect(try Self.ids(await Call.call(client, .get, "/api/v1/profiles?q=%2B1650").text) == ["us1"])
            #expect(try Self.ids(await Call.call(client, .get, "/api/v1/profiles?q=user_").text) == [])
            #expect(try Self.ids(await Call.call(client, .get, "/api/v1/profiles?q=%25").text) == [])
            #expect(try Self.ids(await Call.call(client, .get, "/api/v1/profiles?q=%2B49151&property.city=Hamburg&optedOut=false").text)
                == ["user01", "user03", "user07", "user09", "user11", "user13", "user17", "user19", "user21", "user23"])
            #expect(try Self.ids(await Call.call(client, .get, "/api/v1/profiles?optedOut=true").text) == ["user00", "user05", "user10", "user15", "user20"])
            let berlinIn = try Self.ids(await Call.call(client, .get, "/api/v1/profiles?property.city=Berlin&optedOut=false").text)
            #expect(berlinIn == ["us1", "user02", "user04", "user06", "user08", "user12", "user14", "user16", "user18", "user22", "user24"])
            #expect(try Self.ids(await Call.call(client, .get, "/api/v1/profiles?property.n=7").text) == ["user07"])

            for (uri, message) in [
                ("/api/v1/profiles?limit=0", "limit must be an integer from 1 to 1000 (got '0')"),
                ("/api/v1/profiles?country=XX", "country: \"XX\" is not a region of the numbering plans; expected an ISO 3166-1 alpha-2 code in capitals such as DE, US, GB"),
                ("/api/v1/profiles?optedOut=yes", "optedOut must be true or false (got 'yes')"),
                ("/api/v1/profiles?property.=Berlin", "property.: the property name is empty; filter by a property as property.<name>=<value> (property.city=Berlin)"),
                ("/api/v1/profiles?cursor=zzz", "cursor: not a cursor of this listing (pass nextCursor as it was given)"),
            ] {
                let r = try await Call.call(client, .get, uri)
                #expect(r.status == .badRequest, "\(uri)")
                #expect(Call.message(r.text) == message, "\(uri)")
            }
        }
    }

    @Test("one profile with its messages; 404 for an unknown one", arguments: StoreKind.allCases)
    func one(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: "s") { client, t in
            try await Self.seed(t)
            try await t.store.insertCampaign(Campaign(
                id: "c1", name: "Spring", providerId: "p1", body: "Hi", links: [], audience: .all, timezone: "UTC", goal: nil, createdAt: 100))
            try await t.store.insertMessages([
                NewMessage(campaignId: "c1", userId: "user03", phone: "+4915112345603", meta: "m3", body: "Hi there", segments: 1,
                           dispatch: .control, createdAt: 200, links: [])
            ])
            let r = try await Call.call(client, .get, "/api/v1/profiles/user03")
            #expect(r.status == .ok, "\(r.text)")
            let o = try Call.object(r.text)
            #expect(o["userId"] as? String == "user03" && o["country"] as? String == "DE")
            #expect((o["properties"] as? [String: Any])?["city"] as? String == "Hamburg")
            let messages = o["messages"] as? [[String: Any]] ?? []
            #expect(messages.count == 1)
            #expect(messages.first?["campaignId"] as? String == "c1" && messages.first?["body"] as? String == "Hi there")
            #expect(messages.first?["outcome"] as? String == "control" && messages.first?["createdAt"] as? Int == 200)
            let missing = try await Call.call(client, .get, "/api/v1/profiles/nobody")
            #expect(missing.status == .notFound && Call.message(missing.text) == "unknown profile 'nobody'")
        }
    }

    @Test("PATCH merges properties, sets phone and opt-out; an invalid field is a 400 naming it and changes nothing", arguments: StoreKind.allCases)
    func patch(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: "s") { client, t in
            try await Self.seed(t)
            let before = try #require(try await t.store.profile(userId: "user05"))
            let cases: [(String, String)] = [
                (#"{"phone":"12"}"#, "invalid profile: phone: " + String(describing: Result { () throws(PhoneNumberError) in try PhoneNumber.normalize("12") }.failureText)),
                (#"{"name":"x","phone":"0151 23456789","region":"XX"}"#, "invalid profile: region: \"XX\" is not a region of the numbering plans; expected an ISO 3166-1 alpha-2 code in capitals such as DE, US, GB"),
                (#"{"optedOut":"no"}"#, "invalid profile: optedOut should be true or false"),
                (#"{"optedOut":null}"#, "invalid profile: optedOut must be true or false (got null)"),
                (#"{"properties":[1]}"#, "invalid profile: properties should be a JSON object"),
                (#"{"name":"x","userId":"other"}"#, "invalid profile: unknown field 'userId': the fields are name, optedOut, phone, properties, region"),
                (#"{"name":"a\u0000b"}"#, "invalid profile: name contains U+0000 (NUL) at position 1"),
                (#"{"properties":{"k\u0000":1}}"#, "invalid profile: a key of properties"),
                (#"[1]"#, "invalid profile: body should be a JSON object"),
            ]
            for (body, expected) in cases {
                let r = try await Call.call(client, .patch, "/api/v1/profiles/user05", body)
                #expect(r.status == .badRequest, "\(body): \(r.text)")
                #expect(Call.message(r.text).hasPrefix(expected), "\(body): \(Call.message(r.text))")
            }
            #expect(try await t.store.profile(userId: "user05") == before)

            let r = try await Call.call(
                client, .patch, "/api/v1/profiles/user05",
                #"{"phone":"0151 23456789","region":"DE","properties":{"city":null,"plan":"pro"},"optedOut":false,"name":"Jo"}"#)
            #expect(r.status == .ok, "\(r.text)")
            let after = try #require(try await t.store.profile(userId: "user05"))
            #expect(after == Profile(
                userId: "user05", phone: "+4915123456789", phoneValid: true, name: "Jo",
                properties: ["n": .number(5), "plan": .string("pro")], optedOut: false))
            #expect(try Call.object(r.text)["phone"] as? String == "+4915123456789")
            let unknown = try await Call.call(client, .patch, "/api/v1/profiles/nobody", #"{"name":"x"}"#)
            #expect(unknown.status == .notFound)
        }
    }

    @Test("DELETE erases (200 with what was changed), then 404", arguments: StoreKind.allCases)
    func delete(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: "s") { client, t in
            try await Self.seed(t)
            let r = try await Call.call(client, .delete, "/api/v1/profiles/user07")
            #expect(r.status == .ok, "\(r.text)")
            let report = try Call.object(r.text)
            #expect(report["userId"] as? String == "user07" && report["profileDeleted"] as? Bool == true)
            #expect(try await t.store.profile(userId: "user07") == nil)
            #expect(try await t.store.profileCount() == 26)
            let again = try await Call.call(client, .delete, "/api/v1/profiles/user07")
            #expect(again.status == .notFound && Call.message(again.text) == "unknown profile 'user07'")
        }
    }

    /// Issue 15: 20 PATCHes of one profile at once, each adding its own property key, all answered
    /// 200, kept only some keys (read-modify-write outside one transaction). Every key survives.
    @Test("20 concurrent PATCHes of one profile keep all 20 property keys", arguments: StoreKind.allCases)
    func concurrentPatches(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: "s") { client, t in
            try await Self.seed(t)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for n in 0..<20 {
                    group.addTask { try await Call.call(client, .patch, "/api/v1/profiles/user07", #"{"properties":{"k\#(n)":\#(n)}}"#).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: .ok, count: 20))
            let after = try #require(try await t.store.profile(userId: "user07"))
            var expected: [String: JSONValue] = ["city": .string("Hamburg"), "n": .number(7)]
            for n in 0..<20 { expected["k\(n)"] = .number(Double(n)) }
            #expect(after.properties == expected)
        }
    }
}

extension Result where Failure == PhoneNumberError {
    var failureText: String {
        if case .failure(let e) = self { return "\(e)" }
        return "accepted"
    }
}
