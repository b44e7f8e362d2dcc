import Foundation

/// Whether raw input (an ingestion error's bytes and reason, a pending callback's payload) names
/// one person, for an erasure (issue 15, ``ProfileErasure``): the one rule both stores apply, field
/// by field, so that other people's input survives however short or common the user id is.
///
/// Input names the person when it holds
/// - the phone's digits (``phoneDigits``: the national significant number), anywhere in the bytes
///   or the reason, contiguous or split by the separators people and form encodings write (space,
///   `-`, `.`, `(`, `)`, `/`, `+` and their percent-encodings `%20`, `%2D`, `%2E`, `%28`, `%29`,
///   `%2F`, `%2B`): `+49 151 1234 5678`, `0151-1234-5678`, `%2B4915112345678`. The digits
///   directly before (no separator between) must be nothing, a trunk `0`, the country calling code
///   or the code after `00` / `011`, and no digit may follow: `4915112345678`, `015112345678` and
///   `004915112345678` match; `915112345678`, `94915112345678` and `151123456789` (other numbers)
///   and any part of the number do not;
/// - one of the person's message metas or provider message ids (``messageKeys``) as a whole token
///   (no ASCII letter, digit or `_` right before or after it): a callback names a message that way;
/// - the user id as the whole value of a user id field (``userIdFields``: `"userId": "u7"` in JSON, its
///   escapes read when the bytes are JSON, else the field as written, or a form field
///   `userId=u7` percent-encoded); the user id elsewhere (a
///   `1` in a timestamp, `delivered` as a status word) is not the person.
///
/// Bytes that are JSON are also read as JSON: a phone or message key inside a string written with
/// `\u` escapes counts, and the user id field's value is compared after its escapes are decoded.
public struct PersonMention: Sendable, Equatable {
    public let userId: String
    /// The person's message metas and provider message ids (the latter only from 8 characters:
    /// a short provider id such as `17` is no one's in particular).
    public let messageKeys: [String]
    /// The phone's national significant number (all its digits for a number whose NSN is shorter
    /// than 4), or `nil` (no phone, or a stored phone that is not E.164: then ``phoneText``).
    public let phoneDigits: String?
    /// The phone's country calling code (`49`), with ``phoneDigits``.
    public let countryCode: String?
    /// A stored phone that is not E.164, matched as written.
    public let phoneText: String?

    /// The member (or form field) names whose value is a user id: `userId` (the events API and
    /// the profile import), `user_id` and `user` (as integrations name it in callbacks).
    public static let userIdFields: Set<String> = ["userId", "user_id", "user"]

    /// RFC 3986 unreserved characters (left as they are in a percent-encoded user id).
    static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    /// Shortest provider message id taken as a message key.
    public static let minProviderIdLength = 8

    /// - Parameters:
    ///   - phone: the stored profile's phone (`nil`: none).
    ///   - metas: the metas of every message to the person.
    ///   - providerMessageIds: their provider message ids (shorter than ``minProviderIdLength`` are left out).
    public init(userId: String, phone: String?, metas: [String], providerMessageIds: [String]) {
        self.userId = userId
        var keys = metas.filter { !$0.isEmpty }
        keys += providerMessageIds.filter { $0.count >= Self.minProviderIdLength }
        var seen = Set<String>()
        messageKeys = keys.filter { seen.insert($0).inserted }
        if let phone, !phone.isEmpty, let digits = PhoneNumber.e164Digits(phone),
            let code = PhoneNumber.countryCallingCode(ofE164: phone)
        {
            let nsn = String(digits.dropFirst(code.count))
            phoneDigits = nsn.count >= 4 ? nsn : String(digits)
            countryCode = nsn.count >= 4 ? code : nil
            phoneText = nil
        } else {
            phoneDigits = nil
            countryCode = nil
            phoneText = (phone?.isEmpty ?? true) ? nil : phone
        }
    }

    // MARK: - The rule

    /// Whether raw input names the person (the rule above).
    /// - Parameters:
    ///   - raw: the bytes as received (any bytes).
    ///   - reason: the refusal's reason (searched for the phone and the message keys).
    public func names(raw: [UInt8], reason: String = "") -> Bool {
        let reasonBytes = Array(reason.utf8)
        for bytes in [raw, reasonBytes] where namesByPhoneOrKey(bytes) { return true }
        return namesUserIdField(raw)
    }

    /// The phone or a message key in `bytes`.
    private func namesByPhoneOrKey(_ bytes: [UInt8]) -> Bool {
        !phoneDigitIndices(in: bytes).isEmpty || messageKeys.contains(where: { Self.holds(token: Array($0.utf8), in: bytes) })
    }

    /// `text` with each digit of every phone occurrence (the rule above) replaced by `mask`
    /// (separators stay: `+49 151 1234 5678` becomes `+49 *** **** ****`).
    public func masked(_ text: String, mask: Character = "*") -> String {
        var bytes = Array(text.utf8)
        let indices = phoneDigitIndices(in: bytes)
        guard !indices.isEmpty, let m = mask.asciiValue else { return text }
        for i in indices { bytes[i] = m }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - The stores' pre-filter

    /// Texts at least one of which (``literals``, found by a plain substring search) or one of
    /// whose `LIKE` patterns (``likePatterns``) a row naming the person holds; a store reads only
    /// such rows and decides with ``names(raw:reason:)``. The message keys.
    /// And `\u`: JSON that escapes letters or digits (`"\u0075\u0037"`) is read as JSON by the rule.
    public var literals: [String] { messageKeys + ["\\u"] }

    /// SQL `LIKE` patterns (escape character `\`) a row naming the person by phone or user id
    /// field matches: ``phoneLikePattern``, the phone's digits in order with `%` around and between them
    /// (`%1%5%1%…%8%`: contiguous or separated), `%"userId"%:%<id>%` for each user id field (the
    /// id as in JSON; a bare number too) and `%userId=<id percent-encoded>%`. A superset: a row
    /// matching one may still not name the person.
    public var likePatterns: [String] {
        var out = phoneLikePattern.map { [$0] } ?? []
        if !userId.isEmpty {
            for field in Self.userIdFields.sorted() {
                for json in jsonForms {
                    let escaped = String(decoding: json.dropFirst().dropLast(), as: UTF8.self)
                    out.append("%\"\(Self.likeEscaped(field))\"%:%\(Self.likeEscaped(escaped))%")
                }
                if let encoded = userId.addingPercentEncoding(withAllowedCharacters: Self.unreserved) {
                    out.append("%\(Self.likeEscaped(field))=\(Self.likeEscaped(encoded))%")
                }
            }
        }
        return out
    }

    /// The user id as a JSON string, quotes included: as JSON writers spell it with and without
    /// `/` escaped (`"team/7"`, `"team\/7"`).
    var jsonForms: [[UInt8]] {
        let plain = JSONEncoder()
        plain.outputFormatting = .withoutEscapingSlashes
        let forms = [try? plain.encode(userId), try? JSONEncoder().encode(userId)].compactMap { $0.map { Array($0) } }
        return forms.count == 2 && forms[0] == forms[1] ? [forms[0]] : forms
    }

    /// The `LIKE` pattern of the phone's digits (`%1%5%1%…%8%`), or of a non-E.164 phone as
    /// written (escaped); `nil` without a phone. Every text ``masked(_:mask:)`` changes matches it.
    public var phoneLikePattern: String? {
        if let phoneDigits { return "%" + phoneDigits.map { String($0) + "%" }.joined() }
        return phoneText.map { "%" + Self.likeEscaped($0) + "%" }
    }

    /// `text` with `\`, `%` and `_` escaped for a `LIKE` pattern whose escape character is `\`.
    public static func likeEscaped(_ text: String) -> String {
        var out = ""
        for c in text {
            if c == "\\" || c == "%" || c == "_" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    // MARK: - Phone digits

    private static let separators: Set<UInt8> = Set(" -.()/+".utf8)
    /// The second and third byte of a percent-encoded separator (`%20` …), upper-case hex.
    private static let encodedSeparators: Set<[UInt8]> = Set(["20", "2D", "2E", "28", "29", "2F", "2B"].map { Array($0.utf8) })

    private static func isDigit(_ b: UInt8) -> Bool { (48...57).contains(b) }

    /// Length of the separator starting at `i` (1, 3 for a percent-encoding) or 0.
    private static func separatorLength(_ bytes: [UInt8], at i: Int) -> Int {
        if separators.contains(bytes[i]) { return 1 }
        if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count {
            let hex = [bytes[i + 1], bytes[i + 2]].map { (97...102).contains($0) ? $0 - 32 : $0 }
            if encodedSeparators.contains(hex) { return 3 }
        }
        return 0
    }

    /// The indices of every byte that is a digit of a phone occurrence in `bytes`.
    func phoneDigitIndices(in bytes: [UInt8]) -> [Int] {
        if let phoneText {
            let needle = Array(phoneText.utf8)
            var out: [Int] = []
            guard let first = needle.first, bytes.count >= needle.count else { return [] }
            for start in 0...(bytes.count - needle.count) where bytes[start] == first
                && bytes[start..<(start + needle.count)].elementsEqual(needle)
            {
                out += start..<(start + needle.count)
            }
            return out
        }
        guard let phoneDigits else { return [] }
        let needle = Array(phoneDigits.utf8)
        guard let first = needle.first, bytes.count >= needle.count else { return [] }
        var out: [Int] = []
        var start = 0
        while start < bytes.count {
            guard bytes[start] == first, digitsBefore(start, in: bytes) else {
                start += 1
                continue
            }
            var (i, k) = (start, 0)
            var matched: [Int] = []
            while i < bytes.count, k < needle.count {
                if bytes[i] == needle[k] {
                    matched.append(i)
                    i += 1
                    k += 1
                } else if k > 0, Self.separatorLength(bytes, at: i) > 0 {
                    i += Self.separatorLength(bytes, at: i)
                } else {
                    break
                }
            }
            if k == needle.count, i == bytes.count || !Self.isDigit(bytes[i]) {
                out += matched
                start = i
            } else {
                start += 1
            }
        }
        return out
    }

    /// Whether the digits directly before `start` (no separator between) allow a number to start
    /// there: none, or exactly one of the ways a number is dialled before its national significant
    /// number: a trunk `0`, the country code, or the country code after the international prefix
    /// `00` or `011` (`015…`, `4915…`, `004915…`, `0114915…`). Any other run makes it another number
    /// (`914155550123` is not `+1 415 555 0123`, `9015…` is not `015…`).
    private func digitsBefore(_ start: Int, in bytes: [UInt8]) -> Bool {
        // A percent-encoded separator right before (`%20151…`): its hex digits are not a prefix.
        if start >= 3, Self.separatorLength(bytes, at: start - 3) == 3 { return true }
        var j = start
        while j > 0, Self.isDigit(bytes[j - 1]) { j -= 1 }
        guard j < start else { return true }
        let run = Array(bytes[j..<start])
        if run == Array("0".utf8) { return true }
        guard let countryCode else { return false }
        let code = Array(countryCode.utf8)
        return run == code || run == Array("00".utf8) + code || run == Array("011".utf8) + code
    }

    // MARK: - Tokens and fields

    /// ASCII letters, digits and `_`: the bytes that continue a token.
    private static func isWordByte(_ b: UInt8) -> Bool {
        isDigit(b) || (65...90).contains(b) || (97...122).contains(b) || b == UInt8(ascii: "_")
    }

    /// Whether `token` occurs in `bytes` with no word byte right before or after it (checked only
    /// on a side where the token itself starts or ends with a word byte).
    static func holds(token: [UInt8], in bytes: [UInt8]) -> Bool {
        guard let first = token.first, let last = token.last, bytes.count >= token.count else { return false }
        for i in 0...(bytes.count - token.count) where bytes[i] == first && bytes[i..<(i + token.count)].elementsEqual(token) {
            let before = i == 0 || !isWordByte(first) || !isWordByte(bytes[i - 1])
            let after = i + token.count == bytes.count || !isWordByte(last) || !isWordByte(bytes[i + token.count])
            if before && after { return true }
        }
        return false
    }

    /// Whether `raw` gives the user id as the value of a ``userIdFields`` member (or, when it is
    /// JSON, holds the phone or a message key in a string with escapes decoded): read as JSON
    /// when it is JSON (any depth, escapes decoded; a number equal to a numeric id counts), else
    /// scanned for `"userId"`, optional white space, `:`, optional white space and the id as a
    /// JSON string or bare token.
    func namesUserIdField(_ raw: [UInt8]) -> Bool {
        guard !userId.isEmpty else { return false }
        if let value = try? JSONDecoder().decode(JSONValue.self, from: Data(raw)) { return holdsPerson(value) }
        let bare = Array(userId.utf8)
        for field in Self.userIdFields {
            let key = Array("\"\(field)\"".utf8)
            var i = 0
            while i + key.count <= raw.count {
                defer { i += 1 }
                guard raw[i] == key[0], raw[i..<(i + key.count)].elementsEqual(key) else { continue }
                var j = i + key.count
                func skipSpace() { while j < raw.count, [9, 10, 13, 32].contains(raw[j]) { j += 1 } }
                skipSpace()
                guard j < raw.count, raw[j] == UInt8(ascii: ":") else { continue }
                j += 1
                skipSpace()
                for quoted in jsonForms where raw.count - j >= quoted.count && raw[j..<(j + quoted.count)].elementsEqual(quoted) {
                    return true
                }
                if raw.count - j >= bare.count, raw[j..<(j + bare.count)].elementsEqual(bare),
                    j + bare.count == raw.count || !Self.isWordByte(raw[j + bare.count])
                {
                    return true
                }
            }
        }
        // A form field: `userId=` and the id percent-encoded, up to `&` or the end.
        if let encoded = userId.addingPercentEncoding(withAllowedCharacters: Self.unreserved) {
            for field in Self.userIdFields {
                let pair = Array("\(field)=\(encoded)".utf8)
                var i = 0
                while i + pair.count <= raw.count {
                    defer { i += 1 }
                    guard raw[i..<(i + pair.count)].elementsEqual(pair) else { continue }
                    let starts = i == 0 || raw[i - 1] == UInt8(ascii: "&") || raw[i - 1] == UInt8(ascii: "?")
                    let ends = i + pair.count == raw.count || raw[i + pair.count] == UInt8(ascii: "&")
                    if starts && ends { return true }
                }
            }
        }
        return false
    }

    private func holdsPerson(_ value: JSONValue) -> Bool {
        switch value {
        case .array(let a): return a.contains(where: holdsPerson)
        case .string(let s): return namesByPhoneOrKey(Array(s.utf8))
        case .object(let o):
            for (key, v) in o {
                if namesByPhoneOrKey(Array(key.utf8)) { return true }
                if Self.userIdFields.contains(key) {
                    if case .string(let s) = v, s == userId { return true }
                    if case .number(let d) = v, let n = Double(userId), n == d, userId.allSatisfy(\.isNumber) { return true }
                }
                if holdsPerson(v) { return true }
            }
            return false
        case .number, .bool, .null: return false
        }
    }
}
