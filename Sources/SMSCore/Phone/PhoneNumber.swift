import Foundation

/// Phone numbers: validation and normalisation to E.164 against the real numbering plans, and
/// masking for logs (`docs/DOMAIN.md` §2 "Valid means E.164 with an assigned country calling code
/// and a plausible length for it", made precise by the plans).
///
/// Valid means what Google's libphonenumber calls valid (`is_valid_number`), with its metadata
/// vendored in `Resources/phone-metadata.json` (``PhoneNumberMetadata``): the national significant
/// number (NSN) has a possible length and matches a number range (fixed line, mobile, toll free,
/// premium rate, shared cost, VoIP, personal, pager, UAN, voicemail) of the plan of the region it
/// belongs to. A national (trunk) prefix after the country code is dropped as libphonenumber drops
/// it: `+44 (0)20 7946 0958` and `+44 0 20 7946 0958` are `+442079460958`, while Italy's leading 0
/// stays (`+39 06 6982 1234`). The E.164 form is libphonenumber's `format_number(…, E164)`.
///
/// Accepted input: what libphonenumber's `parse` extracts a number from (``PhoneNumberText``):
/// decimal digits of any script (ASCII, fullwidth `０`–`９`, Arabic-Indic `٠`–`٩`, Devanagari …:
/// Unicode category Nd) read as ASCII digits; libphonenumber's separators (space, no-break and
/// ideographic spaces, `-` and Unicode hyphens / dashes, `.`, `/`, `(`, `)`, `[`, `]`, `~`, `*` and
/// their fullwidth forms); leading `+` or fullwidth `＋` (a run of them is one); anything before
/// the first `+` or digit (`phone: `, `tel:`, bidi marks) and after the last letter or digit;
/// RFC 3966 `tel:` URIs (`tel:650-253-0000;phone-context=+1`); vanity letters when the text has
/// three or more (`+1 800 FLOWERS`); an extension at the end (``extensionPattern``: `;ext=5`,
/// `ext 5`, `ext. 5`, `x5`, `#5`, `доб 5`, `anexo 5`, `,,5`, …).
/// Decision (extension): it is dropped. An SMS reaches the number, not an extension of it (an
/// extension is dialled after a voice call connects), and libphonenumber's E.164 form leaves it out
/// too, so `+1 650 253 0000 ext 5` is `+16502530000`. What libphonenumber does not read as a
/// number (a TAB or a bidi mark between digits, `+49+151…`, a trailing `#`) is refused.
///
/// Input without `+` is read with a default region (`"DE"`): national form with its trunk prefix
/// (`0151 23456789`), or international form after the region's own international prefix (`00` in
/// most of the world, `011` in the NANP), exactly as libphonenumber does. Without a default region,
/// a leading `00` is taken as the international prefix (this project's decision: libphonenumber
/// refuses any input without `+` then) and other input is ``PhoneNumberError/missingCountryCode``.
public enum PhoneNumber {
    /// Inputs longer than this many characters are refused (libphonenumber's `_MAX_INPUT_STRING_LENGTH`).
    public static let maxInputLength = 250

    /// Normalises a raw phone number in international form to E.164; same as
    /// ``normalize(_:defaultRegion:)`` with no default region.
    /// - Parameter raw: the number as typed or imported (`"+49 (151) 123-45678"`, `"0049 151 12345678"`).
    /// - Returns: `"+"` followed by the country code and NSN digits (`"+4915112345678"`).
    /// - Throws: ``PhoneNumberError``.
    public static func normalize(_ raw: String) throws(PhoneNumberError) -> String {
        try normalize(raw, defaultRegion: nil)
    }

    /// Normalises a raw phone number to E.164, reading national-form input as a number of
    /// `defaultRegion`.
    /// - Parameters:
    ///   - raw: the number as typed or imported (`"0151 23456789"`, `"+44 (0)20 7946 0958"`).
    ///   - defaultRegion: ISO 3166-1 alpha-2 region in capitals (`"DE"`, one of
    ///     ``PhoneNumberMetadata/supportedRegions``) for input without `+`; `nil` for none. Input
    ///     with `+` ignores it, but must still name a supported region.
    /// - Returns: `"+"` followed by the country code and NSN digits (`"+4915123456789"`).
    /// - Throws: ``PhoneNumberError``: `.empty`, `.invalidCharacters`, `.tooLong`, `.unknownRegion`
    ///   (checked first, whatever the number), `.missingCountryCode`, `.unknownCountryCode`,
    ///   `.invalidLength`, `.notInNumberingPlan`.
    public static func normalize(_ raw: String, defaultRegion: String?) throws(PhoneNumberError) -> String {
        let metadata = PhoneNumberMetadata.shared
        var region: PhoneTerritory?
        if let defaultRegion {
            guard let code = metadata.supportedRegion(defaultRegion), let plan = metadata.territory(region: code) else {
                throw .unknownRegion(defaultRegion)
            }
            region = plan
        }
        guard raw.unicodeScalars.count <= maxInputLength else { throw .tooLong }
        var (digits, international) = try digitsAndPlus(raw)
        if !international, region == nil, digits.hasPrefix("00") {
            digits.removeFirst(2)
            international = true
            guard !digits.isEmpty else { throw .empty }
        }
        guard international || region != nil else { throw .missingCountryCode }
        return try PhoneNumberParser(metadata: metadata)
            .parseValid(digits: digits, international: international, region: region).e164
    }

    /// The ASCII digits of the input and whether it starts with `+`, read as libphonenumber's
    /// `parse` reads text (``PhoneNumberText``).
    /// - Throws: `.invalidCharacters` when the text is not a viable phone number; `.empty` when
    ///   there is no digit.
    static func digitsAndPlus(_ raw: String) throws(PhoneNumberError) -> (digits: String, plus: Bool) {
        try PhoneNumberText.digitsAndPlus(raw)
    }

    /// Whether ``normalize(_:defaultRegion:)`` accepts the raw number.
    /// - Parameters:
    ///   - raw: the number as typed or imported.
    ///   - defaultRegion: region for national-form input, or `nil`.
    public static func isValid(_ raw: String, defaultRegion: String? = nil) -> Bool {
        (try? normalize(raw, defaultRegion: defaultRegion)) != nil
    }

    /// `region` if it names a region of the numbering plans (ISO 3166-1 alpha-2 in capitals, `"DE"`;
    /// `"de"` is not one), `nil` otherwise; for checking a default region where it enters (API,
    /// import).
    public static func supportedRegion(_ region: String) -> String? {
        PhoneNumberMetadata.shared.supportedRegion(region)
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

    /// A decimal digit of any script (Unicode category Nd: `7`, `７`, `٧`, `۷`, `७`) as its ASCII
    /// digit, as libphonenumber's `normalize_digits_only` reads it; `nil` for anything else.
    static func asciiDigit(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        guard scalar.properties.generalCategory == .decimalNumber, let value = scalar.properties.numericValue,
            value >= 0, value <= 9
        else { return nil }
        return Unicode.Scalar(UInt8(ascii: "0") + UInt8(value))
    }

    /// libphonenumber's extension pattern for parsing (`_EXTN_PATTERNS_FOR_PARSING`, case
    /// insensitive, at the end of the input): `;ext=` and up to 20 digits; an explicit label (`ext`,
    /// `extn`, `extension`, `extensión`, fullwidth `ｅｘｔ`, `доб`, `anexo`) and up to 20; `x`, `#`,
    /// `~`, `int` and up to 9; `- 503#` (up to 6 digits and `#`); `,,` or `;` and up to 15; commas
    /// and up to 9.
    static let extensionAlternatives: String = {
        let digits = { (n: Int) in "\\d{1,\(n)}" }
        let before = "[ \u{00A0}\\t,]*", after = "[:\\.\u{FF0E}]?[ \u{00A0}\\t,-]*", beforeNoComma = "[ \u{00A0}\\t]*"
        let explicit = "(?:e?xt(?:ensi(?:o\u{0301}?|\u{00F3}))?n?|\u{FF45}?\u{FF58}\u{FF54}\u{FF4E}?|\u{0434}\u{043E}\u{0431}|anexo)"
        let ambiguous = "(?:[x\u{FF58}#\u{FF03}~\u{FF5E}]|int|\u{FF49}\u{FF4E}\u{FF54})"
        let alternatives = [
            ";ext=" + digits(20),
            before + explicit + after + digits(20) + "#?",
            before + ambiguous + after + digits(9) + "#?",
            "[- ]+" + digits(6) + "#",
            beforeNoComma + "(?:,{2}|;)" + after + digits(15) + "#?",
            beforeNoComma + "(?:,)+" + after + digits(9) + "#?",
        ]
        return alternatives.joined(separator: "|")
    }()

    /// ``extensionAlternatives`` at the end of the text (`_EXTN_PATTERN`).
    static let extensionPattern: NSRegularExpression? =
        // A constant pattern (PhoneNumberTests checks that it compiles).
        try? NSRegularExpression(pattern: "(?:" + extensionAlternatives + ")$", options: [.caseInsensitive])

    /// `text` without an extension at its end (``extensionPattern``), when what is left is still a
    /// viable phone number (libphonenumber's `_maybe_strip_extension` keeps the text otherwise).
    static func withoutExtension(_ text: String) -> String {
        let range = NSRange(text.startIndex..., in: text)
        guard let match = extensionPattern?.firstMatch(in: text, range: range), let r = Range(match.range, in: text) else { return text }
        let rest = text[..<r.lowerBound]
        guard PhoneNumberText.isViable(Array(rest.unicodeScalars)) else { return text }
        return String(rest)
    }
}
