import Testing
@testable import SMSCore

@Suite("PhoneNumber")
struct PhoneNumberTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let raw: String
        let expected: Result<String, PhoneNumberError>
        var testDescription: String { "\(raw.debugDescription) → \(expected)" }
    }

    static func ok(_ raw: String, _ e164: String) -> Case { Case(raw: raw, expected: .success(e164)) }
    static func fails(_ raw: String, _ error: PhoneNumberError) -> Case { Case(raw: raw, expected: .failure(error)) }

    static let validNumbers: [Case] = [
        ok("+49 (151) 123-45678", "+4915112345678"),
        ok("0049 151 12345678", "+4915112345678"),
        ok("0049151-1234-5678", "+4915112345678"),
        ok("+49/151/12345678", "+4915112345678"),
        ok("+49 151 \u{2013} 1234 5678", "+4915112345678"),
        ok("(+49) 151 12345678", "+4915112345678"),
        ok("+49\u{00A0}151\u{00A0}12345678", "+4915112345678"),
        ok("  +49 151 12345678\r\n", "+4915112345678"),
        ok("+44 (0)20 7946 0958", "+442079460958"),
        ok("+44 0 20 7946 0958", "+442079460958"),
        ok("+44 020 7946 0958", "+442079460958"),
        ok("0044 (0) 7911 123456", "+447911123456"),
        ok("+44 7911 123456", "+447911123456"),
        ok("+1 (415) 555-2671", "+14155552671"),
        ok("+1.415.555.2671", "+14155552671"),
        ok("+1 1 415 555 2671", "+14155552671"),
        ok("+1 242 357 1234", "+12423571234"),
        ok("+33 6 12 34 56 78", "+33612345678"),
        ok("+33 (0)6 12 34 56 78", "+33612345678"),
        ok("+91 98765 43210", "+919876543210"),
        ok("+91180012345", "+91180012345"),
        ok("+86 138 0013 8000", "+8613800138000"),
        ok("+7 912 345-67-89", "+79123456789"),
        ok("+7 701 234 5678", "+77012345678"),
        ok("+39 06 6982 1234", "+390669821234"),
        ok("+39 (0)6 6982 1234", "+390669821234"),
        ok("+683 4002", "+6834002"),
        ok("+290 22158", "+29022158"),
        ok("+225 07 12 34 56 78", "+2250712345678"),
        ok("+353 87 123 4567", "+353871234567"),
        ok("+800 1234 5678", "+80012345678"),
        ok("+54 9 11 1234 5678", "+5491112345678"),
        // Normalised as libphonenumber's parse does: Unicode decimal digits, fullwidth plus and
        // separators; an extension is dropped (an SMS reaches the number, not the extension).
        ok("+\u{FF14}\u{FF19}15112345678", "+4915112345678"),
        ok("\u{FF0B}\u{FF14}\u{FF19}\u{3000}\u{FF11}\u{FF15}\u{FF11}\u{FF0D}\u{FF11}\u{FF12}\u{FF13}\u{FF14}\u{FF15}\u{FF16}\u{FF17}\u{FF18}", "+4915112345678"),
        ok("+\u{0664}\u{0669}\u{0661}\u{0665}\u{0661}\u{0661}\u{0662}\u{0663}\u{0664}\u{0665}\u{0666}\u{0667}\u{0668}", "+4915112345678"),
        ok("+\u{06F4}\u{06F9} \u{06F1}\u{06F5}\u{06F1} \u{06F1}\u{06F2}\u{06F3}\u{06F4}\u{06F5}\u{06F6}\u{06F7}\u{06F8}", "+4915112345678"),
        ok("+49 151 12345678 ext 12", "+4915112345678"),
        ok("+1 650 253 0000 ext 5", "+16502530000"),
        ok("+1 650-253-0000 ext. 123", "+16502530000"),
        ok("+1 650 253 0000;ext=5", "+16502530000"),
        ok("+1 650 253 0000 x5", "+16502530000"),
        ok("+1 650 253 0000 #5", "+16502530000"),
        ok("+7 495 123-45-67 доб. 89", "+74951234567"),
        // Read as libphonenumber's `parse` reads text (PhoneNumberText).
        ok("tel:+4915112345678", "+4915112345678"),
        ok("tel:+1-650-253-0000;ext=123", "+16502530000"),
        ok("tel:650-253-0000;phone-context=+1", "+16502530000"),
        ok("++4915112345678", "+4915112345678"),
        ok("\u{200E}+49 151 23456789\u{200F}", "+4915123456789"),
        ok("\u{202A}+49 151 23456789\u{202C}", "+4915123456789"),
        ok("\u{2066}+49 151 23456789\u{2069}", "+4915123456789"),
        ok("phone: +1 650 253 0000", "+16502530000"),
        ok("+1 800 FLOWERS", "+18003569377"),
        ok("+1 650 ABC 0000", "+16502220000"),
        ok("+ 49 151 23456789", "+4915123456789"),
        ok("*+49 151 23456789", "+4915123456789"),
    ]

    static let invalidNumbers: [Case] = [
        fails("", .empty),
        fails("   ", .empty),
        fails("+", .empty),
        fails("()-.", .empty),
        fails("00", .empty),
        fails("not a phone", .notAPhoneNumber),
        fails("n/a", .notAPhoneNumber),
        fails("+999123456", .unknownCountryCode("999")),
        fails("+0123456789", .unknownCountryCode("012")),
        fails("+210 1234567", .unknownCountryCode("210")),
        fails("+388 3 123456", .unknownCountryCode("388")),
        fails("+991 123456789", .unknownCountryCode("991")),
        fails("+1 555 0100", .invalidLength(countryCode: "1", digits: 7)),
        fails("+1 415 555 26712", .invalidLength(countryCode: "1", digits: 11)),
        fails("+91 12345", .invalidLength(countryCode: "91", digits: 5)),
        fails("+33 6 (0) 12345678", .invalidLength(countryCode: "33", digits: 10)),
        fails("+49 1", .invalidLength(countryCode: "49", digits: 1)),
        fails("+4915112345678901", .notInNumberingPlan(countryCode: "49")),
        fails("+290 12345", .notInNumberingPlan(countryCode: "290")),
        fails("+882 1234 5678", .notInNumberingPlan(countryCode: "882")),
        fails("12345", .missingCountryCode),
        fails("0151 12345678", .missingCountryCode),
        fails("011 44 20 7946 0958", .missingCountryCode),
        fails("+44abc", .invalidCharacters),
        // Three letters are keypad digits (libphonenumber's `_normalize`): "ext" is 398.
        fails("+49 151 12345678 ext", .notInNumberingPlan(countryCode: "49")),
        fails("+49 151 12345678 ext. abc", .invalidLength(countryCode: "49", digits: 17)),
        fails("+49+15112345678", .invalidCharacters),
        fails("49+15112345678", .invalidCharacters),
        fails("+1 415 555 2671 #", .invalidCharacters),
        fails("+49_151_12345678", .invalidCharacters),
        // Not libphonenumber punctuation between digits: a TAB, a bidi mark.
        fails("+1\t650 253 0000", .invalidCharacters),
        fails("+49 151 2345\u{200E}6789", .invalidCharacters),
        fails("+ +49 151 23456789", .invalidCharacters),
        // U+202F (narrow no-break space) is not in libphonenumber's punctuation either.
        fails("+49\u{00A0}151\u{202F}12345678", .invalidCharacters),
        fails("Phone: +1 650 253 0000 (mobile)", .invalidLength(countryCode: "1", digits: 16)),
        fails("+49 " + String(repeating: "1 ", count: 124), .tooLong),
    ]

    @Test("the extension pattern (libphonenumber's, for parsing) compiles")
    func extensionPatternCompiles() {
        #expect(PhoneNumber.extensionPattern != nil)
        #expect(PhoneNumber.withoutExtension("+1 650 253 0000 extension: 12345") == "+1 650 253 0000")
        #expect(PhoneNumber.withoutExtension("x5") == "x5")
    }

    @Test("normalises valid numbers to E.164", arguments: validNumbers)
    func normalizesValid(_ testCase: Case) {
        #expect(Result { () throws(PhoneNumberError) in try PhoneNumber.normalize(testCase.raw) } == testCase.expected)
        #expect(PhoneNumber.isValid(testCase.raw))
    }

    @Test("rejects invalid numbers with the exact reason", arguments: invalidNumbers)
    func rejectsInvalid(_ testCase: Case) {
        #expect(Result { () throws(PhoneNumberError) in try PhoneNumber.normalize(testCase.raw) } == testCase.expected)
        #expect(!PhoneNumber.isValid(testCase.raw))
    }

    @Test("a normalised number normalises to itself", arguments: validNumbers)
    func normalizationIsIdempotent(_ testCase: Case) throws {
        let once = try PhoneNumber.normalize(testCase.raw)
        #expect(try PhoneNumber.normalize(once) == once)
    }

    @Test("finds the country calling code of an E.164 number", arguments: [
        ("+4915112345678", "49"),
        ("+14155552671", "1"),
        ("+79123456789", "7"),
        ("+353871234567", "353"),
        ("+88212345678", "882"),
        ("+1", "1"),
    ] as [(String, String)])
    func countryCallingCode(_ e164: String, _ code: String) {
        #expect(PhoneNumber.countryCallingCode(ofE164: e164) == code)
    }

    @Test("has no country calling code for malformed or unassigned input",
          arguments: ["+999123456", "4915112345678", "+49 151 12345678", "+", "", "+49a", "0049151"])
    func noCountryCallingCode(_ input: String) {
        #expect(PhoneNumber.countryCallingCode(ofE164: input) == nil)
    }

    @Test("masks numbers for logs", arguments: [
        ("+4915112345678", "+4915*******78"),
        ("+14155552671", "+141******71"),
        ("+447700900123", "+4477******23"),
        ("+79123456789", "+791******89"),
        ("+29012345", "+29012*45"),
        ("+6834002", "+683****"),
        ("+999123456", "**********"),
        ("not a number", "************"),
        ("", ""),
    ] as [(String, String)])
    func masks(_ e164: String, _ expected: String) {
        #expect(PhoneNumber.masked(e164) == expected)
    }

    @Test("error messages name the problem", arguments: [
        (PhoneNumberError.empty, "phone number is empty"),
        (.notAPhoneNumber, "phone number holds no digit: the text is not a phone number"),
        (.invalidCharacters, "phone number contains characters other than digits, spaces, dashes, dots, slashes, parentheses and a leading + or 00"),
        (.missingCountryCode, "phone number has no country calling code: write it in international form, starting with + or 00, or give a default region (\"region\":\"DE\")"),
        (.unknownCountryCode("999"), "phone number +999… does not start with an assigned ITU-T country calling code"),
        (.invalidLength(countryCode: "1", digits: 7), "phone number +1 has 7 digits after the country code; expected 10"),
        (.invalidLength(countryCode: "44", digits: 11), "phone number +44 has 11 digits after the country code; expected 7, 9 or 10"),
        (.notInNumberingPlan(countryCode: "1"), "phone number +1… matches no number range (fixed line, mobile, toll free, …) of the +1 numbering plan"),
        (.unknownRegion("XX"), "region \"XX\" is not a region of the numbering plans: expected an ISO 3166-1 alpha-2 code in capitals such as DE, US, GB"),
        (.tooLong, "phone number is longer than 250 characters"),
    ] as [(PhoneNumberError, String)])
    func errorDescriptions(_ error: PhoneNumberError, _ message: String) {
        #expect(error.description == message)
    }
}
