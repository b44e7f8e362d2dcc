import Foundation

/// A callback item that could not be turned into a ``CallbackItem``. It is stored whole with the
/// reason so an operator can see and replay it, and it is named in the 400 answer
/// (`docs/DOMAIN.md` §3 "Decisions": "the invalid items are stored whole with the reason").
///
/// - `raw`: the item's bytes as they arrived, never re-serialised nor decoded (`docs/DOMAIN.md` §1
///   "Bytes as they arrived"; bytes, since an item refused for a byte that is not UTF-8 keeps it):
///   a JSON dialect's batch element or body as received; a generic item inside its
///   group's bytes with the other items left out (`[{"event":"delivered","data":[<item>]}]`), a
///   group without a usable `data` array as `[<group>]`. A form/query parser called on its own
///   gives the parameters as a JSON object of strings; the callback route stores the form or query
///   text instead (``CallbackDialect/storedRaw(_:kind:fields:)``).
/// - `event`: the event name (generic contract) or raw status word (dialects) as given, if any.
/// - `reason`: a sentence, e.g. `"missing required fields: meta, ts"`, `"unknown event 'sent'"`,
///   `"unknown status 'canceled'"`.
/// - `missingFields`: required fields that were absent, `null` or empty, in the contract's order
///   (`meta`, `ts`, `code`, `url`, `incomingText`; `event`, `data` for groups; provider field names
///   for dialects). Fields present with a wrong type are described in `reason` only.
/// - `group`, `index`: 0-based position in the body (group in the generic array, item in the group's
///   `data`, or element of a dialect's batch); `nil` when not applicable.
public struct InvalidCallbackItem: Sendable, Equatable, Hashable, Codable {
    /// The item's bytes as received (see the type's documentation), stored for display and replay.
    public let raw: [UInt8]
    /// Event name or raw status word as given, if any.
    public let event: String?
    /// Why the item was refused, as a sentence.
    public let reason: String
    /// Required fields that were absent, `null` or empty.
    public let missingFields: [String]
    /// 0-based group index in a generic body, else `nil`.
    public let group: Int?
    /// 0-based item index within its group (or within a dialect batch), else `nil`.
    public let index: Int?

    /// Creates an invalid-item record. No validation.
    public init(
        raw: [UInt8], event: String?, reason: String, missingFields: [String],
        group: Int? = nil, index: Int? = nil
    ) {
        self.raw = raw
        self.event = event
        self.reason = reason
        self.missingFields = missingFields
        self.group = group
        self.index = index
    }

    /// An invalid-item record whose raw input is text (kept as its UTF-8 bytes). No validation.
    public init(
        raw: String, event: String?, reason: String, missingFields: [String],
        group: Int? = nil, index: Int? = nil
    ) {
        self.init(raw: Array(raw.utf8), event: event, reason: reason, missingFields: missingFields, group: group, index: index)
    }
}
