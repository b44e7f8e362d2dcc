import Testing
@testable import SMSCore

/// Provider timestamp formats (all read as epoch seconds).
@Suite("Callback time parsing")
struct CallbacksTimeParsingTests {
    @Test("space-separated date-times are UTC; fractions are dropped", arguments: [
        ("2020-01-01 12:00:00", Int64?.some(1_577_880_000)),
        ("2024-11-29 12:01:00.000000", 1_732_881_660),
        ("2024-02-29 00:00:00", 1_709_164_800),
        ("1970-01-01 00:00:00", 0),
        ("2023-02-29 00:00:00", nil),  // not a leap year
        ("2020-13-01 00:00:00", nil),
        ("2020-01-01T12:00:00", nil),
        ("2020-01-01 12:00", nil),
        ("2020-01-01 12:00:00.", nil),
    ])
    func spaceSeparated(text: String, expected: Int64?) {
        #expect(CallbackTimeParsing.parseSpaceSeparated(text) == expected)
    }

    @Test("ISO 8601 honours Z and offsets", arguments: [
        ("2024-10-25T10:02:00Z", Int64?.some(1_729_850_520)),
        ("2024-10-25T10:02:42.148Z", 1_729_850_562),
        ("2024-10-25T15:32:00+05:30", 1_729_850_520),
        ("2024-10-25T15:47:00+0545", 1_729_850_520),
        ("2024-10-25T05:02:00-05:00", 1_729_850_520),
        ("2024-10-25T10:02:00", nil),  // no zone: refused, not guessed
        ("2024-10-25 10:02:00Z", nil),
    ])
    func iso8601(text: String, expected: Int64?) {
        #expect(CallbackTimeParsing.parseISO8601(text) == expected)
    }

    @Test("SMPP receipt dates are YYMMDDhhmm[ss] in 2000–2099", arguments: [
        ("2411291201", Int64?.some(1_732_881_660)),
        ("241129120130", 1_732_881_690),
        ("1311022338", 1_383_435_480),
        ("2001011400", 1_577_887_200),
        ("2413291201", nil),
        ("24112912", nil),
        ("24112912011", nil),
    ])
    func smppDates(text: String, expected: Int64?) {
        #expect(CallbackTimeParsing.parseSMPPDate(text) == expected)
    }
}
