import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Audience segment routes (issue 15) on SQLite and PostgreSQL: CRUD with validation naming the
/// field, the preview's count against a brute-force filter over random stored profiles, a campaign
/// whose audience is a segment frozen at publish.
@Suite("Audience segments: routes, preview, campaign audience")
struct SegmentRouteTests {
    static let token = "admin-token"
    typealias Call = ProviderManagementRouteTests

    static func randomProfiles(_ rng: inout SplitMix64, count: Int) -> [Profile] {
        let cities = ["Berlin", "Hamburg", "Köln"]
        let phones = ["+4915112345678", "+16502530000", "+12042345678", "+442079460958", "0151 oops"]
        return (0..<count).map { i in
            var props: [String: JSONValue] = [:]
            switch rng.next() % 4 {
            case 0: props["age"] = .number(Double(rng.next() % 90))
            case 1: props["age"] = .string("\(rng.next() % 90)")
            case 2: props["age"] = .number(Double(rng.next() % 900) / 10)
            default: break
            }
            if rng.next() % 4 != 0 { props["city"] = .string(cities[Int(rng.next() % 3)]) }
            if rng.next() % 3 == 0 { props["since"] = .string("2024-0\(1 + rng.next() % 9)-1\(rng.next() % 10)T0\(rng.next() % 10):00:00Z") }
            if rng.next() % 5 == 0 { props["vip"] = .bool(rng.next() % 2 == 0) }
            let phone = phones[Int(rng.next() % 5)]
            return Profile(
                userId: "p\(i)", phone: phone, phoneValid: phone.hasPrefix("+"), properties: props, optedOut: rng.next() % 4 == 0)
        }
    }

    static func randomRule(_ rng: inout SplitMix64) -> String {
        let cities = ["Berlin", "Hamburg", "Köln"]
        switch rng.next() % 9 {
        case 0: return #"{"field":"properties.age","op":"\#(["gt", "gte", "lt", "lte"][Int(rng.next() % 4)])","value":\#(rng.next() % 90)}"#
        case 1: return #"{"field":"properties.city","op":"\#(["eq", "ne"][Int(rng.next() % 2)])","value":"\#(cities[Int(rng.next() % 3)])"}"#
        case 2: return #"{"field":"properties.city","op":"in","value":["\#(cities[Int(rng.next() % 3)])","\#(cities[Int(rng.next() % 3)])"]}"#
        case 3: return #"{"field":"properties.since","op":"\#(["gt", "lt"][Int(rng.next() % 2)])","value":"2024-0\#(1 + rng.next() % 9)-15"}"#
        case 4: return #"{"field":"country","op":"\#(["eq", "ne"][Int(rng.next() % 2)])","value":"\#(["DE", "US", "CA", "GB"][Int(rng.next() % 4)])"}"#
        case 5: return #"{"field":"optedOut","op":"eq","value":\#(rng.next() % 2 == 0)}"#
        case 6: return #"{"field":"properties.vip","op":"exists","value":\#(rng.next() % 2 == 0)}"#
        case 7: return #"{"field":"country","op":"exists"}"#
        default: return #"{"field":"properties.age","op":"eq","value":"\#(rng.next() % 90)"}"#
        }
    }

    @Test("property: a segment's preview count and a campaign's audience size equal a brute-force filter over random stored profiles", arguments: StoreKind.allCases)
    func countProperty(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: "s") { client, t in
            var rng = SplitMix64(seed: kind == .sqlite ? 7 : 8)
            let profiles = Self.randomProfiles(&rng, count: 1_300)
            try await t.store.upsertProfiles(profiles)
            for round in 0..<25 {
                let rules = (0..<Int(1 + rng.next() % 3)).map { _ in Self.randomRule(&rng) }
                let match = rng.next() % 2 == 0 ? "all" : "any"
                let body = #"{"name":"r\#(round)","match":"\#(match)","rules":[\#(rules.joined(separator: ","))]}"#
                let created = try await Call.call(client, .post, "/api/v1/segments", body)
                #expect(created.status == .created, "\(created.text)")
                let id = try #require(try Call.object(created.text)["id"] as? Int)
                let definition = try #require(try await t.store.segment(id: Int64(id))).definition
                let expected = profiles.filter(definition.matches).map(\.userId).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
                let preview = try Call.object(try await Call.call(client, .get, "/api/v1/segments/\(id)/preview").text)
                #expect(preview["count"] as? Int == expected.count, "\(body)")
                #expect((preview["sample"] as? [[String: Any]])?.compactMap { $0["userId"] as? String } == Array(expected.prefix(10)), "\(body)")
                #expect(try await t.store.audienceSize(.segment(Int64(id))) == expected.count)
                #expect(try await t.store.audienceProfiles(.segment(Int64(id))).profiles.map(\.userId) == expected)
            }
        }
    }

    @Test("create, list, get, PATCH (a 400 names the field and changes nothing), DELETE (409 while an unsent campaign uses it)", arguments: StoreKind.allCases)
    func crud(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: "s") { client, t in
            try await t.store.upsertProfiles([
                Profile(userId: "a", phone: "+4915112345678", phoneValid: true, properties: ["city": .string("Berlin")]),
                Profile(userId: "b", phone: "+16502530000", phoneValid: true, properties: ["city": .string("Berlin")]),
            ])
            let created = try await Call.call(
                client, .post, "/api/v1/segments", #"{"name":"Berliners","rules":[{"field":"properties.city","op":"eq","value":"Berlin"}]}"#)
            #expect(created.status == .created, "\(created.text)")
            let seg = try Call.object(created.text)
            let id = try #require(seg["id"] as? Int)
            #expect(seg["match"] as? String == "all" && seg["name"] as? String == "Berliners")
            #expect((seg["rules"] as? [[String: Any]])?.first?["field"] as? String == "properties.city")
            #expect(try await Self.count(client, id) == 2)
            let listed = try JSONSerialization.jsonObject(with: Data(try await Call.call(client, .get, "/api/v1/segments").text.utf8)) as? [[String: Any]]
            #expect(listed?.count == 1 && listed?.first?["id"] as? Int == id)

            let bad = try await Call.call(client, .post, "/api/v1/segments", #"{"name":"x","match":"most","rules":[{"field":"optedOut","op":"in","value":[true]}]}"#)
            #expect(bad.status == .badRequest)
            #expect(Call.message(bad.text) == #"invalid segment: match must be "all" or "any"; rules[0].op must be one of eq, ne, exists for optedOut"#)

            let before = try await t.store.segment(id: Int64(id))
            let badPatch = try await Call.call(client, .patch, "/api/v1/segments/\(id)", #"{"rules":[{"field":"country","op":"eq","value":"de"}]}"#)
            #expect(badPatch.status == .badRequest)
            #expect(Call.message(badPatch.text) == #"invalid segment: rules[0].value must be an ISO 3166-1 alpha-2 region in capitals such as DE for eq (got "de")"#)
            #expect(try await t.store.segment(id: Int64(id)) == before)
            let patched = try await Call.call(client, .patch, "/api/v1/segments/\(id)", #"{"match":"all","rules":[{"field":"properties.city","op":"eq","value":"Berlin"},{"field":"country","op":"eq","value":"US"}]}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(try Call.object(patched.text)["name"] as? String == "Berliners")
            #expect(try await Self.count(client, id) == 1)

            for (uri, status) in [("/api/v1/segments/999", HTTPResponse.Status.notFound), ("/api/v1/segments/abc", .badRequest)] {
                #expect(try await Call.call(client, .get, uri).status == status)
                #expect(try await Call.call(client, .get, uri + "/preview").status == status)
            }

            // A campaign whose audience is the segment: DELETE is refused while it is unsent.
            let campaign = try await Call.call(
                client, .post, "/api/v1/campaigns", #"{"name":"US Berliners","providerId":"p1","body":"Hi","audience":{"segmentId":\#(id)}}"#)
            #expect(campaign.status == .created, "\(campaign.text)")
            let campaignId = try #require(try Call.object(campaign.text)["id"] as? String)
            let refused = try await Call.call(client, .delete, "/api/v1/segments/\(id)")
            #expect(refused.status == .conflict)
            #expect(Call.message(refused.text) == "segment \(id) is the audience of 1 unsent campaign(s): \(campaignId) (US Berliners)")

            // Publish freezes the audience: later changes to the segment or the profiles change nothing.
            let published = try await Call.call(client, .post, "/api/v1/campaigns/\(campaignId)/publish")
            #expect(published.status == .ok, "\(published.text)")
            #expect(try Call.object(published.text)["queued"] as? Int == 1)
            _ = try await Call.call(client, .patch, "/api/v1/segments/\(id)", #"{"rules":[]}"#)
            try await t.store.upsertProfiles([Profile(userId: "c", phone: "+16502530001", phoneValid: true)])
            #expect(try await Self.count(client, id) == 3)
            #expect(try await t.int("SELECT COUNT(*) FROM messages WHERE campaign_id = ?", [.text(campaignId)]) == 1)
            #expect(try await t.query("SELECT user_id FROM messages WHERE campaign_id = ?", [.text(campaignId)]).first?["user_id"]?.text == "b")

            #expect(try await Call.call(client, .delete, "/api/v1/segments/\(id)").status == .noContent)
            #expect(try await Call.call(client, .get, "/api/v1/segments/\(id)").status == .notFound)
            let unknownAudience = try await Call.call(
                client, .post, "/api/v1/campaigns", #"{"name":"x","providerId":"p1","body":"Hi","audience":{"segmentId":\#(id)}}"#)
            #expect(unknownAudience.status == .badRequest)
            #expect(Call.message(unknownAudience.text).contains("audience is empty: segment \(id) matches no profile (or does not exist)"))
        }
    }

    @Test("the README's promise: a segment read at publish; one that matches no one by then is a 409 and publishes nothing", arguments: StoreKind.allCases)
    func emptyAtPublish(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: "s") { client, t in
            try await t.store.upsertProfiles([
                Profile(userId: "a", phone: "+4915112345678", phoneValid: true, properties: ["city": .string("Berlin")])
            ])
            let created = try await Call.call(
                client, .post, "/api/v1/segments", #"{"name":"Berliners","rules":[{"field":"properties.city","op":"eq","value":"Berlin"}]}"#)
            let id = try #require(try Call.object(created.text)["id"] as? Int)
            let campaign = try await Call.call(
                client, .post, "/api/v1/campaigns", #"{"name":"B","providerId":"p1","body":"Hi","audience":{"segmentId":\#(id)}}"#)
            #expect(campaign.status == .created, "\(campaign.text)")
            let campaignId = try #require(try Call.object(campaign.text)["id"] as? String)
            // The only Berliner moves away before publish: the publish is refused, nothing recorded.
            try await client.execute(uri: "/api/v1/profiles/a", method: .patch, headers: [.authorization: "Bearer \(Self.token)"],
                                     body: ByteBuffer(string: #"{"properties":{"city":"Paris"}}"#)) { #expect($0.status == .ok) }
            #expect(try await Self.count(client, id) == 0)
            let published = try await Call.call(client, .post, "/api/v1/campaigns/\(campaignId)/publish")
            #expect(published.status == .conflict, "\(published.text)")
            #expect(Call.message(published.text) == "audience is empty: segment \(id) matches no profile (or does not exist); nothing was published")
            #expect(try await t.store.campaign(id: campaignId)?.status == .draft)
            #expect(try await t.int("SELECT COUNT(*) FROM messages WHERE campaign_id = ?", [.text(campaignId)]) == 0)
        }
    }

    static func count(_ client: any TestClientProtocol, _ id: Int) async throws -> Int? {
        try Call.object(try await Call.call(client, .get, "/api/v1/segments/\(id)/preview").text)["count"] as? Int
    }
}
