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
///   (`controlGroupPercent is given more than once: each key may appear once in an object`);
/// - in a free-form value (``JSONValue``: properties, a segment rule's value), a number a `Double`
///   does not hold as written (an integer beyond ±2^53, more digits than 17) is refused by the
///   decoder naming its path (``decode(_:inexactNumbers:)``), or kept as its text (events).
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
    public var value: JSONValue { JSONValue(tree) }
    /// The tree as read: integers without fraction or exponent kept exact (`Int64`).
    let tree: CallbackJSONValue
    /// The number literals beyond `Double`'s range or underflowing to 0, in the order read.
    public let outOfRange: [OutOfRangeNumber]
    /// Every value not taken as written (numbers beyond `Double`, repeated keys), in the order read,
    /// with its path: a batch route refuses the items holding one (``problems(under:)``).
    public let problems: [JSONValueProblem]

    /// The number literals a `Double` would not echo as written (magnitude 2^53 and more, or more
    /// digits than a `Double` holds, ``JSONNumberLiteral``), by path: what a refusal quotes
    /// (`(got '1e20')`), and how a free-form value finds a number it cannot hold.
    let literals: [[JSONPathStep]: String]

    /// The number at `path` as the client wrote it, when its `Double` would not echo it
    /// (``JSONNumberLiteral``: `1e20`, `9223372036854775808`); `nil` for any other value.
    public func literal(at path: [JSONPathStep]) -> String? { literals.isEmpty ? nil : literals[path] }

    /// ``literal(at:)`` by the field's name as messages write it (`variants[0].percent`).
    public func literal(atField field: String) -> String? {
        literals.isEmpty ? nil : literals.first { JSONPathStep.text($0.key) == field }?.value
    }

    /// The keys given more than once, in the order read.
    public var repeatedKeys: [JSONValueProblem] { problems.filter { $0.kind == .repeatedKey } }

    /// Reads `body` by the rule above.
    /// - Throws: ``Problem`` when the body is not UTF-8, blank, or not one RFC 8259 JSON value.
    public static func read(_ body: Data) throws(Problem) -> JSONBody {
        do {
            let (value, _, _, problems, literals) = try CallbackJSONValue.decodeWithSpans(body, levels: 0)
            return JSONBody(
                tree: value, literals: JSONNumberLiteral.byPath(literals),
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

    /// A number written as text (a dashboard form's field) read by the one JSON number rule: the
    /// text without surrounding white space must be one RFC 8259 number literal, read by the same
    /// reader as a JSON body, so a form takes exactly the numbers the JSON API takes and no others
    /// (`0x10`, `0x1p3`, `+5`, `inf`, `.5`, `5.` are not numbers; `1e-400` and `1e309` are numbers
    /// no `Double` holds as written, ``NumberText/beyondDouble``).
    public enum NumberText: Sendable, Equatable {
        /// A number a `Double` holds (`-0` is 0), with the literal as written.
        case number(Double, literal: String)
        /// A literal beyond `Double`'s range or a nonzero one that reads as 0 (``JSONValueProblem``).
        case beyondDouble(literal: String)

        /// The literal as written (trimmed).
        public var literal: String {
            switch self {
            case .number(_, let literal), .beyondDouble(let literal): literal
            }
        }
    }

    /// `text` by the one JSON number rule (``NumberText``); `nil` when it is not a JSON number literal.
    public static func number(text: String) -> NumberText? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // Only a literal that starts like a number: a quoted string, `true` or an array is no number.
        guard let first = trimmed.utf8.first, first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
            let body = try? read(Data(trimmed.utf8))
        else { return nil }
        if !body.problems.isEmpty { return .beyondDouble(literal: trimmed) }
        switch body.tree {
        case .integer(let i): return .number(Double(i), literal: trimmed)
        case .double(let d): return .number(d == 0 ? 0 : d, literal: trimmed)
        default: return nil
        }
    }

    /// What the strict decoder does with a number a free-form value (``JSONValue``: properties, a
    /// segment rule's value) cannot hold as written (``JSONValueProblem/Kind/integerBeyondExact``,
    /// ``JSONValueProblem/Kind/digitsBeyondDouble``; `docs/DOMAIN.md` §1 "Numbers and keys from outside").
    public enum InexactNumbers: Sendable, Equatable {
        /// A `DecodingError` naming the field (admin bodies: "send it as a string").
        case refused
        /// The literal as written, as a string, in the free-form values at these top-level keys of
        /// the decoded object (elsewhere refused) (**Decision** for `POST /api/v1/events`, keys
        /// `properties` and `ts`: a numeric order id `123456789012345678901234567890` is stored as
        /// that text, the event kept; an `eventId` so written is still refused).
        case keptAsText(under: Set<String>)
    }

    /// Decodes the body as `type` with the strict decoder (``JSONBodyDecoder``): the tree already
    /// read, no second parse; a key the type does not take is refused.
    /// - Parameter inexactNumbers: what a free-form value does with a number a `Double` does not
    ///   hold as written (default: refused).
    /// - Throws: what the type's decoding throws (`DecodingError` with the field's coding path,
    ///   ``InputRangeError``…), or ``UnknownField`` naming the key and the keys its object takes.
    public func decode<T: Decodable>(_ type: T.Type, inexactNumbers: InexactNumbers = .refused) throws -> T {
        try JSONBodyDecoder.decode(type, from: tree, literals: literals, refusedNumbers: refusedNumbers, inexactNumbers: inexactNumbers)
    }

    /// The literals no `Double` holds as written, by path (``JSONBodyDecoder``).
    private var refusedNumbers: [[JSONPathStep]: String] {
        guard !outOfRange.isEmpty else { return [:] }
        return JSONNumberLiteral.byPath(problems.filter { $0.kind != .repeatedKey }.map { JSONNumberLiteral(path: $0.path, text: $0.text) })
    }

    /// ``decode(_:)`` of the `index`th element of a body that is an array (a batch's item: paths
    /// inside the item, `ts`, `properties.plan`).
    public func decode<T: Decodable>(_ type: T.Type, element index: Int, inexactNumbers: InexactNumbers = .refused) throws -> T {
        guard case .array(let elements) = tree, elements.indices.contains(index) else {
            throw DecodingError.valueNotFound(type, .init(codingPath: [], debugDescription: "no element \(index)"))
        }
        return try JSONBodyDecoder.decode(
            type, from: elements[index], literals: literals, refusedNumbers: refusedNumbers, at: [.index(index)], inexactNumbers: inexactNumbers)
    }

    /// The number of elements of a body that is an array; `nil` for any other value.
    public var elementCount: Int? {
        if case .array(let elements) = tree { return elements.count }
        return nil
    }

    /// `value` written as JSON by `JSONEncoder` and read back by ``read(_:)``: a stored entity as
    /// the body that would create it (the base of a PATCH, ``mergePatch(over:keeping:)``).
    public init(encoding value: some Encodable) throws {
        self = try Self.read(try JSONEncoder().encode(value))
    }

    private init(
        tree: CallbackJSONValue, literals: [[JSONPathStep]: String], outOfRange: [OutOfRangeNumber], problems: [JSONValueProblem]
    ) {
        self.tree = tree
        self.literals = literals
        self.outOfRange = outOfRange
        self.problems = problems
    }

    /// This body (a PATCH: a JSON object of the fields to change, RFC 7396 at the top level)
    /// applied over `base` (the stored entity as its creation body): `base`'s members in `fields`
    /// (all when `nil`), each member of the patch replacing its own (a `null` stays `null`: an
    /// optional field reads it as absent, a required one refuses it, an unknown one is refused
    /// like any unknown key). Out-of-range numbers and repeated keys are the patch's.
    /// - Returns: `nil` when this body or `base` is not a JSON object.
    public func mergePatch(over base: JSONBody, keeping fields: Set<String>? = nil) -> JSONBody? {
        guard case .object(let changes) = tree, case .object(let current) = base.tree else { return nil }
        var merged = fields.map { keep in current.filter { keep.contains($0.key) } } ?? current
        for (key, value) in changes { merged[key] = value }
        return JSONBody(tree: .object(merged), literals: literals, outOfRange: outOfRange, problems: problems)
    }

    /// A key of a body that the decoded type does not take (``decode(_:)``): a misspelt or
    /// unsupported field is refused, never silently lost (`docs/DOMAIN.md` §1).
    public struct UnknownField: Error, Equatable, Sendable {
        /// The key's path (`audience.segmentID`, `rules[0].vlaue`; `props` inside a batch item).
        public var path: [JSONPathStep]
        /// The keys the key's object takes, sorted.
        public var allowed: [String]

        /// `unknown field 'controlGroupPrecent': the fields are audience, body, …`;
        /// `unknown field 'audience.list': the fields of audience are all, segmentId, userIds`;
        /// `unknown field 'x': the body takes no fields`.
        public var message: String {
            let name = InputEcho.text(JSONPathStep.text(path))
            let owner = JSONPathStep.text(path.dropLast())
            if allowed.isEmpty { return "unknown field '\(name)': \(owner.isEmpty ? "the body" : owner) takes no fields" }
            let list = allowed.joined(separator: ", ")
            return owner.isEmpty
                ? "unknown field '\(name)': the fields are \(list)"
                : "unknown field '\(name)': the fields of \(owner) are \(list)"
        }
    }
}
