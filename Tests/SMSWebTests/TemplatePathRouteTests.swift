import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
import Testing

/// Issue 12 (a new user's findings, item 5): a placeholder outside sections whose path runs into a
/// plain value (`{{properties.city.x.y}}` where every profile's `city` is text) or to a key no
/// profile's object has renders empty for everyone: refused at creation naming the placeholder,
/// by the property paths the stored profiles hold. Inside a section the lookup may be the
/// section's value or the profile's (`{{#vip}}{{points}}{{/vip}}`), so only the first key is
/// checked there. SQLite and PostgreSQL.
@Suite("Template placeholders: a path into a plain value is refused at creation")
struct TemplatePathRouteTests {
    typealias M = ProviderManagementRouteTests

    static func create(_ client: any TestClientProtocol, body: String, defaults: String = "{}") async throws -> (HTTPResponse.Status, String) {
        let bodyJSON = String(decoding: try JSONEncoder().encode(body), as: UTF8.self)
        let r = try await M.call(
            client, .post, "/api/v1/campaigns", #"{"name":"T","providerId":"p1","body":\#(bodyJSON),"audience":{"all":true},"defaults":\#(defaults)}"#)
        return (r.status, M.message(r.text))
    }

    @Test(arguments: StoreKind.allCases)
    func pathsByTheProfiles(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await t.store.upsertProfiles([
                Profile(userId: "u1", phone: "+4915112345678", phoneValid: true, properties: [
                    "city": .string("Berlin"), "address": .object(["zip": .string("10115"), "geo": .object(["lat": .number(52.5)])]),
                    "tags": .array([.object(["name": .string("a")])]), "vip": .bool(true), "points": .number(3),
                ]),
                Profile(userId: "u2", phone: "+4915112345679", phoneValid: true, properties: ["city": .object(["name": .string("Köln")])]),
                Profile(userId: "u3", phone: "+4915112345670", phoneValid: true, properties: ["region": .string("NRW")]),
            ])
            #expect(try await t.store.profilePropertyPaths()
                == ["city", "city.name", "address", "address.zip", "address.geo", "address.geo.lat", "tags", "vip", "points", "region"])
            let unknown = { (name: String) in
                "invalid campaign: unknown template placeholder '\(name)': no profile has that field and defaults has no value for it"
            }
            for (body, expected) in [
                ("{{properties.region.x.y}}", unknown("properties.region.x.y")),
                ("Hi {{region.x}}", unknown("region.x")),
                ("{{{properties.address.street}}}", unknown("properties.address.street")),
                ("{{&address.geo.lat.deg}}", unknown("address.geo.lat.deg")),
                ("{{tags.name}}", unknown("tags.name")),
            ] {
                let (status, message) = try await Self.create(client, body: body)
                #expect(status == .badRequest, "\(body)")
                #expect(message == expected, "\(body)")
            }
            // Paths some profile holds, a default, and names inside sections are taken.
            for body in [
                "{{city.name}} {{properties.address.geo.lat}} {{address.zip}}", "{{#vip}}{{points}} {{region}}{{/vip}}",
                "{{#address}}{{zip}}{{/address}}", "{{#tags}}{{name}}{{/tags}}", "{{^vip}}{{city}}{{/vip}}",
            ] {
                let (status, message) = try await Self.create(client, body: body)
                #expect(status == .created, "\(body): \(message)")
            }
            let (status, message) = try await Self.create(client, body: "{{properties.region.x.y}}", defaults: #"{"properties.region.x.y":"-"}"#)
            #expect(status == .created, "\(message)")
            #expect(try await t.store.campaigns().count == 6)
        }
    }
}
