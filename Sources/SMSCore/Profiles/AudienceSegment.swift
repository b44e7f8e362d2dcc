import Foundation

/// A saved audience (issue 15): profiles matching rules over their properties, phone country and
/// opt-out state, combined with `all` (AND) or `any` (OR). Named "audience segment" so it is not
/// confused with an SMS segment (a part of a long message, ``SegmentCounter``).
///
/// The one rule of who is in a segment is ``matches(_:)``; stores only hand over profiles
/// (counts, previews and the audience of a campaign at publish all call it).
///
/// Type rules (decisions):
/// - `eq` / `ne` / `in` compare JSON values of the same type: numbers numerically (`42` equals
///   `42.0`), strings exactly, booleans; values of different types are not equal (`"42"` is not
///   `42`). A missing or `null` property equals nothing: `eq` and `in` do not match, `ne` does.
/// - `gt` / `gte` / `lt` / `lte` compare two numbers, or two ISO 8601 texts as instants
///   (`2024-05-01T10:00:00Z`, `2024-05-01T12:00:00+02:00`, fractions of a second, or a date alone
///   `2024-05-01` = 00:00 UTC that day). Anything else — a string property against a number, a
///   number against a date, text that is no ISO 8601 instant, a missing property — is no match,
///   never an error.
/// - `exists` (value `true`, the default, or `false`): the property is present and not `null`;
///   for `country`, the phone is valid.
/// - `country` is the ISO 3166-1 alpha-2 region of the profile's valid phone
///   (``PhoneNumber/region(ofE164:)``); `optedOut` the opt-out flag (a boolean).
public struct AudienceSegment: Sendable, Equatable, Codable {
    public var id: Int64
    public var definition: Definition
    /// Epoch seconds.
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(id: Int64, definition: Definition, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.definition = definition
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether the profile is in the segment.
    public func matches(_ profile: Profile) -> Bool { definition.matches(profile) }

    /// The user-written part: `{"name", "match", "rules"}`.
    public struct Definition: Sendable, Equatable, Codable {
        public var name: String
        public var match: Match
        public var rules: [Rule]

        public init(name: String, match: Match = .all, rules: [Rule]) {
            self.name = name
            self.match = match
            self.rules = rules
        }

        /// `all`: every rule; `any`: at least one. No rules: `all` matches everyone, `any` no one.
        public func matches(_ profile: Profile) -> Bool {
            switch match {
            case .all: rules.allSatisfy { $0.matches(profile) }
            case .any: rules.contains { $0.matches(profile) }
            }
        }
    }

    public enum Match: String, Sendable, Equatable, Codable, CaseIterable {
        case all, any
    }

    /// What a rule looks at.
    public enum Field: Sendable, Equatable, Hashable {
        /// `properties.<name>`.
        case property(String)
        case country
        case optedOut

        /// As written in the API: `properties.city`, `country`, `optedOut`.
        public var text: String {
            switch self {
            case .property(let name): "properties." + name
            case .country: "country"
            case .optedOut: "optedOut"
            }
        }

        public init?(text: String) {
            switch text {
            case "country": self = .country
            case "optedOut": self = .optedOut
            default:
                guard text.hasPrefix("properties."), text.count > "properties.".count else { return nil }
                self = .property(String(text.dropFirst("properties.".count)))
            }
        }

        /// The operators this field takes.
        public var operators: [Op] {
            switch self {
            case .property: Op.allCases
            case .country: [.eq, .ne, .in, .exists]
            case .optedOut: [.eq, .ne, .exists]
            }
        }
    }

    public enum Op: String, Sendable, Equatable, Codable, CaseIterable {
        case eq, ne, `in`, exists, gt, gte, lt, lte
    }

    /// One rule: `{"field", "op", "value"}`.
    public struct Rule: Sendable, Equatable, Codable {
        public var field: Field
        public var op: Op
        public var value: JSONValue?

        public init(field: Field, op: Op, value: JSONValue?) {
            self.field = field
            self.op = op
            self.value = value
        }

        enum CodingKeys: String, CodingKey { case field, op, value }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let text = try c.decode(String.self, forKey: .field)
            guard let field = Field(text: text) else {
                throw DecodingError.dataCorruptedError(forKey: .field, in: c, debugDescription: "unknown field \(text)")
            }
            self.field = field
            op = try c.decode(Op.self, forKey: .op)
            value = try c.decodeIfPresent(JSONValue.self, forKey: .value)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(field.text, forKey: .field)
            try c.encode(op, forKey: .op)
            try c.encodeIfPresent(value, forKey: .value)
        }

        /// The profile's value for ``field``: `nil` when missing or `null`.
        func subject(_ profile: Profile) -> JSONValue? {
            switch field {
            case .property(let name):
                guard let v = profile.properties[name], v != .null else { return nil }
                return v
            case .country:
                guard profile.phoneValid, let phone = profile.phone, let region = PhoneNumber.region(ofE164: phone) else { return nil }
                return .string(region)
            case .optedOut: return .bool(profile.optedOut)
            }
        }

        public func matches(_ profile: Profile) -> Bool {
            let subject = subject(profile)
            switch op {
            case .exists:
                let wanted = value == .bool(false) ? false : true
                return (subject != nil) == wanted
            case .eq: return subject.map { Self.equal($0, value) } ?? false
            case .ne: return !(subject.map { Self.equal($0, value) } ?? false)
            case .in:
                guard let subject, case .array(let options)? = value else { return false }
                return options.contains { Self.equal(subject, $0) }
            case .gt, .gte, .lt, .lte:
                guard let subject, let value, let order = Self.compare(subject, value) else { return false }
                switch op {
                case .gt: return order == .orderedDescending
                case .gte: return order != .orderedAscending
                case .lt: return order == .orderedAscending
                default: return order != .orderedDescending
                }
            }
        }

        /// Same type and equal (numbers numerically).
        static func equal(_ a: JSONValue, _ b: JSONValue?) -> Bool {
            switch (a, b) {
            case (.number(let x), .number(let y)?): x == y
            case (.string(let x), .string(let y)?): x == y
            case (.bool(let x), .bool(let y)?): x == y
            default: false
            }
        }

        /// Two numbers, or two ISO 8601 instants; otherwise `nil` (no match).
        static func compare(_ a: JSONValue, _ b: JSONValue) -> ComparisonResult? {
            switch (a, b) {
            case (.number(let x), .number(let y)):
                return x < y ? .orderedAscending : x > y ? .orderedDescending : .orderedSame
            case (.string(let x), .string(let y)):
                guard let dx = ISO8601Instant.parse(x), let dy = ISO8601Instant.parse(y) else { return nil }
                return dx < dy ? .orderedAscending : dx > dy ? .orderedDescending : .orderedSame
            default:
                return nil
            }
        }
    }
}

/// ISO 8601 texts read as instants for segment comparisons (``AudienceSegment``).
public enum ISO8601Instant {
    /// Epoch seconds of `2024-05-01T10:00:00Z`, `2024-05-01T12:00:00+02:00`,
    /// `2024-05-01T10:00:00.250Z` or `2024-05-01` (00:00 UTC); `nil` for anything else.
    public static func parse(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard t.count >= 10, t.count <= 40, t.first?.isNumber == true, civilFieldsInRange(t) else { return nil }
        if let d = try? Date(t, strategy: Date.ISO8601FormatStyle()) { return d.timeIntervalSince1970 }
        if let d = try? Date(t, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return d.timeIntervalSince1970 }
        if t.count == 10, let d = try? Date(t, strategy: Date.ISO8601FormatStyle().year().month().day()) {
            return d.timeIntervalSince1970
        }
        return nil
    }

    /// Whether the date (and the time, when a `T` follows) names a real calendar instant: Foundation's
    /// ISO 8601 reader rolls `2024-02-30` over to 1 March and `23:60` to the next hour, so the fields
    /// are checked first (the calendar rule of ``CallbackTimeParsing/epochSeconds(year:month:day:hour:minute:second:)``).
    static func civilFieldsInRange(_ t: String) -> Bool {
        let b = Array(t.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var n = 0
            for c in b[from..<(from + count)] {
                guard (48...57).contains(c) else { return nil }
                n = n * 10 + Int(c - 48)
            }
            return n
        }
        guard let y = number(0, 4), b.count > 4, b[4] == UInt8(ascii: "-"), let mo = number(5, 2), let d = number(8, 2) else { return false }
        var (h, mi, se) = (0, 0, 0)
        if b.count > 10, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") {
            guard let hh = number(11, 2), let mm = number(14, 2) else { return false }
            (h, mi) = (hh, mm)
            if b.count > 16, b[16] == UInt8(ascii: ":") {
                guard let ss = number(17, 2) else { return false }
                se = ss
            }
        }
        return CallbackTimeParsing.epochSeconds(year: y, month: mo, day: d, hour: h, minute: mi, second: se) != nil
    }
}

extension AudienceSegment.Definition {
    /// Profiles per read when a segment is evaluated (``forEachMatch(fetch:_:)``).
    public static let pageSize = 1_000

    /// Calls `body` with every profile the segment matches, in user id byte order, reading the
    /// profiles through `fetch(afterUserId, count)` (``ProfileStore/profiles(afterUserId:limit:)``)
    /// in pages of ``pageSize``: memory holds one page at a time, whatever the number of profiles.
    /// Used for the preview, the audience size and the audience frozen at publish.
    public func forEachMatch(
        fetch: (String?, Int) async throws -> [Profile], _ body: (Profile) throws -> Void
    ) async throws {
        var after: String?
        while true {
            let page = try await fetch(after, Self.pageSize)
            for profile in page where matches(profile) { try body(profile) }
            guard page.count == Self.pageSize, let last = page.last else { return }
            after = last.userId
        }
    }

    /// Counts the profiles the segment matches and keeps the first `sampleSize` of them (user id
    /// byte order), through ``forEachMatch(fetch:_:)``: the preview of `GET /api/v1/segments/{id}/preview`.
    public func preview(sampleSize: Int, fetch: (String?, Int) async throws -> [Profile]) async throws -> (count: Int, sample: [Profile]) {
        var count = 0
        var sample: [Profile] = []
        try await forEachMatch(fetch: fetch) { profile in
            count += 1
            if sample.count < sampleSize { sample.append(profile) }
        }
        return (count, sample)
    }
}
