import Foundation

/// One step of a path into a JSON value: a member's key or an array element's 0-based index.
public enum JSONPathStep: Sendable, Equatable, Hashable {
    case key(String)
    case index(Int)

    /// The path as the API names fields: `variants[0].percent`; `""` for the root.
    public static func text(_ path: some Collection<JSONPathStep>) -> String {
        var out = ""
        for step in path {
            switch step {
            case .key(let key): out += out.isEmpty ? key : "." + key
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }
}

/// A value in a JSON body that is valid RFC 8259 syntax but not taken as written
/// (`docs/DOMAIN.md` §1 "Numbers and keys from outside"): a value error of that field, never a
/// syntax error of the body. An admin route refuses the body with a 400 naming the field
/// (``JSONBody``); a batch (callbacks of every JSON dialect, `POST /api/v1/events`) refuses only
/// the item holding it, as an invalid item naming the field, and applies the others.
///
/// - A number literal beyond `Double`'s range (`1e309`, `-1e400`): no number the API can hold.
/// - A nonzero literal so close to 0 that it reads as 0 (`1e-400`; **Decision**: refused, since
///   the value would change; `5e-324`, the smallest `Double`, is kept and left to the field's range).
/// - A key given more than once in one object (`{"a":1,"a":2}`): RFC 8259 §4 leaves the meaning
///   open and readers differ (first or last wins), so the body is refused rather than guessed.
/// - A string holding bytes that are not UTF-8 (`"a\xFF"`), met only by a batch reader that finds
///   its items on the bytes before checking UTF-8 (the generic contract's and Gupshup's callbacks):
///   JSON text must be UTF-8 (RFC 8259 §8.1), so the item holding it is refused naming the field
///   and the first bad byte, kept as its bytes; every other reader refuses the body whole.
/// - In a free-form value (profile `properties`, a segment rule's `value`, a goal filter's
///   `value`: held as `Double`, ``JSONValue``), a number a `Double` does not hold as written
///   (``JSONNumberLiteral/heldAsWritten(_:as:)``): an integer beyond ±2^53
///   (``Kind/integerBeyondExact``: `123456789012345678901234567890` would be stored as
///   `1.2345678901234568e+29` and equal `…891`), or a literal with more digits than a `Double`
///   keeps (``Kind/digitsBeyondDouble``: `9007199254740991.5` would be `9007199254740992`). Found
///   by the strict decoder where a free-form value is taken (``JSONBodyDecoder``), not by the
///   reader: an admin body is refused naming the field (**Decision**: "send it as a string");
///   `POST /api/v1/events` keeps such a property as its literal text (``JSONBody/InexactNumbers``).
public struct JSONValueProblem: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `text` is the literal as written (`1e309`).
        case numberBeyondDouble
        /// A nonzero literal that reads as 0; `text` is the literal as written (`1e-400`).
        case numberBelowDouble
        /// `text` is the key; `path` ends with it.
        case repeatedKey
        /// A string (a value, or the member name `path` ends with) that is not UTF-8; `text` says
        /// where: `byte 0xFF at byte 2 of its value` (`of its name`), the first bad byte and its
        /// 0-based offset in the string's text (escapes decoded).
        case invalidUTF8
        /// An integer literal beyond ±2^53 in a free-form value; `text` is the literal as written.
        case integerBeyondExact
        /// Any other literal a `Double` does not hold as written, in a free-form value; `text` is
        /// the literal as written, ``held`` the value a `Double` would keep.
        case digitsBeyondDouble(held: Double)
    }

    public var kind: Kind
    /// The keys and array indices from the root to the value (to the repeated member).
    public var path: [JSONPathStep]
    /// The literal as written, or the repeated key.
    public var text: String

    public init(kind: Kind, path: [JSONPathStep], text: String) {
        self.kind = kind
        self.path = path
        self.text = text
    }

    /// Whether the problem lies at or below `prefix` (an item of a batch: `[.index(3)]`).
    public func isUnder(_ prefix: [JSONPathStep]) -> Bool {
        path.count >= prefix.count && path.prefix(prefix.count).elementsEqual(prefix)
    }

    /// The field's name with the first `steps` steps left out (a batch item's own field: `ts`).
    public func field(droppingFirst steps: Int = 0) -> String {
        JSONPathStep.text(path.dropFirst(steps))
    }

    /// The sentence naming the field (`field`, `""`: the body or the item, `whole`) and its allowed
    /// range: `ts must be epoch seconds from 0 to … (got '1e309')` when `range` (the field's range
    /// sentence, which starts with the field's name) is known, else
    /// `rate is beyond the range of a number, ±1.8e308 (got '1e309')`; for a repeated key
    /// `controlGroupPercent is given more than once: each key may appear once in an object`; for a
    /// string that is not UTF-8 `meta is not valid UTF-8 (byte 0xFF at byte 2 of its value)`.
    public func message(field: String, whole: String = "body", range: String? = nil) -> String {
        let name = field.isEmpty ? whole : field
        switch kind {
        case .numberBeyondDouble:
            if let range { return "\(range) (got '\(InputEcho.text(text))')" }
            return "\(name) is beyond the range of a number, ±1.8e308 (got '\(InputEcho.text(text))')"
        case .numberBelowDouble:
            if let range { return "\(range) (got '\(InputEcho.text(text))')" }
            return "\(name) must be 0 or a number from 4.9e-324 to 1.8e308 in magnitude: a nonzero number closer to 0 would be"
                + " read as 0 (got '\(InputEcho.text(text))')"
        case .repeatedKey:
            return "\(name) is given more than once: each key may appear once in an object"
        case .invalidUTF8:
            return "\(name) is not valid UTF-8 (\(text))"
        case .integerBeyondExact, .digitsBeyondDouble:
            return "\(name) \(numberRule)"
        }
    }

    /// For a number a free-form value cannot hold as written, what the field must be, after its
    /// name: `must be a number from -9007199254740992 to 9007199254740992: an integer beyond ±2^53
    /// cannot be held exactly; send it as a string (got 123456789012345678901234567890)`; `must be
    /// a number a double holds as written (at most 17 significant digits): it would be kept as
    /// 9007199254740992; send it as a string (got 9007199254740991.5)`. Empty for other kinds.
    public var numberRule: String {
        switch kind {
        case .integerBeyondExact:
            return "\(Self.integerBeyondExactRule) (got \(InputEcho.text(text)))"
        case .digitsBeyondDouble(let held):
            return "must be a number a double holds as written (at most 17 significant digits): it would be kept as"
                + " \(InputRange.format(held)); send it as a string (got \(InputEcho.text(text)))"
        default:
            return ""
        }
    }

    /// The rule of an integer in a free-form value, after its field's name: `must be a number from
    /// -9007199254740992 to 9007199254740992: an integer beyond ±2^53 cannot be held exactly; send
    /// it as a string`.
    public static let integerBeyondExactRule =
        "must be a number from -9007199254740992 to 9007199254740992: an integer beyond ±2^53 cannot be held exactly; send it as a string"

    /// The sentences for the problems at or below `prefix` (a batch's item: `[.index(3)]`), each
    /// naming the field by its path inside the item (`ts`, `properties.plan`); `range(field)` gives
    /// a field's range sentence when it has one (`ts` → ``EpochTimestamp/rangeText(field:)``).
    public static func messages(
        _ problems: [JSONValueProblem], under prefix: [JSONPathStep], whole: String = "item",
        range: (String) -> String? = { _ in nil }
    ) -> [String] {
        problems.filter { $0.isUnder(prefix) }.map { problem in
            let field = problem.field(droppingFirst: prefix.count)
            return problem.message(field: field, whole: whole, range: range(field))
        }
    }
}
