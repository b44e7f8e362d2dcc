import Foundation

/// The allowed range of one numeric input field (a JSON number, a query parameter, a timestamp…),
/// checked when the value enters the system so that no later conversion or arithmetic can trap.
///
/// `integer` ranges take whole numbers only (a JSON `5.0` is 5; `5.5` is refused); `number`
/// ranges take any finite number. Either end may be exclusive (`percent` above 0 and at most 100).
/// The API contract (`openapi.json`, written by `scripts/gen_openapi.py`, which reads the ranges
/// from ``InputLimits``) documents exactly these bounds.
public struct InputRange: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case integer, number
    }

    public let kind: Kind
    public let minimum: Double
    public let maximum: Double
    public let excludingMinimum: Bool
    public let excludingMaximum: Bool
    /// The unit named in messages (`"minutes"`, `"epoch seconds"`), or `nil`.
    public let unit: String?
    /// The most fraction digits a value may have in its shortest decimal form (`2`: `5.25` but not
    /// `5.255` or `5e-324`), or `nil` for any.
    public let fractionDigits: Int?

    /// Whole numbers from `bounds.lowerBound` to `bounds.upperBound`, both included.
    public init(integer bounds: ClosedRange<Int64>, unit: String? = nil) {
        kind = .integer
        minimum = Double(bounds.lowerBound)
        maximum = Double(bounds.upperBound)
        excludingMinimum = false
        excludingMaximum = false
        self.unit = unit
        fractionDigits = nil
    }

    /// Finite numbers from `bounds.lowerBound` to `bounds.upperBound`; either end may be excluded;
    /// with `fractionDigits`, at most that many digits after the point.
    public init(
        number bounds: ClosedRange<Double>, excludingMinimum: Bool = false, excludingMaximum: Bool = false, unit: String? = nil,
        fractionDigits: Int? = nil
    ) {
        kind = .number
        minimum = bounds.lowerBound
        maximum = bounds.upperBound
        self.excludingMinimum = excludingMinimum
        self.excludingMaximum = excludingMaximum
        self.unit = unit
        self.fractionDigits = fractionDigits
    }

    /// Whether `value` is allowed (finite, whole for an integer range, within the bounds).
    public func contains(_ value: Double) -> Bool {
        guard value.isFinite else { return false }
        if kind == .integer, value.rounded(.towardZero) != value { return false }
        if excludingMinimum ? !(value > minimum) : !(value >= minimum) { return false }
        if excludingMaximum ? !(value < maximum) : !(value <= maximum) { return false }
        if let fractionDigits, Self.fractionDigits(value) > fractionDigits { return false }
        return true
    }

    /// The digits after the point of `value`'s shortest decimal form (Swift's `description`, the
    /// form a JSON encoder writes): 0 for `5`, 2 for `0.07`, 5 for `1e-05`, 324 for `5e-324`.
    public static func fractionDigits(_ value: Double) -> Int {
        guard value.isFinite, value.rounded() != value else { return 0 }
        let parts = "\(value.magnitude)".split(separator: "e")
        let mantissa = parts[0].split(separator: ".")
        let digits = mantissa.count > 1 ? mantissa[1].count : 0
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        return max(0, digits - exponent)
    }

    /// Whether `value` is allowed. Exact for every `Int64` (no rounding through `Double` at the ends
    /// of an integer range).
    public func contains(_ value: Int64) -> Bool {
        if kind == .integer, let lo = Int64(exactly: minimum), let hi = Int64(exactly: maximum) {
            return value >= lo && value <= hi
        }
        return contains(Double(value))
    }

    /// The value as an `Int64` when the range is an integer range and contains it, else `nil`.
    /// Never traps: the range check comes before the conversion.
    public func int64(_ value: Double) -> Int64? {
        guard kind == .integer, contains(value) else { return nil }
        return Int64(exactly: value)
    }

    /// A query parameter's integer (`?limit=50`, `?variant=1`) by the one numeric-text rule
    /// (``DecimalText/integer(_:allowingNegative:)``: ASCII digits, a leading `-` only when the
    /// range goes below 0, no spaces, no `+`), within this integer range.
    /// - Throws: ``InputRangeError`` naming `field` for anything else (`-5`, `0`, `abc`, `1e3`,
    ///   `+5`, ` 5`, and `-0` when the range starts at 0 or above).
    public func integer(query text: String, field: String) throws(InputRangeError) -> Int {
        guard let n = DecimalText.integer(text, allowingNegative: minimum < 0), contains(n), let int = Int(exactly: n) else {
            throw InputRangeError(field: field, range: self, gotText: text)
        }
        return int
    }

    /// `value` moved into an integer range (the nearest end when outside): for values that were
    /// stored or built in code rather than decoded from a request.
    public func clamped(_ value: Int) -> Int {
        let lo = Int(exactly: minimum.rounded(.up)) ?? .min, hi = Int(exactly: maximum.rounded(.down)) ?? .max
        return Swift.min(Swift.max(value, lo), hi)
    }

    /// `an integer from 1 to 5256000 minutes`, `a number from 0.01 to 100 percent`.
    public var description: String {
        let what = kind == .integer ? "an integer" : "a number"
        let lo = Self.format(minimum), hi = Self.format(maximum)
        let span: String
        switch (excludingMinimum, excludingMaximum) {
        case (false, false): span = "from \(lo) to \(hi)"
        case (true, false): span = "above \(lo) and at most \(hi)"
        case (false, true): span = "from \(lo) to below \(hi)"
        case (true, true): span = "between \(lo) and \(hi) (both excluded)"
        }
        return "\(what) \(span)" + (unit.map { " \($0)" } ?? "")
            + (fractionDigits.map { " with at most \($0) fraction digit\($0 == 1 ? "" : "s")" } ?? "")
    }

    /// The sentence a 400 carries: `goal.windowMinutes must be an integer from 1 to 5256000 minutes`.
    public func problem(field: String) -> String { "\(field) must be \(description)" }

    /// The sentence with the refused value: `… (got 1e+19)`.
    public func problem(field: String, got value: Double) -> String {
        problem(field: field) + " (got \(Self.format(value)))"
    }

    /// A bound or value as decimal text without a trailing `.0`, never trapping (`1e+19` for huge values).
    public static func format(_ x: Double) -> String {
        if x.isFinite, x.rounded() == x, abs(x) < 9.2e18, let i = Int64(exactly: x) { return String(i) }
        return "\(x)"
    }
}

/// A numeric input outside its ``InputRange``; `message` names the field and the range.
public struct InputRangeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The field's path in the request (`variants[0].percent`, `limit`).
    public var field: String
    public var range: InputRange
    public var message: String

    public init(field: String, range: InputRange, got value: Double? = nil) {
        self.field = field
        self.range = range
        message = value.map { range.problem(field: field, got: $0) } ?? range.problem(field: field)
    }

    public init(field: String, range: InputRange, gotText text: String) {
        self.field = field
        self.range = range
        message = range.problem(field: field) + " (got '\(InputEcho.text(text))')"
    }

    /// A value of another JSON type than a number: `… (got "5")`, `(got true)`, `(got an object)`;
    /// `found` is what was there, as ``foundText(_:)`` reads it from the decoder's error.
    public init(field: String, range: InputRange, found: String) {
        self.field = field
        self.range = range
        message = range.problem(field: field) + " (got \(found))"
    }

    /// What a decoder's type error says was found (`"5"`, `true`, `an object`; the strict
    /// decoder's words, `found …`), `null` for a missing value, else `another type`.
    public static func foundText(_ error: DecodingError) -> String {
        switch error {
        case .valueNotFound: return "null"
        case .typeMismatch(_, let context) where context.debugDescription.hasPrefix("found "):
            return String(context.debugDescription.dropFirst("found ".count))
        default: return "another type"
        }
    }

    public var description: String { message }
}

/// A decoder's coding path as the API names fields: `variants[0].percent`, `goal.windowMinutes`.
public enum FieldPath {
    public static func text(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let i = key.intValue {
                out += "[\(i)]"
            } else {
                out += out.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return out
    }
}

extension KeyedDecodingContainer {
    /// Decodes a JSON number and checks it against `range` (a JSON number of any size decodes: the
    /// check, not the decoder, refuses it).
    /// - Throws: `DecodingError` when the value is missing or not a number; ``InputRangeError``
    ///   naming the field's path when it is outside `range`.
    /// `-0` is 0 (stored and echoed as `0`).
    public func decode(_ key: Key, in range: InputRange) throws -> Double {
        let value = try decodeNumber(key, for: range)
        guard range.contains(value) else {
            throw InputRangeError(field: FieldPath.text(codingPath + [key]), range: range, got: value)
        }
        return value == 0 ? 0 : value
    }

    /// ``decode(_:in:)`` for an optional field (`nil` when absent or null).
    public func decodeIfPresent(_ key: Key, in range: InputRange) throws -> Double? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        let value = try decodeNumber(key, for: range)
        guard range.contains(value) else {
            throw InputRangeError(field: FieldPath.text(codingPath + [key]), range: range, got: value)
        }
        return value == 0 ? 0 : value
    }

    /// A JSON number of any size at `key`, unchecked; a value of another type (`"5"`, `true`,
    /// `null`, an object) is an ``InputRangeError`` naming the field and `range` (`graceSeconds must
    /// be an integer from 0 to 2592000 seconds (got "5")`), never a bare "should be a number".
    /// - Throws: `DecodingError.keyNotFound` when the key is missing.
    public func decodeNumber(_ key: Key, for range: InputRange) throws -> Double {
        do {
            return try decode(Double.self, forKey: key)
        } catch let error as DecodingError {
            if case .keyNotFound = error { throw error }
            throw InputRangeError(field: FieldPath.text(codingPath + [key]), range: range, found: InputRangeError.foundText(error))
        }
    }

    /// An integer field within an integer `range`, as `Int`.
    public func decodeInt(_ key: Key, in range: InputRange) throws -> Int {
        let value = try decode(key, in: range)
        guard let int = Int(exactly: value) else {
            throw InputRangeError(field: FieldPath.text(codingPath + [key]), range: range, got: value)
        }
        return int
    }

    /// ``decodeInt(_:in:)`` for an optional field.
    public func decodeIntIfPresent(_ key: Key, in range: InputRange) throws -> Int? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeInt(key, in: range)
    }
}
