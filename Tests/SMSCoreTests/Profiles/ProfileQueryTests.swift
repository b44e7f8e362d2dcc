import Foundation
import Testing
@testable import SMSCore

/// The listing rule of `GET /api/v1/profiles` (issue 15): filters, cursor, pages.
@Suite("Profiles: listing query and cursor")
struct ProfileQueryTests {
    static let profiles: [Profile] = [
        Profile(userId: "a1", phone: "+4915112345678", phoneValid: true, properties: ["city": .string("Berlin"), "age": .number(42)]),
        Profile(userId: "a2", phone: "+16502530000", phoneValid: true, properties: ["city": .string("Berlin")], optedOut: true),
        Profile(userId: "b1", phone: "+12042345678", phoneValid: true, properties: ["vip": .bool(true)]),
        Profile(userId: "b2", phone: "0151 oops", phoneValid: false),
        Profile(userId: "c1", phone: nil, phoneValid: false, properties: ["city": .array([.string("Berlin")])]),
    ]

    func ids(_ q: ProfileQuery) -> [String] { Self.profiles.filter(q.matches).map(\.userId) }

    @Test("each filter, and filters combined with AND")
    func filters() {
        #expect(ids(ProfileQuery(q: "a")) == ["a1", "a2"])
        #expect(ids(ProfileQuery(q: "+49 151 1234 5678")) == ["a1"])
        #expect(ids(ProfileQuery(q: "0049 151 12345678")) == ["a1"])
        #expect(ids(ProfileQuery(q: "0151 oops")) == ["b2"])
        #expect(ids(ProfileQuery(properties: ["city": "Berlin"])) == ["a1", "a2"])
        #expect(ids(ProfileQuery(properties: ["age": "42"])) == ["a1"])
        #expect(ids(ProfileQuery(properties: ["vip": "true"])) == ["b1"])
        #expect(ids(ProfileQuery(country: "DE")) == ["a1"])
        #expect(ids(ProfileQuery(country: "US")) == ["a2"])
        #expect(ids(ProfileQuery(country: "CA")) == ["b1"])
        #expect(ids(ProfileQuery(optedOut: true)) == ["a2"])
        #expect(ids(ProfileQuery(optedOut: false)) == ["a1", "b1", "b2", "c1"])
        #expect(ids(ProfileQuery(properties: ["city": "Berlin"], optedOut: false)) == ["a1"])
        #expect(ids(ProfileQuery()) == Self.profiles.map(\.userId))
    }

    @Test("q is a prefix of the E.164 digits as people type it, or a user id prefix")
    func phonePrefix() {
        for (q, prefix) in [
            ("+49151", "+49151"), ("0049151", "+49151"), ("0049 151", "+49151"), ("49151", "+49151"), ("+49 (151) 1234-5", "+4915112345"),
            ("(0049) 151", "+49151"), (" +1 650 ", "+1650"), ("+4915112345678", "+4915112345678"),
        ] {
            #expect(ProfileQuery.phonePrefix(q) == prefix, "\(q)")
        }
        for q in ["", "+", "00", "a1", "-1", "+49a", "1+2", "user2", "49_151", "4%"] {
            #expect(ProfileQuery.phonePrefix(q) == nil, "\(q)")
        }
        // The README's example, q=%2B49151: every +49151… profile; and a user id prefix.
        #expect(ids(ProfileQuery(q: "+49151")) == ["a1"])
        #expect(ids(ProfileQuery(q: "0049 1511")) == ["a1"])
        #expect(ids(ProfileQuery(q: "+1")) == ["a2", "b1"])
        #expect(ids(ProfileQuery(q: "1650")) == ["a2"])
        #expect(ids(ProfileQuery(q: "+49152")) == [])
        #expect(ids(ProfileQuery(q: "b")) == ["b1", "b2"])
        #expect(ProfileQuery(q: "+49 151").search?.userIdPrefix == "+49 151" && ProfileQuery(q: "+49 151").search?.phonePrefix == "+49151")
        #expect(ProfileQuery(q: "+49 151 1234 5678").search?.phones == ["+49 151 1234 5678", "+4915112345678"])
        #expect(ProfileQuery(q: "+4915112345678").search?.phones == ["+4915112345678"])
        #expect(ProfileQuery(q: "").search == nil && ProfileQuery().search == nil)
    }

    @Test("the cursor is opaque and round-trips any user id; other text is no cursor")
    func cursor() {
        for id in ["a", "user/with+slash=", "üñí ✓", String(repeating: "x", count: 300)] {
            let token = ProfileCursor(afterUserId: id).token
            #expect(!token.contains("=") && !token.contains("+") && !token.contains("/"))
            #expect(ProfileCursor(token: token)?.afterUserId == id)
        }
        #expect(ProfileCursor(token: "not a cursor") == nil)
        #expect(ProfileCursor(token: Data("x:abc".utf8).base64EncodedString()) == nil)
    }

    /// A sorted in-memory "store".
    static func fetcher(_ all: [Profile]) -> (String?, Int) async throws -> [Profile] {
        let sorted = all.sorted { byteLess($0.userId, $1.userId) }
        return { after, count in Array(sorted.filter { p in after.map { byteLess($0, p.userId) } ?? true }.prefix(count)) }
    }

    static func byteLess(_ a: String, _ b: String) -> Bool {
        Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
    }

    @Test("paging through random profiles with random filters yields exactly the brute-force matches, in order, once each")
    func pagingProperty() async throws {
        var rng = SplitMix64(seed: 15)
        for round in 0..<40 {
            let n = Int(rng.next() % 300)
            let all = (0..<n).map { i in
                Profile(
                    userId: "u\(rng.next() % 1000)-\(i)", phone: rng.next() % 3 == 0 ? "+4915112345678" : "+16502530000", phoneValid: true,
                    properties: ["k": .string("v\(rng.next() % 3)")], optedOut: rng.next() % 4 == 0)
            }
            let query = ProfileQuery(
                properties: rng.next() % 2 == 0 ? ["k": "v1"] : [:], country: rng.next() % 3 == 0 ? "DE" : nil,
                optedOut: rng.next() % 3 == 0 ? false : nil)
            let limit = Int(rng.next() % 20) + 1
            let budget = Int(rng.next() % 50) + 1
            var seen: [String] = []
            var cursor: ProfileCursor?
            var pages = 0
            repeat {
                let page = try await query.page(after: cursor, limit: limit, scanBudget: budget, fetch: Self.fetcher(all))
                #expect(page.profiles.count <= limit)
                seen += page.profiles.map(\.userId)
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil && pages < 10_000
            let expected = all.filter(query.matches).map(\.userId).sorted(by: Self.byteLess)
            #expect(seen == expected, "round \(round)")
        }
    }
}
