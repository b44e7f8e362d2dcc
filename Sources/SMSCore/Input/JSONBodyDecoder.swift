import Foundation

/// The one decoder of admin request bodies: a `Decoder` over the tree ``JSONBody`` already read
/// (no second parse), that refuses every key no part of the decoded type asked for
/// (`docs/DOMAIN.md` §1 "Numbers and keys from outside").
///
/// Each keyed container records the keys it was asked for (`decode`, `decodeIfPresent`,
/// `contains`, `nestedContainer`, `superDecoder`); after the value is decoded, a key of a decoded
/// object that nobody asked for is a ``JSONBody/UnknownField`` naming its path and the keys that object takes
/// (`controlGroupPrecent is not a field of the body; the fields are audience, body, …`), so a
/// misspelt or unsupported field is a 400 instead of a value silently lost. A free-form value
/// (``JSONValue``, `[String: X]`) asks for every key it holds.
///
/// Numbers: an integer type takes a literal without fraction that fits it, or a number whose value
/// is a whole number that fits (`5`, `5.0`, `5e2`); anything else is a `DecodingError.dataCorrupted`
/// at the field, worded `must be a whole number from -128 to 127 (got 1.5)`. `Bool` takes only
/// `true`/`false`, `String` only a string.
struct JSONBodyDecoder {
    /// The keys of one decoded object and those asked for.
    final class Asked {
        let codingPath: [any CodingKey]
        let keys: Dictionary<String, CallbackJSONValue>.Keys
        var asked: Set<String> = []
        init(codingPath: [any CodingKey], keys: Dictionary<String, CallbackJSONValue>.Keys) {
            self.codingPath = codingPath
            self.keys = keys
        }

        /// The object's path (computed only for an object holding a key nobody asked for).
        var path: [JSONPathStep] { codingPath.map { $0 is IndexKey ? .index($0.intValue ?? 0) : .key($0.stringValue) } }
        /// Whether a key of the object was not asked for by this container.
        var hasUnasked: Bool { keys.count > asked.count || keys.contains { !asked.contains($0) } }
    }

    /// Every keyed container handed out during one decode, and the body's number literals.
    final class Ledger {
        var objects: [Asked] = []
        /// The number literals a `Double` would not echo (``JSONNumberLiteral``), by path from the body's root.
        let literals: [[JSONPathStep]: String]
        /// The number literals no `Double` holds as written (`1e309`, `1e-400`, ``JSONValueProblem``), by path.
        let refusedNumbers: [[JSONPathStep]: String]
        /// The path of the decoded value inside the body (a batch's element: `[.index(3)]`).
        let base: [JSONPathStep]
        /// What a free-form value does with a number a `Double` does not hold as written.
        let inexactNumbers: JSONBody.InexactNumbers
        init(
            literals: [[JSONPathStep]: String] = [:], refusedNumbers: [[JSONPathStep]: String] = [:], base: [JSONPathStep] = [],
            inexactNumbers: JSONBody.InexactNumbers = .refused
        ) {
            self.literals = literals
            self.refusedNumbers = refusedNumbers
            self.base = base
            self.inexactNumbers = inexactNumbers
        }

        /// The literal at a coding path of the decoded value, or `nil`.
        func literal(at codingPath: [any CodingKey]) -> String? {
            guard !literals.isEmpty else { return nil }
            return literals[path(codingPath)]
        }

        /// The literal no `Double` holds at a coding path, or `nil`.
        func refusedNumber(at codingPath: [any CodingKey]) -> String? {
            guard !refusedNumbers.isEmpty else { return nil }
            return refusedNumbers[path(codingPath)]
        }

        func path(_ codingPath: [any CodingKey]) -> [JSONPathStep] {
            base + codingPath.map { $0 is IndexKey ? .index($0.intValue ?? 0) : .key($0.stringValue) }
        }

        /// The first key nobody asked for, by path order then key. An object read by two containers
        /// (a type that asks for its container twice) counts the keys either asked for.
        func firstUnknown() -> JSONBody.UnknownField? {
            var found: [JSONBody.UnknownField] = []
            for object in objects where object.hasUnasked {
                let path = object.path
                var asked = object.asked
                for other in objects where other !== object && other.codingPath.count == path.count && other.path == path {
                    asked.formUnion(other.asked)
                }
                guard let key = object.keys.filter({ !asked.contains($0) }).min() else { continue }
                found.append(JSONBody.UnknownField(path: path + [.key(key)], allowed: asked.sorted()))
            }
            return found.min { JSONPathStep.text($0.path) < JSONPathStep.text($1.path) }
        }
    }

    /// Decodes `type` from `value`, then refuses a key nobody asked for.
    /// - Throws: what the type's decoding throws (`DecodingError`, ``InputRangeError``…), else
    ///   ``JSONBody/UnknownField``.
    /// - Parameters:
    ///   - literals: the body's number literals (``JSONNumberLiteral``), quoted by refusals.
    ///   - base: where `value` lies in the body (a batch's element).
    ///   - refusedNumbers: the literals no `Double` holds as written, by path: a number field there is
    ///     a type error quoting it (`found '1e-400'`), so a field with a range names its range
    ///     even when the value read (0) would lie in it.
    ///   - inexactNumbers: what a free-form value does with a number a `Double` does not hold as
    ///     written (``freeForm(_:at:ledger:)``).
    static func decode<T: Decodable>(
        _ type: T.Type, from value: CallbackJSONValue, literals: [[JSONPathStep]: String] = [:],
        refusedNumbers: [[JSONPathStep]: String] = [:], at base: [JSONPathStep] = [], inexactNumbers: JSONBody.InexactNumbers = .refused
    ) throws -> T {
        let ledger = Ledger(literals: literals, refusedNumbers: refusedNumbers, base: base, inexactNumbers: inexactNumbers)
        let decoded = try Node(value: value, codingPath: [], ledger: ledger).decodeValue(type)
        if let unknown = ledger.firstUnknown() { throw unknown }
        return decoded
    }

    /// A value as a message quotes what was found: a string in JSON quotes (cut by ``InputEcho``),
    /// `true`, `false`, `null`, a number as read, `an array`, `an object`.
    static func shown(_ value: CallbackJSONValue) -> String {
        switch value {
        case .string(let s):
            let cut = InputEcho.text(s).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"" + cut + "\""
        case .bool(let b): return String(b)
        case .null: return "null"
        case .integer(let i): return String(i)
        case .double(let d): return InputRange.format(d)
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// A coding key of an array element.
    struct IndexKey: CodingKey {
        var intValue: Int?
        var stringValue: String { "Index \(intValue ?? 0)" }
        init(_ index: Int) { intValue = index }
        init?(intValue: Int) { self.intValue = intValue }
        init?(stringValue: String) { nil }
    }

    /// The decoder at one value of the tree.
    struct Node: Decoder, SingleValueDecodingContainer {
        let value: CallbackJSONValue
        let codingPath: [any CodingKey]
        let ledger: Ledger
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            guard case .object(let members) = value else { throw mismatch([String: Any].self) }
            let asked = Asked(codingPath: codingPath, keys: members.keys)
            ledger.objects.append(asked)
            return KeyedDecodingContainer(Keyed<Key>(members: members, codingPath: codingPath, ledger: ledger, asked: asked))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            guard case .array(let elements) = value else { throw mismatch([Any].self) }
            return Unkeyed(elements: elements, codingPath: codingPath, ledger: ledger)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

        /// `null` where a value is needed is `valueNotFound`, any other JSON type `typeMismatch`.
        func mismatch(_ type: Any.Type) -> DecodingError {
            if value == .null { return DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "null")) }
            return DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "found \(JSONBodyDecoder.shown(value))"))
        }

        func decodeNil() -> Bool { value == .null }

        func decode(_ type: Bool.Type) throws -> Bool {
            guard case .bool(let b) = value else { throw mismatch(type) }
            return b
        }

        func decode(_ type: String.Type) throws -> String {
            guard case .string(let s) = value else { throw mismatch(type) }
            return s
        }

        func decode(_ type: Double.Type) throws -> Double {
            if let refused = ledger.refusedNumber(at: codingPath) {
                throw DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "found '\(InputEcho.text(refused))'"))
            }
            switch value {
            case .integer(let i): return Double(i)
            case .double(let d): return d
            default: throw mismatch(type)
            }
        }

        func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

        /// An integer of type `T`, exactly (see the type's note on numbers).
        func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
            let exact: T?
            let shown: String
            switch value {
            case .integer(let i):
                exact = T(exactly: i)
                shown = String(i)
            case .double(let d):
                exact = d.isFinite ? T(exactly: d) : nil
                shown = ledger.literal(at: codingPath).map { "'\(InputEcho.text($0))'" }
                    ?? (d == d.rounded() && abs(d) < 1e16 ? String(Int64(d)) : "\(d)")
            default: throw mismatch(type)
            }
            guard let exact else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: codingPath, debugDescription: "must be a whole number from \(T.min) to \(T.max) (got \(shown))"))
            }
            return exact
        }

        func decode(_ type: Int.Type) throws -> Int { try integer(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type) }

        /// `type` from this value; a ``JSONValue`` is converted whole (every key taken).
        func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
            if type == JSONValue.self, let converted = try JSONBodyDecoder.freeForm(value, at: codingPath, ledger: ledger) as? T {
                return converted
            }
            if type == Decimal.self {
                let text: String
                switch value {
                case .integer(let i): text = String(i)
                case .double(let d): text = "\(d)"
                default: throw mismatch(type)
                }
                if let decimal = Decimal(string: text) as? T { return decimal }
            }
            if type == URL.self {
                let text = try decode(String.self)
                guard let url = URL(string: text) as? T else {
                    throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "must be a URL"))
                }
                return url
            }
            return try T(from: self)
        }
    }

    /// `value` as a free-form ``JSONValue`` (numbers held as `Double`), every number checked
    /// against its literal (``JSONNumberLiteral/heldAsWritten(_:as:)``): an integer beyond ±2^53
    /// (`9007199254740993`, `123456789012345678901234567890`) or a literal with more digits than a
    /// `Double` keeps (`9007199254740991.5`) would change, so with ``JSONBody/InexactNumbers/refused``
    /// it is a `DecodingError.dataCorrupted` at its path (the first in key order), worded by
    /// ``JSONValueProblem`` (`must be a number from -9007199254740992 to 9007199254740992: an
    /// integer beyond ±2^53 cannot be held exactly; send it as a string (got …)`); with
    /// ``JSONBody/InexactNumbers/keptAsText`` it becomes its literal as a string.
    static func freeForm(_ value: CallbackJSONValue, at codingPath: [any CodingKey], ledger: Ledger) throws -> JSONValue {
        // Only a body holding a kept literal, or an exact integer beyond 2^53, needs the walk with paths.
        guard !ledger.literals.isEmpty || holdsInexactInteger(value) else { return JSONValue(value) }
        var keepsText = false
        if case .keptAsText(let keys) = ledger.inexactNumbers, let top = codingPath.first?.stringValue { keepsText = keys.contains(top) }
        return try walk(value, codingPath: codingPath, path: ledger.path(codingPath), ledger: ledger, keepsText: keepsText)
    }

    private static func walk(
        _ value: CallbackJSONValue, codingPath: [any CodingKey], path: [JSONPathStep], ledger: Ledger, keepsText: Bool
    ) throws -> JSONValue {
        func inexact(_ text: String, _ kind: JSONValueProblem.Kind) throws -> JSONValue {
            if keepsText { return .string(text) }
            // The rule without the field's name: the caller names the field by the coding path.
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: JSONValueProblem(kind: kind, path: path, text: text).numberRule))
        }
        switch value {
        case .integer(let i) where i.magnitude > 1 << 53:
            return try inexact(String(i), .integerBeyondExact)
        case .double(let d):
            guard let literal = ledger.literals[path], !JSONNumberLiteral.heldAsWritten(literal, as: d) else { return .number(d) }
            return try inexact(literal, JSONNumberLiteral.isIntegerLiteral(literal) ? .integerBeyondExact : .digitsBeyondDouble(held: d))
        case .array(let elements):
            var out: [JSONValue] = []
            out.reserveCapacity(elements.count)
            for (i, element) in elements.enumerated() {
                out.append(try walk(element, codingPath: codingPath + [IndexKey(i)], path: path + [.index(i)], ledger: ledger, keepsText: keepsText))
            }
            return .array(out)
        case .object(let members):
            var out: [String: JSONValue] = [:]
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                out[key] = try walk(member, codingPath: codingPath + [NameKey(key)], path: path + [.key(key)], ledger: ledger, keepsText: keepsText)
            }
            return .object(out)
        default:
            return JSONValue(value)
        }
    }

    /// Whether `value` holds an exact integer beyond ±2^53: a walk without paths or sorting.
    static func holdsInexactInteger(_ value: CallbackJSONValue) -> Bool {
        switch value {
        case .integer(let i): i.magnitude > 1 << 53
        case .array(let elements): elements.contains(where: holdsInexactInteger)
        case .object(let members): members.values.contains(where: holdsInexactInteger)
        default: false
        }
    }

    /// A coding key of an object member found while walking a tree.
    struct NameKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let members: [String: CallbackJSONValue]
        let codingPath: [any CodingKey]
        let ledger: Ledger
        let asked: Asked

        var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool {
            asked.asked.insert(key.stringValue)
            return members[key.stringValue] != nil
        }

        func node(_ key: Key) throws -> Node {
            asked.asked.insert(key.stringValue)
            guard let value = members[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
            }
            return Node(value: value, codingPath: codingPath + [key], ledger: ledger)
        }

        func decodeNil(forKey key: Key) throws -> Bool { try node(key).decodeNil() }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try node(key).decodeValue(type)
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            asked.asked.insert(key.stringValue)
            guard let value = members[key.stringValue], value != .null else { return nil }
            return try Node(value: value, codingPath: codingPath + [key], ledger: ledger).decodeValue(type)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try node(key).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try node(key).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder {
            Node(value: .object(members), codingPath: codingPath, ledger: ledger)
        }

        func superDecoder(forKey key: Key) throws -> any Decoder {
            asked.asked.insert(key.stringValue)
            return Node(value: members[key.stringValue] ?? .null, codingPath: codingPath + [key], ledger: ledger)
        }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let elements: [CallbackJSONValue]
        let codingPath: [any CodingKey]
        let ledger: Ledger
        var currentIndex = 0

        init(elements: [CallbackJSONValue], codingPath: [any CodingKey], ledger: Ledger) {
            self.elements = elements
            self.codingPath = codingPath
            self.ledger = ledger
        }

        var count: Int? { elements.count }
        var isAtEnd: Bool { currentIndex >= elements.count }

        mutating func next() throws -> Node {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(
                    Any.self, .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "the array has no more elements"))
            }
            defer { currentIndex += 1 }
            return Node(value: elements[currentIndex], codingPath: codingPath + [IndexKey(currentIndex)], ledger: ledger)
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, elements[currentIndex] == .null else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try next().decodeValue(type)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try next().container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

        mutating func superDecoder() throws -> any Decoder { try next() }
    }
}
