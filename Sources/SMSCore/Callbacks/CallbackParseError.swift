import Foundation

/// Why a whole callback body was refused (answered 400 as a whole, nothing applied).
///
/// Item-level problems (a missing `meta`, an unknown event or status) are *not* errors: they come
/// back as ``InvalidCallbackItem`` values so the valid items of the same batch are still applied
/// (`docs/DOMAIN.md` §3 "Decisions"). These cases are for bodies that cannot be read at all.
public enum CallbackParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The body is not valid JSON (or is empty); the payload says what the JSON reader found.
    case malformedJSON(String)
    /// The body is JSON but not an array (the generic contract and Gupshup post an array).
    case notAnArray
    /// The body is JSON but not an object (Vonage and Sinch post one report object).
    case notAnObject
    /// Element `index` (0-based) of the generic body's top-level array is not a group object.
    case groupNotAnObject(index: Int)
    /// The body is not valid UTF-8.
    case invalidUTF8
    /// The body holds this many items, more than the parser's `maxItems`.
    case tooManyItems(Int)
    /// A form or query field of a form/query dialect whose percent-decoded name or value is not
    /// UTF-8; the payload is ``FormFields/InvalidUTF8Fields/message(noun:)`` naming each field.
    case invalidUTF8Fields(String)

    /// A sentence saying what is wrong, suitable for the 400 response's `details.message`.
    public var description: String {
        switch self {
        case .malformedJSON(let reason):
            return "the callback body is not valid JSON: \(reason)"
        case .notAnArray:
            return "the callback body must be a JSON array of groups like [{\"event\":\"delivered\",\"data\":[{...}]}]"
        case .notAnObject:
            return "the callback body must be a JSON object"
        case .groupNotAnObject(let index):
            return "element \(index) of the callback body is not a JSON object; each group must look like {\"event\":\"delivered\",\"data\":[{...}]}"
        case .invalidUTF8:
            return "the callback body is not valid UTF-8"
        case .invalidUTF8Fields(let message):
            return message
        case .tooManyItems(let count):
            return "the callback body holds \(count) items, more than this endpoint accepts in one request"
        }
    }
}
