import Foundation

/// A JSON tree as received in a callback body (internal to the callback parsers).
///
/// Numbers without fraction or exponent are kept as `integer` when they fit `Int64`, others as
/// `double`, so millisecond timestamps and numeric codes keep every digit. `bool` is never confused
/// with a number (JSON `true` is not `1`). Read by ``CallbackJSONReader``.
enum CallbackJSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([CallbackJSONValue])
    case object([String: CallbackJSONValue])

    /// Decodes a raw callback body: UTF-8 is checked first, then the JSON syntax. Its
    /// ``JSONValueProblem``s (numbers beyond `Double`, repeated keys) are not looked at: for a
    /// syntax check only; a parser that takes the values uses ``decodeWithSpans(_:levels:)``.
    /// - Throws: ``CallbackParseError/invalidUTF8`` or ``CallbackParseError/malformedJSON(_:)``.
    static func decode(_ body: Data) throws(CallbackParseError) -> CallbackJSONValue {
        try decodeWithSpans(body, levels: 0).value
    }

    /// ``decode(_:)`` that also says where values lie in `body`, `levels` below the root
    /// (``CallbackJSONSpan``), and gives the body's bytes: invalid items of a batch are kept as
    /// the exact bytes that arrived (`docs/DOMAIN.md` §1 "Text from outside"); and the values not to
    /// be taken as written (``JSONValueProblem``: numbers beyond `Double`, repeated keys), each a
    /// value error of its field (a batch refuses the item holding it, not the body).
    /// `literals`: the number literals a `Double` would not echo as written (``JSONNumberLiteral``).
    /// - Parameter batch: a batch of items (the generic contract's groups, Gupshup's events): the
    ///   items are found on the bytes before UTF-8 is checked, and a string that is not UTF-8 is a
    ///   ``JSONValueProblem/Kind/invalidUTF8`` problem of its path (its item is refused, the others
    ///   are read) instead of ``CallbackParseError/invalidUTF8`` for the body. A body that is not
    ///   JSON is refused as without `batch` (``CallbackParseError/invalidUTF8`` when it is not UTF-8).
    static func decodeWithSpans(_ body: Data, levels: Int, batch: Bool = false) throws(CallbackParseError)
        -> (value: CallbackJSONValue, span: CallbackJSONSpan, bytes: [UInt8], problems: [JSONValueProblem], literals: [JSONNumberLiteral])
    {
        let bytes = Array(body)
        // One leading UTF-8 BOM is skipped (``ByteOrderMark``); offsets and spans stay the body's.
        let start = ByteOrderMark.length(at: bytes)
        if batch {
            let read: (CallbackJSONValue, CallbackJSONSpan, [JSONValueProblem], [JSONNumberLiteral])
            do {
                read = try CallbackJSONReader.readWithSpans(bytes, from: start, levels: levels, batch: true)
            } catch {
                // Not JSON: refused as without `batch` (not UTF-8, a UTF-16 body; blank), else the syntax failure.
                try checkText(bytes[start...])
                throw .malformedJSON(error.message)
            }
            return (read.0, read.1, bytes, read.2, read.3)
        }
        try checkText(bytes[start...])
        do {
            if levels == 0 {
                let (value, problems, literals) = try CallbackJSONReader.read(bytes, from: start)
                return (value, CallbackJSONSpan(range: start..<bytes.count), bytes, problems, literals)
            }
            let (value, span, problems, literals) = try CallbackJSONReader.readWithSpans(bytes, from: start, levels: levels)
            return (value, span, bytes, problems, literals)
        } catch {
            throw .malformedJSON(error.message)
        }
    }

    /// The problems at or below `prefix` worded for an invalid callback item
    /// (``JSONValueProblem/messages(_:under:range:)``), `timeField` with the range of every `ts`
    /// (``EpochTimestamp``).
    static func itemProblems(
        _ problems: [JSONValueProblem], under prefix: [JSONPathStep], whole: String = "item", timeField: String? = nil
    ) -> [String] {
        JSONValueProblem.messages(problems, under: prefix, whole: whole) { $0 == timeField ? EpochTimestamp.rangeText(field: $0) : nil }
    }

    /// UTF-8 (decoding with repair and comparing the bytes detects any invalid UTF-8 sequence
    /// without relying on platform-specific validating initialisers) and holding a JSON value:
    /// `the body is empty: expected a JSON value`, or for a body of JSON white space only (space,
    /// tab, LF, CR) `the body holds no JSON value, only 19000000 bytes of white space: expected a
    /// JSON value` (other Unicode spaces are no JSON white space: the reader names their byte).
    private static func checkText(_ body: ArraySlice<UInt8>) throws(CallbackParseError) {
        let repaired = String(decoding: body, as: UTF8.self)
        guard repaired.utf8.elementsEqual(body) else { throw .invalidUTF8 }
        if body.isEmpty { throw .malformedJSON(emptyBody) }
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            throw .malformedJSON("the body holds no JSON value, only \(body.count) byte\(body.count == 1 ? "" : "s") of white space: expected a JSON value")
        }
    }

    /// The reason for a body without a byte (after a BOM).
    static let emptyBody = "the body is empty: expected a JSON value"

    /// The text of `bytes[range]` (a span of a body already checked to be UTF-8).
    static func text(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// A short name of the value's JSON type, for error messages ("a string", "an object" ...).
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The value re-serialised as compact JSON with object keys sorted by their UTF-8 bytes:
    /// the same input always gives the same text (used to store invalid items whole).
    var canonicalJSON: String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null:
            out += "null"
        case .bool(let b):
            out += b ? "true" : "false"
        case .integer(let i):
            out += String(i)
        case .double(let d):
            out += d.isFinite ? "\(d)" : "null"
        case .string(let s):
            Self.writeString(s, into: &out)
        case .array(let values):
            out += "["
            for (i, v) in values.enumerated() {
                if i > 0 { out += "," }
                v.write(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (i, key) in keys.enumerated() {
                if i > 0 { out += "," }
                Self.writeString(key, into: &out)
                out += ":"
                members[key, default: .null].write(into: &out)
            }
            out += "}"
        }
    }

    /// Writes `s` as a JSON string literal: `"` and `\` escaped, control characters as `\n`, `\t`,
    /// ... or `\u00XX`; everything else (including non-ASCII) as is.
    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// A JSON string literal for `s` (see ``writeString(_:into:)``).
    static func quoted(_ s: String) -> String {
        var out = ""
        writeString(s, into: &out)
        return out
    }
}
