import Foundation

/// The filters of `GET /api/v1/profiles` (issue 15), all combined with AND; the one rule of which
/// profile a listing shows (stores only hand over profiles in `user_id` byte order).
///
/// - `q`: a user id prefix (case-sensitive), or a phone: a prefix of the stored E.164 digits
///   (``phonePrefix``: `+49151`, `0049 151`, `49151` and `+49 (151)` all find every
///   `+49151…`), or `q` normalised by the phone rule (``PhoneNumber/normalize(_:)``) equals the
///   stored phone, or `q` equals a stored invalid phone as typed. A store narrows a search to
///   these through an index (``search``, ``ProfileStore/profiles(search:afterUserId:limit:)``).
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
        if let search {
            let byId = profile.userId.hasPrefix(search.userIdPrefix)
            let byPhone = profile.phone.map { phone in
                search.phones.contains(phone) || search.phonePrefix.map { phone.hasPrefix($0) } == true
            } ?? false
            if !byId && !byPhone { return false }
        }
        return true
    }

    /// What `q` searches (`nil` when `q` is absent or empty): every profile ``matches(_:)``
    /// accepts for `q` is one of those ``ProfileSearch`` names.
    public var search: ProfileSearch? {
        guard let q, !q.isEmpty else { return nil }
        var phones = [q]
        if let normalized = try? PhoneNumber.normalize(q), normalized != q { phones.append(normalized) }
        return ProfileSearch(userIdPrefix: q, phonePrefix: Self.phonePrefix(q), phones: phones)
    }

    /// The E.164 prefix a phone-like `q` stands for: `+` and its digits, or `nil` when `q` is not
    /// phone-like. Phone-like: it starts with `+`, a digit or `(`, holds at least one digit, and
    /// nothing but digits, that one leading `+`, and the separators people type (space, `-`,
    /// `.`, `/`, `(`, `)`). A leading `00` is the
    /// international prefix (`0049151` = `+49151`); digits without `+` or `00` are read as
    /// E.164 digits too, country code first (`49151` = `+49151`).
    public static func phonePrefix(_ q: String) -> String? {
        let text = q.trimmingCharacters(in: .whitespaces)
        guard let first = text.first, first == "+" || first == "(" || (first.isASCII && first.isNumber) else { return nil }
        var digits = ""
        for (i, c) in text.enumerated() {
            if c.isASCII, c.isNumber {
                digits.append(c)
            } else if c == "+" {
                guard i == 0 else { return nil }
            } else if !" -./()".contains(c) {
                return nil
            }
        }
        guard !digits.isEmpty else { return nil }
        if !text.hasPrefix("+"), digits.hasPrefix("00") { digits.removeFirst(2) }
        guard !digits.isEmpty else { return nil }
        return "+" + digits
    }

    /// One page of a listing read from `store`: through its `q` search (an index) when `q` is
    /// set, else in user id order (``page(after:limit:scanBudget:fetch:)``).
    public func page(
        after cursor: ProfileCursor?, limit: Int, scanBudget: Int = 20_000, in store: any ProfileStore
    ) async throws -> (profiles: [Profile], nextCursor: ProfileCursor?) {
        let search = self.search
        return try await page(after: cursor, limit: limit, scanBudget: scanBudget) { after, count in
            if let search { try await store.profiles(search: search, afterUserId: after, limit: count) }
            else { try await store.profiles(afterUserId: after, limit: count) }
        }
    }

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
        let page = try await KeysetPage.page(
            after: cursor?.afterUserId, limit: limit, scanBudget: scanBudget, key: \.userId, matches: matches, fetch: fetch)
        return (page.items, page.next.map(ProfileCursor.init(afterUserId:)))
    }
}

/// The profiles a `q` search may match (``ProfileQuery/search``), for a store to read through
/// an index: a user id starting with ``userIdPrefix`` (bytes, case-sensitive), a phone starting
/// with ``phonePrefix`` (`+` and digits only, so no pattern character to escape), or a phone
/// equal to one of ``phones``. Stores must escape ``userIdPrefix``'s pattern characters (`%`,
/// `_`, `\` for LIKE; `*`, `?`, `[` for GLOB).
public struct ProfileSearch: Sendable, Equatable {
    public var userIdPrefix: String
    public var phonePrefix: String?
    public var phones: [String]

    public init(userIdPrefix: String, phonePrefix: String?, phones: [String]) {
        self.userIdPrefix = userIdPrefix
        self.phonePrefix = phonePrefix
        self.phones = phones
    }
}

/// The opaque `cursor` of `GET /api/v1/profiles`: the base64url (no padding) of `p1:` and the
/// last user id of the previous page. Clients pass back `nextCursor` as it is.
public struct ProfileCursor: Sendable, Equatable {
    public var afterUserId: String

    public init(afterUserId: String) { self.afterUserId = afterUserId }

    /// The text clients see and send.
    public var token: String {
        Base64URL.encode(Data(("p1:" + afterUserId).utf8))
    }

    /// Reads a token of ``token``; `nil` for anything else (the API answers 400 naming `cursor`).
    public init?(token: String) {
        guard token.count <= 2_000, let data = Base64URL.decode(token), let text = String(data: data, encoding: .utf8),
            text.hasPrefix("p1:")
        else { return nil }
        afterUserId = String(text.dropFirst(3))
    }
}
