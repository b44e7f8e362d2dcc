import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
import Testing

@testable import SMSWeb

/// `POST /api/v1/profiles/import`: a userId on two rows is imported (the later row wins) with a
/// warning naming both lines; a multipart upload (`curl -F file=@x.csv`) is a 415 saying to send
/// the raw body, and imports nothing.
@Suite("Profile CSV import: repeated userIds and multipart uploads")
struct ProfileImportRepeatsRouteTests {
    static let headers: HTTPFields = [.authorization: "Bearer \(CallbackTestApp.adminToken)", .contentType: "text/csv"]

    @Test(arguments: StoreKind.allCases)
    func aRepeatedUserIdWarnsWithBothLinesAndTheLaterRowWins(kind: StoreKind) async throws {
        let app = try await CallbackTestApp.make()
        let testStore = try await TestStore.make(kind)
        let store = testStore.store
        // line 1 header; d1 on lines 2, 4 and 6 (" d1 " trims to d1); u3 on line 5 has no phone.
        let csv = "userId,phone,name\nd1,+4915123456789,First\nu2,+4915123456780,B\nd1,+4915123456781,Second\nu3,,C\n d1 ,+4915123456782,Third\n"
        try await app.test(store: store) { client in
            let r = try await client.execute(uri: "/api/v1/profiles/import", method: .post, headers: Self.headers, body: ByteBuffer(string: csv))
            do {
                #expect(r.status == .ok)
                let json = try #require(try r.json() as? [String: Any])
                // Distinct profiles written (d1, u2, u3): d1's three rows count once (issue 12).
                #expect(json["upserted"] as? Int == 3)
                #expect(json["rejected"] as? Int == 0)
                let warnings = try #require(json["warnings"] as? [[String: Any]])
                #expect(warnings.map { $0["row"] as? Int } == [4, 5, 6])
                #expect(warnings.map { $0["userId"] as? String } == ["d1", "u3", "d1"])
                #expect(
                    warnings.map { $0["problem"] as? String } == [
                        #"userId "d1" repeats line 2; the later row wins"#, "no phone", #"userId "d1" repeats line 2; the later row wins"#,
                    ])
            }
        }
        let d1 = try #require(try await store.profile(userId: "d1"))
        #expect((d1.phone, d1.name) == ("+4915123456782", "Third"))
        #expect(try await store.profileCount() == 3)
        await testStore.close()
    }

    @Test func aMultipartUploadIsA415SayingToSendTheRawBody() async throws {
        let app = try await CallbackTestApp.make()
        let testStore = try await TestStore.make(.sqlite)
        let store = testStore.store
        let body = ByteBuffer(string: [
            "--XyZ", "Content-Disposition: form-data; name=\"file\"; filename=\"x.csv\"", "Content-Type: text/csv", "",
            "userId,phone", "u1,+4915123456789", "--XyZ--", "",
        ].joined(separator: "\r\n"))
        try await app.test(store: store) { client in
            let r = try await client.execute(
                uri: "/api/v1/profiles/import", method: .post,
                headers: [.authorization: "Bearer \(CallbackTestApp.adminToken)", .contentType: "multipart/form-data; boundary=XyZ"],
                body: body)
            do {
                #expect(r.status == .unsupportedMediaType)
                let json = try #require(try r.json() as? [String: Any])
                #expect(
                    (json["error"] as? [String: Any])?["message"] as? String
                        == "send the CSV file as the raw request body, not as a multipart/form-data upload: curl --data-binary @x.csv -H 'Content-Type: text/csv' -H 'Authorization: Bearer …' …/api/v1/profiles/import (curl -F sends multipart; the dashboard's Import page takes a file upload)"
                )
            }
        }
        #expect(try await store.profileCount() == 0)
        await testStore.close()
    }
}

/// ``ProfileController/repeatedUserIds(_:rows:)`` against a brute-force recount on random files
/// and JSON arrays.
@Suite("Repeated userIds in a profile CSV or JSON array")
struct ProfileRepeatedUserIdTests {
    @Test func emptyUserIdsAreNotRepeatsAndTrimmingMatches() {
        let w = ProfileController.repeatedUserIds(["", "a", "", "a ", "A"], rows: [2, 3, 4, 5, 6])
        #expect(w == [3: ProfileController.Warning(row: 5, userId: "a", problem: #"userId "a" repeats line 3; the later row wins"#)])
        let json = ProfileController.repeatedUserIds(["", "a", "", "a ", "A", "a"], rows: nil)
        #expect(json == [
            3: ProfileController.Warning(row: 3, userId: "a", problem: #"userId "a" repeats profiles[1]; the later one wins"#),
            5: ProfileController.Warning(row: 5, userId: "a", problem: #"userId "a" repeats profiles[1]; the later one wins"#),
        ])
    }

    /// Issue 12 (a new user's findings): the JSON route warns like the CSV import (one rule).
    @Test(arguments: StoreKind.allCases)
    func aJSONArrayWarnsTheSameWay(kind: StoreKind) async throws {
        let app = try await CallbackTestApp.make()
        let testStore = try await TestStore.make(kind)
        let body = #"[{"userId":"d1","phone":"+4915123456789","name":"First"},{"userId":"u2"},{"userId":" d1 ","phone":"+4915123456781","name":"Second"},{"userId":"d1","phone":"12","name":"Third"}]"#
        try await app.test(store: testStore.store) { client in
            let r = try await client.execute(
                uri: "/api/v1/profiles", method: .post,
                headers: [.authorization: "Bearer \(CallbackTestApp.adminToken)", .contentType: "application/json"], body: ByteBuffer(string: body))
            #expect(r.status == .ok)
            let json = try #require(try r.json() as? [String: Any])
            // Distinct profiles written (d1, u2): d1 given three times counts once (issue 12).
            #expect(json["upserted"] as? Int == 2)
            let warnings = try #require(json["warnings"] as? [[String: Any]])
            #expect(warnings.map { $0["row"] as? Int } == [1, 2, 3, 3])
            #expect(warnings.map { $0["problem"] as? String } == [
                "no phone", #"userId "d1" repeats profiles[0]; the later one wins"#,
                #"invalid phone: phone number has no country calling code: write it in international form, starting with + or 00, or give a default region ("region":"DE")"#,
                #"userId "d1" repeats profiles[0]; the later one wins"#,
            ])
        }
        let d1 = try #require(try await testStore.store.profile(userId: "d1"))
        #expect(d1.name == "Third" && d1.phoneValid == false)
        await testStore.close()
    }

    @Test func randomFilesMatchABruteForceRecount() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let n = Int.random(in: 0...25, using: &rng)
            let rows = (0..<n).map { i in (line: i + 2, userId: ["", "a", "b", "c", " c", "d"].randomElement(using: &rng)!) }
            var expected: [ProfileController.Warning] = []
            for (i, row) in rows.enumerated() {
                let id = row.userId.trimmingCharacters(in: .whitespaces)
                guard !id.isEmpty,
                    let first = rows[..<i].first(where: { $0.userId.trimmingCharacters(in: .whitespaces) == id })
                else { continue }
                expected.append(.init(row: row.line, userId: id, problem: "userId \"\(id)\" repeats line \(first.line); the later row wins"))
            }
            let found = ProfileController.repeatedUserIds(rows.map(\.userId), rows: rows.map(\.line))
            #expect(found.sorted { $0.key < $1.key }.map(\.value) == expected)
        }
    }
}
