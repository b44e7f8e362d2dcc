import Foundation

/// Why a raw phone number is not a valid E.164 number (`docs/DOMAIN.md` §2: profiles with an invalid
/// phone become the dispatch error "invalid phone number (not E.164)").
public enum PhoneNumberError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No digits at all (empty, blank, or only separators / `+`).
    case empty
    /// A character other than digits, the accepted separators and one leading `+` (letters, `#`,
    /// `*`, non-ASCII digits, a `+` in the middle, ...).
    case invalidCharacters
    /// The number is in national form: it starts with neither `+` nor `00`.
    case missingCountryCode
    /// The number starts with no assigned country calling code; carries the first (up to 3) digits
    /// after the international prefix.
    case unknownCountryCode(String)
    /// The national significant number has an implausible length for its country code; carries the
    /// code and the NSN digit count.
    case invalidLength(countryCode: String, digits: Int)

    /// A message fit for an import warning or the Errors tab.
    public var description: String {
        switch self {
        case .empty:
            return "phone number is empty"
        case .invalidCharacters:
            return "phone number contains characters other than digits, spaces, dashes, dots, slashes, parentheses and a leading + or 00"
        case .missingCountryCode:
            return "phone number has no country calling code: write it in international form, starting with + or 00"
        case .unknownCountryCode(let prefix):
            return "phone number +\(prefix)… does not start with an assigned ITU-T country calling code"
        case .invalidLength(let code, let digits):
            let expected: String
            if let entry = CountryCallingCodes.entry(forCode: code) {
                expected = entry.minLength == entry.maxLength
                    ? "\(entry.minLength)"
                    : "\(entry.minLength) to \(entry.maxLength)"
            } else {
                expected = "a plausible number of"
            }
            return "phone number +\(code) has \(digits) digits after the country code; expected \(expected)"
        }
    }
}

/// E.164 validation, normalisation and masking of phone numbers (ITU-T E.164; `docs/DOMAIN.md` §2
/// "Valid means E.164 with an assigned country calling code and a plausible length for it").
///
/// Accepted input: ASCII digits; separators (space, tab, no-break spaces, `-` and Unicode hyphens /
/// dashes, `.`, `/`, `(`, `)`); one leading `+` or a leading `00` international prefix; surrounding
/// whitespace and newlines. A trunk-prefix group `(0)` right after the country code, as in
/// `+44 (0)20 7946 0958`, is dropped. Everything else (letters, `#`, `*`, `;ext=`, non-ASCII
/// digits) is rejected.
///
/// Valid: the digits start with an assigned country calling code (``CountryCallingCodes``), the
/// national significant number (NSN) has a length in that code's range, and the whole number has at
/// most 15 digits.
public enum PhoneNumber {
    /// E.164 maximum number of digits, country code included.
    public static let maxDigits = 15

    /// Normalises a raw phone number to E.164.
    /// - Parameter raw: the number as typed or imported (`"+49 (151) 123-45678"`, `"0049 151 12345678"`).
    /// - Returns: `"+"` followed by the country code and NSN digits (`"+4915112345678"`).
    /// - Throws: ``PhoneNumberError`` (`.empty`, `.invalidCharacters`, `.missingCountryCode`,
    ///   `.unknownCountryCode`, `.invalidLength`), checked in that order.
    public static func normalize(_ raw: String) throws(PhoneNumberError) -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)

        // Keep digits, a leading "+" and parentheses; drop separators; reject the rest.
        var compact: [Character] = []
        var sawPlus = false
        var sawDigit = false
        for scalar in trimmed.unicodeScalars {
            switch scalar {
            case "0"..."9":
                compact.append(Character(scalar))
                sawDigit = true
            case "+":
                guard !sawPlus, !sawDigit else { throw .invalidCharacters }
                sawPlus = true
                compact.append("+")
            case "(", ")":
                compact.append(Character(scalar))
            default:
                guard separators.contains(scalar) else { throw .invalidCharacters }
            }
        }
        guard sawDigit else { throw .empty }

        // Drop the trunk-prefix group "(0)" when it directly follows the country code.
        if let range = compact.firstRange(of: ["(", "0", ")"]) {
            let before = compact[..<range.lowerBound].filter { $0.isASCII && $0.isNumber }
            var code = String(before)
            if !sawPlus, code.hasPrefix("00") { code.removeFirst(2) }
            if CountryCallingCodes.entry(forCode: code) != nil {
                compact.removeSubrange(range)
            }
        }

        var digits = String(compact.filter { $0.isASCII && $0.isNumber })
        if !sawPlus {
            guard digits.hasPrefix("00") else { throw .missingCountryCode }
            digits.removeFirst(2)
        }
        guard !digits.isEmpty else { throw .empty }

        guard let entry = CountryCallingCodes.entry(prefixing: digits) else {
            throw .unknownCountryCode(String(digits.prefix(3)))
        }
        let nationalLength = digits.count - entry.code.count
        guard entry.accepts(nationalLength: nationalLength), digits.count <= maxDigits else {
            throw .invalidLength(countryCode: entry.code, digits: nationalLength)
        }
        return "+" + digits
    }

    /// Whether ``normalize(_:)`` accepts the raw number.
    /// - Parameter raw: the number as typed or imported.
    public static func isValid(_ raw: String) -> Bool {
        (try? normalize(raw)) != nil
    }

    /// The country calling code of an E.164 number.
    /// - Parameter e164: `"+"` followed by digits only (the output of ``normalize(_:)``).
    /// - Returns: the code without `+` (`"49"`), or `nil` when the string is not `+digits` or starts
    ///   with no assigned code. The NSN length is not checked.
    public static func countryCallingCode(ofE164 e164: String) -> String? {
        guard let digits = e164Digits(e164) else { return nil }
        return CountryCallingCodes.entry(prefixing: digits)?.code
    }

    /// Masks an E.164 number for logs: keeps `+`, the country code, and the first 2 and last 2 NSN
    /// digits; every other digit becomes `*`.
    /// - Parameter e164: `"+"` followed by digits (`"+4915112345678"`).
    /// - Returns: e.g. `"+4915*******78"`. Decisions: an NSN of 4 digits or fewer is masked entirely
    ///   (`"+683****"`); input that is not `+digits` with an assigned code is masked entirely, one `*`
    ///   per character, so nothing of a malformed value leaks.
    public static func masked(_ e164: String) -> String {
        guard let digits = e164Digits(e164),
              let entry = CountryCallingCodes.entry(prefixing: digits)
        else {
            return String(repeating: "*", count: e164.count)
        }
        let national = Array(digits.dropFirst(entry.code.count))
        let visible = national.count > 4 ? 2 : 0
        let hidden = national.count - 2 * visible
        return "+" + entry.code
            + String(national.prefix(visible))
            + String(repeating: "*", count: hidden)
            + String(national.suffix(visible))
    }

    /// The digits of a `+digits` string, or `nil` when it has another shape.
    static func e164Digits(_ e164: String) -> Substring? {
        guard e164.hasPrefix("+") else { return nil }
        let digits = e164.dropFirst()
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return digits
    }

    /// Separators ignored between digits: space, tab, no-break space (U+00A0), narrow no-break
    /// space (U+202F), `-`, Unicode hyphens and dashes (U+2010–U+2015), minus sign (U+2212), `.`, `/`.
    static let separators: Set<Unicode.Scalar> = [
        " ", "\t", "\u{00A0}", "\u{202F}",
        "-", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2015}", "\u{2212}",
        ".", "/",
    ]
}
