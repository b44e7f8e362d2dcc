import Foundation

/// Decodes `application/x-www-form-urlencoded` text: a POST form body (Twilio, Plivo, Jasmin) or
/// a URL query (Kannel's `dlr-url`, Vonage and Plivo GET callbacks).
///
/// Rule: the WHATWG URL Standard's "application/x-www-form-urlencoded parsing"
/// (`https://url.spec.whatwg.org/#urlencoded-parsing`): split on `&`, drop empty pieces, split each
/// at its first `=`, turn `+` into a space, then percent-decode the bytes (a `%` not followed by
/// two hex digits stays as it is) and read them as UTF-8 (invalid bytes become U+FFFD in
/// ``parse(_:)``, which reads callbacks whose raw bytes are kept; ``strictPairs(bytes:checkedPart:)`` refuses
/// them, for the dashboard's forms).
/// Hummingbird's `URI.queryParameters` does not turn `+` into a space, and Kannel writes the
/// spaces of `%A` as `+` (`answer=NACK%2F0x00000045%2FSubmit+failed`).
/// A name given twice keeps its first value in ``parse(_:)``; a callback refuses such fields
/// (``repeatedNames(_:)``, ``CallbackDialect/parse(kind:body:fieldText:bodyIsJSON:maxItems:now:)``).
public enum FormFields {
    /// The fields of `text`, names and values decoded.
    public static func parse(_ text: some StringProtocol) -> [String: String] {
        var out: [String: String] = [:]
        for (name, value) in pairs(text) where out[name] == nil {
            out[name] = value
        }
        return out
    }

    /// The decoded name/value pairs in order, duplicates kept.
    public static func pairs(_ text: some StringProtocol) -> [(String, String)] {
        Array(text.utf8).split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).map { piece in
            if let eq = piece.firstIndex(of: UInt8(ascii: "=")) {
                return (decode(piece[..<eq]), decode(piece[piece.index(after: eq)...]))
            }
            return (decode(piece[...]), "")
        }
    }

    /// The names given more than once among `pairs` (compared after percent-decoding), each with
    /// how many times, in the order they first appear: a form or query that names a field twice
    /// (`type=16&type=1`) says two things, and which one is meant is not guessed (first-wins and
    /// last-wins readers differ), like a JSON key given twice (``JSONValueProblem``).
    public static func repeatedNames(_ pairs: [(String, String)]) -> [(name: String, count: Int)] {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for (name, _) in pairs {
            if counts[name] == nil { order.append(name) }
            counts[name, default: 0] += 1
        }
        return order.compactMap { name in counts[name].flatMap { $0 > 1 ? (name, $0) : nil } }
    }

    /// `the callback field 'type' appears 2 times: each field may be given once` (`noun`: what
    /// the field is).
    public static func repeatedMessage(name: String, count: Int, noun: String = "callback field") -> String {
        "the \(noun) '\(InputEcho.text(name))' appears \(count) times: each field may be given once"
    }

    /// A form field whose percent-decoded bytes are not UTF-8 (``strictPairs(bytes:checkedPart:)``).
    public struct InvalidUTF8: Error, Equatable, Sendable {
        /// The field's name (decoded); `nil` when the name itself is not UTF-8.
        public var field: String?
        /// The first byte that is not part of a UTF-8 sequence, and its offset in the decoded name or value.
        public var byte: UInt8
        public var offset: Int

        /// `the form field 'name' is not valid UTF-8 (byte 0xFF at byte 3 of its value)`.
        public var message: String { message(noun: "form field") }

        /// The message with `noun` for what the field is: `query parameter` gives
        /// `the query parameter 'q' is not valid UTF-8 (byte 0xFF at byte 0 of its value)`.
        public func message(noun: String) -> String {
            let digits = String(byte, radix: 16, uppercase: true)
            let hex = "0x" + (digits.count == 1 ? "0" : "") + digits
            guard let field else { return "a \(noun)'s name is not valid UTF-8 (byte \(hex) at byte \(offset) of the name)" }
            return "the \(noun) '\(InputEcho.text(field))' is not valid UTF-8 (byte \(hex) at byte \(offset) of its value)"
        }
    }

    /// The decoded name/value pairs in order, as ``pairs(_:)`` gives them, when every name and
    /// value decodes (percent-decoding first) to valid UTF-8; else every field that does not, in
    /// order. How a form a person typed is read (the dashboard's forms): bytes that are not UTF-8
    /// are refused naming the field, never stored as U+FFFD (`docs/DOMAIN.md` §1 "Text from outside").
    /// - Parameter checkedPart: the part of a value (given its decoded name and bytes) that must be
    ///   UTF-8, a prefix of it (default: all of it); a value whose rest is not UTF-8 is read with
    ///   U+FFFD there (a callback dialect's field that carries bytes of another coding,
    ///   ``CallbackDialect/utf8CheckedPart(_:)``).
    public static func strictPairs(
        bytes: [UInt8], checkedPart: (_ name: String, _ value: [UInt8]) -> ArraySlice<UInt8> = { $1[...] }
    ) -> Result<[(String, String)], InvalidUTF8Fields> {
        var out: [(String, String)] = []
        var invalid: [InvalidUTF8] = []
        for piece in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let eq = piece.firstIndex(of: UInt8(ascii: "="))
            let nameBytes = decodedBytes(piece[..<(eq ?? piece.endIndex)])
            let valueBytes = eq.map { decodedBytes(piece[piece.index(after: $0)...]) } ?? []
            guard let name = String(validating: nameBytes, as: UTF8.self) else {
                let at = firstInvalidUTF8(nameBytes)
                invalid.append(InvalidUTF8(field: nil, byte: nameBytes[at], offset: at))
                continue
            }
            let checked = Array(checkedPart(name, valueBytes))
            guard String(validating: checked, as: UTF8.self) != nil else {
                let at = firstInvalidUTF8(checked)
                invalid.append(InvalidUTF8(field: name, byte: checked[at], offset: at))
                continue
            }
            out.append((name, String(decoding: valueBytes, as: UTF8.self)))
        }
        return invalid.isEmpty ? .success(out) : .failure(InvalidUTF8Fields(fields: invalid, valid: out))
    }

    /// The fields of a form that are not UTF-8, and the pairs that are (so a form can be shown
    /// again with what was typed, the refused fields empty).
    public struct InvalidUTF8Fields: Error, Sendable {
        public var fields: [InvalidUTF8]
        public var valid: [(String, String)]
        /// Each refused field's ``InvalidUTF8/message``, joined by `; `.
        public var message: String { message(noun: "form field") }

        /// Each refused field's ``InvalidUTF8/message(noun:)``, joined by `; `.
        public func message(noun: String) -> String { fields.map { $0.message(noun: noun) }.joined(separator: "; ") }
    }

    /// `pairs` written back as form text, every name and value percent-encoded (all but
    /// `A-Za-z0-9-._~`), so any form reader decodes exactly these strings.
    public static func encoded(_ pairs: [(String, String)]) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        func e(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        return pairs.map { e($0.0) + "=" + e($0.1) }.joined(separator: "&")
    }

    /// The offset of the first byte of `bytes` that does not start a complete, valid UTF-8
    /// sequence (`bytes` is known not to be UTF-8).
    private static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length = b < 0x80 ? 1 : b >> 5 == 0b110 ? 2 : b >> 4 == 0b1110 ? 3 : b >> 3 == 0b11110 ? 4 : 0
            guard length > 0, i + length <= bytes.count, String(validating: bytes[i..<(i + length)], as: UTF8.self) != nil else {
                return i
            }
            i += length
        }
        return max(0, bytes.count - 1)
    }

    /// `query` (URL query text, without `?`) without its pieces named `name` (compared after
    /// percent-decoding), the other pieces byte for byte.
    public static func removing(_ name: String, from query: String) -> String {
        removing([name], from: query)
    }

    /// `query` without its pieces named one of `names` (compared after percent-decoding), the
    /// other pieces byte for byte.
    public static func removing(_ names: Set<String>, from query: String) -> String {
        query.split(separator: "&", omittingEmptySubsequences: true).filter { piece in
            let key = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return !names.contains(decode(ArraySlice(key.utf8)))
        }.joined(separator: "&")
    }

    /// Our own credentials in a callback URL's query: the provider-wide `secret` and a message's
    /// `token` (``CallbackToken``). Kept out of what is stored of a callback and out of the logs.
    public static let credentialNames: Set<String> = ["secret", CallbackToken.parameter]

    /// `query` without our credentials (``credentialNames``), the other pieces byte for byte.
    public static func removingCredentials(from query: String) -> String {
        removing(credentialNames, from: query)
    }

    /// The text a form/query dialect's fields are read from, and what is stored of an invalid one
    /// (`docs/DOMAIN.md` §1 "Text from outside"): the form body's bytes exactly as received, then
    /// `&` and the query (without `secret`) when both carry fields. Parsed by ``parse(bytes:)``
    /// this gives the fields the callback URL read: the form's, then the query's where the form has
    /// none of that name.
    /// - Parameters:
    ///   - form: the body when it is read as a form (else empty).
    ///   - query: the URL query without `?` and without `secret`.
    public static func received(form: [UInt8], query: String) -> [UInt8] {
        if query.isEmpty { return form }
        if form.isEmpty { return Array(query.utf8) }
        return form + [UInt8(ascii: "&")] + Array(query.utf8)
    }

    /// The fields of form text given as bytes (read as UTF-8 first; invalid bytes become U+FFFD).
    public static func parse(bytes: [UInt8]) -> [String: String] {
        parse(String(decoding: bytes, as: UTF8.self))
    }

    private static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: decodedBytes(bytes), as: UTF8.self)
    }

    /// `+` as a space, `%XY` as its byte, every other byte as it is.
    private static func decodedBytes(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), i + 2 < bytes.endIndex, let hi = hex(bytes[i + 1]), let lo = hex(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
                continue
            } else {
                out.append(byte)
            }
            i += 1
        }
        return out
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
