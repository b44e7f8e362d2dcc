import Foundation

/// A callback item that could not be turned into a ``CallbackItem``. It is stored whole with the
/// reason so an operator can see and replay it, and it is named in the 400 answer
/// (`domain.md` §3 "Decisions": "the invalid items are stored whole with the reason").
///
/// - `raw`: the item's JSON text re-serialised compactly with keys sorted by their UTF-8 bytes
///   (for form/query dialects: the parameters as a JSON object of strings). For a group without a
///   usable `data` array it is the whole group.
/// - `event`: the event name (generic contract) or raw status word (dialects) as given, if any.
/// - `reason`: a sentence, e.g. `"missing required fields: meta, ts"`, `"unknown event 'sent'"`,
///   `"unknown status 'canceled'"`.
/// - `missingFields`: required fields that were absent, `null` or empty, in the contract's order
///   (`meta`, `ts`, `code`, `url`, `incomingText`; `event`, `data` for groups; provider field names
///   for dialects). Fields present with a wrong type are described in `reason` only.
/// - `group`, `index`: 0-based position in the body (group in the generic array, item in the group's
///   `data`, or element of a dialect's batch); `nil` when not applicable.
public struct InvalidCallbackItem: Sendable, Equatable, Hashable, Codable {
    public let raw: String
    public let event: String?
    public let reason: String
    public let missingFields: [String]
    public let group: Int?
    public let index: Int?

    /// Creates an invalid-item record. No validation.
    public init(
        raw: String, event: String?, reason: String, missingFields: [String],
        group: Int? = nil, index: Int? = nil
    ) {
        self.raw = raw
        self.event = event
        self.reason = reason
        self.missingFields = missingFields
        self.group = group
        self.index = index
    }
}
