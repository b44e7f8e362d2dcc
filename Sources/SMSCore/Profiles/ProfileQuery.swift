import Foundation

/// The filters of `GET /api/v1/profiles` (issue 15), all combined with AND; the one rule of which
/// profile a listing shows (stores only hand over profiles in `user_id` byte order).
///
/// - `q`: a user id prefix (case-sensitive), or a phone: `q` normalised by the phone rule
///   (``PhoneNumber/normalize(_:)``, so `+49 151 1234 5678` and `0049151…` find `+4915112345678`)
///   equals the stored E.164, or `q` equals a stored invalid phone as typed.
/// - `properties`: `property.<name>=<value>`: the property's text form (``JSONValue/stringValue``:
///   `42`, `true`, `Berlin`) equals the value exactly; a missing, null, array or object property
///   never matches.
/// - `country`: ISO 3166-1 alpha-2 of the stored phone (``PhoneNumber/region(ofE164:)``); a
///   profile without a valid phone has no country.
/// - `optedOut`: the opt-out flag.
public struct ProfileQuery: Sendable, Equatable {
    public var q: String?
    public var properties: [String: String]
    public var country: String?
    public var optedOut: Bool?

    public init(q: String? = nil, properties: [String: String] = [:], country: String? = nil, optedOut: Bool? = nil) {
        self.q = q
        self.properties = properties
        self.country = country
        self.optedOut = optedOut
    }

    /// Whether the profile passes every filter.
    public func matches(_ profile: Profile) -> Bool {
        if let optedOut, profile.optedOut != optedOut { return false }
        for (name, value) in properties where profile.properties[name]?.stringValue != value { return false }
        if let country {
            guard profile.phoneValid, let phone = profile.phone, PhoneNumber.region(ofE164: phone) == country else { return false }
        }
        if let q, !q.isEmpty {
            let byId = profile.userId.hasPrefix(q)
            let byPhone = profile.phone.map { $0 == q || $0 == normalizedQ } ?? false
            if !byId && !byPhone { return false }
        }
        return true
    }

    private var normalizedQ: String? { q.flatMap { try? PhoneNumber.normalize($0) } }

    /// One page of a listing: up to `limit` matching profiles after `cursor`, reading the store in
    /// `user_id` order through `fetch(afterUserId, count)` (which returns at most `count` profiles
    /// with a greater user id, in byte order).
    ///
    /// At most `scanBudget` profiles are read per page, so a filter that matches few profiles
    /// never reads a whole large table in one request: such a page may hold fewer than `limit`
    /// profiles (even none) and still a `nextCursor`. The listing ends when `nextCursor` is `nil`.
    public func page(
        after cursor: ProfileCursor?, limit: Int, scanBudget: Int = 20_000,
        fetch: (String?, Int) async throws -> [Profile]
    ) async throws -> (profiles: [Profile], nextCursor: ProfileCursor?) {
        var found: [Profile] = []
        var after = cursor?.afterUserId
        var scanned = 0
        let chunk = max(limit, 500)
        while scanned < scanBudget {
            let want = min(chunk, scanBudget - scanned)
            let batch = try await fetch(after, want)
            scanned += batch.count
            for profile in batch {
                after = profile.userId
                if matches(profile) {
                    found.append(profile)
                    if found.count == limit { return (found, ProfileCursor(afterUserId: profile.userId)) }
                }
            }
            if batch.count < want { return (found, nil) }
        }
        return (found, after.map(ProfileCursor.init(afterUserId:)))
    }
}

/// The opaque `cursor` of `GET /api/v1/profiles`: the base64url (no padding) of `p1:` and the
/// last user id of the previous page. Clients pass back `nextCursor` as it is.
public struct ProfileCursor: Sendable, Equatable {
    public var afterUserId: String

    public init(afterUserId: String) { self.afterUserId = afterUserId }

    /// The text clients see and send.
    public var token: String {
        Data(("p1:" + afterUserId).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Reads a token of ``token``; `nil` for anything else (the API answers 400 naming `cursor`).
    public init?(token: String) {
        var b64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        b64 += String(repeating: "=", count: (4 - b64.count % 4) % 4)
        guard token.count <= 2_000, let data = Data(base64Encoded: b64), let text = String(data: data, encoding: .utf8),
            text.hasPrefix("p1:")
        else { return nil }
        afterUserId = String(text.dropFirst(3))
    }
}
