import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// The `{userId}` of `/api/v1/profiles/{userId}` is percent-decoded (issue 15, a new-user
/// tester's finding: `a%20b` looked for the literal `a%20b`); a malformed escape is a 400 naming
/// `userId`; the user id `import` is reached at `/api/v1/profiles/import` with GET, PATCH and
/// DELETE while POST there stays the CSV import. On SQLite and PostgreSQL.
@Suite("Profile paths: percent-decoding and the user id 'import'")
struct ProfilePathRouteTests {
    static let token = "admin-token"
    typealias Call = ProviderManagementRouteTests

    static let ids = ["a b", "ü-ß", "a/b", "100%", "import", "plain"]

    static func seed(_ t: TestStore) async throws {
        try await t.store.upsertProfiles(ids.enumerated().map { i, id in
            Profile(userId: id, phone: "+4915112345\(String(format: "%03d", i))", phoneValid: true, name: "name \(i)")
        })
    }

    @Test("encoded ids reach their profile for GET, PATCH and DELETE; a malformed escape is a 400 naming userId", arguments: StoreKind.allCases)
    func decoded(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: "s") { client, t in
            try await Self.seed(t)
            for (path, id) in [("a%20b", "a b"), ("%C3%BC-%C3%9F", "ü-ß"), ("a%2Fb", "a/b"), ("100%25", "100%"), ("pl%61in", "plain")] {
                let r = try await Call.call(client, .get, "/api/v1/profiles/\(path)")
                #expect(r.status == .ok, "\(path): \(r.text)")
                #expect(try Call.object(r.text)["userId"] as? String == id, "\(path)")
            }
            let patched = try await Call.call(client, .patch, "/api/v1/profiles/a%20b", #"{"name":"Ada"}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(try await t.store.profile(userId: "a b")?.name == "Ada")

            for bad in ["%zz", "a%", "a%2", "%FF", "%C3", "%00", "a%0Ab"] {
                let before = try await t.store.profileCount()
                for method in [HTTPRequest.Method.get, .patch, .delete] {
                    let r = try await Call.call(client, method, "/api/v1/profiles/\(bad)", method == .patch ? #"{"name":"x"}"# : nil)
                    #expect(r.status == .badRequest, "\(method) \(bad): \(r.status) \(r.text)")
                    #expect(Call.message(r.text).hasPrefix("userId"), "\(bad): \(r.text)")
                }
                #expect(try await t.store.profileCount() == before)
            }
            #expect(Call.message(try await Call.call(client, .get, "/api/v1/profiles/%zz").text)
                == "userId: '%zz' is not valid percent-encoding (each % must start %XX with two hex digits, and the bytes must be UTF-8)")
            #expect(Call.message(try await Call.call(client, .get, "/api/v1/profiles/%00").text)
                == "userId contains the control character U+0000 at position 0: an identifier may not hold control characters (U+0000–U+001F, U+007F)")

            let erased = try await Call.call(client, .delete, "/api/v1/profiles/a%2Fb")
            #expect(erased.status == .ok, "\(erased.text)")
            #expect(try Call.object(erased.text)["userId"] as? String == "a/b")
            #expect(try await t.store.profile(userId: "a/b") == nil)
            #expect(try await t.store.profileCount() == Self.ids.count - 1)
        }
    }

    @Test("/api/v1/profiles/import: GET, PATCH and DELETE mean the profile 'import', POST stays the CSV import", arguments: StoreKind.allCases)
    func importUser(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: "s") { client, t in
            try await Self.seed(t)
            let one = try await Call.call(client, .get, "/api/v1/profiles/import")
            #expect(one.status == .ok, "\(one.text)")
            #expect(try Call.object(one.text)["userId"] as? String == "import" && Call.object(one.text)["name"] as? String == "name 4")
            let encoded = try await Call.call(client, .get, "/api/v1/profiles/%69mport")
            #expect(try Call.object(encoded.text)["userId"] as? String == "import")
            let patched = try await Call.call(client, .patch, "/api/v1/profiles/import", #"{"name":"Imp"}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(try await t.store.profile(userId: "import")?.name == "Imp")

            // POST is still the import.
            let csv = try await client.execute(
                uri: "/api/v1/profiles/import", method: .post,
                headers: [.authorization: "Bearer \(Self.token)", .contentType: "text/csv"],
                body: ByteBuffer(string: "userId,phone\nnew1,+4915199999991\n")
            ) { ($0.status, String(buffer: $0.body)) }
            #expect(csv.0 == .ok, "\(csv.1)")
            #expect(try await t.store.profile(userId: "new1")?.phone == "+4915199999991")
            let head = try await client.execute(uri: "/api/v1/profiles/import", method: .put, headers: [.authorization: "Bearer \(Self.token)"]) {
                ($0.status, $0.headers[.allow])
            }
            #expect(head.0 == .methodNotAllowed && head.1 == "DELETE, GET, PATCH, POST")

            let erased = try await Call.call(client, .delete, "/api/v1/profiles/import")
            #expect(erased.status == .ok, "\(erased.text)")
            #expect(try await t.store.profile(userId: "import") == nil)
            let gone = try await Call.call(client, .get, "/api/v1/profiles/import")
            #expect(gone.status == .notFound && Call.message(gone.text) == "unknown profile 'import'")
        }
    }

    @Test("the dashboard's links encode a user id as one path segment, 'import' as %69mport")
    func links() {
        #expect(ProfileManagementController.pathComponent("import") == "%69mport")
        #expect(ProfileManagementController.pathComponent("a b/c") == "a%20b%2Fc")
        #expect(ProfileManagementController.pathComponent("u-1_x") == "u-1_x")
        for id in ["import", "a b/c", "100%", "ü"] {
            #expect(ProfileManagementController.pathComponent(id).removingPercentEncoding == id)
        }
    }

    @Test("dashboard: the list links the user 'import' as /profiles/%69mport, which shows that profile; 'a b' is reached and erased by its encoded path")
    func dashboard() async throws {
        let (app, store) = try await DashboardFixture.app()
        try await store.upsertProfiles([
            Profile(userId: "import", phone: "+4915112345001", phoneValid: true, name: "Imp"),
            Profile(userId: "a b", phone: "+4915112345002", phoneValid: true, name: "Space"),
        ])
        try await app.test(.router) { client in
            let (cookie, csrf) = try await DashboardFixture.signIn(client)
            let list = try await client.execute(uri: "/profiles", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(list.contains(#"<a href="/profiles/%69mport">import</a>"#), "\(list)")
            #expect(list.contains(#"<a href="/profiles/a%20b">a b</a>"#))
            let page = try await client.execute(uri: "/profiles/%69mport", method: .get, headers: [.cookie: cookie]) {
                ($0.status, String(buffer: $0.body))
            }
            #expect(page.0 == .ok)
            #expect(DashboardFixture.text(page.1, #"data-profile="name""#) == "Imp")
            let upload = try await client.execute(uri: "/profiles/import", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(upload.contains(#"action="/profiles/import""#))
            let space = try await client.execute(uri: "/profiles/a%20b", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(DashboardFixture.text(space, #"data-profile="name""#) == "Space")
            #expect(space.contains(#"action="/profiles/a%20b/erase""#))
            let erased = try await client.execute(
                uri: "/profiles/a%20b/erase", method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=\(csrf)&confirm=a+b")
            ) { $0.status }
            #expect(erased == .ok)
            #expect(try await store.profile(userId: "a b") == nil)
            #expect(try await store.profile(userId: "import")?.name == "Imp")
        }
    }
}
