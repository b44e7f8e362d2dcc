import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
import Testing

@testable import SMSWeb

/// `POST /api/v1/profiles/import` on both stores: a malformed or non-UTF-8 file is a 400 naming the
/// line (and byte offset) and imports nothing, not even its good rows; a well-formed one imports.
@Suite("Profile CSV import route")
struct ProfileImportRouteTests {
    static func upload(_ client: some TestClientProtocol, _ bytes: [UInt8]) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/v1/profiles/import", method: .post,
            headers: [.authorization: "Bearer \(CallbackTestApp.adminToken)", .contentType: "text/csv"],
            body: ByteBuffer(bytes: bytes))
    }

    static func message(_ r: TestResponse) throws -> String {
        let json = try #require(try r.json() as? [String: Any])
        return try #require((json["error"] as? [String: Any])?["message"] as? String)
    }

    @Test(arguments: StoreKind.allCases)
    func aMalformedFileIsRefusedWholeWithItsLine(kind: StoreKind) async throws {
        let app = try await CallbackTestApp.make()
        let testStore = try await TestStore.make(kind)
        let store = testStore.store
        try await store.upsertProfiles([Profile(userId: "u1", phone: "+4915123456789", phoneValid: true, name: "Old", properties: [:])])
        try await app.test(store: store) { client in
            let unterminated = "userId,phone,name\nu1,+4915123456789,New\nu2,+4915123456780,B\nu3,,C\nu4,,D\nu5,,E\nu6,\"+49151,F\nu7,,G\n"
            let r1 = try await Self.upload(client, Array(unterminated.utf8))
            #expect(r1.status == .badRequest)
            #expect(
                try Self.message(r1)
                    == "the CSV was not imported (nothing was stored): line 7: unterminated quoted field (field 2 opens with a quote that is never closed)")
            let tooMany = "userId,phone,name,city\nu1,+4915123456789,New,Paris\nu2,+4915123456780,B,Rome,extra\n"
            let r2 = try await Self.upload(client, Array(tooMany.utf8))
            #expect(r2.status == .badRequest)
            #expect(try Self.message(r2) == "the CSV was not imported (nothing was stored): line 3: 5 fields, header has 4")
            let latin1 = Array("userId,name\nu1,New\nu2,Jos".utf8) + [0xE9]
            let r3 = try await Self.upload(client, latin1)
            #expect(r3.status == .badRequest)
            #expect(
                try Self.message(r3)
                    == "the CSV is not valid UTF-8: line 3: not valid UTF-8 at byte offset 25 (save the file as UTF-8, e.g. \"CSV UTF-8\", and upload it again)")
        }
        // Nothing of the refused files was stored: u1 keeps its old name, u2… do not exist.
        #expect(try await store.profileCount() == 1)
        #expect(try await store.profile(userId: "u1")?.name == "Old")
        #expect(try await store.profile(userId: "u2") == nil)
        await testStore.close()
    }

    @Test("a NUL in a phone cell, at its end, in its middle or at its start, is the same warning naming the line and the column; the profile is kept without the phone", arguments: StoreKind.allCases)
    func aNULInAPhoneCellWarnsWherever(kind: StoreKind) async throws {
        let app = try await CallbackTestApp.make()
        let testStore = try await TestStore.make(kind)
        let store = testStore.store
        try await app.test(store: store) { client in
            // Line 2: a trailing NUL (the last cell of its row); line 3: in the middle; line 4: first.
            let file = Array("userId,phone\nu1,+4915123456789".utf8) + [0] + Array("\nu2,+49151".utf8) + [0] + Array("23456789\nu3,".utf8) + [0]
                + Array("+4915123456789\n".utf8)
            let r = try await Self.upload(client, file)
            #expect(r.status == .ok, "\(r.body.text)")
            let json = try #require(try r.json() as? [String: Any])
            #expect(json["upserted"] as? Int == 3)
            let warnings = try #require(json["warnings"] as? [[String: Any]])
            #expect(warnings.map { $0["row"] as? Int } == [2, 3, 4])
            #expect(warnings.map { $0["problem"] as? String } == [
                "invalid phone: line 2, phone contains the control character U+0000 at position 14: an identifier may not hold control characters (U+0000–U+001F, U+007F)",
                "invalid phone: line 3, phone contains the control character U+0000 at position 6: an identifier may not hold control characters (U+0000–U+001F, U+007F)",
                "invalid phone: line 4, phone contains the control character U+0000 at position 0: an identifier may not hold control characters (U+0000–U+001F, U+007F)",
            ])
            for id in ["u1", "u2", "u3"] {
                let p = try #require(try await store.profile(userId: id))
                #expect(p.phone == nil && !p.phoneValid, "\(id): \(String(describing: p.phone))")
            }
            // The JSON upsert refuses a NUL in any text field, at the end as in the middle: a 400 naming it.
            let json2 = try await client.execute(
                uri: "/api/v1/profiles", method: .post,
                headers: [.authorization: "Bearer \(CallbackTestApp.adminToken)", .contentType: "application/json"],
                body: ByteBuffer(string: #"[{"userId":"u4","phone":"+4915123456789\u0000"}]"#))
            #expect(json2.status == .badRequest, "\(json2.body.text)")
            #expect(json2.body.text.contains("[0].phone contains U+0000 (NUL) at position 14: no text field may hold U+0000"), "\(json2.body.text)")
            #expect(try await store.profile(userId: "u4") == nil)
        }
        await testStore.close()
    }

    @Test(arguments: StoreKind.allCases)
    func aWellFormedFileImportsWithWarningsOnItsLines(kind: StoreKind) async throws {
        let app = try await CallbackTestApp.make()
        let testStore = try await TestStore.make(kind)
        let store = testStore.store
        let csv = "\u{FEFF}userId,phone,name,note\r\nu1,+49 151 23456789,\"Lovelace, Ada\",\"two\r\nlines\"\r\n\r\n,+1,x,\r\nu3,12,Eve,\r\n"
        try await app.test(store: store) { client in
            let r = try await Self.upload(client, Array(csv.utf8))
            #expect(r.status == .ok)
            let json = try #require(try r.json() as? [String: Any])
            #expect(json["upserted"] as? Int == 2)
            #expect(json["rejected"] as? Int == 1)
            let warnings = try #require(json["warnings"] as? [[String: Any]])
            #expect(warnings.map { $0["row"] as? Int } == [5, 6])
            #expect(warnings.map { $0["problem"] as? String }.first == "rejected: userId is empty")
        }
        let u1 = try #require(try await store.profile(userId: "u1"))
        #expect((u1.phone, u1.phoneValid, u1.name) == ("+4915123456789", true, "Lovelace, Ada"))
        #expect(u1.properties == ["note": .string("two\r\nlines")])
        #expect(try await store.profile(userId: "u3")?.phoneValid == false)
        #expect(try await store.profileCount() == 2)
        await testStore.close()
    }

    @Test func theDashboardUploadRefusesAMalformedOrNonUTF8FileWithItsLineAndImportsNothing() async throws {
        let (app, store) = try await DashboardFixture.app()
        try await app.test(.router) { client in
            let (cookie, csrf) = try await DashboardFixture.signIn(client)
            func upload(_ file: [UInt8]) async throws -> (HTTPResponse.Status, String) {
                var body = ByteBuffer(string: [
                    "--XyZ", "Content-Disposition: form-data; name=\"csrf\"", "", csrf,
                    "--XyZ", "Content-Disposition: form-data; name=\"file\"; filename=\"p.csv\"", "Content-Type: text/csv", "", "",
                ].joined(separator: "\r\n"))
                body.writeBytes(file)
                body.writeString("\r\n--XyZ--\r\n")
                return try await client.execute(
                    uri: "/profiles/import", method: .post,
                    headers: [.cookie: cookie, .contentType: "multipart/form-data; boundary=XyZ"], body: body
                ) { r in (r.status, String(buffer: r.body)) }
            }
            let (s1, html1) = try await upload(Array("userId,name\nu1,Ada\nu2,\"Bob\n".utf8))
            #expect(s1 == .badRequest)
            #expect(html1.contains("line 3: unterminated quoted field (field 2 opens with a quote that is never closed)"))
            let (s2, html2) = try await upload(Array("userId,name\nu1,Ren".utf8) + [0xE9])
            #expect(s2 == .badRequest)
            #expect(html2.contains("line 2: not valid UTF-8 at byte offset 18"))
        }
        #expect(try await store.profileCount() == 0)
    }
}
