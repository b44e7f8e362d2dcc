import Foundation
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
import Testing

@testable import SMSWeb

/// The default region for national-form phones (issue 12): `"region"` on a JSON profile, the
/// `phone_region` CSV column and the `?region=` query parameter of the import, on both stores.
@Suite("Profile phone default region")
struct ProfileRegionRouteTests {
    static func post(_ client: some TestClientProtocol, _ uri: String, _ body: String, type: String = "application/json") async throws -> TestResponse {
        try await client.execute(
            uri: uri, method: .post,
            headers: [.authorization: "Bearer \(CallbackTestApp.adminToken)", .contentType: type],
            body: ByteBuffer(string: body))
    }

    static func json(_ r: TestResponse) throws -> [String: Any] {
        try #require(try r.json() as? [String: Any])
    }

    @Test(arguments: StoreKind.allCases)
    func jsonProfilesReadNationalPhonesWithTheirRegion(kind: StoreKind) async throws {
        let app = try await CallbackTestApp.make()
        let testStore = try await TestStore.make(kind)
        let store = testStore.store
        try await app.test(store: store) { client in
            let body = #"""
                [{"userId":"de","phone":"0151 23456789","region":"DE"},
                 {"userId":"us","phone":"(415) 555-2671","region":"US"},
                 {"userId":"gb","phone":"+44 0 20 7946 0958","region":"DE"},
                 {"userId":"none","phone":"0151 23456789"},
                 {"userId":"nanp","phone":"+1 055 234 5678"}]
                """#
            let r = try await Self.post(client, "/api/v1/profiles", body)
            #expect(r.status == .ok)
            let warnings = try #require(try Self.json(r)["warnings"] as? [[String: Any]])
            #expect(warnings.map { $0["row"] as? Int } == [3, 4])
            #expect(
                warnings.map { $0["problem"] as? String } == [
                    "invalid phone: " + PhoneNumberError.missingCountryCode.description,
                    "invalid phone: phone number +1… matches no number range (fixed line, mobile, toll free, …) of the +1 numbering plan",
                ])
        }
        func phone(_ userId: String) async throws -> (String?, Bool) {
            let profile = try #require(try await store.profile(userId: userId))
            return (profile.phone, profile.phoneValid)
        }
        #expect(try await phone("de") == ("+4915123456789", true))
        #expect(try await phone("us") == ("+14155552671", true))
        #expect(try await phone("gb") == ("+442079460958", true))
        #expect(try await phone("none") == ("0151 23456789", false))
        #expect(try await store.profile(userId: "nanp")?.phoneValid == false)
        await testStore.close()
    }

    @Test(arguments: StoreKind.allCases)
    func anUnknownRegionIsA400NamingTheField(kind: StoreKind) async throws {
        let app = try await CallbackTestApp.make()
        let testStore = try await TestStore.make(kind)
        let store = testStore.store
        try await app.test(store: store) { client in
            let r1 = try await Self.post(
                client, "/api/v1/profiles", #"[{"userId":"a","phone":"0151 23456789","region":"DE"},{"userId":"b","phone":"1","region":"XX"}]"#)
            #expect(r1.status == .badRequest)
            let e1 = try #require(try Self.json(r1)["error"] as? [String: Any])
            #expect(
                e1["message"] as? String
                    == #"profiles[1].region: "XX" is not a region of the numbering plans; expected an ISO 3166-1 alpha-2 code in capitals such as DE, US, GB"#)
            let r2 = try await Self.post(client, "/api/v1/profiles/import?region=Germany", "userId,phone\nu1,0151 23456789\n", type: "text/csv")
            #expect(r2.status == .badRequest)
            let e2 = try #require(try Self.json(r2)["error"] as? [String: Any])
            #expect(
                e2["message"] as? String
                    == #"region: "Germany" is not a region of the numbering plans; expected an ISO 3166-1 alpha-2 code in capitals such as DE, US, GB"#)
        }
        #expect(try await store.profileCount() == 0)
        await testStore.close()
    }

    @Test(arguments: StoreKind.allCases)
    func theImportTakesAQueryRegionAndAPhoneRegionColumn(kind: StoreKind) async throws {
        let app = try await CallbackTestApp.make()
        let testStore = try await TestStore.make(kind)
        let store = testStore.store
        let csv = """
            userId,phone,phone_region,region
            de,0151 23456789,,EMEA
            fr,06 12 34 56 78,FR,EMEA
            us,+1 415 555 2671,,AMER
            bad,0151 23456789,ZZ,EMEA

            """
        try await app.test(store: store) { client in
            let r = try await Self.post(client, "/api/v1/profiles/import?region=DE", csv, type: "text/csv")
            #expect(r.status == .ok)
            let json = try Self.json(r)
            // A phone_region naming no region is a row error (issue 12: it was a silent warning
            // while JSON's region was a 400): the row is rejected naming the cell; the others import.
            #expect(json["upserted"] as? Int == 3)
            #expect(json["rejected"] as? Int == 1)
            let warnings = try #require(json["warnings"] as? [[String: Any]])
            #expect(warnings.map { $0["row"] as? Int } == [5])
            #expect(warnings.map { $0["problem"] as? String } == [
                #"rejected: phone_region: "ZZ" is not a region of the numbering plans; expected an ISO 3166-1 alpha-2 code in capitals such as DE, US, GB"#,
            ])
        }
        let de = try #require(try await store.profile(userId: "de"))
        #expect((de.phone, de.phoneValid) == ("+4915123456789", true))
        // "region" is not the phone's region: it stays a property; phone_region is not one.
        #expect(de.properties == ["region": .string("EMEA")])
        let fr = try #require(try await store.profile(userId: "fr"))
        #expect((fr.phone, fr.phoneValid) == ("+33612345678", true))
        #expect(try await store.profile(userId: "us")?.phone == "+14155552671")
        #expect(try await store.profile(userId: "bad") == nil)
        await testStore.close()
    }

    @Test("openapi.json lists exactly the regions the server accepts")
    func theContractListsTheRegions() throws {
        let document = try OpenAPIRangesTests.document()
        let region = try #require(OpenAPIRangesTests.at("components/schemas/Region/enum", in: document) as? [String])
        #expect(region == PhoneNumberMetadata.shared.supportedRegions)
        #expect(region.count == 245)
    }
}
