import Foundation

/// Decodes `application/x-www-form-urlencoded` text: a POST form body (Twilio, Plivo, Jasmin) or
/// a URL query (Kannel's `dlr-url`, Vonage and Plivo GET callbacks).
///
/// Rule: the WHATWG URL Standard's "application/x-www-form-urlencoded parsing"
/// (`https://url.spec.whatwg.org/#urlencoded-parsing`): split on `&`, drop empty pieces, split each
/// at its first `=`, turn `+` into a space, then percent-decode the bytes (a `%` not followed by
/// two hex digits stays as it is) and read them as UTF-8 (invalid bytes become U+FFFD).
/// Hummingbird's `URI.queryParameters` does not turn `+` into a space, and Kannel writes the
/// spaces of `%A` as `+` (`answer=NACK%2F0x00000045%2FSubmit+failed`).
/// A name given twice keeps its first value.
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

    /// `query` (URL query text, without `?`) without its pieces named `name` (compared after
    /// percent-decoding), the other pieces byte for byte: how our own `secret` parameter is kept out
    /// of what is stored of a callback.
    public static func removing(_ name: String, from query: String) -> String {
        query.split(separator: "&", omittingEmptySubsequences: true).filter { piece in
            let key = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return decode(ArraySlice(key.utf8)) != name
        }.joined(separator: "&")
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
        return String(decoding: out, as: UTF8.self)
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
