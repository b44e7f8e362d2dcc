import Foundation

/// A strict RFC 8259 JSON reader for callback bodies (internal).
///
/// Written by hand rather than using `JSONDecoder`/`JSONSerialization` because those accept
/// trailing commas and (lazily) leading zeros or lone surrogates on some platforms, and because the
/// callback parsers need integers kept exact (`Int64`) and apart from booleans. Errors name the
/// 0-based byte offset. Nesting deeper than ``maxDepth`` is refused so a hostile body cannot exhaust
/// the stack.
///
/// Two things are valid JSON syntax but no value the API takes as written (`docs/DOMAIN.md` §1
/// "Numbers and keys from outside"); they are not syntax failures but ``ValueProblem``s listed with
/// their path, so the caller refuses that field (an admin route: a 400 naming it; a batch: that
/// item only): a number literal beyond `Double`'s range (`1e309`, read as
/// ±`Double.greatestFiniteMagnitude`), a nonzero literal that underflows to 0 (`1e-400`), and a
/// key repeated in one object (the tree keeps the last
/// value, but the value is never used: the caller refuses it).
///
/// A batch reader (``readWithSpans(_:levels:batch:)`` with `batch`) also reads strings whose bytes
/// are not UTF-8 (RFC 8259 §8.1 asks for UTF-8) as a ``ValueProblem`` of that string's path, read
/// with U+FFFD but never used (the caller refuses the item holding it): the item boundaries are
/// found on the bytes, so one bad byte refuses its item, not the batch. Outside a string such a
/// byte is a syntax failure as any unexpected byte. Without `batch` the caller checks the whole
/// text first (``CallbackJSONValue/decodeWithSpans(_:levels:batch:)``).
struct CallbackJSONReader {
    /// Deepest array/object nesting accepted.
    static let maxDepth = 128

    /// Why the text is not JSON (message includes the byte offset).
    struct Failure: Error {
        let message: String
    }

    /// A value read but not to be taken as written (see the type's documentation).
    typealias ValueProblem = JSONValueProblem

    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0
    /// The ``ValueProblem``s met so far, in the order read.
    private var problems: [ValueProblem] = []
    /// Number literals a `Double` would not echo (``JSONNumberLiteral``), in the order read.
    private var literals: [JSONNumberLiteral] = []
    private var path: [JSONPathStep] = []
    /// How many levels below the root still record ``CallbackJSONSpan``s (0: none).
    private var spanLevels = 0
    /// Whether strings are checked for UTF-8 here, a bad one recorded as a ``ValueProblem``
    /// (a batch reader; otherwise the caller checked the whole text).
    private var checksStringUTF8 = false
    /// The first byte that is not UTF-8 in the string ``readString()`` read last (offset in its
    /// text, escapes decoded), when ``checksStringUTF8``.
    private var stringNotUTF8: (offset: Int, byte: UInt8)?

    /// Reads one JSON value filling the whole input (surrounding whitespace allowed), with the
    /// ``ValueProblem``s met (numbers beyond `Double`, repeated keys), for the caller to refuse.
    /// Also gives the number literals a `Double` would not echo as written (``JSONNumberLiteral``).
    /// - Parameter start: where the JSON text starts (after a byte order mark, ``ByteOrderMark``);
    ///   offsets in messages and spans count from `bytes`' first byte.
    static func read(_ bytes: [UInt8], from start: Int = 0) throws(Failure) -> (CallbackJSONValue, [ValueProblem], [JSONNumberLiteral]) {
        var reader = CallbackJSONReader(bytes: bytes)
        reader.position = start
        let value = try reader.readWhole()
        return (value, reader.problems, reader.literals)
    }

    /// Reads like ``read(_:)`` and also says where the root and, `levels` deep, each array
    /// element and object member value lie in `bytes` (``CallbackJSONSpan``): how an invalid item
    /// of a batch is kept as the bytes that arrived.
    /// - Parameter batch: strings that are not UTF-8 are value problems of their path, not a
    ///   refusal of the whole text (see the type's documentation).
    static func readWithSpans(_ bytes: [UInt8], from start: Int = 0, levels: Int, batch: Bool = false) throws(Failure)
        -> (CallbackJSONValue, CallbackJSONSpan, [ValueProblem], [JSONNumberLiteral])
    {
        var reader = CallbackJSONReader(bytes: bytes)
        reader.position = start
        reader.spanLevels = levels + 1
        reader.checksStringUTF8 = batch
        reader.skipWhitespace()
        let (value, span) = try reader.readValueWithSpan()
        reader.skipWhitespace()
        if reader.position < bytes.count {
            throw reader.failure("unexpected data after the JSON value")
        }
        return (value, span ?? CallbackJSONSpan(range: start..<bytes.count), reader.problems, reader.literals)
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func readWhole() throws(Failure) -> CallbackJSONValue {
        skipWhitespace()
        let value = try readValue()
        skipWhitespace()
        if position < bytes.count {
            throw failure("unexpected data after the JSON value")
        }
        return value
    }

    /// One value and, while ``spanLevels`` is positive, where it lies (its children one level less).
    private mutating func readValueWithSpan() throws(Failure) -> (CallbackJSONValue, CallbackJSONSpan?) {
        guard spanLevels > 0 else { return (try readValue(), nil) }
        let start = position
        var span = CallbackJSONSpan(range: start..<start)
        spanLevels -= 1
        defer { spanLevels += 1 }
        let value: CallbackJSONValue
        if position < bytes.count, bytes[position] == UInt8(ascii: "{") {
            value = try readObject(span: &span)
        } else if position < bytes.count, bytes[position] == UInt8(ascii: "[") {
            value = try readArray(span: &span)
        } else {
            value = try readValue()
        }
        span.range = start..<position
        return (value, span)
    }

    // MARK: - Values

    private mutating func readValue() throws(Failure) -> CallbackJSONValue {
        guard position < bytes.count else { throw failure("unexpected end of input, expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try readObject()
        case UInt8(ascii: "["): return try readArray()
        case UInt8(ascii: "\""):
            let string = try readString()
            recordNotUTF8(stringNotUTF8, of: "its value")
            return .string(string)
        case UInt8(ascii: "t"): try readLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try readLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try readLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try readNumber()
        default: throw failure("unexpected \(describeCurrent()), expected a value")
        }
    }

    private mutating func readObject() throws(Failure) -> CallbackJSONValue {
        var unused = CallbackJSONSpan(range: position..<position)
        return try readObject(span: &unused)
    }

    private mutating func readObject(span: inout CallbackJSONSpan) throws(Failure) -> CallbackJSONValue {
        try enter()
        position += 1  // {
        var members: [String: CallbackJSONValue] = [:]
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { depth -= 1; return .object(members) }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                if position < bytes.count, bytes[position] == UInt8(ascii: "}") { throw failure("trailing comma in object") }
                throw failure("unexpected \(describeCurrent()), expected a member name string")
            }
            let key = try readString()
            let keyNotUTF8 = stringNotUTF8
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw failure("unexpected \(describeCurrent()), expected ':'") }
            skipWhitespace()
            path.append(.key(key))
            recordNotUTF8(keyNotUTF8, of: "its name")
            if members[key] != nil { problems.append(ValueProblem(kind: .repeatedKey, path: path, text: key)) }
            let (value, valueSpan) = try readValueWithSpan()
            members[key] = value
            if let valueSpan { span.members[key] = valueSpan }
            path.removeLast()
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "}")) { break }
            throw failure("unexpected \(describeCurrent()), expected ',' or '}'")
        }
        depth -= 1
        return .object(members)
    }

    private mutating func readArray() throws(Failure) -> CallbackJSONValue {
        var unused = CallbackJSONSpan(range: position..<position)
        return try readArray(span: &unused)
    }

    private mutating func readArray(span: inout CallbackJSONSpan) throws(Failure) -> CallbackJSONValue {
        try enter()
        position += 1  // [
        var values: [CallbackJSONValue] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { depth -= 1; return .array(values) }
        while true {
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") { throw failure("trailing comma in array") }
            path.append(.index(values.count))
            let (value, valueSpan) = try readValueWithSpan()
            values.append(value)
            if let valueSpan { span.elements.append(valueSpan) }
            path.removeLast()
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "]")) { break }
            throw failure("unexpected \(describeCurrent()), expected ',' or ']'")
        }
        depth -= 1
        return .array(values)
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        if depth > Self.maxDepth { throw failure("nesting deeper than \(Self.maxDepth) levels") }
    }

    private mutating func readLiteral(_ word: String) throws(Failure) {
        let start = position
        for byte in word.utf8 {
            guard position < bytes.count, bytes[position] == byte else {
                position = start
                throw failure("unexpected \(describeCurrent()), expected a value")
            }
            position += 1
        }
    }

    // MARK: - Strings

    /// In a batch reader (``checksStringUTF8``), a ``ValueProblem`` at the current path for a string
    /// just read that is not UTF-8 (``stringNotUTF8``): `byte 0xFF at byte 2 of its value`, the
    /// offset in the string's text (0-based, escapes decoded), so the same item replayed alone
    /// (kept as its own bytes) gives the same sentence.
    private mutating func recordNotUTF8(_ bad: (offset: Int, byte: UInt8)?, of what: String) {
        guard let bad else { return }
        problems.append(ValueProblem(kind: .invalidUTF8, path: path, text: "byte \(describeByte(bad.byte)) at byte \(bad.offset) of \(what)"))
    }

    /// The offset of the first byte in `range` that does not start or continue a UTF-8 sequence
    /// (an overlong form, a surrogate, a truncated sequence: its first byte), or `nil`.
    static func firstInvalidUTF8(_ bytes: [UInt8], in range: Range<Int>) -> Int? {
        var offset = range.lowerBound
        // ASCII needs no decoder.
        while offset < range.upperBound, bytes[offset] < 0x80 { offset += 1 }
        guard offset < range.upperBound else { return nil }
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes[offset..<range.upperBound].makeIterator()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    private mutating func readString() throws(Failure) -> String {
        position += 1  // opening quote
        var buffer: [UInt8] = []
        var segmentStart = position
        while true {
            guard position < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                buffer.append(contentsOf: bytes[segmentStart..<position])
                position += 1
                if checksStringUTF8 {
                    stringNotUTF8 = Self.firstInvalidUTF8(buffer, in: 0..<buffer.count).map { ($0, buffer[$0]) }
                }
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                buffer.append(contentsOf: bytes[segmentStart..<position])
                try readEscape(into: &buffer)
                segmentStart = position
            case 0x00..<0x20:
                throw failure("unescaped control character in string")
            default:
                position += 1
            }
        }
    }

    private mutating func readEscape(into buffer: inout [UInt8]) throws(Failure) {
        position += 1  // backslash
        guard position < bytes.count else { throw failure("unterminated string") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): buffer.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            var scalarValue = try readHex4()
            if (0xD800...0xDBFF).contains(scalarValue) {
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    throw failure("unpaired UTF-16 surrogate in \\u escape")
                }
                position += 2
                let low = try readHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw failure("unpaired UTF-16 surrogate in \\u escape") }
                scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalarValue) {
                throw failure("unpaired UTF-16 surrogate in \\u escape")
            }
            guard let scalar = Unicode.Scalar(scalarValue) else { throw failure("invalid \\u escape") }
            Unicode.UTF8.encode(scalar) { buffer.append($0) }
        default:
            position -= 1
            throw failure("invalid escape '\\\(describeByte(byte))' in string")
        }
    }

    private mutating func readHex4() throws(Failure) -> UInt32 {
        guard position + 4 <= bytes.count else { throw failure("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[position]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw failure("invalid hex digit in \\u escape")
            }
            value = value * 16 + digit
            position += 1
        }
        return value
    }

    // MARK: - Numbers

    private mutating func readNumber() throws(Failure) -> CallbackJSONValue {
        let start = position
        var isInteger = true
        _ = consume(UInt8(ascii: "-"))
        guard position < bytes.count, isDigit(bytes[position]) else { throw failure("expected a digit") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) { throw failure("leading zeros are not allowed in numbers") }
        } else {
            skipDigits()
        }
        if consume(UInt8(ascii: ".")) {
            isInteger = false
            guard position < bytes.count, isDigit(bytes[position]) else { throw failure("expected a digit after '.'") }
            skipDigits()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard position < bytes.count, isDigit(bytes[position]) else { throw failure("expected a digit in the exponent") }
            skipDigits()
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let value = Int64(text) { return .integer(value) }
        guard let value = Double(text) else {
            position = start
            throw failure("number \(text) cannot be read")
        }
        guard value.isFinite else {
            problems.append(ValueProblem(kind: .numberBeyondDouble, path: path, text: text))
            return .double(text.hasPrefix("-") ? -Double.greatestFiniteMagnitude : Double.greatestFiniteMagnitude)
        }
        if value.magnitude >= JSONNumberLiteral.keptFromMagnitude || !JSONNumberLiteral.heldAsWritten(text, as: value) {
            literals.append(JSONNumberLiteral(path: path, text: text))
        }
        if value == 0, text.prefix(while: { $0 != "e" && $0 != "E" }).contains(where: { ("1"..."9").contains($0) }) {
            // A nonzero literal that underflows to 0 (`1e-400`): the value would change.
            problems.append(ValueProblem(kind: .numberBelowDouble, path: path, text: text))
        }
        return .double(value == 0 ? 0 : value)
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    // MARK: - Helpers

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private func describeCurrent() -> String {
        guard position < bytes.count else { return "end of input" }
        return "character '\(describeByte(bytes[position]))'"
    }

    private func describeByte(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return String(UnicodeScalar(byte)) }
        let hex = String(byte, radix: 16, uppercase: true)
        return "0x" + (hex.count < 2 ? "0" : "") + hex
    }

    private func failure(_ message: String) -> Failure {
        Failure(message: "\(message) at byte \(position)")
    }
}
