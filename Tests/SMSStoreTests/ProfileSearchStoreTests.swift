import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// The profile search (`GET /api/v1/profiles?q=`) on both stores: what a store reads through its
/// indexes (``ProfileStore/profiles(search:afterUserId:limit:)``) and ``ProfileQuery`` then judges
/// is exactly the brute-force filter, for user ids holding the pattern characters of LIKE and GLOB;
/// and the indexes serve the prefix predicates (query plans).
@Suite("Stores: profile search by user id or phone prefix")
struct ProfileSearchStoreTests {
    static func byteLess(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }

    /// Every page of `query` read through `store`.
    static func all(_ query: ProfileQuery, limit: Int, in store: any ProfileStore) async throws -> [String] {
        var seen: [String] = []
        var cursor: ProfileCursor?
        var pages = 0
        repeat {
            let page = try await query.page(after: cursor, limit: limit, in: store)
            seen += page.profiles.map(\.userId)
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 1_000
        return seen
    }

    @Test("q finds exactly the brute-force matches: user id prefixes with % _ * ? [ \\, E.164 prefixes as typed", arguments: StoreKind.allCases)
    func matchesBruteForce(kind: StoreKind) async throws {
        let t = try await TestStore.make(kind)
        var rng = SplitMix64(seed: 1549)
        let idChars = Array("ab%_*?[]\\1Ü")
        let prefixes = ["+49151", "+49152", "+4915", "+1650", "+44"]
        var profiles: [Profile] = []
        for i in 0..<400 {
            let id = String((0..<Int(rng.next() % 4 + 1)).map { _ in idChars[Int(rng.next() % UInt64(idChars.count))] }) + "-\(i)"
            let phone: String?
            switch rng.next() % 5 {
            case 0: phone = nil
            case 1: phone = "0151 oops%_\(i % 3)"
            default: phone = prefixes[Int(rng.next() % UInt64(prefixes.count))] + String(format: "%07d", Int(rng.next() % 10_000_000))
            }
            profiles.append(Profile(userId: id, phone: phone, phoneValid: phone?.hasPrefix("+") == true))
        }
        try await t.store.upsertProfiles(profiles)
        let queries = [
            "a", "a%", "%", "_", "b_", "*", "?", "[", "[]", "\\", "a\\", "Ü", "1", "15", "+49151", "0049 151", "49151", "+49 (151)", "+4915",
            "+1 650", "0151 oops%_1", "0151 oops", "+", "00", "-1", profiles[7].userId, profiles[123].userId,
            profiles.first { $0.phone?.hasPrefix("+") == true }!.phone!,
        ]
        for q in queries {
            let query = ProfileQuery(q: q)
            let expected = profiles.filter(query.matches).map(\.userId).sorted(by: Self.byteLess)
            let limit = Int(rng.next() % 30) + 1
            #expect(try await Self.all(query, limit: limit, in: t.store) == expected, "q=\(q) limit \(limit)")
        }
        // The README's example: every +49151… number, and nothing else.
        let german = try await Self.all(ProfileQuery(q: "+49151"), limit: 1000, in: t.store)
        #expect(german.count == profiles.filter { $0.phone?.hasPrefix("+49151") == true || $0.userId.hasPrefix("+49151") }.count)
        #expect(german.count > 40)
        await t.close()
    }

    @Test("the prefix predicates the search uses are served by indexes", arguments: StoreKind.allCases)
    func plans(kind: StoreKind) async throws {
        let t = try await TestStore.make(kind)
        try await t.store.upsertProfiles((0..<3_000).map { i in
            Profile(userId: "user-\(i)", phone: "+4915\(String(format: "%09d", i * 7919 % 1_000_000_000))", phoneValid: true)
        })
        func plan(_ sql: String) async throws -> String {
            switch kind {
            case .sqlite:
                return try await t.query("EXPLAIN QUERY PLAN " + sql).compactMap { $0["detail"]?.text }.joined(separator: " | ")
            case .postgres:
                try await t.query("ANALYZE profiles")
                return try await t.query("EXPLAIN " + sql).compactMap { $0["QUERY PLAN"]?.text }.joined(separator: " | ")
            }
        }
        switch kind {
        case .sqlite:
            let phone = try await plan("SELECT * FROM profiles WHERE user_id > '' AND phone GLOB '+4915100*'")
            #expect(phone.contains("USING INDEX profiles_phone"), "\(phone)")
            let id = try await plan("SELECT * FROM profiles WHERE user_id > '' AND user_id GLOB 'user-12*'")
            #expect(id.contains("USING INDEX sqlite_autoindex_profiles_1"), "\(id)")
        case .postgres:
            let phone = try await plan("SELECT * FROM profiles WHERE user_id > '' AND phone LIKE '+4915100%' ESCAPE '\\'")
            #expect(phone.contains("profiles_phone"), "\(phone)")
            let id = try await plan("SELECT * FROM profiles WHERE user_id > '' AND user_id LIKE 'user-12%' ESCAPE '\\'")
            #expect(id.contains("profiles_pkey"), "\(id)")
        }
        await t.close()
    }
}
