import Foundation

/// What a text field from outside may hold, checked where the value enters (`docs/DOMAIN.md` §1
/// "Text from outside"): one rule for the API's JSON bodies, the profile CSV import, the events
/// route and the dashboard's forms.
///
/// - **Every text field** (names, message bodies, property keys and values, …): U+0000 (NUL) is
///   refused. No store keeps it as received (PostgreSQL `text` cannot hold it; SQLite's text
///   binding cuts the text at it), and an altered message body must never be sent; refusing it
///   loses nothing, since the client still has its input.
/// - **Identifiers** (a profile's `userId`, `phone` and `region`; an event's `eventId`, `userId`
///   and `name`; a provider's `url` and header names and values): any control character
///   (U+0000…U+001F, U+007F) is refused: such an id could never match the same id typed or sent
///   elsewhere, and a header value with CR or LF would split the provider request.
///
/// Text a third party sends that cannot be refused without losing a fact (a callback's fields
/// other than `meta`, a click's User-Agent) is kept with U+0000 as U+FFFD instead (``StoredText``).
public enum TextInput {
    public enum Kind: Sendable, Equatable {
        /// Free text: U+0000 refused.
        case text
        /// An identifier: every control character (U+0000…U+001F, U+007F) refused.
        case identifier
    }

    /// Why `text` may not be taken as `field`, naming the field, the character (`U+0000`) and its
    /// position (0-based, in Unicode scalars); `nil` when it is acceptable.
    public static func problem(_ text: String, field: String, kind: Kind) -> String? {
        guard let (offset, scalar) = firstRefused(in: text, kind: kind) else { return nil }
        switch kind {
        case .text:
            return "\(field) contains \(name(scalar)) (NUL) at position \(offset): no text field may hold U+0000"
        case .identifier:
            return "\(field) contains the control character \(name(scalar)) at position \(offset):"
                + " an identifier may not hold control characters (U+0000–U+001F, U+007F)"
        }
    }

    /// Why `text` is too long for `field`: `name is 100000 characters long; at most 200 characters`
    /// (``InputLimits/nameLength``, ``InputLimits/identifierLength``); `nil` when it fits.
    /// Characters are Unicode code points, as JSON Schema's `maxLength` in `openapi.json` counts them.
    public static func lengthProblem(_ text: String, field: String, limit: Int) -> String? {
        // UTF-8 bytes ≥ code points: most texts are decided without counting.
        guard text.utf8.count > limit else { return nil }
        let count = text.unicodeScalars.count
        return count > limit ? "\(field) is \(count) characters long; at most \(limit) characters" : nil
    }

    /// The first string of `value` (an object's keys included) holding U+0000, as ``problem(_:field:kind:)``
    /// words it; the field is `path` followed by the value's own path (`[0].properties.plan`).
    public static func problem(in value: JSONValue, path: String) -> String? {
        // Most values hold no NUL: a walk without paths or sorting decides them (a profile upsert
        // checks every row's properties).
        holdsNUL(value) ? firstNULProblem(in: value, path: path) : nil
    }

    /// Whether a string or key anywhere in `value` holds U+0000 (the byte 0 in UTF-8).
    static func holdsNUL(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let s): s.utf8.contains(0)
        case .array(let items): items.contains(where: holdsNUL)
        case .object(let members): members.contains { $0.key.utf8.contains(0) || holdsNUL($0.value) }
        case .number, .bool, .null: false
        }
    }

    /// ``problem(in:path:)`` for a value that holds a NUL: the first in key order, with its path.
    private static func firstNULProblem(in value: JSONValue, path: String) -> String? {
        switch value {
        case .string(let s): return problem(s, field: path.isEmpty ? "body" : path, kind: .text)
        case .array(let items):
            for (i, item) in items.enumerated() {
                if let p = firstNULProblem(in: item, path: "\(path)[\(i)]") { return p }
            }
        case .object(let members):
            for key in members.keys.sorted() {
                let child = path.isEmpty ? key : "\(path).\(key)"
                if let p = problem(key, field: "a key of \(path.isEmpty ? "the body" : path)", kind: .text) {
                    return p + " (key \"\(RawBytes.escaped(Array(key.utf8)))\")"
                }
                if let member = members[key], let p = firstNULProblem(in: member, path: child) { return p }
            }
        case .number, .bool, .null: break
        }
        return nil
    }

    /// Whether a JSON text may hold U+0000 in a string: it has the escape `\u0000` (JSON cannot
    /// hold a raw control character in a string). A quick byte scan, so the exact check
    /// (``problem(in:path:)``) runs only on such bodies.
    public static func mayHoldNUL(json bytes: some Collection<UInt8>) -> Bool {
        let backslash = UInt8(ascii: "\\"), u = UInt8(ascii: "u"), zero = UInt8(ascii: "0")
        var it = bytes.makeIterator()
        while let b = it.next() {
            guard b == backslash else { continue }
            // An escape: `\\`, `\n`, … are consumed whole; in valid JSON `\u` has four hex digits.
            guard let e = it.next() else { return false }
            guard e == u else { continue }
            var zeros = 0
            while zeros < 4, let d = it.next(), d == zero { zeros += 1 }
            if zeros == 4 { return true }
        }
        return false
    }

    /// `U+0000`, `U+001F`, `U+007F`.
    public static func name(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// C0 controls and DEL.
    public static func isControl(_ s: Unicode.Scalar) -> Bool { s.value < 0x20 || s.value == 0x7F }

    static func firstRefused(in text: String, kind: Kind) -> (Int, Unicode.Scalar)? {
        switch kind {
        case .text:
            guard text.utf8.contains(0) else { return nil }
            return text.unicodeScalars.enumerated().first { $0.element.value == 0 }.map { ($0.offset, $0.element) }
        case .identifier:
            return text.unicodeScalars.enumerated().first { isControl($0.element) }.map { ($0.offset, $0.element) }
        }
    }
}
