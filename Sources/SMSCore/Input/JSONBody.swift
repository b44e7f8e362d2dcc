import Foundation

/// A JSON request body read by the one rule every JSON route of the API applies (campaigns,
/// schedules, providers, profiles, login links, replays; the events route and the callback parsers
/// read with the same reader): UTF-8 only (RFC 8259 §8.1; a UTF-16 or Latin-1 body is refused, not
/// guessed), strict RFC 8259 syntax (the reader behind ``JSONSyntax``, nesting at most 128 levels).
///
/// A valid JSON value that is not taken as written is a value error of its field, never a syntax
/// error (``JSONValueProblem``, `docs/DOMAIN.md` §1 "Numbers and keys from outside"):
/// - a number literal beyond `Double`'s range (`1e309`, `-1e400`) is read as
///   ±`Double.greatestFiniteMagnitude` and listed in ``outOfRange`` with its field path, so the route
///   refuses it naming the field and the field's ``InputRange`` (`variants[0].percent must be a
///   number from 0.01 to 100 percent (got '1e309')`);
/// - a key repeated in one object is listed in ``repeatedKeys``; a route refuses the body naming it
///   (`controlGroupPercent is given more than once: each key may appear once in an object`).
public struct JSONBody: Sendable {
    /// A number literal beyond `Double`'s range (or a nonzero one that reads as 0), by field path
    /// (`variants[0].percent`; `""` for the root) and as written (`1e309`, `1e-400`).
    public struct OutOfRangeNumber: Sendable, Equatable {
        public var field: String
        public var text: String
        /// ``JSONValueProblem/Kind/numberBeyondDouble`` or ``JSONValueProblem/Kind/numberBelowDouble``.
        public var kind: JSONValueProblem.Kind = .numberBeyondDouble
    }

    /// Why a body is not read: `body is not valid JSON: the body is not valid UTF-8`,
    /// `body is not valid JSON: unexpected end of input, expected a value at byte 9` (the words of
    /// the events and callback routes, ``JSONSyntax``).
    public struct Problem: Error, Equatable, Sendable {
        public var message: String
    }

    /// The body's value; numbers out of range are ±`Double.greatestFiniteMagnitude`, a repeated
    /// key holds its last value.
    public let value: JSONValue
    /// The number literals beyond `Double`'s range or underflowing to 0, in the order read.
    public let outOfRange: [OutOfRangeNumber]
    /// Every value not taken as written (numbers beyond `Double`, repeated keys), in the order read,
    /// with its path: a batch route refuses the items holding one (``problems(under:)``).
    public let problems: [JSONValueProblem]

    /// The keys given more than once, in the order read.
    public var repeatedKeys: [JSONValueProblem] { problems.filter { $0.kind == .repeatedKey } }

    /// Reads `body` by the rule above.
    /// - Throws: ``Problem`` when the body is not UTF-8, blank, or not one RFC 8259 JSON value.
    public static func read(_ body: Data) throws(Problem) -> JSONBody {
        do {
            let (value, _, _, problems) = try CallbackJSONValue.decodeWithSpans(body, levels: 0)
            return JSONBody(
                value: JSONValue(value),
                outOfRange: problems.filter { $0.kind != .repeatedKey }.map {
                    OutOfRangeNumber(field: $0.field(), text: $0.text, kind: $0.kind)
                },
                problems: problems)
        } catch {
            switch error {
            case .invalidUTF8: throw Problem(message: "body is not valid JSON: the body is not valid UTF-8")
            case .malformedJSON(let reason): throw Problem(message: "body is not valid JSON: \(reason)")
            default: throw Problem(message: "body is not valid JSON: \(error.description)")
            }
        }
    }

    /// The problems at or below `prefix` (a batch's item `[.index(i)]`), worded by
    /// ``JSONValueProblem/messages(_:under:range:)``.
    public func problems(under prefix: [JSONPathStep], range: (String) -> String? = { _ in nil }) -> [String] {
        JSONValueProblem.messages(problems, under: prefix, range: range)
    }

    /// The sentence for an out-of-range literal at a field without an ``InputRange``:
    /// `ratePerSecond is beyond the range of a number, ±1.8e308 (got '1e309')`,
    /// `properties.score must be 0 or a number from 4.9e-324 to 1.8e308 in magnitude: … (got '1e-400')`.
    public func problem(_ number: OutOfRangeNumber) -> String {
        JSONValueProblem(kind: number.kind, path: [], text: number.text).message(field: number.field)
    }
}
