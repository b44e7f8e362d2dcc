import Foundation

/// Erasure of one person (`DELETE /api/v1/profiles/{userId}`, issue 15): what is removed, what is
/// pseudonymised, what is kept. The rule lives here as data (``steps``) plus the pure rewrites
/// (``scrub(_:)``, ``names(raw:reason:)``, ``scrub(event:)``, ``retainedProperties(_:goals:)``); each
/// store applies the steps in one transaction.
///
/// Kept, so that campaign numbers already reported stay what they were and a recount
/// (`smsstats reconcile`) finds no drift: every message row with its state, times, variant and
/// segments; every receipt, click and reply event with its kind, time and code (the opt-out
/// intent of a reply); clicks' link and bot verdict; conversion events' id, name, time and the
/// properties a campaign goal reads (revenue and filter properties, ``retainedProperties(_:goals:)``);
/// the per-campaign conversion rows.
///
/// Removed or pseudonymised:
/// - the profile row (deleted);
/// - the user id in every kept row becomes ``pseudonym``, a random token (`erased-` and 32 hex
///   digits from the system's random generator) that is not derived from the user id or the
///   phone, so it cannot be reversed by enumerating numbers (an unsalted hash of a phone could);
/// - the phone, body and template variables of the user's messages (`NULL`, empty);
/// - the reply text and phone of the user's callback events (``scrub(event:)``);
/// - the user agent and IP hash of clicks on the user's links;
/// - conversion events' other properties;
/// - the user id in the stored audience of every campaign that lists it (`{"userIds":[…]}`, any
///   status): removed from the list (``scrub(audience:)``), so a duplicate of the campaign does not
///   copy it back; who was targeted stays recorded in the campaign's messages, under the pseudonym;
/// - the phone's digits wherever raw input holds them, whoever it was received for: pending
///   (unmatched) callbacks and provider error texts (``scrub(_:)``: each occurrence of the
///   national significant number becomes `*`s, so `+4915112345678` and `015112345678` both lose
///   the digits);
/// - every ingestion error (refused callback, event or import input) whose raw bytes or reason
///   name the person by user id or phone (``names(raw:reason:)``) is deleted: masking would leave
///   input that a replay (`POST /api/v1/ingestion-errors/{id}/replay`) could store again under the
///   real id, and refused input is not counted in any stat.
///
/// After the erasure the person's short links still redirect (a forwarded message keeps working)
/// and their clicks still count, but a click on a message of a pseudonymised user stores no user
/// agent and no IP hash (``storedClick(_:messageUserId:)``, applied by the stores' click writes).
///
/// Not covered: digits written with separators inside pending callbacks and error texts
/// (`+49 151 1234 5678`; ingestion errors are matched with separators); logs hold
/// phones only masked (``PhoneNumber/masked(_:)``), so they keep no full number to erase.
public struct ProfileErasure: Sendable, Equatable {
    /// The erased user's id.
    public let userId: String
    /// What replaces the user id in the rows that are kept.
    public let pseudonym: String
    /// The texts whose every occurrence is masked in raw input (longest first): the NSN digits of
    /// a valid phone, and an invalid phone as it was stored; empty without a phone.
    public let phoneNeedles: [String]

    /// - Parameters:
    ///   - profile: the stored profile (`nil`: none stored; rows of the user id are still erased).
    ///   - pseudonym: ``newPseudonym()`` unless a test fixes it.
    public init(userId: String, profile: Profile?, pseudonym: String = ProfileErasure.newPseudonym()) {
        self.userId = userId
        self.pseudonym = pseudonym
        var needles: [String] = []
        if let phone = profile?.phone, !phone.isEmpty {
            if let digits = PhoneNumber.e164Digits(phone), let code = PhoneNumber.countryCallingCode(ofE164: phone) {
                let nsn = String(digits.dropFirst(code.count))
                needles.append(nsn.count >= 4 ? nsn : String(digits))
            } else {
                needles.append(phone)
            }
        }
        phoneNeedles = needles
    }

    /// `erased-` and 32 random hex digits (128 bits from `SystemRandomNumberGenerator`).
    public static func newPseudonym() -> String {
        var rng = SystemRandomNumberGenerator()
        return "erased-" + (0..<2).map { _ in
            let n = rng.next() as UInt64
            let hex = String(n, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// The character each masked digit becomes.
    public static let mask: Character = "*"

    /// `text` with every occurrence of a ``phoneNeedles`` entry replaced by as many ``mask``s.
    public func scrub(_ text: String) -> String {
        var out = text
        for needle in phoneNeedles where out.contains(needle) {
            out = out.replacingOccurrences(of: needle, with: String(repeating: Self.mask, count: needle.count))
        }
        return out
    }

    /// Whether an ingestion error names the erased person, so the erasure deletes it (its raw
    /// input can be replayed, and a replay of input naming the person would store it again under
    /// the real id; decision of issue 15: such rows are deleted, not masked):
    /// - the phone: a ``phoneNeedles`` entry in `raw` or `reason`, its digits possibly split by the
    ///   separators people and form encodings write (space, `-`, `.`, `(`, `)`, `/`, `+`, `%20`:
    ///   `+49 151 1234 5678`, `0151-1234-5678`, `+49+151+1234+5678`);
    /// - the user id: written in `raw` or `reason` as it is, JSON-escaped (`\/`) or
    ///   percent-encoded, as a whole token (the bytes before and after it are no ASCII letter,
    ///   digit or `_`: user `u7` is in `"userId":"u7"` and `userId=u7&`, not in `u70` or
    ///   `1700000u7`);
    /// - or, when `raw` is JSON, any string in it (a member name or a value) equal to the user id
    ///   or holding the phone, whatever escapes it was written with (`"\u0075\u0037"`).
    /// A short user id such as `7` also matches a stand-alone number 7 in raw input: erasure errs
    /// on the side of deleting (such a row is gone from `GET /api/v1/ingestion-errors`).
    public func names(raw: [UInt8], reason: String) -> Bool {
        let reasonBytes = Array(reason.utf8)
        for bytes in [raw, reasonBytes] {
            if phoneNeedles.contains(where: { Self.holds(needle: Array($0.utf8), in: bytes) }) { return true }
            if userIdForms.contains(where: { Self.holds(token: $0, in: bytes) }) { return true }
        }
        guard let value = try? JSONValue(json: Data(raw)) else { return false }
        return holdsPerson(value)
    }

    /// The written forms of the user id searched in raw input: as is, JSON-escaped, percent-encoded.
    var userIdForms: [[UInt8]] {
        guard !userId.isEmpty else { return [] }
        var forms = [Array(userId.utf8)]
        if let json = try? JSONEncoder().encode(userId), json.count >= 2 {
            forms.append(Array(json.dropFirst().dropLast()))
        }
        var unreserved = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        unreserved.insert(charactersIn: "-._~")
        if let encoded = userId.addingPercentEncoding(withAllowedCharacters: unreserved) { forms.append(Array(encoded.utf8)) }
        var seen = Set<[UInt8]>()
        return forms.filter { seen.insert($0).inserted }
    }

    /// Whether a JSON value holds a string (member name or value) equal to the user id or holding a phone needle.
    private func holdsPerson(_ value: JSONValue) -> Bool {
        func holds(_ s: String) -> Bool {
            s == userId || phoneNeedles.contains { Self.holds(needle: Array($0.utf8), in: Array(s.utf8)) }
        }
        switch value {
        case .string(let s): return holds(s)
        case .array(let a): return a.contains(where: holdsPerson)
        case .object(let o): return o.contains { holds($0.key) || holdsPerson($0.value) }
        case .number, .bool, .null: return false
        }
    }

    /// ASCII letters, digits and `_`: the bytes that continue a token.
    private static func isWordByte(_ b: UInt8) -> Bool {
        (48...57).contains(b) || (65...90).contains(b) || (97...122).contains(b) || b == UInt8(ascii: "_")
    }

    /// Whether `token` occurs in `bytes` with no word byte (``isWordByte(_:)``) right before or
    /// after it (checked only on a side where the token itself starts or ends with a word byte).
    static func holds(token: [UInt8], in bytes: [UInt8]) -> Bool {
        guard let first = token.first, let last = token.last, bytes.count >= token.count else { return false }
        var i = 0
        while i <= bytes.count - token.count {
            if bytes[i] == first, bytes[i..<(i + token.count)].elementsEqual(token) {
                let before = i == 0 || !isWordByte(first) || !isWordByte(bytes[i - 1])
                let after = i + token.count == bytes.count || !isWordByte(last) || !isWordByte(bytes[i + token.count])
                if before && after { return true }
            }
            i += 1
        }
        return false
    }

    /// Whether `needle` occurs in `bytes`; when the needle is all ASCII digits, the digits may be
    /// split by separators (space, `-`, `.`, `(`, `)`, `/`, `+`, `%20`) between them.
    static func holds(needle: [UInt8], in bytes: [UInt8]) -> Bool {
        guard let first = needle.first, bytes.count >= needle.count else { return false }
        let digits = needle.allSatisfy { (48...57).contains($0) }
        let separators: Set<UInt8> = Set(" -.()/+".utf8)
        for start in bytes.indices where bytes[start] == first {
            var (i, k) = (start, 0)
            while i < bytes.count, k < needle.count {
                if bytes[i] == needle[k] {
                    i += 1
                    k += 1
                } else if digits, k > 0, separators.contains(bytes[i]) {
                    i += 1
                } else if digits, k > 0, bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "2"),
                    bytes[i + 2] == UInt8(ascii: "0")
                {
                    i += 3
                } else {
                    break
                }
            }
            if k == needle.count { return true }
        }
        return false
    }

    /// A campaign audience with every occurrence of the erased user id removed from a
    /// `{"userIds":[…]}` list (the list may become empty: publishing it is then refused as an
    /// empty audience); `all` and segment audiences are returned unchanged.
    public func scrub(audience: Audience) -> Audience {
        guard case .userIds(let ids) = audience else { return audience }
        return .userIds(ids.filter { $0 != userId })
    }

    /// Whether `userId` is a pseudonym an erasure wrote (``newPseudonym()``: `erased-` and exactly
    /// 32 lowercase hex digits).
    public static func isPseudonym(_ userId: String) -> Bool {
        let utf8 = userId.utf8
        guard utf8.count == 39, userId.hasPrefix("erased-") else { return false }
        return utf8.dropFirst(7).allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// The hit to store for a click on a message of `messageUserId`: as given, except that for an
    /// erased person (``isPseudonym(_:)``) the user agent and IP hash are dropped (`nil`); the
    /// bot verdict, decided from the user agent before, stays, so the click counts as before.
    public static func storedClick(_ click: ClickInput, messageUserId: String) -> ClickInput {
        guard isPseudonym(messageUserId) else { return click }
        var out = click
        out.userAgent = nil
        out.ipHash = nil
        return out
    }

    /// A stored callback event of the user's messages: the reply text and the phone go; kind,
    /// meta, time, code, URLs and provider ids stay (a recount reads them); the description is
    /// scrubbed of the phone.
    public func scrub(event item: CallbackItem) -> CallbackItem {
        var out = item
        out.incomingText = nil
        out.toPhone = nil
        out.description = item.description.map(scrub)
        return out
    }

    /// The properties of a conversion event that stay: those a campaign goal reads (its
    /// `revenueProperty` and the properties of its filters), so attribution and revenue recount
    /// the same; every other property is removed.
    /// - Parameter goals: the goals of the campaigns that sent to the user.
    public static func retainedProperties(_ properties: [String: JSONValue], goals: [ConversionGoal]) -> [String: JSONValue] {
        var read = Set<String>()
        for goal in goals {
            if let p = goal.revenueProperty { read.insert(p) }
            for f in goal.filters { read.insert(f.property) }
        }
        return properties.filter { read.contains($0.key) }
    }

    /// What a store does to a column.
    public enum Action: Sendable, Equatable {
        /// Delete the rows.
        case delete
        /// Set the column to `NULL`.
        case null
        /// Set the column to the empty text.
        case empty
        /// Set the column to ``ProfileErasure/pseudonym``.
        case pseudonym
        /// Rewrite the text with ``ProfileErasure/scrub(_:)``.
        case scrubPhone
        /// Rewrite the stored ``CallbackItem`` JSON with ``ProfileErasure/scrub(event:)``.
        case scrubEvent
        /// Rewrite the properties JSON with ``ProfileErasure/retainedProperties(_:goals:)``.
        case retainGoalProperties
        /// Rewrite the stored campaign's audience with ``ProfileErasure/scrub(audience:)``.
        case scrubAudience
    }

    /// Which rows of a table a step touches.
    public enum Rows: Sendable, Equatable {
        /// `user_id = <the erased user id>`.
        case user
        /// `message_id` is one of the user's messages.
        case userMessages
        /// Any row whose column holds one of ``ProfileErasure/phoneNeedles``.
        case holdingPhone
        /// Campaigns whose audience is a `userIds` list holding the user id.
        case listingUser
        /// Ingestion errors whose raw bytes or reason name the person (``ProfileErasure/names(raw:reason:)``).
        case namingPerson
    }

    /// One step: `action` on `column` of `table` for `rows`.
    public struct Step: Sendable, Equatable {
        public let table: String
        public let column: String
        public let rows: Rows
        public let action: Action
        /// Whether the column holds raw bytes (SQLite `BLOB`, PostgreSQL `bytea`) rather than text.
        public let bytes: Bool

        init(table: String, column: String, rows: Rows, action: Action, bytes: Bool = false) {
            self.table = table
            self.column = column
            self.rows = rows
            self.action = action
            self.bytes = bytes
        }
    }

    /// The steps, in the order a store applies them (the user id is replaced last, after every
    /// step that selects rows by it). Rows are chosen by the user (their messages' phone-bearing
    /// texts included) except in the tables of raw input received for no known message, which are
    /// searched for the phone (`.holdingPhone`: pending callbacks and the per-campaign error
    /// descriptions copied from receipts) or for the person (`.namingPerson`: ingestion errors,
    /// every row read once, linear in the table).
    public static let steps: [Step] = [
        Step(table: "profiles", column: "user_id", rows: .user, action: .delete),
        Step(table: "messages", column: "phone", rows: .user, action: .null),
        Step(table: "messages", column: "body", rows: .user, action: .empty),
        Step(table: "messages", column: "template_variables", rows: .user, action: .null),
        Step(table: "message_events", column: "payload", rows: .userMessages, action: .scrubEvent),
        Step(table: "clicks", column: "user_agent", rows: .userMessages, action: .null),
        Step(table: "clicks", column: "ip_hash", rows: .userMessages, action: .null),
        Step(table: "conversion_events", column: "properties", rows: .user, action: .retainGoalProperties),
        Step(table: "messages", column: "failure_description", rows: .user, action: .scrubPhone),
        Step(table: "messages", column: "answer_error", rows: .user, action: .scrubPhone),
        Step(table: "messages", column: "dead_letter", rows: .user, action: .scrubPhone),
        Step(table: "message_events", column: "description", rows: .userMessages, action: .scrubPhone),
        Step(table: "delivery_error_descriptions", column: "description", rows: .holdingPhone, action: .scrubPhone),
        Step(table: "pending_callbacks", column: "payload", rows: .holdingPhone, action: .scrubPhone),
        Step(table: "ingestion_errors", column: "raw", rows: .namingPerson, action: .delete, bytes: true),
        Step(table: "campaigns", column: "json", rows: .listingUser, action: .scrubAudience),
        Step(table: "messages", column: "user_id", rows: .user, action: .pseudonym),
        Step(table: "conversion_events", column: "user_id", rows: .user, action: .pseudonym),
        Step(table: "campaign_conversions", column: "user_id", rows: .user, action: .pseudonym),
        // Webhook events (issue 17) keep only the user id (their `data` is read from the message at
        // delivery, so an undelivered event of an erased person carries the pseudonym and a masked,
        // erased message); delivered ones too, so the id is nowhere.
        Step(table: "webhook_outbox", column: "user_id", rows: .user, action: .pseudonym),
    ]
}

/// What an erasure did (`DELETE /api/v1/profiles/{userId}` answers it): rows touched per table.
public struct ErasureReport: Sendable, Equatable, Codable {
    public var userId: String
    /// Whether a profile row was deleted.
    public var profileDeleted: Bool
    /// Rows changed (or deleted) per `table.column` of ``ProfileErasure/steps``; only non-zero entries.
    public var rows: [String: Int]

    public init(userId: String, profileDeleted: Bool, rows: [String: Int]) {
        self.userId = userId
        self.profileDeleted = profileDeleted
        self.rows = rows
    }
}
