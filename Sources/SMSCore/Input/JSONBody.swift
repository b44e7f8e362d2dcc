import Foundation

/// A JSON request body read by the one rule every JSON route of the API applies (campaigns,
/// schedules, providers, profiles, login links, replays; the events route and the callback parsers
/// read with the same reader): UTF-8 only (RFC 8259 §8.1; a UTF-16 or Latin-1 body is refused, not
/// guessed), strict RFC 8259 syntax (the reader behind ``JSONSyntax``, nesting at most 128 levels).
///
/// A number literal beyond `Double`'s range (`1e309`, `-1e400`) is valid JSON but no number the
/// API can hold: it is not refused as a syntax error; it is read as ±`Double.greatestFiniteMagnitude`
/// and listed in ``outOfRange`` with its field path, so the route refuses it naming the field and
/// the field's ``InputRange`` (`variants[0].percent must be a number above 0 and at most 100 percent
/// (got '1e309')`).
public struct JSONBody: Sendable {
    /// A number literal beyond `Double`'s range, by field path (`variants[0].percent`; `""` for
    /// the root) and as written (`1e309`).
    public struct OutOfRangeNumber: Sendable, Equatable {
        public var field: String
        public var text: String
    }

    /// Why a body is not read: `body is not valid JSON: the body is not valid UTF-8`,
    /// `body is not valid JSON: unexpected end of input, expected a value at byte 9` (the words of
    /// the events and callback routes, ``JSONSyntax``).
    public struct Problem: Error, Equatable, Sendable {
        public var message: String
    }

    /// The body's value; numbers out of range are ±`Double.greatestFiniteMagnitude`.
    public let value: JSONValue
    /// The number literals beyond `Double`'s range, in the order read.
    public let outOfRange: [OutOfRangeNumber]

    /// Reads `body` by the rule above.
    /// - Throws: ``Problem`` when the body is not UTF-8, blank, or not one RFC 8259 JSON value.
    public static func read(_ body: Data) throws(Problem) -> JSONBody {
        do {
            let (value, numbers) = try CallbackJSONValue.decodeKeepingOutOfRange(body)
            return JSONBody(value: JSONValue(value), outOfRange: numbers.map { OutOfRangeNumber(field: $0.path, text: $0.text) })
        } catch {
            switch error {
            case .invalidUTF8: throw Problem(message: "body is not valid JSON: the body is not valid UTF-8")
            case .malformedJSON(let reason): throw Problem(message: "body is not valid JSON: \(reason)")
            default: throw Problem(message: "body is not valid JSON: \(error.description)")
            }
        }
    }

    /// The sentence for an out-of-range literal at a field without an ``InputRange``:
    /// `ratePerSecond is beyond the range of a number, ±1.8e308 (got '1e309')`.
    public func problem(_ number: OutOfRangeNumber) -> String {
        "\(number.field.isEmpty ? "body" : number.field) is beyond the range of a number, ±1.8e308 (got '\(number.text)')"
    }
}
