import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
import SMSWeb
import Testing

/// Issue 12: the profiles upsert writes all rows in one transaction with multi-row statements,
/// the opt-outs a request clears included (before, one transaction per `"optedOut":false` row:
/// BENCHMARKS.md "profiles"). Its outcome is the row-by-row rule: of rows with the same userId the
/// last wins; `optedOut` given sets the flag, absent keeps the stored one (a new profile: not
/// opted out). SQLite and PostgreSQL, against that model on random requests.
@Suite("Profiles upsert: the opt-out of each user id follows the last optedOut given, in one transaction")
struct ProfileUpsertOptOutPropertyTests {
    static let token = "admin-token"

    @Test("property: 3 random requests of up to 40 rows over 8 user ids, 12 rounds: every flag and name as the row-by-row model says", arguments: StoreKind.allCases)
    func randomRequests(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: "s3cret-callback-key") { client, t in
            var g = SplitMix64(seed: 2026)
            for round in 0..<12 {
                let ids = (0..<8).map { "r\(round)-u\($0)" }
                var flags: [String: Bool] = [:]
                var names: [String: String] = [:]
                for request in 0..<3 {
                    var rows: [String] = []
                    for i in 0..<Int.random(in: 1...40, using: &g) {
                        let id = ids.randomElement(using: &g)!
                        let given: Bool? = [true, false, nil].randomElement(using: &g)!
                        let name = "n\(request)-\(i)"
                        rows.append(#"{"userId":"\#(id)","phone":"+4915112345678","name":"\#(name)""# + (given.map { #","optedOut":\#($0)"# } ?? "") + "}")
                        // The model: row by row.
                        if let given { flags[id] = given } else if flags[id] == nil { flags[id] = false }
                        names[id] = name
                    }
                    let (status, answer) = try await client.execute(
                        uri: "/api/v1/profiles", method: .post,
                        headers: [.authorization: "Bearer \(Self.token)", .contentType: "application/json"],
                        body: ByteBuffer(string: "[" + rows.joined(separator: ",") + "]")
                    ) { r in (r.status, String(buffer: r.body)) }
                    #expect(status == .ok, "\(answer)")
                    for (id, flag) in flags {
                        let stored = try await t.store.profile(userId: id)
                        #expect(stored?.optedOut == flag, "round \(round), request \(request), \(id)")
                        #expect(stored?.name == names[id], "round \(round), request \(request), \(id)")
                    }
                }
            }
        }
    }
}
