import Foundation

/// How libphonenumber's `parse` reads the text before it looks at numbering plans (Python port
/// `phonenumbers/phonenumberutil.py`, each step named after its function), so that ``PhoneNumber``
/// accepts exactly the texts libphonenumber extracts a number from:
///
/// 1. `_build_national_number_for_parsing`: an RFC 3966 `tel:` URI with `;phone-context=+49` is
///    read as the context's digits then the number; otherwise `_extract_possible_number` drops
///    everything before the first `+` or digit (a label `phone: `, a `tel:` prefix, bidi marks
///    U+200E/U+200F/U+202A–U+202E/U+2066–U+2069 around the number) and every trailing character that
///    is not a letter, a digit or `#` (a closing bidi mark); `;isub=` and what follows is dropped.
/// 2. `_is_viable_phone_number`: two digits, or a run of `+` then at least three digits among
///    libphonenumber's punctuation and `*`, then letters, digits, punctuation, and an extension
///    (``PhoneNumber/extensionAlternatives``). A TAB or a bidi mark between digits is not
///    punctuation: such a text is no phone number (``PhoneNumberError/invalidCharacters``).
/// 3. `_maybe_strip_extension`, then `_maybe_strip_i18n_prefix_and_normalize`: every leading `+`
///    (`++49` is `+49`); `_normalize`: with three ASCII letters or more, letters become their
///    keypad digits (ITU-T E.161: `+1 800 FLOWERS` is `+18003569377`) and everything else but ASCII
///    digits is dropped; otherwise the digits of any script are kept as ASCII digits and the rest
///    (fewer than three letters included) is dropped.
enum PhoneNumberText {
    /// The ASCII digits of `raw` and whether it starts with `+` (steps 1 to 3).
    /// - Throws: `.empty` when the text holds nothing but spaces, `+` and separators;
    ///   `.notAPhoneNumber` when it holds no digit but other characters (`not a phone`);
    ///   `.invalidCharacters` when it holds digits but is not a viable phone number (or its
    ///   `phone-context` is malformed).
    static func digitsAndPlus(_ raw: String) throws(PhoneNumberError) -> (digits: String, plus: Bool) {
        let national = try nationalNumberForParsing(Array(raw.unicodeScalars))
        guard isViable(national) else {
            if raw.unicodeScalars.contains(where: { PhoneNumber.asciiDigit($0) != nil }) { throw .invalidCharacters }
            throw raw.unicodeScalars.allSatisfy({ $0.properties.isWhitespace || "+-.()/".unicodeScalars.contains($0) }) ? .empty : .notAPhoneNumber
        }
        var number = PhoneNumber.withoutExtension(String(String.UnicodeScalarView(national))).unicodeScalars[...]
        var plus = false
        while let first = number.first, first == "+" || first == "\u{FF0B}" {
            plus = true
            number = number.dropFirst()
        }
        let digits = normalize(Array(number))
        guard !digits.isEmpty else { throw .empty }
        return (digits, plus)
    }

    // MARK: Step 1

    static let phoneContext = Array(";phone-context=".unicodeScalars)
    static let telPrefix = Array("tel:".unicodeScalars)
    static let isdnSubaddress = Array(";isub=".unicodeScalars)

    /// libphonenumber's `_build_national_number_for_parsing`.
    static func nationalNumberForParsing(_ text: [Unicode.Scalar]) throws(PhoneNumberError) -> [Unicode.Scalar] {
        var national: [Unicode.Scalar]
        if let contextIndex = firstIndex(of: phoneContext, in: text) {
            // `_extract_phone_context`: up to the next `;`.
            let start = contextIndex + phoneContext.count
            let end = text[start...].firstIndex(of: ";") ?? text.count
            let context = Array(text[start..<end])
            guard isValidPhoneContext(context) else { throw .invalidCharacters }
            national = context.first == "+" ? context : []
            let numberStart = firstIndex(of: telPrefix, in: text).map { $0 + telPrefix.count } ?? 0
            if numberStart < contextIndex { national += text[numberStart..<contextIndex] }
        } else {
            national = extractPossibleNumber(text)
        }
        if let isdn = firstIndex(of: isdnSubaddress, in: national), isdn > 0 { national = Array(national[..<isdn]) }
        return national
    }

    /// libphonenumber's `_extract_possible_number`: from the first `+`, `＋` or digit of any script;
    /// without trailing characters other than letters, digits and `#` (and without trailing `_`);
    /// cut before a second number (`/ x…` or `\ x…`).
    static func extractPossibleNumber(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard let start = text.firstIndex(where: { $0 == "+" || $0 == "\u{FF0B}" || PhoneNumber.asciiDigit($0) != nil }) else {
            return []
        }
        var number = Array(text[start...])
        while let last = number.last, last == "_" || !(last == "#" || isWordCharacter(last)) { number.removeLast() }
        // `_SECOND_NUMBER_START_PATTERN`: `[\\/] *x`.
        for (i, scalar) in number.enumerated() where scalar == "/" || scalar == "\\" {
            var j = i + 1
            while j < number.count, number[j] == " " { j += 1 }
            if j < number.count, number[j] == "x" {
                number = Array(number[..<i])
                break
            }
        }
        return number
    }

    /// Python's `\w` in a Unicode pattern: letters and numbers of any script, and `_`.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return scalar == "_"
        }
    }

    /// libphonenumber's `_is_phone_context_valid` for a present context: global number digits
    /// (`+49`, `+1-650`) or a domain name (`example.com`).
    static func isValidPhoneContext(_ context: [Unicode.Scalar]) -> Bool {
        let text = String(String.UnicodeScalarView(context))
        return fullMatch(globalNumberDigits, text) || fullMatch(domainName, text)
    }

    static let globalNumberDigits = try? NSRegularExpression(pattern: #"\A\+(?:\d|[\-\.\(\)]?)*\d(?:\d|[\-\.\(\)]?)*\z"#)
    static let domainName: NSRegularExpression? = {
        let alpha = "a-zA-Z", alphanumeric = #"a-zA-Z\d"#
        let label = "[\(alphanumeric)]+(?:(?:\\-)*[\(alphanumeric)])*"
        let top = "[\(alpha)]+(?:(?:\\-)*[\(alphanumeric)])*"
        return try? NSRegularExpression(pattern: "\\A(?:\(label)\\.)*\(top)\\.?\\z")
    }()

    // MARK: Step 2

    /// libphonenumber's `_VALID_PUNCTUATION`, as a regular-expression class body.
    static let punctuation =
        "\\-x\u{2010}-\u{2015}\u{2212}\u{30FC}\u{FF0D}-\u{FF0F} \u{00A0}\u{00AD}\u{200B}\u{2060}\u{3000}()\u{FF08}\u{FF09}\u{FF3B}\u{FF3D}.\\[\\]/~\u{2053}\u{223C}\u{FF5E}"

    /// libphonenumber's `_VALID_PHONE_NUMBER_PATTERN` (case insensitive, `\d` any script's digits).
    static let viablePattern: NSRegularExpression? = {
        let number = "\\d{2}|[+\u{FF0B}]*(?:[\(punctuation)*]*\\d){3,}[\(punctuation)*a-zA-Z\\d]*"
        return try? NSRegularExpression(
            pattern: "\\A(?:" + number + "(?:" + PhoneNumber.extensionAlternatives + ")?)\\z", options: [.caseInsensitive])
    }()

    /// libphonenumber's `_is_viable_phone_number`: at least 2 characters, the whole of them a phone number.
    static func isViable(_ number: [Unicode.Scalar]) -> Bool {
        number.count >= 2 && fullMatch(viablePattern, String(String.UnicodeScalarView(number)))
    }

    /// Whether `regex` (anchored with `\A…\z`, as Python's `fullmatch`) matches the whole text.
    static func fullMatch(_ regex: NSRegularExpression?, _ text: String) -> Bool {
        guard let regex else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    // MARK: Step 3

    /// libphonenumber's `_normalize`.
    static func normalize(_ number: [Unicode.Scalar]) -> String {
        let letters = number.filter { ("A"..."Z").contains($0) || ("a"..."z").contains($0) }.count
        var digits = String.UnicodeScalarView()
        if letters >= 3 {
            // `_normalize_helper(number, _ALPHA_PHONE_MAPPINGS, True)`: ASCII digits and letters only.
            for scalar in number {
                if ("0"..."9").contains(scalar) {
                    digits.append(scalar)
                } else if let digit = keypadDigit(scalar) {
                    digits.append(digit)
                }
            }
        } else {
            for scalar in number { if let digit = PhoneNumber.asciiDigit(scalar) { digits.append(digit) } }
        }
        return String(digits)
    }

    /// The E.161 keypad digit of an ASCII letter (`ABC` 2, `DEF` 3, … `PQRS` 7, `TUV` 8, `WXYZ` 9).
    static func keypadDigit(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        let keys = ["ABC", "DEF", "GHI", "JKL", "MNO", "PQRS", "TUV", "WXYZ"]
        let upper = scalar.properties.uppercaseMapping
        for (i, key) in keys.enumerated() where upper.count == 1 && scalar.isASCII && key.contains(upper) {
            return Unicode.Scalar(UInt8(ascii: "2") + UInt8(i))
        }
        return nil
    }

    /// The first index at which `needle` starts in `haystack`.
    static func firstIndex(of needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if haystack[i..<i + needle.count].elementsEqual(needle) { return i }
        }
        return nil
    }
}
