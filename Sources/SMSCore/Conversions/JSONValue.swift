import Foundation

/// A JSON scalar or container, for event and profile properties.
public enum JSONValue: Sendable, Equatable, Hashable, Codable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .number(let d): try c.encode(d)
        case .bool(let b): try c.encode(b)
        case .null: try c.encodeNil()
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// The value as a number: numbers as they are, numeric strings parsed ("49.99").
    public var numberValue: Double? {
        switch self {
        case .number(let d): d
        case .string(let s): Double(s.trimmingCharacters(in: .whitespaces))
        default: nil
        }
    }

    /// ``numberValue`` when it is the number written: numbers as they are; a numeric string only
    /// when a `Double` holds its text as written (``JSONNumberLiteral/heldAsWritten(_:as:)``:
    /// `"49.99"`, not `"123456789012345678901234567890"`, which would equal `"…891"` as doubles).
    /// Equality of a goal filter compares the others as text.
    public var exactNumberValue: Double? {
        switch self {
        case .number(let d): return d
        case .string(let s):
            let t = s.trimmingCharacters(in: .whitespaces)
            guard let d = Double(t), JSONNumberLiteral.heldAsWritten(t, as: d) else { return nil }
            return d
        default: return nil
        }
    }

    /// The value as text: strings as they are, numbers without a trailing ".0", bools as true/false.
    public var stringValue: String? {
        switch self {
        case .string(let s): s
        case .number(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }
}
