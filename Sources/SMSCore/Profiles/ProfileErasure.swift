import Foundation

/// Erasure of one person (`DELETE /api/v1/profiles/{userId}`, issue 15): what is removed, what is
/// pseudonymised, what is kept. The rule lives here as data (``steps``) plus the pure rewrites
/// (``scrub(_:)``, ``mention(metas:providerMessageIds:)``, ``scrub(event:)``, ``retainedProperties(_:goals:)``); each
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
/// - the phone's digits wherever text of the person's messages and provider error texts hold
///   them (``scrub(_:)``: each digit of the national significant number becomes `*`, written
///   contiguous or with separators);
/// - pending (unmatched) callbacks that name the person (``PersonMention``, the same rule as
///   ingestion errors): their reply text and phone go and the phone's digits are masked wherever
///   else they are (``scrub(pending:)``); they stay pending, so a receipt they carry still counts
///   when its message turns up;
/// - every ingestion error (refused callback, event or import input) that names the person
///   (``PersonMention/names(raw:reason:)``: the phone anywhere, a meta or provider id of their
///   messages, the user id as the value of a user id field) is deleted: masking would leave input
///   that a replay (`POST /api/v1/ingestion-errors/{id}/replay`) could store again under the real
///   id, and refused input is not counted in any stat. Other people's errors stay, whatever the
///   user id (`1`, `delivered`) happens to occur in.
///
/// After the erasure the person's short links still redirect (a forwarded message keeps working)
/// and their clicks still count, but a click on a message of a pseudonymised user stores no user
/// agent and no IP hash (``storedClick(_:messageUserId:)``, applied by the stores' click writes).
///
/// Not covered: what ``PersonMention`` lists (digits as JSON `\u` escapes); logs hold phones
/// only masked (``PhoneNumber/masked(_:)``), so they keep no full number to erase; the click
/// journal (`click_journal`, a click's hit before it is written to `clicks`) holds a click's
/// user agent and IP hash for at most the flusher's interval and is not searched (README "Erasure").
public struct ProfileErasure: Sendable, Equatable {
    /// The erased user's id.
    public let userId: String
    /// What replaces the user id in the rows that are kept.
    public let pseudonym: String
    /// The stored profile's phone (`nil`: no profile or no phone).
    public let phone: String?

    /// - Parameters:
    ///   - profile: the stored profile (`nil`: none stored; rows of the user id are still erased).
    ///   - pseudonym: ``newPseudonym()`` unless a test fixes it.
    public init(userId: String, profile: Profile?, pseudonym: String = ProfileErasure.newPseudonym()) {
        self.userId = userId
        self.pseudonym = pseudonym
        phone = (profile?.phone?.isEmpty ?? true) ? nil : profile?.phone
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

    /// Who raw input must name to be the person's (``PersonMention``): the user id, the phone and
    /// the keys of the person's messages, which the store reads inside the erasure's transaction.
    /// - Parameters:
    ///   - metas: the metas of every message to the user.
    ///   - providerMessageIds: their provider message ids.
    public func mention(metas: [String] = [], providerMessageIds: [String] = []) -> PersonMention {
        PersonMention(userId: userId, phone: phone, metas: metas, providerMessageIds: providerMessageIds)
    }

    /// `text` with the digits of every occurrence of the phone masked (``PersonMention/masked(_:mask:)``:
    /// contiguous or split by separators, `+4915112345678`, `015112345678` and `+49 151 1234 5678`
    /// all lose the national number's digits).
    public func scrub(_ text: String) -> String {
        mention().masked(text, mask: Self.mask)
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
        out.description = item.description.map { scrub($0) }
        return out
    }

    /// A pending callback's stored payload that names the person: read as a ``CallbackItem``,
    /// its reply text and phone go (``scrub(event:)``), then the phone's digits are masked
    /// wherever else they are (``scrub(_:)``); a payload that is no item is only masked.
    public func scrub(pending payload: String) -> String {
        guard let item = try? JSONDecoder().decode(CallbackItem.self, from: Data(payload.utf8)),
            let data = try? JSONEncoder().encode(scrub(event: item))
        else { return scrub(payload) }
        return scrub(String(decoding: data, as: UTF8.self))
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
        /// Rewrite a pending callback's payload with ``ProfileErasure/scrub(pending:)``.
        case scrubPending
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
        /// Any row whose column holds the phone (``PersonMention/masked(_:mask:)`` changes it).
        case holdingPhone
        /// Campaigns whose audience is a `userIds` list holding the user id.
        case listingUser
        /// Rows whose raw input names the person (``PersonMention/names(raw:reason:)``; ingestion
        /// errors by raw bytes and reason, pending callbacks by payload). A store reads only rows
        /// holding one of ``PersonMention/literals`` or matching ``PersonMention/likePatterns``.
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
    /// searched for the phone (`.holdingPhone`: the per-campaign error descriptions copied from
    /// receipts) or for the person (`.namingPerson`: pending callbacks and ingestion errors); the
    /// store narrows both with SQL (`LIKE` on ``PersonMention/likePatterns``, a search for
    /// ``PersonMention/literals``) and decides on the rows it reads with the rule.
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
        Step(table: "pending_callbacks", column: "payload", rows: .namingPerson, action: .scrubPending),
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
